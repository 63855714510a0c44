"""Reads of statistical reports: a report's figures made from the data (county) or consolidated from
the reports below it (city, province), the figures of a stored report as tables, and the lists.

The figures of a county come from SQL aggregates over its records as of the period's last day (a
constant handful of queries, whatever the number of institutions or staff): table 1 one query on
institutions, table 2 the workforce statistics' one query (`workforce.statistics.figures_grouped`), table 4
one query on residential projects, table 3 the indicator computation of `compute.py` for the county's
subtree. A city or the province adds up the cells of the reports below it in one GROUP BY.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q, Sum, Value
from django.utils import timezone

from tuoyu.core.scoping import Grants, grants_for
from tuoyu.institutions.choices import DesignationKind, InstitutionType, Ownership
from tuoyu.institutions.models import Institution
from tuoyu.regions.constants import CHILD_LEVEL
from tuoyu.regions.models import Region

from .choices import NoDataReason, ReportPeriodKind, ReportStatus
from .compute import (
    IndicatorValue,
    _designation_active,
    compute_indicators,
    end_of_day,
    inclusive_on,
    operating_on,
)
from .definitions import BY_KEY
from .models import REPORT_LEVELS, IndicatorSnapshot, PlanTarget, StatReport, StatReportCell
from .report_tables import COUNT, INDICATOR, RATIO, ReportRow, ReportTable, tables_for
from .selectors import INDICATOR_LEVELS, targets_for

S = ReportStatus
# A report below counts in its parent's consolidation once it is signed off at its level.
READY_FOR_PARENT: dict[str, tuple[str, ...]] = {
    "county": (S.APPROVED, S.LOCKED),
    "city": (S.ACCEPTED, S.LOCKED),
}
FROZEN = (S.SUBMITTED, S.APPROVED, S.ACCEPTED, S.LOCKED)


# --- periods ----------------------------------------------------------------------------------------


def period_bounds(period_kind: str, label: str) -> tuple[dt.date, dt.date]:
    """`2026-10` (monthly) or `2026` (annual) → first and last day; ValueError with a message otherwise."""
    from django.utils.translation import gettext as _

    if period_kind not in ReportPeriodKind.values:
        raise ValueError(_("The period is monthly or annual."))
    try:
        if period_kind == ReportPeriodKind.MONTHLY:
            year, month = (int(p) for p in label.split("-"))
            start = dt.date(year, month, 1)
            end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        else:
            year = int(label)
            start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    except (ValueError, TypeError, OverflowError):
        raise ValueError(_("Give a monthly period as YYYY-MM and an annual one as YYYY.")) from None
    if start.year < 2000:
        raise ValueError(_("The date is too early."))
    return start, end


def last_period(period_kind: str, today: dt.date | None = None) -> str:
    """The most recent period that has ended: last month, or last year."""
    today = today or timezone.localdate()
    if period_kind == ReportPeriodKind.ANNUAL:
        return str(today.year - 1)
    first = today.replace(day=1) - dt.timedelta(days=1)
    return first.strftime("%Y-%m")


# --- figures ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CellData:
    """One figure before it is stored (see StatReportCell)."""

    table: str
    row: str
    region: str
    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    reason: str = ""
    target: str = ""
    met: bool | None = None


@dataclass
class Figures:
    """A report's figures and the units below whose report is not signed off yet (cities, province)."""

    cells: list[CellData]
    missing: list[Region] = field(default_factory=list)


def _ratio(numerator: float | None, denominator: float | None, scale: float) -> float | None:
    if numerator is None or not denominator:
        return None
    return round(numerator / denominator * scale, 2)


