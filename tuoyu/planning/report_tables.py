"""The statistical report tables (统计调查表), defined once as data: tables, rows, units, how each row
is counted and how it adds up from the units below.

A report has the tables whose `periods` include its period kind (monthly or annual), at every level
(county, city, province). Names and units are the fixed Chinese wording of the official form, written
as they are in the Excel file and the national export whatever the UI language; `label` is the
translatable UI text shown beside them.

How a row's figure is made (selectors_reports.py):

- a county's report counts its records as of the period's last day (SQL aggregates; the as-of rules of
  `compute.py`: operating on the day, designations active on the day, jobs open on the day);
- a city's or the province's report **consolidates** (逐级汇总) the approved reports of its counties
  (accepted reports of its cities): `count` rows are the sum of theirs, `ratio` rows are recomputed
  from the consolidated counts of their numerator and denominator rows. Table 3 is the exception:
- table 3 (plan indicators) is computed for the reporting unit itself from the indicator snapshot of the
  period's last day, which the submission stores and locks (`indicator_snapshots_lock`). Its coverage
  ratios count units of the reporting unit's own level (a city's own training base, a city's own
  population figure), so they cannot be added up from the counties' figures.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tuoyu.institutions.choices import InstitutionType, Ownership
from tuoyu.workforce.choices import StaffRole

from .choices import ReportPeriodKind
from .definitions import DEFINITIONS

COUNT, RATIO, INDICATOR = "count", "ratio", "indicator"
MONTHLY, ANNUAL = ReportPeriodKind.MONTHLY.value, ReportPeriodKind.ANNUAL.value


@dataclass(frozen=True)
class ReportRow:
    """One line of a table (指标): its key, official name and unit, and how it is counted."""

    key: str
    name: str  # 指标名称 as the form writes it
    label: Promise | str  # UI text
    unit: str  # 计量单位
    kind: str = COUNT  # count (adds up), ratio (numerator row ÷ denominator row × scale), indicator
    numerator: str = ""  # ratio rows: the count rows they divide
    denominator: str = ""
    scale: float = 100.0
    level: int = 0  # 0 a total, 1 其中 (a part of the row above)
    indicator: str = ""  # indicator rows: the key in definitions.py
    levels: tuple[str, ...] = ("county", "city", "province")


@dataclass(frozen=True)
class ReportTable:
    """One table (一张表) of the statistical report."""

    code: str  # T1, T2, ... (stable: the national export and the stored cells use it)
    number: str  # 表1
    title: str  # official title
    label: Promise | str
    rows: tuple[ReportRow, ...]
    periods: tuple[str, ...] = (MONTHLY, ANNUAL)
    consolidated: bool = True  # False: computed for the reporting unit itself (table 3)
    note: str = ""  # 填表说明 written under the table in the Excel file

    def rows_for(self, level: str) -> list[ReportRow]:
        return [r for r in self.rows if level in r.levels]

    def row(self, key: str) -> ReportRow:
        return next(r for r in self.rows if r.key == key)


# 托育机构类型 as the filing system names them (institutions/choices.py), one 其中 row each.
_TYPE_NAMES = {
    InstitutionType.PRIVATE_RUN: "社会举办",
    InstitutionType.COMMUNITY: "社区服务",
    InstitutionType.KINDERGARTEN: "托幼一体（幼儿园托班）",
    InstitutionType.EMPLOYER: "单位服务",
    InstitutionType.MEDICAL: "医育结合",
    InstitutionType.FAMILY: "家庭托育点",
}
_ROLE_NAMES = {
    StaffRole.HEAD: "机构负责人",
    StaffRole.CAREGIVER: "保育人员",
    StaffRole.HEALTH: "保健人员",
    StaffRole.SECURITY: "保安人员",
    StaffRole.COOK: "炊事人员",
    StaffRole.OTHER: "其他人员",
}

T1 = ReportTable(
    code="T1",
    number="表1",
    title="托育机构与托位情况",
    label=_("Institutions and places"),
    note="统计口径：报告期末运营中的托育机构（已录入名册）；普惠、示范性以报告期末有效的认定为准。",
    rows=(
        ReportRow("institutions", "托育机构数", _("Operating institutions"), "个"),
        *(
            ReportRow(f"type_{value}", f"其中：{name}", InstitutionType(value).label, "个", level=1)
            for value, name in _TYPE_NAMES.items()
        ),
        ReportRow(f"ownership_{Ownership.PUBLIC}", "其中：公办", _("Public institutions"), "个", level=1),
        ReportRow(f"ownership_{Ownership.PRIVATE}", "其中：民办", _("Private institutions"), "个", level=1),
        ReportRow("inclusive", "普惠性托育机构数", _("Inclusive institutions"), "个"),
        ReportRow("demonstration", "示范性托育机构数", _("Demonstration institutions"), "个"),
        ReportRow("new", "本期新增托育机构数", _("Institutions entered this period"), "个"),
        ReportRow("places", "托位数", _("Places"), "个"),
        ReportRow("inclusive_places", "其中：普惠托位数", _("Inclusive places"), "个", level=1),
        ReportRow(
            "inclusive_places_share",
            "普惠托位占比",
            _("Inclusive share of places"),
            "%",
            kind=RATIO,
            numerator="inclusive_places",
            denominator="places",
        ),
    ),
)

T2 = ReportTable(
    code="T2",
    number="表2",
    title="托育从业人员情况",
    label=_("Childcare workforce"),
    note="统计口径：报告期末在岗的岗位（一人兼任多个机构的岗位分别计数）；持证、培训学时口径同从业人员统计。",
    rows=(
        ReportRow("staff", "从业人员数", _("Staff (jobs)"), "人"),
        *(
            ReportRow(f"role_{value}", f"其中：{name}", StaffRole(value).label, "人", level=1)
            for value, name in _ROLE_NAMES.items()
        ),
        ReportRow("certified_base", "需持证上岗人员数", _("Staff in roles with a certification rule"), "人"),
        ReportRow("certified", "其中：持证（岗位合格）人员数", _("Certified"), "人", level=1),
        ReportRow(
            "certified_share",
            "持证率",
            _("Certified share"),
            "%",
            kind=RATIO,
            numerator="certified",
            denominator="certified_base",
        ),
        ReportRow("trained_base", "有培训学时要求人员数", _("Heads and caregivers"), "人"),
        ReportRow("trained", "其中：培训学时达标人员数", _("Trained (hours met)"), "人", level=1),
        ReportRow(
            "trained_share",
            "培训学时达标率",
            _("Trained share"),
            "%",
            kind=RATIO,
            numerator="trained",
            denominator="trained_base",
        ),
    ),
)

# Every indicator computed at the level, in the order of definitions.py (the plan's seven first).
_INDICATOR_UNITS = {"per_1000": "个/千人", "percent": "%", "count": "个", "people": "人"}
T3 = ReportTable(
    code="T3",
    number="表3",
    title="托育服务发展规划主要指标",
    label=_("Plan indicators"),
    consolidated=False,
    note="本单位指标按报告期末计算（指标快照，上报时锁定）；下级单位数取其上报的报表。暂无数据的指标不填报数值。",
    rows=tuple(
        ReportRow(
            d.key,
            d.official_name,
            d.name,
            _INDICATOR_UNITS[d.unit],
            kind=INDICATOR,
            indicator=d.key,
            levels=tuple(level for level in ("county", "city", "province") if level in d.levels),
        )
        for d in sorted(DEFINITIONS, key=lambda d: (d.plan_number is None, d.plan_number or 0))
    ),
)

T4 = ReportTable(
    code="T4",
    number="表4",
    title="新建居住区配套托育服务设施情况",
    label=_("New residential areas and their childcare facilities"),
    periods=(ANNUAL,),
    note="统计口径：本年内交付的新建居住区项目；配套设施以年末已验收或已交付为准（同步规划、同步建设、同步验收、同步交付）。",
    rows=(
        ReportRow("projects", "本年交付新建居住区项目数", _("Projects delivered this year"), "个"),
        ReportRow("homes", "其中：住宅套数", _("Homes"), "套", level=1),
        ReportRow(
            "with_facility",
            "配套托育设施已验收或交付的项目数",
            _("With a facility accepted or delivered"),
            "个",
        ),
        ReportRow("facility_places", "其中：配套托位数", _("Facility places"), "个", level=1),
        ReportRow(
            "facility_share",
            "新建居住区配套托育设施覆盖率",
            _("Share with a facility"),
            "%",
            kind=RATIO,
            numerator="with_facility",
            denominator="projects",
        ),
    ),
)

TABLES: tuple[ReportTable, ...] = (T1, T2, T3, T4)
BY_CODE: dict[str, ReportTable] = {t.code: t for t in TABLES}


def tables_for(period_kind: str) -> list[ReportTable]:
    return [t for t in TABLES if period_kind in t.periods]


# Chinese labels for the Excel file and the national export (fixed: official forms are Chinese).
STATUS_ZH = {
    "draft": "草稿（待上报）",
    "submitted": "已上报",
    "approved": "市级已审核",
    "accepted": "省级已验收",
    "locked": "已锁定",
}
PERIOD_ZH = {MONTHLY: "月报", ANNUAL: "年报"}
ACTION_ZH = {
    "submit": "上报",
    "approve": "审核通过",
    "accept": "验收",
    "return": "退回修改",
    "lock": "锁定",
}
