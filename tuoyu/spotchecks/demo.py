"""Demo spot checks: `manage.py demo_spotchecks --seed 1` (after demo_data; before demo_supervision).

- The inspectors register: 2–4 inspectors in every county (units "XX区卫生健康监督所", in about a third
  of the counties one from "XX区妇幼保健院"), 2 per city and 3 at the province; they are not logins
  (no usable password), except `demo_inspector`, an inspector of 玄武区 whose password is the other
  demo logins' (copied from demo_county_xuanwu, or `--password`).
- Conflict declarations: own unit (the 妇幼保健院 and a medical-childcare institution of its county),
  relatives and other interests here and there.
- A plan for this year for every county and the province; every county's plan has a batch (all kinds,
  operating institutions, the default strata) and the province's a batch of 医育结合 institutions;
  each batch is drawn (opening routine inspections) by the county's demo official where there is
  one, else by demo_province.

Idempotent: existing inspectors, declarations, plans, batches and draws are kept as they are.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from time import monotonic
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from tuoyu.accounts.choices import Role
from tuoyu.accounts.models import RoleAssignment, User
from tuoyu.institutions.choices import InstitutionType, OperatingStatus
from tuoyu.institutions.models import Institution
from tuoyu.regions.models import Region

from .choices import ConflictRelation
from .models import Batch, ConflictDeclaration, Draw, DrawAssignment, InspectionPlan
from .rules import MAX_SEED, default_strata
from .services import draw_run

PREFIX = "demo_insp_"
XUANWU = "320102000000"
PROVINCE = "320000000000"
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
)
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "霞",
    "平",
    "刚",
]
NOTES: dict[str, str] = {
    ConflictRelation.RELATIVE: "配偶在该机构任职",
    ConflictRelation.OTHER: "曾为该机构提供咨询服务",
}


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def add_inspectors(*, seed: int, password_hash: str = "") -> tuple[int, dict[str, list[tuple[User, str]]]]:
    """Inspectors in every county, city and the province: (new users, {region code: [(user, unit)]})."""
    rng = random.Random(seed)
    regions = list(Region.objects.filter(level__in=("province", "city", "county")).order_by("code"))
    wanted: list[tuple[str, str, Region, str]] = []  # (username, display name, region, unit)
    for region in regions:
        if region.level == "county":
            n = rng.randint(2, 4)
            units = [f"{region.name}卫生健康监督所"] * n
            if rng.random() < 0.33:
                units[-1] = f"{region.name}妇幼保健院"
        elif region.level == "city":
            n, units = 2, [f"{region.name}卫生健康监督所"] * 2
        else:
            n, units = 3, [f"{region.name}卫生健康监督所"] * 3
        for i in range(n):
            wanted.append((f"{PREFIX}{region.code}_{i + 1}", f"{_name(rng)}（演示）", region, units[i]))
    existing = set(User.objects.filter(username__startswith=PREFIX).values_list("username", flat=True))
    new_users = [
        User(username=username, display_name=display, password=make_password(None), is_active=True)
        for username, display, _region, _unit in wanted
        if username not in existing
    ]
    with transaction.atomic():
        User.objects.bulk_create(new_users, batch_size=500)
        users = User.objects.in_bulk([u for u, *_rest in wanted], field_name="username")
        have = set(
            RoleAssignment.objects.filter(
                user__username__startswith=PREFIX, role=Role.OFFICIAL_INSPECTOR
            ).values_list("user__username", flat=True)
        )
        RoleAssignment.objects.bulk_create(
            [
                RoleAssignment(user=users[username], role=Role.OFFICIAL_INSPECTOR, region=region, unit=unit)
                for username, _display, region, unit in wanted
                if username not in have
            ],
            batch_size=500,
        )
        _demo_inspector(password_hash)
    by_region: dict[str, list[tuple[User, str]]] = {}
    for username, _display, region, unit in wanted:
        by_region.setdefault(region.code, []).append((users[username], unit))
    return len(new_users), by_region


def _demo_inspector(password_hash: str) -> None:
    """The demo login of an inspector of 玄武区 (its password: the other demo logins')."""
    xuanwu = Region.objects.filter(code=XUANWU).first()
    if xuanwu is None:
        return
    user = User.objects.filter(username="demo_inspector").first()
    if user is None:
        user = User(username="demo_inspector", display_name="周检查员（演示）", is_active=True)
        if password_hash:
            user.password = password_hash
        else:
            user.set_unusable_password()
        user.save()
    RoleAssignment.objects.get_or_create(
        user=user,
        role=Role.OFFICIAL_INSPECTOR,
        region=xuanwu,
        defaults={"unit": "玄武区卫生健康监督所"},
    )


def add_declarations(*, seed: int, by_region: dict[str, list[tuple[User, str]]]) -> int:
    """Own-unit declarations for the counties' 妇幼保健院, and a few relatives and other interests."""
    rng = random.Random(seed + 1)
    today = timezone.localdate()
    counties = Region.objects.filter(level="county", code__in=list(by_region)).order_by("code")
    operating = Institution.objects.filter(status=OperatingStatus.OPERATING)
    existing = set(
        ConflictDeclaration.objects.values_list("institution_id", "relation", "inspector_id", "unit")
    )
    rows: list[tuple[int, str, int | None, str]] = []
    for county in counties:
        people = by_region[county.code]
        ids = list(operating.filter(county=county).order_by("pk").values_list("pk", "type"))
        if not ids:
            continue
        hospital_units = sorted({unit for _user, unit in people if unit.endswith("妇幼保健院")})
        for unit in hospital_units:
            medical = [pk for pk, kind in ids if kind == InstitutionType.MEDICAL] or [ids[0][0]]
            rows.append((medical[0], ConflictRelation.OWN_UNIT, None, unit))
        for relation, chance in ((ConflictRelation.RELATIVE, 0.35), (ConflictRelation.OTHER, 0.15)):
            if rng.random() < chance:
                user, _unit = rng.choice(people)
                rows.append((rng.choice(ids)[0], relation, user.pk, ""))
    new = [
        ConflictDeclaration(
            institution_id=institution_id,
            relation=relation,
            inspector_id=inspector_id,
            unit=unit,
            declared_on=date(today.year, 1, 1) + timedelta(days=rng.randint(0, 40)),
            note=NOTES.get(relation, "本单位举办"),
        )
        for institution_id, relation, inspector_id, unit in rows
        if (institution_id, relation, inspector_id, unit) not in existing
    ]
    ConflictDeclaration.objects.bulk_create(new)
    return len(new)


def _actor_for(region: Region, officials: dict[str, User]) -> User | None:
    if region.code == XUANWU and "demo_county_xuanwu" in officials:
        return officials["demo_county_xuanwu"]
    if region.code == "320115000000" and "demo_county_jiangning" in officials:
        return officials["demo_county_jiangning"]
    return officials.get("demo_province")


def add_plans_and_draws(*, seed: int) -> tuple[int, int, int]:
    """This year's plan, one batch and its draw for every county and the province: (plans, batches, draws)."""
    rng = random.Random(seed + 2)
    today = timezone.localdate()
    year = today.year
    window_start = today
    window_end = min(today + timedelta(days=60), date(year, 12, 31))
    officials = User.objects.in_bulk(
        ["demo_province", "demo_county_xuanwu", "demo_county_jiangning"], field_name="username"
    )
    regions = list(Region.objects.filter(level__in=("province", "county")).order_by("code"))
    plans = {p.region_id: p for p in InspectionPlan.objects.filter(year=year, region__in=regions)}
    new_plans = [
        InspectionPlan(
            region=r,
            year=year,
            title=f"{year}年{r.name}托育机构“双随机、一公开”抽查计划",
            created_by=_actor_for(r, officials),
        )
        for r in regions
        if r.code not in plans
    ]
    InspectionPlan.objects.bulk_create(new_plans)
    plans = {p.region_id: p for p in InspectionPlan.objects.filter(year=year, region__in=regions)}
    with_batches = set(Batch.objects.filter(plan__in=plans.values()).values_list("plan_id", flat=True))
    new_batches = []
    for region in regions:
        the_plan = plans[region.code]
        if the_plan.pk in with_batches:
            continue
        province = region.level == "province"
        new_batches.append(
            Batch(
                plan=the_plan,
                name="省级专项：医育结合机构" if province else "第一批",
                scope_region=region,
                institution_kinds=[InstitutionType.MEDICAL] if province else [],
                operating_only=True,
                window_start=window_start,
                window_end=window_end,
                team_size=2,
                strata=default_strata(),
                created_by=_actor_for(region, officials),
            )
        )
    Batch.objects.bulk_create(new_batches)
    drawn_batches = set(Draw.objects.values_list("batch_id", flat=True))
    batches = (
        Batch.objects.filter(plan__in=plans.values())
        .select_related("plan__region", "scope_region")
        .order_by("plan__region_id", "id")
    )
    seeds = {b.pk: rng.randrange(MAX_SEED) for b in batches}
    draws = 0
    for b in batches:
        actor = _actor_for(b.plan.region, officials)
        if b.pk in drawn_batches or actor is None:
            continue
        seed_used = seeds[b.pk]
        if b.plan.region_id == XUANWU:
            seed_used = _seed_with_demo_inspector(actor, b, seed_used)
        draw_run(actor=actor, batch=b, seed=seed_used)
        draws += 1
    return len(new_plans), len(new_batches), draws


class _DryRun(Exception):
    pass


def _seed_with_demo_inspector(actor: User, batch: Batch, seed: int) -> int:
    """A demo convenience: the first seed from `seed` on whose draw puts demo_inspector on a team, so
    that the demo login has an inspection to open (tried in a rolled-back transaction)."""
    inspector = User.objects.filter(username="demo_inspector").values_list("pk", flat=True).first()
    if inspector is None:
        return seed
    for candidate in range(seed, seed + 30):
        try:
            with transaction.atomic():
                draw = draw_run(actor=actor, batch=batch, seed=candidate)
                found = any(inspector in row["team"] for row in draw.result["institutions"])
                raise _DryRun(found)
        except _DryRun as outcome:
            if outcome.args[0]:
                return candidate
    return seed


def add_demo_spotchecks(*, seed: int, password: str = "", stdout: Any = None) -> dict[str, int]:
    started = monotonic()
    password_hash = ""
    if password:
        probe = User()
        probe.set_password(password)
        password_hash = probe.password
    else:
        reference = User.objects.filter(username="demo_county_xuanwu").first()
        if reference is not None and reference.has_usable_password():
            password_hash = reference.password
    new_inspectors, by_region = add_inspectors(seed=seed, password_hash=password_hash)
    declarations = add_declarations(seed=seed, by_region=by_region)
    plans, batches, draws = add_plans_and_draws(seed=seed)
    figures = {
        "inspectors": new_inspectors,
        "declarations": declarations,
        "plans": plans,
        "batches": batches,
        "draws": draws,
    }
    if stdout is not None:
        opened = DrawAssignment.objects.filter(inspection__isnull=False).count()
        stdout.write(
            f"{new_inspectors} demo inspectors, {declarations} conflict declarations, {plans} plans, "
            f"{batches} batches, {draws} draws ({opened} routine inspections opened by draws in all) "
            f"({monotonic() - started:.1f} s)."
        )
    return figures
