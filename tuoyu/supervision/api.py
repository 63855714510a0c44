"""Inspections API (mounted at /api/v1/inspections): the list and detail, ad-hoc opening and team
assignment, the checklist flow (start, offline sync, submit), rectification notices and publication.

Objects come through `for_user` (404 outside the caller's scope, and for staff until the result is
known); who may act on a visible object is decided by `services.py` (403).
"""

from __future__ import annotations

import base64
import binascii
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from tuoyu.accounts.models import User
from tuoyu.core.api import ErrorSchema, FieldError, InputSchema
from tuoyu.institutions.models import Institution

from . import rules, services
from .choices import InspectionKind, InspectionStatus, Result, SignatureRole
from .models import ChecklistEntry, Inspection, InspectionItem, RectificationOrder

router = Router(tags=["supervision"])

MAX_ID = 2**31 - 1
READ_ERRORS = {401: ErrorSchema, 404: ErrorSchema, 422: ErrorSchema}
WRITE_ERRORS = {
    400: ErrorSchema,
    401: ErrorSchema,
    403: ErrorSchema,
    404: ErrorSchema,
    409: ErrorSchema,
    422: ErrorSchema,
}
REF = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")


# --- Schemas --------------------------------------------------------------------------------------


class InspectionItemOut(Schema):
    id: int
    code: str
    kind: str
    risk: str
    category: str
    title: str
    source: str
    verified: bool
    in_force: bool


class InspectionEntryOut(Schema):
    item_id: int
    code: str
    title: str
    kind: str
    risk: str
    source: str
    result: str
    note: str
    answered_at: datetime | None
    photo_urls: list[str]


class RectificationOut(Schema):
    id: int
    item_id: int
    title: str
    risk: str
    status: str
    issued_on: date
    deadline: date
    overdue: bool
    answer: str
    answered_at: datetime | None
    closed_at: datetime | None


class InspectionTransitionOut(Schema):
    from_status: str
    to_status: str
    by: str
    at: datetime
    reason: str


class InspectionOut(Schema):
    id: int
    institution_id: int
    institution_name: str
    kind: str
    status: str
    planned_on: date
    reason: str
    origin: str
    inspectors: list[str]
    concluded_on: date | None
    publish_due: date | None
    published_at: datetime | None
    failed: int


class InspectionDetailOut(InspectionOut):
    internal_note: str | None = Field(None, description="Officials only")
    entries: list[InspectionEntryOut]
    rectifications: list[RectificationOut]
    signatures: list[str]
    transitions: list[InspectionTransitionOut]


class InspectionPage(Schema):
    count: int
    items: list[InspectionOut]


class InspectionFilters(Schema):
    status: InspectionStatus | None = None
    kind: InspectionKind | None = None
    institution: int | None = Field(None, ge=1, le=MAX_ID)
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=10_000_000)


class InspectionIn(InputSchema):
    institution_id: int = Field(ge=1, le=MAX_ID)
    kind: InspectionKind = Field(description="complaint, follow_up or adhoc (routine ones come from a draw)")
    planned_on: date
    reason: str = Field(min_length=1, max_length=1000)
    inspector_ids: list[int] = Field(default_factory=list, max_length=10)


class InspectionTeamIn(InputSchema):
    inspector_ids: list[int] = Field(min_length=1, max_length=10)