def _table_cells(
    table: ReportTable, level: str, region: str, counts: dict[str, float | None] | None, reason: str = ""
) -> list[CellData]:
    """Count rows from `counts` (None: nothing recorded), ratio rows from their count rows."""
    cells: list[CellData] = []
    for row in table.rows_for(level):
        if counts is None:
            cells.append(
                CellData(table.code, row.key, region, None, reason=reason or NoDataReason.NO_RECORDS)
            )
        elif row.kind == COUNT:
            v = counts.get(row.key)
            cells.append(CellData(table.code, row.key, region, v, v, None, "" if v is not None else reason))
        elif row.kind == RATIO:
            num, den = counts.get(row.numerator), counts.get(row.denominator)
            value = _ratio(num, den, row.scale)
            why = (
                ""
                if value is not None
                else (NoDataReason.EMPTY if num is not None else NoDataReason.NO_RECORDS)
            )
            cells.append(CellData(table.code, row.key, region, value, num, den, why))
    return cells


def _aggregate(queryset: Any, aggregates: dict[str, Any]) -> dict[str, float | None]:
    """One aggregate query; aliases are prefixed (an aggregate may not share a field's name)."""
    row = queryset.aggregate(**{f"agg_{k}": v for k, v in aggregates.items()})
    return {k.removeprefix("agg_"): float(v or 0) for k, v in row.items()}


def _institution_counts(lo: str, hi: str, start: dt.date, end: dt.date) -> dict[str, float | None]:
    """Table 1 for the institutions of a code range as of `end`, in one query."""
    inclusive = inclusive_on(end)
    aggregates: dict[str, Any] = {
        "institutions": Count("id"),
        **{f"type_{t}": Count("id", filter=Q(type=t)) for t in InstitutionType.values},
        **{f"ownership_{o}": Count("id", filter=Q(ownership=o)) for o in Ownership.values},
        "inclusive": Count("id", filter=inclusive),
        "demonstration": Count("id", filter=Q(_designation_active(DesignationKind.DEMONSTRATION, end))),
        "new": Count("id", filter=Q(created_at__gte=end_of_day(start - dt.timedelta(days=1)))),
        "places": Sum("places"),
        "inclusive_places": Sum("places", filter=inclusive),
    }
    rows = Institution.objects.filter(operating_on(end), township_id__gte=lo, township_id__lte=hi)
    return _aggregate(rows, aggregates)


def _workforce_counts(lo: str, hi: str, end: dt.date) -> dict[str, float | None] | None:
    """Table 2 for the jobs at institutions of a code range open on `end` (None: no staff recorded)."""
    from tuoyu.workforce.models import Employment

    # The workforce statistics' own counting (certified and trained as defined there), as of `end`.
    from tuoyu.workforce.statistics import Figures as WorkforceFigures
    from tuoyu.workforce.statistics import figures_grouped

    if not Employment.objects.exists():
        return None
    jobs = Employment.objects.filter(
        Q(end_on__isnull=True) | Q(end_on__gt=end),
        start_on__lte=end,
        institution__township_id__gte=lo,
        institution__township_id__lte=hi,
    )
    figures = figures_grouped(jobs, Value(1), end).get(1) or WorkforceFigures()
    counts: dict[str, float | None] = {
        "staff": figures.staff,
        "certified": figures.certified,
        "certified_base": figures.certified_base,
        "trained": figures.trained,
        "trained_base": figures.trained_base,
    }
    counts.update({f"role_{r}": float(n) for r, n in figures.by_role.items()})
    return counts


def _residential_counts(lo: str, hi: str, start: dt.date, end: dt.date) -> dict[str, float | None] | None:
    """Table 4: projects delivered in the period and their facilities by `end` (None: none recorded)."""
    from .models import ResidentialProject

    if not ResidentialProject.objects.exists():
        return None
    facility = Q(has_childcare_facility=True) & (
        Q(facility_accepted_on__lte=end) | Q(facility_delivered_on__lte=end)
    )
    rows = ResidentialProject.objects.filter(
        delivered_on__gte=start, delivered_on__lte=end, township_id__gte=lo, township_id__lte=hi
    )
    return _aggregate(
        rows,
        {
            "projects": Count("id"),
            "homes": Sum("homes"),
            "with_facility": Count("id", filter=facility),
            "facility_places": Sum("facility_places", filter=facility),
        },
    )


