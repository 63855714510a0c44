"""Daily counts of the centres' day, per institution and per region (Aggregation upward).

For a region the rows are its child regions (below a township: its institutions); every figure is one
grouped SQL query per grouping, whatever the number of children:

- enrolled: children whose current institution is the institution (`Child.institution`) — the
  register now, also for past dates;
- present: children checked in that day (attendance app: `presence_counts`);
- abnormal checks / sent home: children with an abnormal morning or noon check that day, and those
  kept out (`HealthCheck`);
- overdue immunisation: enrolled children with at least one overdue dose on that day, among those with
  any dose recorded; children with no dose recorded at all are counted apart (no immunisation record)
  (`selectors.immunisation_counts`, the schedule in immunisation.py);
- growth flags: flags on each child's latest measurement (growth app: `growth_flag_counts`; a child
  with two flags counts twice), shown as "no data" when that app does not offer it;
- ratio breaches: classes short of caregivers (workforce/ratios.py `ratio_breach_counts`);
- open symptom alerts: township cluster alerts not yet acknowledged.

`record_daily_counts` stores one `DailyCount` row per institution and day so history exists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuoyu.children.models import Child
from tuoyu.institutions.models import Institution
from tuoyu.institutions.selectors import LEVEL_FIELD
from tuoyu.regions.models import Region
from tuoyu.workforce.ratios import ratio_breach_counts

from .choices import Outcome
from .models import HealthCheck, SymptomClusterAlert
from .selectors import immunisation_counts


class MissingSource(RuntimeError):
    """A figure's source in another app is not there: say so rather than count zero."""


COUNTS = (
    "enrolled",
    "present",
    "abnormal_checks",
    "sent_home",
    "overdue_immunisation",
    "no_immunisation_record",
    "growth_flags",
    "ratio_breaches",
    "open_alerts",
)


@dataclass
class DailyFigures:
    enrolled: int = 0
    present: int | None = 0
    abnormal_checks: int = 0
    sent_home: int = 0
    overdue_immunisation: int = 0
    no_immunisation_record: int = 0
    growth_flags: int | None = 0
    ratio_breaches: int = 0
    open_alerts: int = 0

    def add(self, other: DailyFigures) -> None:
        for name in COUNTS:
            mine, theirs = getattr(self, name), getattr(other, name)
            setattr(self, name, None if mine is None or theirs is None else mine + theirs)

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in COUNTS}


@dataclass
class DailyRow:
    name: str
    figures: DailyFigures
    region: Region | None = None
    institution_id: int | None = None

    @property
    def code(self) -> str | None:
        return self.region.code if self.region is not None else None


@dataclass
class DailyCounts:
    day: date
    region: Region | None
    rows: list[DailyRow]
    totals: DailyFigures
    rows_are_institutions: bool
    notes: list[str] = field(default_factory=list)


# --- sources in other apps ------------------------------------------------------------------------


def _presence(institutions: QuerySet[Institution], group_by: str, day: date) -> dict[Any, int]:
    """Children checked in on `day` (present now or already collected), from the attendance app."""
    try:
        from tuoyu.attendance.selectors import presence_counts
    except ImportError as exc:  # pragma: no cover - the attendance app provides it
        raise MissingSource("tuoyu.attendance.selectors.presence_counts is missing") from exc
    rows = presence_counts(day, group_by, institutions=institutions)
    return {group: int(row["checked_in"]) for group, row in rows.items()}


def _growth(institutions: QuerySet[Institution], group_by: str, day: date) -> dict[Any, int] | None:
    """Flags on the children's latest measurements (underweight, stunting, wasting, overweight, ...:
    a child with two flags counts twice), or None when the growth app offers no count (shown as no data).
    The latest measurement is taken as it is now, also for past dates."""
    try:
        from tuoyu.growth.selectors import growth_flag_counts
    except ImportError:  # pragma: no cover - the growth app provides it
        return None
    rows = growth_flag_counts(institutions, group_by)
    return {group: sum(counts.flags.values()) for group, counts in rows.items()}


# --- one grouping ---------------------------------------------------------------------------------

CHILD_GROUPS = {
    "city_id": "institution__city_id",
    "county_id": "institution__county_id",
    "township_id": "institution__township_id",
    "institution": "institution_id",
}