class InspectionPhotoIn(InputSchema):
    client_ref: str = REF
    data_base64: str = Field(min_length=4, max_length=(rules.PHOTO_MAX_BYTES * 4) // 3 + 64)
    taken_at: datetime


class InspectionAnswerIn(InputSchema):
    client_ref: str = REF
    item_id: int = Field(ge=1, le=MAX_ID)
    result: Result = Field(description="pass, fail or na")
    note: str = Field("", max_length=2000)
    answered_at: datetime
    photos: list[InspectionPhotoIn] = Field(default_factory=list, max_length=10)


class InspectionSignatureIn(InputSchema):
    client_ref: str = REF
    role: SignatureRole
    signer_name: str = Field(min_length=1, max_length=50)
    png_base64: str = Field(min_length=4, max_length=(rules.SIGNATURE_MAX_BYTES * 4) // 3 + 64)
    signed_at: datetime


class InspectionSyncIn(InputSchema):
    answers: list[InspectionAnswerIn] = Field(default_factory=list, max_length=200)
    signatures: list[InspectionSignatureIn] = Field(default_factory=list, max_length=2)


class InspectionSyncOut(Schema):
    applied: int
    duplicates: int
    unanswered: int


class InspectionSubmitIn(InputSchema):
    internal_note: str | None = Field(None, max_length=2000, description="Officials only, never published")


class InspectionReasonIn(InputSchema):
    reason: str = Field("", max_length=1000)


class InspectionCancelIn(InputSchema):
    reason: str = Field(min_length=1, max_length=1000)


class RectificationFileIn(InputSchema):
    name: str = Field(min_length=1, max_length=200)
    data_base64: str = Field(min_length=4, max_length=(rules.EVIDENCE_MAX_BYTES * 4) // 3 + 64)


class RectificationAnswerIn(InputSchema):
    answer: str = Field(min_length=1, max_length=2000)
    files: list[RectificationFileIn] = Field(default_factory=list, max_length=5)


class RectificationVerifyIn(InputSchema):
    accept: bool
    note: str = Field("", max_length=1000)


# --- Helpers --------------------------------------------------------------------------------------


def _is_official(user: Any) -> bool:
    return bool(getattr(user, "is_official", False))


def _row(i: Inspection) -> dict[str, Any]:
    return {
        "id": i.pk,
        "institution_id": i.institution_id,
        "institution_name": i.institution.name,
        "kind": i.kind,
        "status": i.status,
        "planned_on": i.planned_on,
        "reason": i.reason,
        "origin": i.origin,
        "inspectors": [str(u) for u in i.inspectors.all()],
        "concluded_on": i.concluded_on,
        "publish_due": i.publish_due,
        "published_at": i.published_at,
        "failed": getattr(i, "failed", 0),
    }


def _order_row(o: RectificationOrder) -> dict[str, Any]:
    return {
        "id": o.pk,
        "item_id": o.entry.item_id,
        "title": o.entry.title,
        "risk": o.entry.risk,
        "status": o.status,
        "issued_on": o.issued_on,
        "deadline": o.deadline,
        "overdue": o.overdue_on is not None,
        "answer": o.answer,
        "answered_at": o.answered_at,
        "closed_at": o.closed_at,
    }


def _queryset(user: Any) -> Any:
    return (
        Inspection.objects.for_user(user, "view")
        .select_related("institution")
        .prefetch_related("inspectors")
        .annotate(failed=Count("entries", filter=Q(entries__result=Result.FAIL)))
    )


def _visible(request: HttpRequest, inspection_id: int) -> Inspection:
    return get_object_or_404(
        Inspection.objects.for_user(request.user, "view").select_related("institution"), pk=inspection_id
    )


def _detail(request: HttpRequest, inspection_id: int) -> dict[str, Any]:
    inspection = get_object_or_404(
        _queryset(request.user).prefetch_related(
            Prefetch("entries", queryset=ChecklistEntry.objects.prefetch_related("photos")),
            "orders__entry",
            "signatures",
            "transitions__actor",
        ),
        pk=inspection_id,
    )
    official = _is_official(request.user)
    data = _row(inspection)
    data.update(
        internal_note=inspection.internal_note if official else None,
        entries=[
            {
                "item_id": e.item_id,
                "code": e.code,
                "title": e.title,
                "kind": e.kind,
                "risk": e.risk,
                "source": e.source,
                "result": e.result,
                "note": e.note,
                "answered_at": e.answered_at,
                # Photos may show children: officials only.
                "photo_urls": [reverse("supervision:photo", args=[p.pk]) for p in e.photos.all()]
                if official
                else [],
            }
            for e in inspection.entries.all()
        ],
        rectifications=[_order_row(o) for o in inspection.orders.all()],
        signatures=[f"{s.get_role_display()}: {s.signer_name}" for s in inspection.signatures.all()],
        transitions=[
            {
                "from_status": t.from_status,
                "to_status": t.to_status,
                "by": str(t.actor) if t.actor else "system",
                "at": t.at,
                "reason": t.reason,
            }
            for t in inspection.transitions.all()
        ],
    )
    return data


def _users(ids: list[int], field: str) -> list[Any]:
    users = list(User.objects.filter(pk__in=ids))
    if len(users) != len(set(ids)):
        raise FieldError(field, _("Unknown user."))
    return users


# --- Endpoints ------------------------------------------------------------------------------------


@router.get("", response={200: InspectionPage, **READ_ERRORS}, url_name="inspection_list")
def inspection_list(request: HttpRequest, filters: Query[InspectionFilters]) -> dict[str, Any]:
    """Inspections the caller may see (officials: their regions'; staff: their own, once concluded)."""
    queryset = _queryset(request.user)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.institution:
        queryset = queryset.filter(institution_id=filters.institution)
    queryset = queryset.order_by("-planned_on", "-id")
    count = queryset.count()
    rows = list(queryset[filters.offset : filters.offset + filters.limit])
    return {"count": count, "items": [_row(i) for i in rows]}


@router.get("/items", response={200: list[InspectionItemOut], **READ_ERRORS}, url_name="inspection_items")
def inspection_items(request: HttpRequest) -> list[dict[str, Any]]:
    """The 随机抽查事项清单: every item with its risk, source and whether the source is verified."""
    return [
        {
            "id": i.pk,
            "code": i.code,
            "kind": i.kind,
            "risk": i.risk,
            "category": i.category,
            "title": i.title,
            "source": i.source,
            "verified": i.verified,
            "in_force": i.in_force,
        }
        for i in InspectionItem.objects.all()
    ]


@router.post("", response={201: InspectionDetailOut, **WRITE_ERRORS}, url_name="inspection_create")
def inspection_create(request: HttpRequest, payload: InspectionIn) -> Status[Any]:
    """An administrator opens an ad-hoc, complaint-triggered or follow-up inspection (team optional)."""
    institution = Institution.objects.for_user(request.user, "view").filter(pk=payload.institution_id).first()
    if institution is None:
        raise FieldError("institution_id", _("No such institution in your scope."))
    inspection = services.inspection_open_adhoc(
        actor=request.user,
        institution=institution,
        kind=payload.kind,
        planned_on=payload.planned_on,
        reason=payload.reason,
        inspectors=_users(payload.inspector_ids, "inspector_ids"),
    )
    return Status(201, _detail(request, inspection.pk))


ID = Path(..., ge=1, le=MAX_ID)


@router.get(
    "/{inspection_id}", response={200: InspectionDetailOut, **READ_ERRORS}, url_name="inspection_detail"
)
def inspection_detail(request: HttpRequest, inspection_id: int = ID) -> dict[str, Any]:
    """One inspection with its checklist, rectification notices, signatures and history."""
    return _detail(request, inspection_id)


@router.post(
    "/{inspection_id}/team", response={200: InspectionDetailOut, **WRITE_ERRORS}, url_name="inspection_team"
)
def inspection_team(
    request: HttpRequest, payload: InspectionTeamIn, inspection_id: int = ID
) -> dict[str, Any]:
    """An administrator assigns a team (≥ 2 inspectors of regions covering the institution)."""
    inspection = _visible(request, inspection_id)
    services.inspection_assign_team(
        actor=request.user, inspection=inspection, inspectors=_users(payload.inspector_ids, "inspector_ids")
    )
    return _detail(request, inspection_id)


@router.post(
    "/{inspection_id}/start", response={200: InspectionDetailOut, **WRITE_ERRORS}, url_name="inspection_start"
)
def inspection_start(request: HttpRequest, inspection_id: int = ID) -> dict[str, Any]:
    """The team starts: the checklist is fixed (409 unless planned with a team)."""
    services.inspection_start(actor=request.user, inspection=_visible(request, inspection_id))
    return _detail(request, inspection_id)


@router.post(
    "/{inspection_id}/sync", response={200: InspectionSyncOut, **WRITE_ERRORS}, url_name="inspection_sync"
)
def inspection_sync(
    request: HttpRequest, payload: InspectionSyncIn, inspection_id: int = ID
) -> dict[str, Any]:
    """Send answers, photos and signatures kept on the phone. Idempotent by client_ref; the same
    client_ref with other content answers 409 and applies nothing."""
    return services.inspection_sync(
        actor=request.user,
        inspection=_visible(request, inspection_id),
        answers=[a.model_dump() for a in payload.answers],
        signatures=[s.model_dump() for s in payload.signatures],
    )


@router.post(
    "/{inspection_id}/submit",
    response={200: InspectionDetailOut, **WRITE_ERRORS},
    url_name="inspection_submit",
)
def inspection_submit(
    request: HttpRequest, payload: InspectionSubmitIn, inspection_id: int = ID
) -> dict[str, Any]:
    """Submit the completed, signed checklist (422 lists what is missing)."""
    services.inspection_submit(
        actor=request.user, inspection=_visible(request, inspection_id), internal_note=payload.internal_note
    )
    return _detail(request, inspection_id)


@router.post(
    "/{inspection_id}/issue", response={200: InspectionDetailOut, **WRITE_ERRORS}, url_name="inspection_issue"
)
def inspection_issue(request: HttpRequest, inspection_id: int = ID) -> dict[str, Any]:
    """Issue the rectification notices (one per failed item, deadline by risk)."""
    services.inspection_issue_orders(actor=request.user, inspection=_visible(request, inspection_id))
    return _detail(request, inspection_id)


@router.post(
    "/{inspection_id}/close", response={200: InspectionDetailOut, **WRITE_ERRORS}, url_name="inspection_close"
)
def inspection_close(
    request: HttpRequest, payload: InspectionReasonIn, inspection_id: int = ID
) -> dict[str, Any]:
    """Close a submitted inspection with no failing item (others close when their last notice does)."""
    services.inspection_close(
        actor=request.user, inspection=_visible(request, inspection_id), reason=payload.reason
    )
    return _detail(request, inspection_id)


@router.post(
    "/{inspection_id}/cancel",
    response={200: InspectionDetailOut, **WRITE_ERRORS},
    url_name="inspection_cancel",
)
def inspection_cancel(
    request: HttpRequest, payload: InspectionCancelIn, inspection_id: int = ID
) -> dict[str, Any]:
    """An administrator cancels a planned or running inspection, with the reason."""
    services.inspection_cancel(
        actor=request.user, inspection=_visible(request, inspection_id), reason=payload.reason
    )
    return _detail(request, inspection_id)


@router.post(
    "/{inspection_id}/publish",
    response={200: InspectionDetailOut, **WRITE_ERRORS},
    url_name="inspection_publish",
)
def inspection_publish(request: HttpRequest, inspection_id: int = ID) -> dict[str, Any]:
    """Publish a concluded result on the institution's public trust card."""
    services.inspection_publish(actor=request.user, inspection=_visible(request, inspection_id))
    return _detail(request, inspection_id)


def _visible_order(request: HttpRequest, order_id: int) -> RectificationOrder:
    order = get_object_or_404(
        RectificationOrder.objects.for_user(request.user, "view").select_related("inspection", "entry"),
        pk=order_id,
    )
    return order


@router.post(
    "/rectifications/{order_id}/answer",
    response={200: RectificationOut, **WRITE_ERRORS},
    url_name="rectification_answer",
)
def rectification_answer(
    request: HttpRequest, payload: RectificationAnswerIn, order_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    """The director answers a notice with what was corrected and evidence (JPEG, PNG or PDF, base64)."""
    files = []
    for index, f in enumerate(payload.files):
        try:
            files.append((f.name, base64.b64decode(f.data_base64, validate=True)))
        except (binascii.Error, ValueError):
            raise FieldError(f"files.{index}.data_base64", _("Not valid base64.")) from None
    order = services.rectification_answer(
        actor=request.user, order=_visible_order(request, order_id), answer=payload.answer, files=files
    )
    return _order_row(order)


@router.post(
    "/rectifications/{order_id}/verify",
    response={200: RectificationOut, **WRITE_ERRORS},
    url_name="rectification_verify",
)
def rectification_verify(
    request: HttpRequest, payload: RectificationVerifyIn, order_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    """The inspector accepts the correction (closes the notice) or returns it with a reason."""
    order = services.rectification_verify(
        actor=request.user, order=_visible_order(request, order_id), accept=payload.accept, note=payload.note
    )
    return _order_row(order)
