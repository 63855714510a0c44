"""Complaints API (mounted at /api/v1/complaints).

- Public (no login): `POST ""` files a complaint (throttled per address, 429) and answers the reference;
  `GET /track/{reference}` follows its status and outcome (no internal notes, nothing from the institution).
- Officials: list, detail (the complainant's contact details only for handlers, each reading audited)
  and transitions, through region grants only (`Complaint.objects.for_official`).
- Staff (the director): complaints forwarded to their institution and the written response. Their
  schemas have no contact field and no "anonymous" flag: the institution never learns who complained.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.errors import HttpError

from tuoyu.core.api import ErrorSchema, FieldError, InputSchema
from tuoyu.core.audit import audit_view
from tuoyu.institutions.models import Institution

from . import rules, services
from .choices import ComplaintCategory, HandlingLevel
from .models import Complaint
from .selectors import official_queue, track

router = Router(tags=["complaints"])

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


# --- Schemas --------------------------------------------------------------------------------------


class ComplaintIn(InputSchema):
    institution_id: int = Field(ge=1, le=MAX_ID)
    category: ComplaintCategory
    description: str = Field(min_length=1, max_length=rules.DESCRIPTION_MAX)
    occurred_on: date | None = Field(None, description="When it happened, if known (not in the future)")
    anonymous: bool = Field(True, description="Anonymous: no name or phone is kept")
    contact_name: str = Field("", max_length=50)
    contact_phone: str = Field("", max_length=20, description="Required unless anonymous")


class ComplaintReceiptOut(Schema):
    reference: str = Field(description="Keep it: the only way to follow the complaint")
    track_url: str
    status: str


class ComplaintTrackOut(Schema):
    """What the complainant (anyone with the reference) sees: status and outcome, nothing internal."""

    reference: str
    institution_name: str
    category: str
    status: str
    level: str
    received_on: date
    due_on: date | None
    concluded_on: date | None
    outcome: str
    reply: str


class ComplaintOut(Schema):
    id: int
    reference: str
    institution_id: int
    institution_name: str
    category: str
    serious: bool
    status: str
    level: str
    handling_region: str
    received_at: datetime
    due_on: date | None
    overdue: bool
    inspection_id: int | None
    forwarded: bool
    outcome: str


class ComplaintPage(Schema):
    count: int
    items: list[ComplaintOut]


class ComplaintContactOut(Schema):
    anonymous: bool
    name: str
    phone: str


class ComplaintEventOut(Schema):
    kind: str
    from_status: str
    to_status: str
    from_level: str
    to_level: str
    by: str
    at: datetime
    reason: str


class ComplaintDetailOut(ComplaintOut):
    description: str
    occurred_on: date | None
    institution_response: str
    responded_at: datetime | None
    reply: str
    concluded_at: datetime | None
    contact: ComplaintContactOut | None = Field(
        description="Only for officials who handle complaints over the institution; each reading is audited"
    )
    events: list[ComplaintEventOut]


class ComplaintFilters(Schema):
    status: Literal["open", "received", "accepted", "investigating", "concluded"] | None = None
    level: HandlingLevel | None = None
    category: ComplaintCategory | None = None
    serious: bool | None = None
    overdue: bool | None = None
    institution: int | None = Field(None, ge=1, le=MAX_ID)
    mine: bool = Field(False, description="Only complaints handled at the caller's own level")
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=10_000_000)


class ComplaintTransitionIn(InputSchema):
    action: Literal["accept", "investigate", "conclude", "withdraw", "forward"]
    outcome: Literal["substantiated", "partly", "not_substantiated"] | None = Field(
        None, description="Required to conclude"
    )
    reply: str = Field(
        "", max_length=rules.REPLY_MAX, description="Required to conclude: read by the complainant"
    )
    reason: str = Field("", max_length=500, description="Why (kept in the record)")


class ComplaintStaffOut(Schema):
    """A complaint as the institution sees it: never who complained, nor whether they gave a name."""

    id: int
    category: str
    description: str
    occurred_on: date | None
    received_on: date
    status: str
    forwarded_at: datetime
    institution_response: str
    responded_at: datetime | None


class ComplaintStaffPage(Schema):
    count: int
    items: list[ComplaintStaffOut]


class ComplaintStaffPaging(Schema):
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=10_000_000)


class ComplaintResponseIn(InputSchema):
    response: str = Field(min_length=1, max_length=rules.REPLY_MAX)


# --- Helpers --------------------------------------------------------------------------------------


def _item(c: Complaint, today: date) -> dict[str, Any]:
    return {
        "id": c.pk,
        "reference": c.reference,
        "institution_id": c.institution_id,
        "institution_name": c.institution.name,
        "category": c.category,
        "serious": c.serious,
        "status": c.status,
        "level": c.level,
        "handling_region": str(c.handling_region_id),
        "received_at": c.received_at,
        "due_on": c.due_on,
        "overdue": bool(c.is_open and c.due_on and c.due_on < today),
        "inspection_id": c.inspection_id,
        "forwarded": c.forwarded_at is not None,
        "outcome": c.outcome,
    }


def track_item(c: Complaint) -> dict[str, Any]:
    return {
        "reference": c.reference,
        "institution_name": c.institution.name,
        "category": c.category,
        "status": c.status,
        "level": c.level,
        "received_on": timezone.localdate(c.received_at),
        "due_on": c.due_on if c.is_open else None,
        "concluded_on": timezone.localdate(c.concluded_at) if c.concluded_at else None,
        "outcome": c.outcome,
        "reply": c.reply,
    }


def staff_item(c: Complaint) -> dict[str, Any]:
    return {
        "id": c.pk,
        "category": c.category,
        "description": c.description,
        "occurred_on": c.occurred_on,
        "received_on": timezone.localdate(c.received_at),
        "status": c.status,
        "forwarded_at": c.forwarded_at,
        "institution_response": c.institution_response,
        "responded_at": c.responded_at,
    }


def _detail(request: HttpRequest, c: Complaint) -> dict[str, Any]:
    contact = None
    if services.can_see_contact(request.user, c):
        audit_view(actor=request.user, obj=c, request=request)
        contact = {"anonymous": c.anonymous, "name": c.contact_name, "phone": c.contact_phone}
    events = [
        {
            "kind": e.kind,
            "from_status": e.from_status,
            "to_status": e.to_status,
            "from_level": e.from_level,
            "to_level": e.to_level,
            "by": str(e.actor) if e.actor else "",
            "at": e.at,
            "reason": e.reason,
        }
        for e in c.events.select_related("actor")
    ]
    return {
        **_item(c, timezone.localdate()),
        "description": c.description,
        "occurred_on": c.occurred_on,
        "institution_response": c.institution_response,
        "responded_at": c.responded_at,
        "reply": c.reply,
        "concluded_at": c.concluded_at,
        "contact": contact,
        "events": events,
    }


def _official_complaint(request: HttpRequest, complaint_id: int) -> Complaint:
    return get_object_or_404(
        Complaint.objects.for_official(request.user, "view").select_related("institution"), pk=complaint_id
    )


# --- Public ---------------------------------------------------------------------------------------


@router.post(
    "",
    auth=None,
    response={201: ComplaintReceiptOut, 429: ErrorSchema, **WRITE_ERRORS},
    url_name="complaints_submit",
    summary="File a complaint (public)",
)
def complaint_submit(request: HttpRequest, payload: ComplaintIn) -> Status[Any]:
    """Anyone may complain about an institution on the public register, anonymously or with a name and
    phone (kept from the institution). Answers the reference: keep it to follow the complaint."""
    institution = Institution.objects.publicly_viewable().filter(pk=payload.institution_id).first()
    if institution is None:
        raise FieldError("institution_id", "No institution on the public register has this id.")
    try:
        complaint = services.complaint_submit(
            institution=institution,
            category=payload.category,
            description=payload.description,
            occurred_on=payload.occurred_on,
            anonymous=payload.anonymous,
            contact_name=payload.contact_name,
            contact_phone=payload.contact_phone,
            actor=request.user if getattr(request.user, "is_authenticated", False) else None,
            request=request,
        )
    except services.SubmitThrottled as exc:
        raise HttpError(429, str(exc)) from exc
    return Status(
        201,
        {
            "reference": complaint.reference,
            "track_url": reverse("complaints:track") + f"?reference={complaint.reference}",
            "status": complaint.status,
        },
    )


@router.get(
    "/track/{reference}",
    auth=None,
    response={200: ComplaintTrackOut, 404: ErrorSchema, 422: ErrorSchema},
    url_name="complaints_track",
    summary="Follow a complaint by its reference (public)",
)
def complaint_track(request: HttpRequest, reference: str = Path(..., max_length=32)) -> dict[str, Any]:
    complaint = track(reference)
    if complaint is None:
        raise HttpError(404, "No complaint has this reference.")
    return track_item(complaint)


# --- Officials ------------------------------------------------------------------------------------


@router.get("", response={200: ComplaintPage, **READ_ERRORS}, url_name="complaints_list")
def complaint_list(request: HttpRequest, filters: Query[ComplaintFilters]) -> dict[str, Any]:
    """Complaints about institutions in the caller's regions, overdue first, then by due date."""
    today = timezone.localdate()
    queryset = official_queue(
        request.user,
        status=filters.status,
        level=filters.level,
        category=filters.category,
        serious=filters.serious,
        overdue=filters.overdue,
        institution=filters.institution,
        mine=filters.mine,
        today=today,
    )
    count = queryset.count()
    items = list(queryset[filters.offset : filters.offset + filters.limit])
    return {"count": count, "items": [_item(c, today) for c in items]}


