"""Named personas on a small hand-built tree with real Jiangsu codes.

江苏省 ─ 南京市 ─ 玄武区 ─ 梅园新村街道 ─ inst_xuanwu (director, caregiver)
       │        └ 江宁区 ─ 东山街道     ─ inst_jiangning
       └ 无锡市 ─ 锡山区 ─ 东亭街道     ─ inst_wuxi

Children (world.children): `own_child` in inst_xuanwu's class 苹果班 (toddler), whose guardian is the `parent`
persona; `other_child` in the same class, whose guardian has no account; `jiangning_child` in
inst_jiangning. `world.classes["xuanwu_toddler"]` is that class.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tuoyu.accounts.choices import Role
from tuoyu.accounts.models import User
from tuoyu.regions.models import Region, RegionPopulation

from .factories import InstitutionFactory, RegionFactory, RoleAssignmentFactory, UserFactory

PASSWORD = "pw-Tuoyu-2026"

# Persona name → (role, scope key). Scope keys name regions or institutions of the world below.
PERSONAS: dict[str, tuple[str | None, str | None]] = {
    "province_official": (Role.OFFICIAL_ADMIN, "province"),
    "city_official": (Role.OFFICIAL_VIEWER, "nanjing"),
    "county_official": (Role.OFFICIAL_ADMIN, "xuanwu"),
    "other_county_official": (Role.OFFICIAL_ADMIN, "jiangning"),
    "director": (Role.DIRECTOR, "inst_xuanwu"),
    "caregiver": (Role.CAREGIVER, "inst_xuanwu"),
    "parent": (Role.PARENT, None),
    "national_observer": (Role.NATIONAL_OBSERVER, None),
    "outsider": (None, None),
}
ALL_PERSONAS = [*PERSONAS, "anonymous"]
# Who, in the world below, may see what belongs to 玄武区 (used by the per-endpoint expectations).
GOV = {"province_official", "city_official", "county_official", "other_county_official", "national_observer"}
XUANWU_VIEWERS = {
    "province_official",
    "city_official",
    "county_official",
    "national_observer",
    "director",
    "caregiver",
}


@dataclass
class World:
    regions: dict[str, Region]
    institutions: dict[str, Any]
    users: dict[str, User | None]
    classes: dict[str, Any]
    children: dict[str, Any]

    def user(self, persona: str) -> User | None:
        return self.users[persona]


def _region(code: str, name: str, level: str, kind: str, parent: Region | None) -> Region:
    return RegionFactory(code=code, name=name, level=level, kind=kind, parent=parent)


def build_world() -> World:
    province = _region("320000000000", "江苏省", "province", "province", None)
    nanjing = _region("320100000000", "南京市", "city", "prefecture_city", province)
    wuxi = _region("320200000000", "无锡市", "city", "prefecture_city", province)
    xuanwu = _region("320102000000", "玄武区", "county", "district", nanjing)
    jiangning = _region("320115000000", "江宁区", "county", "district", nanjing)
    xishan = _region("320205000000", "锡山区", "county", "district", wuxi)
    meiyuan = _region("320102002000", "梅园新村街道", "township", "subdistrict", xuanwu)
    dongshan = _region("320115001000", "东山街道", "township", "subdistrict", jiangning)
    dongting = _region("320205001000", "东亭街道", "township", "subdistrict", xishan)
    community = _region("320102002001", "梅园新村社区居委会", "community", "residents_committee", meiyuan)
    RegionPopulation.objects.create(region=nanjing, year=2020, population=9314685, source="census")
    RegionPopulation.objects.create(region=wuxi, year=2020, population=7462135, source="census")
    regions = {
        "province": province,
        "nanjing": nanjing,
        "wuxi": wuxi,
        "xuanwu": xuanwu,
        "jiangning": jiangning,
        "xishan": xishan,
        "meiyuan": meiyuan,
        "dongshan": dongshan,
        "dongting": dongting,
        "community": community,
    }
    institutions = {
        "inst_xuanwu": InstitutionFactory(
            name="梅园托育中心", township=meiyuan, lat=32.05, lng=118.80, places=80
        ),
        "inst_jiangning": InstitutionFactory(name="东山托育园", township=dongshan, places=50, inclusive=True),
        "inst_wuxi": InstitutionFactory(name="东亭托育中心", township=dongting, places=40),
    }
    scopes = {**regions, **institutions}
    users: dict[str, User | None] = {"anonymous": None}
    for persona, (role, scope_key) in PERSONAS.items():
        user = UserFactory(username=persona)
        users[persona] = user
        if role is None:
            continue
        scope = scopes[scope_key] if scope_key else None
        RoleAssignmentFactory(
            user=user,
            role=role,
            region=scope if isinstance(scope, Region) else None,
            institution=None if isinstance(scope, Region) else scope,
        )
    classes, children = _children(institutions, users)
    return World(regions=regions, institutions=institutions, users=users, classes=classes, children=children)


def _children(
    institutions: dict[str, Any], users: dict[str, User | None]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Two classes and three enrolled children, written directly (the services have their own tests)."""
    from datetime import date, timedelta

    from django.utils import timezone

    from tuoyu.children.models import Child, Enrolment, Guardian
    from tuoyu.institutions.models import InstitutionClass

    today = timezone.localdate()
    classes = {
        "xuanwu_toddler": InstitutionClass.objects.create(
            institution=institutions["inst_xuanwu"], name="苹果班", kind="toddler", capacity=15, enrolled=2
        ),
        "jiangning_toddler": InstitutionClass.objects.create(
            institution=institutions["inst_jiangning"],
            name="托小一班",
            kind="toddler",
            capacity=15,
            enrolled=1,
        ),
    }
    specs = [
        ("own_child", "小明", "M", "xuanwu_toddler", "parent"),
        ("other_child", "小红", "F", "xuanwu_toddler", None),
        ("jiangning_child", "小刚", "M", "jiangning_toddler", None),
    ]
    children: dict[str, Any] = {}
    for key, name, sex, class_key, guardian_persona in specs:
        klass = classes[class_key]
        child = Child.objects.create(
            name=name,
            sex=sex,
            birth_date=today - timedelta(days=540),
            institution=klass.institution,
            klass=klass,
            allergies="花生" if key == "own_child" else "",
        )
        Guardian.objects.create(
            child=child,
            position=1,
            name=f"{name}妈妈",
            relation="mother",
            phone="13800138000",
            user=users[guardian_persona] if guardian_persona else None,
        )
        Enrolment.objects.create(
            child=child,
            institution=klass.institution,
            klass=klass,
            service_mode="full_day",
            start_on=date(today.year, today.month, 1) - timedelta(days=62),
        )
        children[key] = child
    return classes, children


@pytest.fixture
def world(db: Any) -> World:
    return build_world()


@pytest.fixture
def transactional_world(transactional_db: Any) -> World:
    return build_world()


def expect_status(expected: dict[str, int]) -> Any:
    """A persona-suite check: the response's status is `expected[persona]` (apps' scoping_cases use it)."""

    def check(persona: str, response: Any) -> None:
        assert response.status_code == expected[persona], (
            persona,
            response.status_code,
            response.content[:300],
        )

    return check