def data_figures(region: Region, period_kind: str, start: dt.date, end: dt.date) -> list[CellData]:
    """Tables 1, 2 and 4 counted from the records of the region's subtree (what a county reports)."""
    lo, hi = region.subtree_bounds()
    cells: list[CellData] = []
    for table in tables_for(period_kind):
        if not table.consolidated:
            continue
        if table.code == "T1":
            counts: dict[str, float | None] | None = _institution_counts(lo, hi, start, end)
        elif table.code == "T2":
            counts = _workforce_counts(lo, hi, end)
        elif table.code == "T4":
            counts = _residential_counts(lo, hi, start, end)
        else:  # pragma: no cover - a new table needs its counting here
            raise NotImplementedError(table.code)
        cells += _table_cells(table, region.level, region.code, counts)
    return cells


def subordinate_reports(
    region: Region, period_kind: str, start: dt.date
) -> tuple[list[Region], list[StatReport]]:
    """The units directly below a city (counties) or the province (cities), and their signed-off reports."""
    child_level = CHILD_LEVEL.get(region.level, "")
    children = list(Region.objects.filter(parent=region, level=child_level).order_by("code"))
    ready = list(
        StatReport.objects.filter(
            region__in=children,
            period_kind=period_kind,
            period_start=start,
            status__in=READY_FOR_PARENT.get(child_level, ()),
        )
    )
    return children, ready


def consolidated_figures(region: Region, period_kind: str, start: dt.date) -> Figures:
    """A city's or the province's tables 1, 2 and 4: the sum of the signed-off reports below (逐级汇总),
    and each unit's own figures as the breakdown; table 3's breakdown too (its total is computed)."""
    children, ready = subordinate_reports(region, period_kind, start)
    ready_regions = {r.region_id for r in ready}
    missing = [c for c in children if c.code not in ready_regions]
    own = StatReportCell.objects.filter(report__in=ready, region_id=F("report__region_id"))
    cells = [
        CellData(c.table, c.row, c.region_id, c.value, c.numerator, c.denominator, c.reason, c.target, c.met)
        for c in own.order_by("table", "row", "region_id")
    ]
    totals: dict[str, dict[str, float | None]] = defaultdict(dict)
    for item in own.values("table", "row").annotate(total=Sum("value"), valued=Count("value")).order_by():
        complete = ready and item["valued"] == len(ready)
        totals[item["table"]][item["row"]] = float(item["total"]) if complete else None
    for table in tables_for(period_kind):
        if table.consolidated:
            counts = totals.get(table.code) if ready else None
            cells += _table_cells(table, region.level, region.code, counts)
    return Figures(cells=cells, missing=missing)


# --- table 3: the plan indicators of the reporting unit -------------------------------------------


def _target_text(target: PlanTarget | None) -> str:
    return (
        f"{target.get_comparison_display()}{target.value:g}（{target.text}，{target.period}）"
        if target
        else ""
    )


def indicator_figures(region: Region, as_of: dt.date, values: dict[str, Any]) -> list[CellData]:
    """Table 3 rows of the region from indicator values (snapshot rows or IndicatorValue) by key."""
    targets = targets_for(as_of)
    cells: list[CellData] = []
    table = next(t for t in tables_for(ReportPeriodKind.MONTHLY) if not t.consolidated)
    for row in table.rows_for(region.level):
        definition = BY_KEY[row.indicator]
        v = values.get(row.indicator)
        target = targets.get((row.indicator, region.level)) or targets.get((row.indicator, ""))
        value = getattr(v, "value", None)
        reason: str
        if v is None:
            reason = NoDataReason.NO_RECORDS if definition.available else NoDataReason.NO_SOURCE
        else:
            reason = v.reason or ""
        cells.append(
            CellData(
                table.code,
                row.key,
                region.code,
                value,
                getattr(v, "numerator", None),
                getattr(v, "denominator", None),
                reason,
                _target_text(target),
                target.is_met(value) if target is not None else None,
            )
        )
    return cells


