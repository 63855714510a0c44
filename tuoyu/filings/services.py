"""Writes to filings: one service per transition of the filing state machine.

    draft ──submit──▶ submitted ──issue_receipt (≤5 wd)──▶ received ──confirm──▶ confirmed
      │                  │                                    └──reject (≤15 wd, notice public)──▶ rejected
      └────withdraw──────┴──▶ withdrawn

Every transition checks the table below, the actor's scope, records a FilingTransition (who, when,
why) and an audit record, and runs in one transaction. A transition the table does not allow raises
`TransitionNotAllowed` (the API answers 409 with its message).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoyu.core.api import Conflict
from tuoyu.core.audit import audit
from tuoyu.institutions.choices import FilingStatus as InstitutionFilingStatus
from tuoyu.institutions.choices import OperatingStatus, ServiceMode
from tuoyu.institutions.models import Institution
from tuoyu.institutions.services import institution_update

from . import rules
from .calendar import add_working_days_estimated
from .choices import DocumentKind, FilingKind, FilingStatus
from .models import Filing, FilingDocument, FilingTransition

S = FilingStatus
# The one table of allowed transitions: (from, to) → the service (action) that performs it.
TRANSITIONS: dict[tuple[str, str], str] = {
    (S.DRAFT, S.SUBMITTED): "submit",
    (S.DRAFT, S.WITHDRAWN): "withdraw",
    (S.SUBMITTED, S.WITHDRAWN): "withdraw",
    (S.SUBMITTED, S.RECEIVED): "issue_receipt",
    (S.RECEIVED, S.CONFIRMED): "confirm",
    (S.RECEIVED, S.REJECTED): "reject",
}
# Which grant each action needs on the filing's institution (accounts/choices.py: ROLE_ACTIONS).
ACTION_GRANT = {
    "submit": "change",
    "withdraw": "change",
    "issue_receipt": "review",
    "confirm": "review",
    "reject": "review",
}


class TransitionNotAllowed(Conflict):
    """The filing's current state does not allow what was asked (answered 409 with the reason)."""


# The 备案书 fields kept in `Filing.form`, and applied to the institution when the filing is confirmed.
FORM_FIELDS = ("legal_representative", "service_modes", "opening_hours", "places", "serves_meals")


