"""Credit records for tests, written directly or through the services."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import count
from typing import Any

from django.utils import timezone

from tuoyu.credit.models import CreditRecord
from tuoyu.credit.rules import points_for
from tuoyu.credit.services import credit_recompute

_refs = count(1)


def record(
    institution: Any,
    source: str = "inspection",
    severity: str = "high",
    occurred_on: date | None = None,
    person_name: str = "",
    points: int | None = None,
    **kw: Any,
) -> CreditRecord:
    """A record written directly (no recompute): call `credit_recompute` in the test."""
    return CreditRecord.objects.create(
        institution=institution,
        source=source,
        source_ref=kw.pop("source_ref", f"test:{next(_refs)}"),
        severity=severity,
        points=points_for(source, severity) if points is None else points,
        reason=kw.pop("reason", f"{source} {severity}"),
        occurred_on=occurred_on or timezone.localdate() - timedelta(days=10),
        person_name=person_name,
        **kw,
    )


def rated(world: Any, *severities: str, key: str = "inst_xuanwu") -> CreditRecord:
    """inst_xuanwu with inspection records of the given severities, recomputed; the first record."""
    institution = world.institutions[key]
    records = [record(institution, "inspection", s, person_name="王园长") for s in severities or ("high",)]
    credit_recompute()
    return records[0]
