"""The plan indicators, defined once as data: what each measures, how, at which levels, from where.

Source: 江苏省“十四五”托育服务发展规划 (苏卫人口〔2022〕14号), its table of seven main indicators and the
paragraphs quoted in `data/SOURCES.md`. Targets are not here: they are rows of `PlanTarget` (loaded from
`data/plan_targets.csv`), so a new plan period's targets need no code change. A new indicator needs a
definition here and its computation in `compute.py`.

Names are English source strings (translated in the catalogue); `official_name` is the plan's own
Chinese wording, which is a fact of the source document rather than a translation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .choices import Unit

PLAN_NAME = "江苏省“十四五”托育服务发展规划"
PLAN_REFERENCE = "苏卫人口〔2022〕14号"

PROVINCE, CITY, COUNTY, TOWNSHIP = "province", "city", "county", "township"
UPPER = (PROVINCE, CITY, COUNTY)
ALL_LEVELS = (PROVINCE, CITY, COUNTY, TOWNSHIP)

# The fifteen-minute walk (一刻钟托育服务圈) read as a straight-line distance of about 1 km.
FIFTEEN_MINUTE_RADIUS_M = 1000


@dataclass(frozen=True)
class Baseline:
    year: int
    value: float
    source: str


@dataclass(frozen=True)
class IndicatorDefinition:
    """One indicator: key, names, formula, unit, numerator and denominator, levels, source."""

    key: str
    name: Promise
    official_name: str
    formula: Promise
    numerator: Promise
    denominator: Promise | None
    unit: str
    levels: tuple[str, ...]
    source: str
    plan_number: int | None = None  # row of the plan's table of main indicators, if it is one
    available: bool = True  # False: the platform does not record the data yet (always "no data yet")
    baseline: Baseline | None = None
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def unit_label(self) -> str:
        return str(Unit(self.unit).label)


BASELINE_SOURCE = "一（一）3、5：2021年底"

DEFINITIONS: tuple[IndicatorDefinition, ...] = (
    IndicatorDefinition(
        key="places_per_1000",
        name=_("Childcare places per 1,000 residents"),
        official_name="每千人口拥有3岁以下婴幼儿托位数",
        formula=_("Filed places of operating institutions ÷ resident population × 1,000"),
        numerator=_("Filed places of institutions operating on the date (every filing status)"),
        denominator=_("Resident population: the latest figure of a year up to the date's year"),
        unit=Unit.PER_1000,
        levels=UPPER,
        source="主要指标表 第1项；二（三）主要目标",
        plan_number=1,
        baseline=Baseline(2021, 2.6, BASELINE_SOURCE),
    ),
    IndicatorDefinition(
        key="inclusive_township_coverage",
        name=_("Inclusive coverage of townships"),
        official_name="普惠托育机构乡镇街道覆盖率",
        formula=_("Townships with an operating inclusive institution ÷ townships × 100"),
        numerator=_(
            "Subdistricts, towns and rural townships with at least one operating inclusive institution"
        ),
        denominator=_("Subdistricts, towns and rural townships (parks, farms and other units excluded)"),
        unit=Unit.PERCENT,
        levels=UPPER,
        source="主要指标表 第2项；三（二）4",
        plan_number=2,
    ),
    IndicatorDefinition(
        key="demonstration_county_coverage",
        name=_("Demonstration coverage of counties"),
        official_name="示范性托育机构县级覆盖率",
        formula=_("Counties with an operating demonstration institution ÷ counties × 100"),
        numerator=_("Counties with at least one operating institution holding a demonstration designation"),
        denominator=_("City districts, counties and county-level cities (economic zones excluded)"),
        unit=Unit.PERCENT,
        levels=UPPER,
        source="主要指标表 第3项；三（二）4",
        plan_number=3,
    ),
    IndicatorDefinition(
        key="new_residential_coverage",
        name=_("New residential areas with a childcare facility"),
        official_name="新建居住区配套托育服务设施覆盖率",
        formula=_("Delivered projects whose childcare facility was accepted ÷ delivered projects × 100"),
        numerator=_(
            "New residential projects delivered by the date whose childcare facility was accepted "
            "or delivered by the date"
        ),
        denominator=_("New residential projects whose homes were delivered by the date"),
        unit=Unit.PERCENT,
        levels=ALL_LEVELS,
        source="主要指标表 第4项；三（一）2",
        plan_number=4,
    ),
    IndicatorDefinition(
        key="service_centres",
        name=_("Comprehensive childcare service centres"),
        official_name="托育综合服务中心数量",
        formula=_("Operating institutions designated comprehensive service centre"),
        numerator=_("Operating institutions with a comprehensive service centre designation on the date"),
        denominator=None,
        unit=Unit.COUNT,
        levels=UPPER,
        source="主要指标表 第5项；三（二）5",
        plan_number=5,
    ),
    IndicatorDefinition(
        key="service_centre_city_coverage",
        name=_("Cities with a comprehensive service centre"),
        official_name="设区市托育综合服务中心覆盖率",
        formula=_("Cities with an operating service centre ÷ cities × 100"),
        numerator=_("Cities with at least one operating comprehensive service centre"),
        denominator=_("Prefecture-level cities"),
        unit=Unit.PERCENT,
        levels=(PROVINCE,),
        source="三（二）5",
    ),
    IndicatorDefinition(
        key="workforce",
        name=_("Childcare workforce"),
        official_name="托育服务从业人员数量",
        formula=_("People with a job at an institution on the date"),
        numerator=_("Distinct people with an employment open on the date (started, not ended)"),
        denominator=None,
        unit=Unit.PEOPLE,
        levels=ALL_LEVELS,
        source="主要指标表 第6项；三（三）",
        plan_number=6,
        baseline=Baseline(2021, 41300, BASELINE_SOURCE),
    ),
    IndicatorDefinition(
        key="caregivers",
        name=_("Caregivers"),
        official_name="保育人员数量",
        formula=_("People with a caregiver job at an institution on the date"),
        numerator=_("Distinct people with a caregiver employment open on the date"),
        denominator=None,
        unit=Unit.PEOPLE,
        levels=ALL_LEVELS,
        source="三（三）",
        baseline=Baseline(2021, 27300, BASELINE_SOURCE),
    ),
    IndicatorDefinition(
        key="training_base_coverage",
        name=_("Training base coverage of province, cities and counties"),
        official_name="省市县托育实训基地覆盖率",
        formula=_("Units with an accredited base at their own level ÷ units × 100"),
        numerator=_(
            "The province, cities and counties in the region that have an active training base "
            "accredited at their own level on the date"
        ),
        denominator=_("The province, cities and counties in the region (economic zones excluded)"),
        unit=Unit.PERCENT,
        levels=UPPER,
        source="主要指标表 第7项；三（三）9",
        plan_number=7,
    ),
    IndicatorDefinition(
        key="public_county_coverage",
        name=_("Public institution coverage of counties"),
        official_name="公办托育机构县级覆盖率",
        formula=_("Counties with an operating public institution ÷ counties × 100"),
        numerator=_("Counties with at least one operating public institution"),
        denominator=_("City districts, counties and county-level cities (economic zones excluded)"),
        unit=Unit.PERCENT,
        levels=UPPER,
        source="三（二）5",
    ),
    IndicatorDefinition(
        key="community_facility_coverage",
        name=_("Community childcare facility coverage"),
        official_name="社区托育服务设施覆盖率",
        formula=_("Communities with a childcare facility ÷ communities × 100"),
        numerator=_("Communities with a community childcare facility (not recorded yet)"),
        denominator=_("Communities"),
        unit=Unit.PERCENT,
        levels=ALL_LEVELS,
        source="三（二）6",
        available=False,
    ),
    IndicatorDefinition(
        key="fifteen_minute_coverage",
        name=_("Communities within a fifteen-minute walk of a place"),
        official_name="一刻钟托育服务圈覆盖率",
        formula=_(
            "Communities within about 1 km of an operating institution with places ÷ communities × 100"
        ),
        numerator=_(
            "Communities whose point lies within 1 km (straight line) of an operating institution "
            "with places and a point"
        ),
        denominator=_("Communities with a point (those without one are excluded and counted)"),
        unit=Unit.PERCENT,
        levels=ALL_LEVELS,
        source="三（二）6 一刻钟托育服务圈",
        params={"radius_m": FIFTEEN_MINUTE_RADIUS_M},
    ),
    IndicatorDefinition(
        key="inclusive_places_share",
        name=_("Inclusive share of places"),
        official_name="普惠托位占比",
        formula=_("Places of operating inclusive institutions ÷ places of operating institutions × 100"),
        numerator=_("Filed places of operating inclusive institutions"),
        denominator=_("Filed places of operating institutions"),
        unit=Unit.PERCENT,
        levels=ALL_LEVELS,
        source="二（二）2 普惠优先",
    ),
    IndicatorDefinition(
        key="enrolment_rate",
        name=_("Enrolment rate of children under three"),
        official_name="3岁以下婴幼儿入托率",
        formula=_("Children under three enrolled ÷ children under three × 100"),
        numerator=_("Children under three enrolled in an institution (the children register)"),
        denominator=_("Children under three living in the region (no population figure by age yet)"),
        unit=Unit.PERCENT,
        levels=ALL_LEVELS,
        source="一（二）实际入托率仅为6%左右",
        available=False,
        baseline=Baseline(2021, 6, "一（二）"),
    ),
    IndicatorDefinition(
        key="occupancy_rate",
        name=_("Occupancy of places"),
        official_name="托位使用率",
        formula=_("Children enrolled ÷ filed places of operating institutions × 100"),
        numerator=_("Children holding a place in operating institutions (the children register)"),
        denominator=_("Filed places of operating institutions"),
        unit=Unit.PERCENT,
        levels=ALL_LEVELS,
        source="—",
    ),
)

BY_KEY: dict[str, IndicatorDefinition] = {d.key: d for d in DEFINITIONS}
KEYS: tuple[str, ...] = tuple(BY_KEY)


def definitions_for_level(level: str) -> list[IndicatorDefinition]:
    return [d for d in DEFINITIONS if level in d.levels]
