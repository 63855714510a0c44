"""Spot-check records for tests: inspectors, plans and batches written directly; draws through the service."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from tuoyu.accounts.choices import Role
from tuoyu.accounts.models import User
from tuoyu.core.tests.factories import InstitutionFactory, RoleAssignmentFactory, UserFactory
from tuoyu.spotchecks.models import Batch, Draw, InspectionPlan
from tuoyu.spotchecks.rules import default_strata
from tuoyu.spotchecks.services import draw_run

XUANWU_UNIT = "玄武区卫生健康监督所"
JIANGNING_UNIT = "江宁区卫生健康监督所"


def inspector(region: Any, unit: str = "", username: str | None = None, name: str = "") -> User:
    user = UserFactory(**({"username": username} if username else {}))
    if name:
        user.display_name = name
        user.save(update_fields=["display_name"])
    RoleAssignmentFactory(user=user, role=Role.OFFICIAL_INSPECTOR, region=region, unit=unit)
    return user


def xuanwu_inspectors(world: Any, n: int = 3) -> list[User]:
    """n inspectors of 玄武区 (once per world: the same usernames again are the same users)."""
    users = []
    for i in range(n):
        existing = User.objects.filter(username=f"xw_inspector{i}").first()
        users.append(
            existing
            or inspector(
                world.regions["xuanwu"], XUANWU_UNIT, username=f"xw_inspector{i}", name=f"玄武检查员{i}"
            )
        )
    return users


def plan(world: Any, region_key: str = "xuanwu", year: int | None = None) -> InspectionPlan:
    region = world.regions[region_key]
    year = year or timezone.localdate().year
    existing = InspectionPlan.objects.filter(region=region, year=year).first()
    return existing or InspectionPlan.objects.create(
        region=region, year=year, title=f"{year}年{region.name}抽查计划"
    )


def batch(world: Any, the_plan: InspectionPlan | None = None, **fields: Any) -> Batch:
    the_plan = the_plan or plan(world)
    year = the_plan.year
    values = {
        "plan": the_plan,
        "name": "第一批",
        "scope_region": the_plan.region,
        "window_start": date(year, 1, 1),
        "window_end": date(year, 12, 31),
        "team_size": 2,
        "strata": default_strata(),
        **fields,
    }
    return Batch.objects.create(**values)


def more_institutions(world: Any, n: int, township_key: str = "meiyuan") -> list[Any]:
    return [InstitutionFactory(township=world.regions[township_key]) for _ in range(n)]


def drawn(world: Any, seed: int = 42, **batch_fields: Any) -> Draw:
    """A draw of a 玄武区 batch by the county official, with three 玄武区 inspectors."""
    xuanwu_inspectors(world)
    return draw_run(actor=world.user("county_official"), batch=batch(world, **batch_fields), seed=seed)