def validate_form(form: Mapping[str, Any]) -> dict[str, Any]:
    """Check the 备案书 content; errors are keyed `form.<field>`."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for key, value in form.items():
        if key not in FORM_FIELDS:
            errors[f"form.{key}"] = _("Unknown field.")
        elif key in {"legal_representative", "opening_hours"}:
            limit = 50 if key == "legal_representative" else 100
            if not isinstance(value, str) or len(value) > limit:
                errors[f"form.{key}"] = _("Text of at most {n} characters.").format(n=limit)
            else:
                clean[key] = value.strip()
        elif key == "places":
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 2000:
                errors[f"form.{key}"] = _("A whole number from 0 to 2000.")
            else:
                clean[key] = value
        elif key == "serves_meals":
            if not isinstance(value, bool):
                errors[f"form.{key}"] = _("true or false.")
            else:
                clean[key] = value
        elif key == "service_modes":
            if not isinstance(value, list) or any(m not in ServiceMode.values for m in value):
                errors[f"form.{key}"] = _("A list of: {modes}.").format(modes=", ".join(ServiceMode.values))
            else:
                clean[key] = list(dict.fromkeys(value))
    if errors:
        raise ValidationError(errors)
    return clean


def _require_grant(actor: Any, institution_id: int, action: str) -> None:
    if not Institution.objects.for_user(actor, action).filter(pk=institution_id).exists():
        raise PermissionDenied(_("You may not do this for this institution."))


def _check(filing: Filing, to_status: str, actor: Any) -> str:
    action = TRANSITIONS.get((filing.status, to_status))
    wanted = next((a for (f, t), a in TRANSITIONS.items() if t == to_status), to_status)
    _require_grant(actor, filing.institution_id, ACTION_GRANT.get(action or wanted, "review"))
    if action is None:
        raise TransitionNotAllowed(
            _("A filing that is {current} cannot become {target}.").format(
                current=FilingStatus(filing.status).label, target=FilingStatus(to_status).label
            )
        )
    return action


def _lock(filing: Filing) -> Filing:
    return Filing.objects.select_for_update().select_related("institution").get(pk=filing.pk)


def _move(filing: Filing, to_status: str, actor: Any, action: str, reason: str = "", **detail: Any) -> None:
    from_status = filing.status
    filing.status = to_status
    filing.full_clean()
    filing.save()
    FilingTransition.objects.create(
        filing=filing, from_status=from_status, to_status=to_status, actor=_user(actor), reason=reason
    )
    audit(
        actor=actor,
        action=f"filing.{action}",
        obj=filing,
        detail={"from": from_status, "to": to_status, "reason": reason, **detail},
    )


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _due(filing: Filing, start: date, deadline: rules.Deadline) -> date:
    """The due date; across a year the calendar does not know yet it is an estimate, flagged on the filing."""
    due, provisional = add_working_days_estimated(start, deadline.working_days)
    filing.deadlines_provisional = filing.deadlines_provisional or provisional
    return due


@transaction.atomic
def filing_recompute_deadlines() -> int:
    """Recount provisional deadlines now that the calendar may know more; returns how many became exact."""
    exact = 0
    for filing in Filing.objects.select_for_update().filter(deadlines_provisional=True):
        filing.deadlines_provisional = False
        if filing.submitted_at:
            filing.receipt_due = _due(filing, timezone.localdate(filing.submitted_at), rules.RECEIPT_DEADLINE)
        if filing.received_at:
            filing.verification_due = _due(
                filing, timezone.localdate(filing.received_at), rules.VERIFICATION_DEADLINE
            )
        filing.save(update_fields=["receipt_due", "verification_due", "deadlines_provisional"])
        exact += not filing.deadlines_provisional
    return exact


def filing_missing(filing: Filing) -> list[rules.Requirement]:
    """The checklist lines no attached document satisfies yet."""
    checklist = rules.required_documents(filing.institution, filing.kind, filing.form)
    present = set(filing.documents.values_list("kind", flat=True))
    return rules.missing_documents(checklist, present)


@transaction.atomic
def filing_create_draft(
    *,
    actor: Any,
    institution: Institution,
    kind: str = FilingKind.INITIAL,
    form: Mapping[str, Any] | None = None,
    commitment_accepted: bool = False,
) -> Filing:
    """Start a filing for an institution (the applicant is its director)."""
    _require_grant(actor, institution.pk, "change")
    if kind not in FilingKind.values:
        raise ValidationError({"kind": _("Unknown kind of filing.")})
    filed = institution.filing_status == InstitutionFilingStatus.FILED
    if kind == FilingKind.INITIAL and filed:
        raise TransitionNotAllowed(_("This institution is already filed: make a change filing instead."))
    if kind != FilingKind.INITIAL and not filed:
        raise TransitionNotAllowed(_("Only a filed institution can make a change or cancellation filing."))
    filing = Filing(
        institution=institution,
        kind=kind,
        form=validate_form(form or {}),
        created_by=_user(actor),
    )
    if commitment_accepted:
        filing.commitment_accepted_at = timezone.now()
        filing.commitment_text = rules.COMMITMENT_TEXT
    filing.full_clean()
    filing.save()
    audit(actor=actor, action="filing.create", obj=filing, detail={"kind": kind})
    return filing


@transaction.atomic
def filing_attach_document(*, actor: Any, filing: Filing, kind: str, upload: UploadedFile) -> FilingDocument:
    """Attach a scanned document to a draft, after checking what its bytes are and its size."""
    filing = _lock(filing)
    _require_grant(actor, filing.institution_id, "change")
    if filing.status != S.DRAFT:
        raise TransitionNotAllowed(_("Documents can only be added to a draft filing."))
    if kind not in DocumentKind.values:
        raise ValidationError({"kind": _("Unknown kind of document.")})
    size = upload.size or 0
    if size > rules.MAX_UPLOAD_BYTES:
        raise ValidationError(
            {"file": _("The file is larger than {mb} MB.").format(mb=rules.MAX_UPLOAD_BYTES // (1024 * 1024))}
        )
    if size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    upload.seek(0)
    content_type = rules.sniff_content_type(upload.read(16))
    if content_type is None:
        raise ValidationError({"file": _("Only PDF, JPEG and PNG files are accepted.")})
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    original = (upload.name or "document").replace("\\", "/").rsplit("/", 1)[-1][:200]
    document = FilingDocument(
        filing=filing,
        kind=kind,
        original_name=original,
        content_type=content_type,
        size=size,
        sha256=digest.hexdigest(),
        uploaded_by=_user(actor),
    )
    # The stored name gets the extension of what the bytes are, not of what the name claims.
    document.file.save(f"x{rules.EXTENSIONS[content_type]}", upload, save=False)
    try:
        document.full_clean()
        document.save()
    except Exception:
        document.file.delete(save=False)
        raise
    audit(
        actor=actor,
        action="filing.attach_document",
        obj=filing,
        detail={"kind": kind, "sha256": document.sha256},
    )
    return document


@transaction.atomic
def filing_submit(*, actor: Any, filing: Filing, commitment_accepted: bool = False) -> Filing:
    """Submit a draft: the commitment must be accepted and every required document attached."""
    filing = _lock(filing)
    action = _check(filing, S.SUBMITTED, actor)
    now = timezone.now()
    if commitment_accepted and filing.commitment_accepted_at is None:
        filing.commitment_accepted_at = now
        filing.commitment_text = rules.COMMITMENT_TEXT
    errors: dict[str, str] = {}
    if filing.commitment_accepted_at is None:
        errors["commitment_accepted"] = _("Accept the filing commitment (备案承诺书).")
    missing = filing_missing(filing)
    if missing:
        errors["documents"] = _("Missing documents: {names}.").format(
            names="; ".join(str(r.label) for r in missing)
        )
    if errors:
        raise ValidationError(errors)
    other_open = (
        Filing.objects.open().filter(institution_id=filing.institution_id).exclude(pk=filing.pk).first()
    )
    if other_open is not None:
        raise TransitionNotAllowed(
            _("This institution already has a filing being processed (no. {id}).").format(id=other_open.pk)
        )
    filing.submitted_at = now
    filing.submitted_by = _user(actor)
    filing.receipt_due = _due(filing, timezone.localdate(now), rules.RECEIPT_DEADLINE)
    _move(filing, S.SUBMITTED, actor, action, receipt_due=str(filing.receipt_due))
    if filing.kind == FilingKind.INITIAL:
        institution_update(
            actor=actor, institution=filing.institution, filing_status=InstitutionFilingStatus.PENDING
        )
    return filing


@transaction.atomic
def filing_issue_receipt(*, actor: Any, filing: Filing, reason: str = "") -> Filing:
    """The county health commission acknowledges the filing (备案回执); verification time starts."""
    filing = _lock(filing)
    action = _check(filing, S.RECEIVED, actor)
    now = timezone.now()
    filing.received_at = now
    filing.received_by = _user(actor)
    filing.verification_due = _due(filing, timezone.localdate(now), rules.VERIFICATION_DEADLINE)
    _move(filing, S.RECEIVED, actor, action, reason, verification_due=str(filing.verification_due))
    return filing


@transaction.atomic
def filing_confirm(*, actor: Any, filing: Filing, reason: str = "") -> Filing:
    """Verification found the filing compliant: the institution is filed (or, for 注销, cancelled)."""
    filing = _lock(filing)
    action = _check(filing, S.CONFIRMED, actor)
    filing.decided_at = timezone.now()
    filing.decided_by = _user(actor)
    filing.decision_reason = reason
    _move(filing, S.CONFIRMED, actor, action, reason)
    if filing.kind == FilingKind.CANCELLATION:
        institution_update(
            actor=actor,
            institution=filing.institution,
            filing_status=InstitutionFilingStatus.CANCELLED,
            status=OperatingStatus.CLOSED,
        )
    else:
        # The filed facts become the institution's facts.
        facts = {k: v for k, v in filing.form.items() if k in FORM_FIELDS}
        institution_update(
            actor=actor, institution=filing.institution, filing_status=InstitutionFilingStatus.FILED, **facts
        )
    return filing


@transaction.atomic
def filing_reject(*, actor: Any, filing: Filing, reason: str) -> Filing:
    """Verification found non-compliance: notify the institution and publish the notice."""
    filing = _lock(filing)
    action = _check(filing, S.REJECTED, actor)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say what does not comply.")})
    now = timezone.now()
    filing.decided_at = now
    filing.decided_by = _user(actor)
    filing.decision_reason = reason.strip()
    filing.notice_published_at = now
    _move(filing, S.REJECTED, actor, action, filing.decision_reason)
    if filing.kind != FilingKind.CANCELLATION:
        # A refused cancellation leaves the institution as it was; otherwise it is non-compliant.
        institution_update(
            actor=actor, institution=filing.institution, filing_status=InstitutionFilingStatus.NONCOMPLIANT
        )
    return filing


@transaction.atomic
def filing_withdraw(*, actor: Any, filing: Filing, reason: str = "") -> Filing:
    """The applicant withdraws a draft, or a submission before its receipt is issued."""
    filing = _lock(filing)
    was_submitted = filing.status == S.SUBMITTED
    action = _check(filing, S.WITHDRAWN, actor)
    _move(filing, S.WITHDRAWN, actor, action, reason)
    institution = filing.institution
    if (
        was_submitted
        and filing.kind == FilingKind.INITIAL
        and institution.filing_status == InstitutionFilingStatus.PENDING
    ):
        rejected_before = Filing.objects.filter(institution=institution, status=S.REJECTED).exists()
        previous = (
            InstitutionFilingStatus.NONCOMPLIANT if rejected_before else InstitutionFilingStatus.NOT_FILED
        )
        institution_update(actor=actor, institution=institution, filing_status=previous)
    return filing