def figures_grouped(
    institutions: QuerySet[Institution], group_by: str, day: date
) -> tuple[dict[Any, DailyFigures], list[str]]:
    """Every figure per group (city/county/township code or institution id): one query per figure."""
    key = CHILD_GROUPS[group_by]
    inst = institutions.values("pk")
    result: dict[Any, DailyFigures] = {}
    notes: list[str] = []

    def put(name: str, values: dict[Any, int]) -> None:
        for group, n in values.items():
            setattr(result.setdefault(group, DailyFigures()), name, n or 0)

    enrolled = Child.objects.filter(institution__in=inst).order_by().values(key).annotate(n=Count("pk"))
    put("enrolled", {r[key]: r["n"] for r in enrolled})
    checks = (
        HealthCheck.objects.filter(institution__in=inst, day=day, abnormal=True)
        .order_by()
        .values(key)
        .annotate(
            n=Count("child_id", distinct=True),
            home=Count("child_id", distinct=True, filter=Q(outcome=Outcome.SENT_HOME)),
        )
    )
    rows = list(checks)
    put("abnormal_checks", {r[key]: r["n"] for r in rows})
    put("sent_home", {r[key]: r["home"] for r in rows})
    immunisation = immunisation_counts(institutions, group_by=group_by, as_of=day)
    put("overdue_immunisation", {g: c.overdue for g, c in immunisation.items()})
    put("no_immunisation_record", {g: c.unrecorded for g, c in immunisation.items()})
    ratios = ratio_breach_counts(institutions, group_by=group_by, today=day)
    put("ratio_breaches", {g: r.classes_in_breach for g, r in ratios.items()})
    put("present", _presence(institutions, group_by, day))
    growth = _growth(institutions, group_by, day)
    if growth is None:
        notes.append(str(_("Growth flags: no data yet (the growth records do not offer counts).")))
        for figures in result.values():
            figures.growth_flags = None
    else:
        put("growth_flags", growth)
    return result, notes


def _alerts_by(alerts: Any, level: str | None) -> dict[str, int]:
    """Open alerts per region code at `level` (by the township code's prefix); the rows are few."""
    digits = {"city": 4, "county": 6, "township": 9}.get(level or "", 9)
    counts: dict[str, int] = {}
    for code in alerts.open().values_list("township_id", flat=True):
        parent = code[:digits] + "0" * (12 - digits)
        counts[parent] = counts.get(parent, 0) + 1
    return counts


# --- selectors ------------------------------------------------------------------------------------


def region_daily_counts(user: Any, region: Region, day: date | None = None) -> DailyCounts:
    """The region's figures as the user may see them: one row per child region (or, below a township,
    per institution) and the totals."""
    day = day or timezone.localdate()
    lo, hi = region.subtree_bounds()
    institutions = Institution.objects.for_user(user, "view").filter(township_id__gte=lo, township_id__lte=hi)
    column = LEVEL_FIELD.get(region.child_level or "")
    figures, notes = figures_grouped(institutions, column or "institution", day)
    alerts = SymptomClusterAlert.objects.for_user(user, "view").filter(
        township_id__gte=lo, township_id__lte=hi
    )
    rows: list[DailyRow] = []
    if column:
        by_region = _alerts_by(alerts, region.child_level)
        for child in region.children.filter(level=region.child_level).order_by("code"):
            f = figures.pop(child.code, _empty(notes))
            f.open_alerts = by_region.get(child.code, 0)
            rows.append(DailyRow(name=child.name, region=child, figures=f))
    else:
        for pk, name in institutions.order_by("name", "id").values_list("pk", "name"):
            rows.append(DailyRow(name=name, institution_id=pk, figures=figures.pop(pk, _empty(notes))))
    totals = _empty(notes)
    for row in rows:
        totals.add(row.figures)
    for rest in figures.values():  # institutions filed under no listed child region (bad data)
        totals.add(rest)
    totals.open_alerts = alerts.open().count()
    return DailyCounts(
        day=day, region=region, rows=rows, totals=totals, rows_are_institutions=not column, notes=notes
    )


def institution_daily_counts(user: Any, day: date | None = None) -> DailyCounts:
    """For staff: each institution the user works at, with its figures (alerts are for officials)."""
    day = day or timezone.localdate()
    institutions = Institution.objects.for_user(user, "view")
    figures, notes = figures_grouped(institutions, "institution", day)
    rows = [
        DailyRow(name=name, institution_id=pk, figures=figures.pop(pk, _empty(notes)))
        for pk, name in institutions.order_by("name", "id").values_list("pk", "name")
    ]
    totals = _empty(notes)
    for row in rows:
        totals.add(row.figures)
    return DailyCounts(
        day=day, region=None, rows=rows, totals=totals, rows_are_institutions=True, notes=notes
    )


def _empty(notes: list[str]) -> DailyFigures:
    f = DailyFigures()
    if notes:  # growth missing
        f.growth_flags = None
    return f


def record_daily_counts(day: date | None = None) -> int:
    """Store one DailyCount per operating institution for `day` (replacing that day's rows): a handful of
    grouped queries and bulk writes. Returns the number of rows."""
    from django.db import transaction

    from .models import DailyCount

    day = day or timezone.localdate()
    institutions = Institution.objects.operating()
    figures, _notes = figures_grouped(institutions, "institution", day)
    ids = list(institutions.values_list("pk", flat=True))
    rows = []
    for pk in ids:
        f = figures.get(pk) or DailyFigures(growth_flags=None if _notes else 0)
        rows.append(
            DailyCount(
                institution_id=pk,
                day=day,
                enrolled=f.enrolled,
                present=f.present,
                abnormal_checks=f.abnormal_checks,
                sent_home=f.sent_home,
                overdue_immunisation=f.overdue_immunisation,
                no_immunisation_record=f.no_immunisation_record,
                growth_flags=f.growth_flags,
                ratio_breaches=f.ratio_breaches,
            )
        )
    with transaction.atomic():
        DailyCount.objects.filter(day=day).delete()
        DailyCount.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