def computed_indicators(region: Region, as_of: dt.date) -> dict[str, Any]:
    """The region's own indicator values as of the day: locked snapshot rows (another report froze
    them) where there are some, else computed now (nothing stored)."""
    values: dict[str, Any] = {
        v.key: v for v in compute_indicators(as_of, root=region) if v.region_code == region.code
    }
    for row in IndicatorSnapshot.objects.filter(as_of=as_of, region=region, locked=True):
        values[row.key] = row
    return values


def indicator_rows_to_store(region: Region, as_of: dt.date) -> list[IndicatorValue]:
    """The values to store in the day's snapshot for the region and its children (see services_reports)."""
    codes = {region.code} | set(
        Region.objects.filter(parent=region, level__in=INDICATOR_LEVELS).values_list("code", flat=True)
    )
    return [
        v
        for v in compute_indicators(as_of, root=region)
        if v.region_code in codes and v.reason != NoDataReason.NO_SOURCE
    ]


# --- a stored report as tables ----------------------------------------------------------------------


@dataclass
class RowView:
    row: ReportRow
    own: StatReportCell | None
    by_region: list[StatReportCell | None]


@dataclass
class TableView:
    table: ReportTable
    columns: list[Region]
    rows: list[RowView]

    @property
    def is_indicators(self) -> bool:
        return any(r.row.kind == INDICATOR for r in self.rows)


def report_tables(report: StatReport) -> list[TableView]:
    """The report's tables with its own figure and the breakdown by unit below, from its stored cells
    (two queries)."""
    cells = list(report.cells.all())
    region_codes = sorted({c.region_id for c in cells} - {report.region_id})
    regions = Region.objects.in_bulk(region_codes)
    by_key: dict[tuple[str, str, str], StatReportCell] = {(c.table, c.row, c.region_id): c for c in cells}
    level = report.region.level
    views: list[TableView] = []
    for table in tables_for(report.period_kind):
        columns = [regions[c] for c in region_codes if any(k[0] == table.code and k[2] == c for k in by_key)]
        rows = [
            RowView(
                row=row,
                own=by_key.get((table.code, row.key, report.region_id)),
                by_region=[by_key.get((table.code, row.key, c.code)) for c in columns],
            )
            for row in table.rows_for(level)
        ]
        views.append(TableView(table=table, columns=columns, rows=rows))
    return views


def format_value(cell: StatReportCell | CellData | None, row: ReportRow) -> str:
    """A figure as the form shows it: whole numbers for counts, two decimals for rates; "—" for none."""
    if cell is None or cell.value is None:
        return "—"
    if row.unit in ("个", "人", "套"):
        return f"{cell.value:,.0f}"
    return f"{cell.value:.2f}"


# --- lists ----------------------------------------------------------------------------------------


def may_see_reports(user: Any) -> bool:
    """Officials (any government role, national observers included) and superusers."""
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_official", False))


@dataclass
class UnitLine:
    """One line of the list: a reporting unit and its report for the period (or none yet)."""

    region: Region
    report: StatReport | None
    may_create: bool


def units_for(user: Any, region: Region, period_kind: str, start: dt.date) -> list[UnitLine]:
    """The region and the units directly below it that report (for a county: itself), with their
    report of the period (two queries)."""
    units = [region]
    child_level = CHILD_LEVEL.get(region.level, "")
    if region.level in ("province", "city"):
        units += list(Region.objects.filter(parent=region, level=child_level).order_by("code"))
    reports = {
        r.region_id: r
        for r in StatReport.objects.for_user(user, "view")
        .filter(region__in=units, period_kind=period_kind, period_start=start)
        .select_related("submitted_by", "reviewed_by")
    }
    manage: Grants = grants_for(user, "manage")
    return [
        UnitLine(u, reports.get(u.code), u.code not in reports and manage.covers_code(u.code))
        for u in units
        if u.level in REPORT_LEVELS
    ]
