"""A small hand-built world for the indicator formulas, on top of the persona world.

江苏省 ─ 南京市 (9,314,685) ─ 玄武区 (500,000 in 2020; 400,000 in 2024) ─ 梅园新村街道 ─ inst_xuanwu 80
       │                 │                                          └ 玄武科技园 (other) ─ inclusive 30
       │                 └ 江宁区 ─ 东山街道 ─ inst_jiangning 50 (inclusive flag, no designation)
       └ 无锡市 (7,462,135) ─ 锡山区 ─ 东亭街道 ─ inst_wuxi 40 (public, service centre)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tuoyu.core.tests.factories import InstitutionFactory, RegionFactory
from tuoyu.core.tests.personas import World
from tuoyu.institutions.choices import DesignationKind, DesignationLevel, Ownership
from tuoyu.institutions.models import Designation, Institution
from tuoyu.regions.models import RegionPopulation


def designate(
    institution: Any, kind: str, granted_on: dt.date, revoked_on: dt.date | None = None
) -> Designation:
    return Designation.objects.create(
        institution=institution,
        kind=kind,
        level=DesignationLevel.CITY,
        granted_on=granted_on,
        granted_by="测试",
        revoked_on=revoked_on,
    )


def build_plan_world(world: World) -> dict[str, Any]:
    """Adds to the persona world what every formula needs; returns the extra objects by name."""
    r = world.regions
    RegionPopulation.objects.create(region=r["xuanwu"], year=2020, population=500_000, source="test")
    RegionPopulation.objects.create(region=r["xuanwu"], year=2024, population=400_000, source="test")
    park = RegionFactory(
        code="320102400000", name="玄武科技园", level="township", kind="other", parent=r["xuanwu"]
    )
    park_inst = InstitutionFactory(name="科技园托育", township=park, places=30, inclusive=True)
    Institution.objects.filter(pk=world.institutions["inst_wuxi"].pk).update(ownership=Ownership.PUBLIC)
    designate(world.institutions["inst_xuanwu"], DesignationKind.DEMONSTRATION, dt.date(2024, 1, 1))
    designate(world.institutions["inst_wuxi"], DesignationKind.SERVICE_CENTRE, dt.date(2024, 1, 1))
    # Entered in the register long ago, so that earlier as-of dates see them (compute.py's as-of rule).
    Institution.objects.update(created_at=dt.datetime(2020, 1, 1, 9, tzinfo=dt.UTC))
    return {"park": park, "park_inst": park_inst}
