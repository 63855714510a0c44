"""Demo filings in 玄武区: one submitted and overdue for receipt, one received, one rejected (notice public).

Called by `manage.py demo_filings` after the demo generator has created institutions. It writes
through the services (with a demo reviewer and the institutions' directors) and then back-dates the
timestamps so that the queue shows a realistic overdue filing.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from tuoyu.accounts.choices import Role
from tuoyu.accounts.models import User
from tuoyu.accounts.services import role_assign
from tuoyu.institutions.choices import FilingStatus as InstitutionFilingStatus
from tuoyu.institutions.models import Institution
from tuoyu.regions.models import Region

from . import services
from .choices import FilingStatus
from .models import Filing

XUANWU = "320102000000"
DEMO_REVIEWER = "demo_filing_reviewer"
DEMO_APPLICANT = "demo_filing_applicant"

# A minimal, valid one-page PDF (what a scan would be; tiny so the demo stays small).
MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _user(username: str) -> User:
    user, created = User.objects.get_or_create(username=username, defaults={"display_name": username})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _complete(filing: Filing, applicant: User) -> None:
    for requirement in services.filing_missing(filing):
        upload = SimpleUploadedFile(f"{requirement.key}.pdf", MINIMAL_PDF, content_type="application/pdf")
        services.filing_attach_document(
            actor=applicant, filing=filing, kind=requirement.kinds[0], upload=upload
        )


@transaction.atomic
def add_demo_filings(seed: int = 1) -> list[Filing]:
    """Create three demo filings in 玄武区 (idempotent: does nothing if demo filings exist)."""
    rng = random.Random(seed)
    xuanwu = Region.objects.filter(code=XUANWU).first()
    if xuanwu is None:
        return []
    lo, hi = xuanwu.subtree_bounds()
    candidates = list(
        Institution.objects.filter(township_id__gte=lo, township_id__lte=hi)
        .exclude(filings__isnull=False)
        .order_by("id")[:50]
    )
    if len(candidates) < 3 or Filing.objects.filter(created_by__username=DEMO_APPLICANT).exists():
        return []
    chosen = rng.sample(candidates, 3)
    reviewer, applicant = _user(DEMO_REVIEWER), _user(DEMO_APPLICANT)
    role_assign(actor=None, user=reviewer, role=Role.OFFICIAL_REVIEWER, region=xuanwu)
    created: list[Filing] = []
    for institution in chosen:
        role_assign(actor=None, user=applicant, role=Role.DIRECTOR, institution=institution)
        Institution.objects.filter(pk=institution.pk).update(filing_status=InstitutionFilingStatus.NOT_FILED)
    applicant = User.objects.get(pk=applicant.pk)  # fresh: its role cache predates the assignments
    plans: list[tuple[Institution, str, int]] = [
        (chosen[0], FilingStatus.SUBMITTED, 9),  # submitted 9 days ago, no receipt: overdue
        (chosen[1], FilingStatus.RECEIVED, 4),
        (chosen[2], FilingStatus.REJECTED, 25),
    ]
    for institution, target, days_ago in plans:
        institution.refresh_from_db()
        filing = services.filing_create_draft(
            actor=applicant,
            institution=institution,
            commitment_accepted=True,
            form={"places": institution.places, "serves_meals": institution.serves_meals},
        )
        _complete(filing, applicant)
        services.filing_submit(actor=applicant, filing=filing)
        if target in {FilingStatus.RECEIVED, FilingStatus.REJECTED}:
            services.filing_issue_receipt(actor=reviewer, filing=filing)
        if target == FilingStatus.REJECTED:
            services.filing_reject(
                actor=reviewer, filing=filing, reason="托幼机构卫生评价报告未评定为合格（演示数据）"
            )
        _backdate(filing, days_ago)
        created.append(filing)
    return created


def _backdate(filing: Filing, days: int) -> None:
    """Shift the filing's timeline `days` into the past (demo only: the services stamp 'now')."""
    from .calendar import add_working_days
    from .rules import RECEIPT_DEADLINE, VERIFICATION_DEADLINE

    filing.refresh_from_db()
    shift = timedelta(days=days)
    updates: dict[str, Any] = {}
    for name in (
        "submitted_at",
        "received_at",
        "decided_at",
        "notice_published_at",
        "commitment_accepted_at",
    ):
        value = getattr(filing, name)
        if value is not None:
            updates[name] = value - shift
    if filing.submitted_at:
        updates["receipt_due"] = add_working_days(
            timezone.localdate(updates["submitted_at"]), RECEIPT_DEADLINE.working_days
        )
    if filing.received_at:
        updates["verification_due"] = add_working_days(
            timezone.localdate(updates["received_at"]), VERIFICATION_DEADLINE.working_days
        )
    Filing.objects.filter(pk=filing.pk).update(**updates)
    for transition in filing.transitions.all():
        type(transition).objects.filter(pk=transition.pk).update(at=transition.at - shift)
