"""Reads of the growth records: a child's series, the latest per child, an institution's children with
their current flags and who is due a measurement, and flag counts upward (aggregated in SQL).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from tuoyu.children.models import Child
from tuoyu.institutions.models import Institution

from .models import GrowthMeasurement
from .rules import DUE_AFTER_DAYS, FLAG_CODES

GROUPS = {
    "institution": "child__institution_id",
    "institution_id": "child__institution_id",
    "township_id": "child__institution__township_id",
    "county_id": "child__institution__county_id",
    "city_id": "child__institution__city_id",
}


def child_series(child: Child) -> QuerySet[GrowthMeasurement]:
    """A child's measurements, oldest first."""
    return GrowthMeasurement.objects.filter(child=child).order_by("measured_on", "id")


def latest_for_child(child: Child) -> GrowthMeasurement | None:
    """The child's latest measurement (for the parent page and summaries), or None."""
    return GrowthMeasurement.objects.filter(child=child).order_by("-measured_on", "-id").first()


def _latest_id() -> Subquery:
    return Subquery(
        GrowthMeasurement.objects.filter(child_id=OuterRef("child_id"))
        .order_by("-measured_on", "-id")
        .values("id")[:1]
    )


def latest_measurements() -> QuerySet[GrowthMeasurement]:
    """The latest measurement of every child, as one SQL query (a correlated subquery per child)."""
    return GrowthMeasurement.objects.filter(id=_latest_id())


@dataclass
class ChildStatus:
    child: Child
    latest: GrowthMeasurement | None
    due: bool


def institution_children_status(
    institution: Institution, *, today: date, flagged_only: bool = False, due_only: bool = False
) -> QuerySet[Child]:
    """Children enrolled at the institution, annotated with `latest_id` and `latest_on` (SQL); the page
    paginates this and fetches the latest rows for one page in one more query."""
    latest = GrowthMeasurement.objects.filter(child_id=OuterRef("pk")).order_by("-measured_on", "-id")
    qs = (
        Child.objects.filter(institution=institution)
        .select_related("klass")
        .annotate(
            latest_id=Subquery(latest.values("id")[:1]), latest_on=Subquery(latest.values("measured_on")[:1])
        )
        .order_by("klass__name", "name", "id")
    )
    if due_only:
        qs = qs.filter(Q(latest_on__isnull=True) | Q(latest_on__lt=today - timedelta(days=DUE_AFTER_DAYS)))
    if flagged_only:
        flagged = Q()
        for code in ("underweight", "stunting", "wasting", "overweight"):
            flagged |= Q(**{code: True})
        qs = qs.filter(
            latest_id__in=latest_measurements()
            .filter(child__institution=institution)
            .filter(flagged)
            .values("id")
        )
    return qs


def statuses_for(children: list[Child], *, today: date) -> list[ChildStatus]:
    """Attach the latest measurement rows to a page of annotated children (one query)."""
    ids = [getattr(c, "latest_id", None) for c in children]
    by_id = {m.pk: m for m in GrowthMeasurement.objects.filter(pk__in=[i for i in ids if i])}
    cutoff = today - timedelta(days=DUE_AFTER_DAYS)
    out = []
    for c in children:
        latest = by_id.get(getattr(c, "latest_id", None) or 0)
        out.append(ChildStatus(child=c, latest=latest, due=latest is None or latest.measured_on < cutoff))
    return out


@dataclass
class GrowthFlagCounts:
    """Children counted (with a latest measurement) and how many carry each flag on it."""

    measured: int = 0
    flags: dict[str, int] = field(default_factory=dict)
    implausible: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"measured": self.measured, **self.flags, "implausible": self.implausible}


def growth_flag_counts(
    institutions_qs: QuerySet[Institution], group_by: str = "institution", *, since: date | None = None
) -> dict[Any, GrowthFlagCounts]:
    """Flag counts on each enrolled child's latest measurement, per institution id or region code.

    `institutions_qs` is already scoped by the caller; `group_by` is "institution", "township_id",
    "county_id" or "city_id". `since` leaves out children whose latest measurement is older. One
    aggregate query; groups with no measured child are absent.
    """
    if group_by not in GROUPS:
        raise ValueError(f"group_by must be one of {', '.join(GROUPS)}")
    key = GROUPS[group_by]
    qs = latest_measurements().filter(child__institution__in=institutions_qs.values("pk"))
    if since is not None:
        qs = qs.filter(measured_on__gte=since)
    aggregates: dict[str, Any] = {code: Count("id", filter=Q(**{code: True})) for code in FLAG_CODES}
    rows = (
        qs.values(key)
        .annotate(n_measured=Count("id"), n_implausible=Count("id", filter=~Q(implausible="")), **aggregates)
        .order_by()
    )
    return {
        row[key]: GrowthFlagCounts(
            measured=row["n_measured"],
            flags={code: row[code] for code in FLAG_CODES},
            implausible=row["n_implausible"],
        )
        for row in rows
    }
