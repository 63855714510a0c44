"""Reads of the supervision app that other apps use, and the hub's counts (aggregated in SQL)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from .choices import CONCLUDED_STATUSES, InspectionStatus, RectificationStatus, Result, Risk
from .models import ChecklistEntry, Inspection, RectificationOrder


def institutions_with_serious_findings(since: date) -> Any:
    """A values_list QuerySet of ids of institutions with a failed high-risk item in an inspection
    concluded on or after `since` (the spot-check draw's "past serious findings" stratum)."""
    return (
        ChecklistEntry.objects.filter(
            result=Result.FAIL,
            risk=Risk.HIGH,
            inspection__concluded_on__gte=since,
            inspection__status__in=CONCLUDED_STATUSES,
        )
        .values_list("inspection__institution_id", flat=True)
        .distinct()
    )


def trust_card_section(institution: Any) -> dict[str, Any] | None:
    """Published inspection results for the public trust card, or None (see portal.views).

    Only titles of failing items and whether each was corrected: no notes, names or photos."""
    inspections = list(
        Inspection.objects.filter(institution=institution, published_at__isnull=False)
        .order_by("-concluded_on", "-id")
        .prefetch_related("entries__order")[:10]
    )
    if not inspections:
        return None
    results = []
    for inspection in inspections:
        findings = [
            {
                "title": e.title,
                "risk": e.get_risk_display(),
                "corrected": getattr(getattr(e, "order", None), "status", "") == RectificationStatus.CLOSED,
            }
            for e in inspection.entries.all()
            if e.result == Result.FAIL
        ]
        results.append(
            {
                "date": inspection.concluded_on,
                "kind": inspection.get_kind_display(),
                "findings": findings,
                "published_at": inspection.published_at,
            }
        )
    return {"template": "supervision/_trust_card.html", "results": results}


def publication_queue(queryset: Any, today: date | None = None) -> Any:
    """Concluded, unpublished inspections, the oldest due first, annotated with `overdue`."""
    today = today or timezone.localdate()
    return (
        queryset.filter(status__in=CONCLUDED_STATUSES, published_at__isnull=True)
        .annotate(overdue=Q(publish_due__lt=today))
        .order_by("publish_due", "id")
    )


def hub_counts(inspections: Any, orders: Any, today: date | None = None) -> dict[str, Any]:
    """Counts for the supervision hub, each one aggregate query."""
    today = today or timezone.localdate()
    by_status = dict(inspections.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    order_counts = orders.aggregate(
        open=Count("id", filter=Q(status=RectificationStatus.OPEN)),
        answered=Count("id", filter=Q(status=RectificationStatus.ANSWERED)),
        overdue=Count("id", filter=Q(status=RectificationStatus.OPEN, deadline__lt=today)),
        closed=Count("id", filter=Q(status=RectificationStatus.CLOSED)),
    )
    publication = inspections.filter(status__in=CONCLUDED_STATUSES, published_at__isnull=True).aggregate(
        due=Count("id"), overdue=Count("id", filter=Q(publish_due__lt=today))
    )
    return {
        "by_status": [(s, by_status.get(s.value, 0)) for s in InspectionStatus],
        "orders": order_counts,
        "publication": publication,
        "unassigned": inspections.filter(status=InspectionStatus.PLANNED)
        .annotate(team=Count("inspectors"))
        .filter(team__lt=2)
        .count(),
    }


def open_orders_for(institution_ids: Any) -> Any:
    return (
        RectificationOrder.objects.filter(inspection__institution_id__in=institution_ids)
        .exclude(status=RectificationStatus.CLOSED)
        .select_related("entry", "inspection__institution")
        .order_by("deadline", "id")
    )


def has_failed_entries() -> Any:
    return Exists(ChecklistEntry.objects.filter(inspection=OuterRef("pk"), result=Result.FAIL))
