"""Filing (备案) API: create and submit, upload documents, receipt, confirm, reject, withdraw.

Objects come through `Filing.objects.for_user(user, "view")`: out of scope answers 404. A visible
filing the caller may not act on answers 403; a transition the filing's state does not allow, 409.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from django.db import transaction
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, File, Form, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile

from tuoyu.core.api import ErrorSchema, InputSchema
from tuoyu.institutions.models import Institution

from . import services
from .auth import AUTH
from .choices import DocumentKind, FilingKind, FilingStatus
from .models import Filing, FilingDocument

router = Router(tags=["filings"], auth=AUTH)

ERRORS: dict[int, Any] = {
    400: ErrorSchema,
    401: ErrorSchema,
    403: ErrorSchema,
    404: ErrorSchema,
    409: ErrorSchema,
    422: ErrorSchema,
}
FilingId = Annotated[int, Path(ge=1, le=2_147_483_647)]


class DocumentSchema(Schema):
    id: int
    kind: DocumentKind
    original_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime


class TransitionSchema(Schema):
    from_status: FilingStatus
    to_status: FilingStatus
    actor: str | None
    at: datetime
    reason: str

    @staticmethod
    def resolve_actor(obj: Any) -> str | None:
        return obj.actor.get_username() if obj.actor_id else None


class MissingSchema(Schema):
    key: str
    label: str
    kinds: list[str]


class FilingSchema(Schema):
    id: int
    institution_id: int
    institution_name: str
    kind: FilingKind
    status: FilingStatus
    form: dict[str, Any]
    commitment_accepted_at: datetime | None
    submitted_at: datetime | None
    receipt_due: date | None
    received_at: datetime | None
    verification_due: date | None
    deadlines_provisional: bool = Field(
        False, description="True when a due date crossed a year whose holiday schedule is not loaded yet"
    )
    decided_at: datetime | None
    decision_reason: str
    notice_published_at: datetime | None
    overdue: bool = Field(description="An open filing whose receipt or verification deadline has passed")
    missing: list[MissingSchema] = Field(description="Checklist lines no attached document satisfies")
    documents: list[DocumentSchema]
    transitions: list[TransitionSchema]


class FilingListItem(Schema):
    id: int
    institution_id: int
    institution_name: str
    kind: FilingKind
    status: FilingStatus
    submitted_at: datetime | None
    receipt_due: date | None
    verification_due: date | None
    due: date | None
    overdue: bool


class FilingPage(Schema):
    count: int
    items: list[FilingListItem]


class FilingFilters(Schema):
    status: FilingStatus | None = None
    overdue: bool | None = None
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=10_000_000)


class FilingCreateIn(InputSchema):
    institution_id: int = Field(ge=1, le=2_147_483_647)
    kind: FilingKind = FilingKind.INITIAL
    form: dict[str, Any] = Field(
        default_factory=dict, description="备案书: " + ", ".join(services.FORM_FIELDS)
    )
    commitment_accepted: bool = False
    submit: bool = Field(True, description="Submit at once (422 naming missing documents if incomplete)")


class SubmitIn(InputSchema):
    commitment_accepted: bool = False


class ReasonIn(InputSchema):
    reason: str = Field("", max_length=4000)


def _filing_out(filing: Filing) -> dict[str, Any]:
    today = timezone.localdate()
    due = (
        filing.receipt_due
        if filing.status == FilingStatus.SUBMITTED
        else (filing.verification_due if filing.status == FilingStatus.RECEIVED else None)
    )
    missing = services.filing_missing(filing) if filing.status == FilingStatus.DRAFT else []
    return {
        **{
            f: getattr(filing, f)
            for f in (
                "id",
                "institution_id",
                "kind",
                "status",
                "form",
                "commitment_accepted_at",
                "submitted_at",
                "receipt_due",
                "received_at",
                "verification_due",
                "deadlines_provisional",
                "decided_at",
                "decision_reason",
                "notice_published_at",
            )
        },
        "institution_name": filing.institution.name,
        "overdue": bool(due and due < today),
        "missing": [{"key": r.key, "label": str(r.label), "kinds": list(r.kinds)} for r in missing],
        "documents": list(filing.documents.all()),
        "transitions": list(filing.transitions.select_related("actor")),
    }


def _get(request: HttpRequest, filing_id: int) -> Filing:
    return get_object_or_404(
        Filing.objects.for_user(request.user, "view").select_related("institution"), pk=filing_id
    )


@router.post("", response={201: FilingSchema, **ERRORS}, url_name="filing_create")
def filing_create(request: HttpRequest, payload: FilingCreateIn) -> Status[dict[str, Any]]:
    """Start a filing for an institution and, unless `submit` is false, submit it.

    With `submit` (the default) an incomplete filing answers 422 naming the missing documents and
    nothing is kept; create a draft with `submit: false`, upload documents, then POST `/{id}/submit`.
    """
    institution = get_object_or_404(
        Institution.objects.for_user(request.user, "view"), pk=payload.institution_id
    )
    with transaction.atomic():
        filing = services.filing_create_draft(
            actor=request.user,
            institution=institution,
            kind=payload.kind,
            form=payload.form,
            commitment_accepted=payload.commitment_accepted,
        )
        if payload.submit:
            filing = services.filing_submit(actor=request.user, filing=filing)
    return Status(201, _filing_out(filing))


@router.get("", response={200: FilingPage, **ERRORS}, url_name="filing_list")
def filing_list(request: HttpRequest, filters: Query[FilingFilters]) -> dict[str, Any]:
    """Filings the caller may see, newest first, with their current deadline and overdue flag."""
    queryset = Filing.objects.for_user(request.user, "view").with_due(timezone.localdate())
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.overdue is not None:
        # `overdue` is an annotation (with_due); django-stubs cannot see it.
        flag: dict[str, Any] = {"overdue": True}
        queryset = queryset.filter(**flag) if filters.overdue else queryset.exclude(**flag)
    count = queryset.count()
    rows = queryset.select_related("institution").order_by("-id")[
        filters.offset : filters.offset + filters.limit
    ]
    items = [
        {
            "id": f.pk,
            "institution_id": f.institution_id,
            "institution_name": f.institution.name,
            "kind": f.kind,
            "status": f.status,
            "submitted_at": f.submitted_at,
            "receipt_due": f.receipt_due,
            "verification_due": f.verification_due,
            "due": getattr(f, "due", None),
            "overdue": bool(getattr(f, "overdue", False)),
        }
        for f in rows
    ]
    return {"count": count, "items": items}


@router.get("/{filing_id}", response={200: FilingSchema, **ERRORS}, url_name="filing_detail")
def filing_detail(request: HttpRequest, filing_id: FilingId) -> dict[str, Any]:
    """One filing: status, deadlines, documents, history and what is still missing."""
    return _filing_out(_get(request, filing_id))


@router.post(
    "/{filing_id}/documents", response={201: DocumentSchema, **ERRORS}, url_name="filing_document_upload"
)
def filing_document_upload(
    request: HttpRequest,
    filing_id: FilingId,
    kind: Form[DocumentKind],
    file: File[UploadedFile],
) -> Status[FilingDocument]:
    """Attach a document to a draft (multipart: `kind`, `file`; PDF, JPEG or PNG, at most 10 MB)."""
    filing = _get(request, filing_id)
    return Status(
        201, services.filing_attach_document(actor=request.user, filing=filing, kind=kind, upload=file)
    )


@router.post("/{filing_id}/submit", response={200: FilingSchema, **ERRORS}, url_name="filing_submit")
def filing_submit(request: HttpRequest, filing_id: FilingId, payload: SubmitIn) -> dict[str, Any]:
    """Submit a draft; 422 names what is missing, 409 if it is not a draft."""
    filing = services.filing_submit(
        actor=request.user, filing=_get(request, filing_id), commitment_accepted=payload.commitment_accepted
    )
    return _filing_out(filing)


@router.post("/{filing_id}/receipt", response={200: FilingSchema, **ERRORS}, url_name="filing_receipt")
def filing_receipt(request: HttpRequest, filing_id: FilingId, payload: ReasonIn) -> dict[str, Any]:
    """Issue the 备案回执 (reviewers in scope); starts the 15-working-day verification."""
    filing = services.filing_issue_receipt(
        actor=request.user, filing=_get(request, filing_id), reason=payload.reason
    )
    return _filing_out(filing)


@router.post("/{filing_id}/confirm", response={200: FilingSchema, **ERRORS}, url_name="filing_confirm")
def filing_confirm(request: HttpRequest, filing_id: FilingId, payload: ReasonIn) -> dict[str, Any]:
    """Confirm a received filing: the institution becomes filed (or cancelled, for 注销)."""
    filing = services.filing_confirm(
        actor=request.user, filing=_get(request, filing_id), reason=payload.reason
    )
    return _filing_out(filing)


@router.post("/{filing_id}/reject", response={200: FilingSchema, **ERRORS}, url_name="filing_reject")
def filing_reject(request: HttpRequest, filing_id: FilingId, payload: ReasonIn) -> dict[str, Any]:
    """Issue and publish a non-compliance notice; `reason` is required (422 without it)."""
    filing = services.filing_reject(
        actor=request.user, filing=_get(request, filing_id), reason=payload.reason
    )
    return _filing_out(filing)


@router.post("/{filing_id}/withdraw", response={200: FilingSchema, **ERRORS}, url_name="filing_withdraw")
def filing_withdraw(request: HttpRequest, filing_id: FilingId, payload: ReasonIn) -> dict[str, Any]:
    """The applicant withdraws a draft, or a submission before its receipt."""
    filing = services.filing_withdraw(
        actor=request.user, filing=_get(request, filing_id), reason=payload.reason
    )
    return _filing_out(filing)
