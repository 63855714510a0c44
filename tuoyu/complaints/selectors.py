"""Reads of the complaints app that other apps use, and the public views of a complaint."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from . import rules
from .choices import ComplaintStatus
from .models import Complaint

TRUST_CARD_MONTHS = 12


def institutions_with_complaints(since: date) -> Any:
    """A values_list QuerySet of ids of institutions with a complaint received on or after `since`
    that was not found groundless or withdrawn (the spot-check draw's "complaints" stratum)."""
    start = timezone.make_aware(datetime.combine(since, time.min))
    return (
        Complaint.objects.filter(received_at__gte=start)
        .exclude(Q(status=ComplaintStatus.CONCLUDED) & Q(outcome__in=list(rules.CLEARING_OUTCOMES)))
        .values_list("institution_id", flat=True)
        .distinct()
        .order_by()
    )


def substantiated_count(institution_id: int, today: date | None = None) -> int:
    """Complaints about the institution concluded (partly) substantiated within the last 12 months."""
    today = today or timezone.localdate()
    start = timezone.make_aware(datetime.combine(today - timedelta(days=365), time.min))
    return Complaint.objects.filter(
        institution_id=institution_id,
        status=ComplaintStatus.CONCLUDED,
        outcome__in=list(rules.SUBSTANTIATED_OUTCOMES),
        concluded_at__gte=start,
    ).count()


def trust_card_section(institution: Any) -> dict[str, Any] | None:
    """This app's part of the public trust card: a link to complain (while the institution is listed
    or closed — prepaid fees after a closure are a common complaint) and how many complaints were
    found substantiated in the last 12 months. No details: never the complaint, never the complainant."""
    return {
        "template": "complaints/_trust_card.html",
        "institution_id": institution.pk,
        "substantiated": substantiated_count(institution.pk),
        "months": TRUST_CARD_MONTHS,
    }


def track(reference: str) -> Complaint | None:
    """The complaint with this reference (for the complainant's tracking page), or None."""
    from .services import normalise_reference

    ref = normalise_reference(reference)
    if not ref or len(ref) > 32:
        return None
    return Complaint.objects.select_related("institution").filter(reference=ref).first()


def official_queue(
    user: Any,
    *,
    status: str | None = "open",
    level: str | None = None,
    category: str | None = None,
    serious: bool | None = None,
    overdue: bool | None = None,
    institution: int | None = None,
    mine: bool = False,
    today: date | None = None,
) -> Any:
    """The officials' queue: complaints about institutions in their regions, overdue first, then by due
    date; `mine` keeps those handled at the caller's own level. The same filters for the page and API."""
    from .choices import OPEN_STATUSES

    today = today or timezone.localdate()
    queryset = Complaint.objects.for_official(user, "view").with_overdue(today)
    if status == "open":
        queryset = queryset.filter(status__in=[s.value for s in OPEN_STATUSES])
    elif status:
        queryset = queryset.filter(status=status)
    if level:
        queryset = queryset.filter(level=level)
    if category:
        queryset = queryset.filter(category=category)
    if serious is not None:
        queryset = queryset.filter(serious=serious)
    if overdue is not None:
        queryset = queryset.filter(overdue=overdue)  # type: ignore[misc]  # annotated above
    if institution:
        queryset = queryset.filter(institution_id=institution)
    if mine:
        # Handled at the caller's own level: the handling region is one the caller's role is bound to.
        own = [a.region_id for a in user.active_assignments() if a.region_id]
        queryset = queryset.filter(handling_region_id__in=own)
    return queryset.select_related("institution", "handling_region").order_by(
        "-overdue", "due_on", "-received_at", "-id"
    )


def complaints_of(user: Any) -> QuerySet[Complaint]:
    """The named complaints a signed-in user made (anonymous ones are linked to nobody)."""
    if not getattr(user, "is_authenticated", False):
        return Complaint.objects.none()
    return (
        Complaint.objects.filter(submitted_by_id=user.pk)
        .select_related("institution")
        .order_by("-received_at", "-id")
    )