# --- Staff ----------------------------------------------------------------------------------------


@router.get(
    "/institution", response={200: ComplaintStaffPage, **READ_ERRORS}, url_name="complaints_staff_list"
)
def complaint_staff_list(request: HttpRequest, paging: Query[ComplaintStaffPaging]) -> dict[str, Any]:
    """Complaints forwarded to the caller's institution for a response (directors); nobody's name."""
    queryset = Complaint.objects.for_staff(request.user).order_by("-forwarded_at", "-id")
    count = queryset.count()
    items = list(queryset[paging.offset : paging.offset + paging.limit])
    return {"count": count, "items": [staff_item(c) for c in items]}


@router.post(
    "/institution/{complaint_id}/respond",
    response={200: ComplaintStaffOut, **WRITE_ERRORS},
    url_name="complaints_staff_respond",
)
def complaint_staff_respond(
    request: HttpRequest, payload: ComplaintResponseIn, complaint_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    """The director's written response to a forwarded complaint (once; 409 when already answered)."""
    complaint = get_object_or_404(Complaint.objects.for_staff(request.user), pk=complaint_id)
    complaint = services.complaint_respond(
        actor=request.user, complaint=complaint, response=payload.response, request=request
    )
    return staff_item(complaint)


@router.get(
    "/{complaint_id}", response={200: ComplaintDetailOut, **READ_ERRORS}, url_name="complaints_detail"
)
def complaint_detail(request: HttpRequest, complaint_id: int = Path(..., ge=1, le=MAX_ID)) -> dict[str, Any]:
    """One complaint with its history; `contact` only for handlers (audited)."""
    return _detail(request, _official_complaint(request, complaint_id))


@router.post(
    "/{complaint_id}/transitions",
    response={200: ComplaintDetailOut, **WRITE_ERRORS},
    url_name="complaints_transition",
)
def complaint_transition(
    request: HttpRequest, payload: ComplaintTransitionIn, complaint_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    """accept, investigate, conclude (outcome and reply), withdraw, or forward to the institution.
    Only officials with `review` over the handling level's region act (403 otherwise); a step the
    status does not allow answers 409."""
    complaint = _official_complaint(request, complaint_id)
    user, reason = request.user, payload.reason
    if payload.action == "accept":
        complaint = services.complaint_accept(actor=user, complaint=complaint, reason=reason, request=request)
    elif payload.action == "investigate":
        complaint = services.complaint_investigate(
            actor=user, complaint=complaint, reason=reason, request=request
        )
    elif payload.action == "conclude":
        complaint = services.complaint_conclude(
            actor=user,
            complaint=complaint,
            outcome=payload.outcome or "",
            reply=payload.reply,
            reason=reason,
            request=request,
        )
    elif payload.action == "withdraw":
        complaint = services.complaint_withdraw(
            actor=user, complaint=complaint, reason=reason, request=request
        )
    else:
        complaint = services.complaint_forward(
            actor=user, complaint=complaint, reason=reason, request=request
        )
    return _detail(request, complaint)
