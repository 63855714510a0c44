"""Test builders for filings (direct rows: services are exercised in test_services.py)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tuoyu.filings.choices import FilingKind, FilingStatus
from tuoyu.filings.demo import MINIMAL_PDF as PDF  # noqa: E402
from tuoyu.filings.models import Filing

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def pdf(name: str = "scan.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def make_filing(institution: Any, status: str = FilingStatus.SUBMITTED, **fields: Any) -> Filing:
    today = timezone.localdate()
    defaults: dict[str, Any] = {
        "kind": FilingKind.INITIAL,
        "form": {},
        "commitment_accepted_at": timezone.now(),
    }
    if status != FilingStatus.DRAFT:
        defaults.update(submitted_at=timezone.now(), receipt_due=today + timedelta(days=7))
    if status in {FilingStatus.RECEIVED, FilingStatus.CONFIRMED, FilingStatus.REJECTED}:
        defaults.update(received_at=timezone.now(), verification_due=today + timedelta(days=21))
    if status == FilingStatus.REJECTED:
        defaults.update(decision_reason="x", decided_at=timezone.now(), notice_published_at=timezone.now())
    defaults.update(fields)
    return Filing.objects.create(institution=institution, status=status, **defaults)


def days_ago(n: int) -> date:
    return timezone.localdate() - timedelta(days=n)
