"""Reads of filings that need the acting user: the officials' queue."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from .models import FilingQuerySet


def filing_queue(user: Any, action: str = "review") -> FilingQuerySet:
    """Filings in the user's scope awaiting a receipt or a decision, soonest due first.

    Each row carries `due` (the receipt or verification deadline that applies now) and `overdue`
    (that deadline has passed), both computed in SQL.
    """
    from .models import Filing

    return (
        Filing.objects.for_user(user, action)
        .open()
        .with_due(timezone.localdate())
        .select_related("institution", "institution__township")
        .order_by("due", "id")
    )
