"""The children register API: children, guardians, enrolments (/api/v1/children) and
applications (/api/v1/applications).

Reads go through `for_user()`: out of scope answers 404 like a missing record. ID numbers are always
masked. A guardian's phone is shown in full only to the child's own guardians and to the staff of the
child's institution (or of an institution the child has an open application to); officials see it
masked. Showing one child's record is audited (`audit_view`). Refused steps answer 409 with the reason,
bad input 422 naming the field, visible-but-not-allowed 403.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from tuoyu.core.api import ErrorSchema, FieldError, InputSchema
from tuoyu.core.audit import audit_view
from tuoyu.core.scoping import grants_for
from tuoyu.institutions.choices import ServiceMode
from tuoyu.institutions.models import Institution, InstitutionClass

from . import services
from .choices import ApplicationStatus, EntryCheckKind, Relation, Sex
from .models import Application, Child, Enrolment, Guardian, PickupPerson
from .rules import age_in_months
from .selectors import children_list

router = Router(tags=["children"])

# Applications (入托申请) have their own path: /api/v1/applications.
applications_router = Router(tags=["applications"])

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
PHONE = r"^[0-9+\- ]{5,20}$"


# --- Schemas --------------------------------------------------------------------------------------


class ChildListItemSchema(Schema):
    id: int
    name: str
    sex: str
    birth_date: date
    age_months: int
    masked_id: str
    institution_id: int | None
    class_id: int | None
    class_name: str | None
    allergies: list[str]


class ChildPageSchema(Schema):
    count: int
    items: list[ChildListItemSchema]


class ChildGuardianSchema(Schema):
    id: int
    position: int
    name: str
    relation: str
    phone: str
    has_account: bool


class ChildPickupSchema(Schema):
    id: int
    name: str
    relation: str
    phone: str
    active: bool


class ChildEnrolmentSchema(Schema):
    id: int
    institution_id: int
    class_id: int
    class_name: str
    service_mode: str
    start_on: date
    agreement_ref: str
    agreement_signed_on: date | None
    monthly_fee: float | None
    left_on: date | None
    leave_reason: str


class ChildEntryCheckSchema(Schema):
    id: int
    kind: str
    checked_on: date
    passed: bool
    issuer: str
    notes: str
    institution_id: int


class ChildDetailSchema(ChildListItemSchema):
    special_needs: str
    guardians: list[ChildGuardianSchema]
    pickup_people: list[ChildPickupSchema]
    enrolments: list[ChildEnrolmentSchema]
    entry_checks: list[ChildEntryCheckSchema]


class ChildFilters(Schema):
    institution: int | None = Field(None, ge=1, le=MAX_ID)
    class_id: int | None = Field(None, ge=1, le=MAX_ID, alias="class")
    q: str = Field("", max_length=50, description="Part of the child's name")
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=10_000_000)


class ChildPatchIn(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=50)
    sex: Sex | None = None
    birth_date: date | None = None
    id_number: str | None = Field(None, max_length=18)
    allergies: str | None = Field(None, max_length=200)
    special_needs: str | None = Field(None, max_length=300)


class ChildGuardianIn(InputSchema):
    position: int = Field(ge=1, le=2)
    name: str = Field(min_length=1, max_length=50)
    relation: Relation
    phone: str = Field(pattern=PHONE)


class GuardianLinkIn(InputSchema):
    phone: str = Field(pattern=PHONE, description="The mobile number the parent signed up with")


class ChildPickupIn(InputSchema):
    name: str = Field(min_length=1, max_length=50)
    relation: Relation
    phone: str = Field(pattern=PHONE)


class ChildEntryCheckIn(InputSchema):
    kind: EntryCheckKind
    checked_on: date
    passed: bool
    issuer: str = Field("", max_length=100)
    notes: str = Field("", max_length=300)


class ChildLeaveIn(InputSchema):
    left_on: date
    reason: str = Field(min_length=1, max_length=200)


class ChildChangeClassIn(InputSchema):
    class_id: int = Field(ge=1, le=MAX_ID)
    on: date | None = None


class ApplicationSchema(Schema):
    id: int
    child_id: int
    child_name: str
    institution_id: int
    institution_name: str
    service_mode: str
    start_month: date
    status: str
    reason: str
    note: str
    created_at: Any
    decided_at: Any
    enrolment_id: int | None


class ApplicationPageSchema(Schema):
    count: int
    items: list[ApplicationSchema]


class ApplicationFilters(Schema):
    institution: int | None = Field(None, ge=1, le=MAX_ID)
    status: ApplicationStatus | None = None
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=10_000_000)


class ApplicationChildIn(InputSchema):
    name: str = Field(min_length=1, max_length=50)
    sex: Sex
    birth_date: date
    id_number: str = Field("", max_length=18)
    allergies: str = Field("", max_length=200)
    special_needs: str = Field("", max_length=300)


class ApplicationGuardianIn(InputSchema):
    name: str = Field("", max_length=50, description="Default: the account's display name")
    relation: Relation
    phone: str = Field("", max_length=20, description="Default: the account's phone")


class ApplicationSecondGuardianIn(InputSchema):
    name: str = Field(min_length=1, max_length=50)
    relation: Relation
    phone: str = Field(pattern=PHONE)


class ApplicationIn(InputSchema):
    institution_id: int = Field(ge=1, le=MAX_ID)
    service_mode: ServiceMode
    start_month: date = Field(description="Any day of the month; stored as its first day")
    child_id: int | None = Field(None, ge=1, le=MAX_ID, description="A child you guard already")
    child: ApplicationChildIn | None = Field(None, description="A new child (when child_id is not given)")
    guardian: ApplicationGuardianIn | None = Field(None, description="You, as guardian 1 of a new child")
    second_guardian: ApplicationSecondGuardianIn | None = None
    note: str = Field("", max_length=300)


class ApplicationAcceptIn(InputSchema):
    class_id: int = Field(ge=1, le=MAX_ID)
    start_on: date | None = Field(None, description="Default: the first day of the month applied for")
    agreement_ref: str = Field("", max_length=40, description="Service agreement number (服务协议)")
    agreement_signed_on: date | None = Field(None, description="Default: today")
    monthly_fee: Decimal | None = Field(
        None, ge=0, le=100000, decimal_places=2, description="Default: the fee catalogue's monthly fee"
    )


class ApplicationReasonIn(InputSchema):
    reason: str = Field("", max_length=300)


class ApplicationDeclineIn(InputSchema):
    reason: str = Field(max_length=300, description="Required: the guardian is told")


# --- Helpers --------------------------------------------------------------------------------------


def _page(queryset: QuerySet[Any], limit: int, offset: int) -> tuple[int, list[Any]]:
    return queryset.count(), list(queryset[offset : offset + limit])


def _child_item(child: Child, today: date) -> dict[str, Any]:
    return {
        "id": child.pk,
        "name": child.name,
        "sex": child.sex,
        "birth_date": child.birth_date,
        "age_months": age_in_months(child.birth_date, today),
        "masked_id": child.masked_id,
        "institution_id": child.institution_id,
        "class_id": child.klass_id,
        "class_name": child.klass.name if child.klass_id and child.klass else None,
        "allergies": child.allergy_list(),
    }


def sees_full_phone(user: Any, child: Child) -> bool:
    """The child's own guardians and the staff of its institution (or of an institution it has an open
    application to) see guardians' phones in full; everyone else sees them masked."""
    if services.is_guardian(user, child):
        return True
    staff_of = grants_for(user, "view").institution_ids
    if not staff_of:
        return False
    if child.institution_id in staff_of:
        return True
    return Application.objects.filter(
        child=child, institution_id__in=staff_of, status__in=services.OPEN_STATUSES
    ).exists()


def _child_detail(child: Child, user: Any) -> dict[str, Any]:
    full = sees_full_phone(user, child)
    item = _child_item(child, timezone.localdate())
    item["special_needs"] = child.special_needs
    item["guardians"] = [
        {
            "id": g.pk,
            "position": g.position,
            "name": g.name,
            "relation": g.relation,
            "phone": g.phone if full else g.masked_phone,
            "has_account": g.user_id is not None,
        }
        for g in child.guardians.all()
    ]
    item["pickup_people"] = [
        {
            "id": p.pk,
            "name": p.name,
            "relation": p.relation,
            "phone": p.phone if full else Guardian(phone=p.phone).masked_phone,
            "active": p.active,
        }
        for p in child.pickup_people.all()
    ]
    item["enrolments"] = [_enrolment_item(e) for e in child.enrolments.select_related("klass")]
    item["entry_checks"] = [
        {
            "id": c.pk,
            "kind": c.kind,
            "checked_on": c.checked_on,
            "passed": c.passed,
            "issuer": c.issuer,
            "notes": c.notes,
            "institution_id": c.institution_id,
        }
        for c in child.entry_checks.all()
    ]
    return item


def _enrolment_item(e: Enrolment) -> dict[str, Any]:
    return {
        "id": e.pk,
        "institution_id": e.institution_id,
        "class_id": e.klass_id,
        "class_name": e.klass.name,
        "service_mode": e.service_mode,
        "start_on": e.start_on,
        "agreement_ref": e.agreement_ref,
        "agreement_signed_on": e.agreement_signed_on,
        "monthly_fee": None if e.monthly_fee is None else float(e.monthly_fee),
        "left_on": e.left_on,
        "leave_reason": e.leave_reason,
    }


def _visible_child(request: HttpRequest, child_id: int) -> Child:
    return get_object_or_404(
        Child.objects.for_user(request.user, "view").select_related("klass"), pk=child_id
    )


def _institution_class(child_or_institution_id: int | None, class_id: int) -> InstitutionClass:
    klass = InstitutionClass.objects.filter(pk=class_id, institution_id=child_or_institution_id or 0).first()
    if klass is None:
        raise FieldError("class_id", _("Choose a class of this institution."))
    return klass


def _application_item(a: Application) -> dict[str, Any]:
    enrolment = getattr(a, "enrolment", None) if a.status == ApplicationStatus.ACCEPTED else None
    return {
        "id": a.pk,
        "child_id": a.child_id,
        "child_name": a.child.name,
        "institution_id": a.institution_id,
        "institution_name": a.institution.name,
        "service_mode": a.service_mode,
        "start_month": a.start_month,
        "status": a.status,
        "reason": a.reason,
        "note": a.note,
        "created_at": a.created_at,
        "decided_at": a.decided_at,
        "enrolment_id": enrolment.pk if enrolment is not None else None,
    }


# --- Children -------------------------------------------------------------------------------------


@router.get("", response={200: ChildPageSchema, **READ_ERRORS}, url_name="children_list")
def child_list(request: HttpRequest, filters: Query[ChildFilters]) -> dict[str, Any]:
    """Children the caller may see (staff: their institution's; officials: their region's; parents:
    their own), by institution and class; ID numbers masked."""
    queryset = children_list(
        Child.objects.for_user(request.user, "view"),
        institution_id=filters.institution,
        class_id=filters.class_id,
        search=filters.q,
    )
    count, rows = _page(queryset, filters.limit, filters.offset)
    today = timezone.localdate()
    return {"count": count, "items": [_child_item(c, today) for c in rows]}


@router.get("/{child_id}", response={200: ChildDetailSchema, **READ_ERRORS}, url_name="child_detail")
def child_detail(request: HttpRequest, child_id: int = Path(..., ge=1, le=MAX_ID)) -> dict[str, Any]:
    """One child's record with guardians, pick-up people, enrolments and admission checks (audited)."""
    child = _visible_child(request, child_id)
    audit_view(actor=request.user, obj=child, request=request)
    return _child_detail(child, request.user)


@router.patch("/{child_id}", response={200: ChildDetailSchema, **WRITE_ERRORS}, url_name="child_update")
def child_patch(
    request: HttpRequest, payload: ChildPatchIn, child_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    """Change the child's details (the child's guardians or director)."""
    child = _visible_child(request, child_id)
    changes = payload.model_dump(exclude_unset=True)
    child = services.child_update(actor=request.user, child=child, **changes)
    return _child_detail(child, request.user)


def _guardian_out(g: Any) -> dict[str, Any]:
    return {
        "id": g.pk,
        "position": g.position,
        "name": g.name,
        "relation": g.relation,
        "phone": g.phone,
        "has_account": g.user_id is not None,
    }


@router.post(
    "/{child_id}/guardians", response={200: ChildGuardianSchema, **WRITE_ERRORS}, url_name="child_guardian"
)
def child_guardian(
    request: HttpRequest, payload: ChildGuardianIn, child_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    """Add or change guardian 1 or 2 (at most two)."""
    child = _visible_child(request, child_id)
    g = services.guardian_upsert(actor=request.user, child=child, **payload.model_dump())
    return _guardian_out(g)


@router.post(
    "/{child_id}/guardians/{position}/link-account",
    response={200: ChildGuardianSchema, **WRITE_ERRORS},
    url_name="child_guardian_link",
)
def child_guardian_link(
    request: HttpRequest,
    payload: GuardianLinkIn,
    child_id: int = Path(..., ge=1, le=MAX_ID),
    position: int = Path(..., ge=1, le=2),
) -> dict[str, Any]:
    """Link guardian 1 or 2 to the parent account signed up with this mobile number (the director), so
    the parent follows the child on the parent end (audited; the parent is notified)."""
    child = _visible_child(request, child_id)
    g = services.guardian_link_account(
        actor=request.user, child=child, position=position, phone=payload.phone
    )
    return _guardian_out(g)


@router.post(
    "/{child_id}/pickup-people",
    response={201: ChildPickupSchema, **WRITE_ERRORS},
    url_name="child_pickup_add",
)
def child_pickup_add(
    request: HttpRequest, payload: ChildPickupIn, child_id: int = Path(..., ge=1, le=MAX_ID)
) -> Status[Any]:
    """Authorise someone to collect the child."""
    child = _visible_child(request, child_id)
    p = services.pickup_person_add(actor=request.user, child=child, **payload.model_dump())
    return Status(
        201, {"id": p.pk, "name": p.name, "relation": p.relation, "phone": p.phone, "active": p.active}
    )


@router.post(
    "/{child_id}/pickup-people/{person_id}/deactivate",
    response={200: ChildPickupSchema, **WRITE_ERRORS},
    url_name="child_pickup_deactivate",
)
def child_pickup_deactivate(
    request: HttpRequest,
    child_id: int = Path(..., ge=1, le=MAX_ID),
    person_id: int = Path(..., ge=1, le=MAX_ID),
) -> dict[str, Any]:
    """Withdraw a pick-up authorisation."""
    child = _visible_child(request, child_id)
    person = get_object_or_404(PickupPerson.objects.filter(child=child), pk=person_id)
    p = services.pickup_person_deactivate(actor=request.user, person=person)
    return {"id": p.pk, "name": p.name, "relation": p.relation, "phone": p.phone, "active": p.active}


@router.post(
    "/{child_id}/entry-checks",
    response={201: ChildEntryCheckSchema, **WRITE_ERRORS},
    url_name="child_entry_check",
)
def child_entry_check(
    request: HttpRequest, payload: ChildEntryCheckIn, child_id: int = Path(..., ge=1, le=MAX_ID)
) -> Status[Any]:
    """Record an admission check: entry health check, vaccination certificate check or re-check, or the
    health check after more than three months away (staff of the institution)."""
    child = _visible_child(request, child_id)
    c = services.entry_check_record(actor=request.user, child=child, **payload.model_dump())
    return Status(
        201,
        {
            "id": c.pk,
            "kind": c.kind,
            "checked_on": c.checked_on,
            "passed": c.passed,
            "issuer": c.issuer,
            "notes": c.notes,
            "institution_id": c.institution_id,
        },
    )


@router.post(
    "/{child_id}/leave", response={200: ChildEnrolmentSchema, **WRITE_ERRORS}, url_name="child_leave"
)
def child_leave(
    request: HttpRequest, payload: ChildLeaveIn, child_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    """Record that the child leaves (date and reason; the director)."""
    child = _visible_child(request, child_id)
    enrolment = services.enrolment_leave(
        actor=request.user, child=child, left_on=payload.left_on, reason=payload.reason
    )
    return _enrolment_item(enrolment)


@router.post(
    "/{child_id}/change-class",
    response={200: ChildEnrolmentSchema, **WRITE_ERRORS},
    url_name="child_change_class",
)
def child_change_class(
    request: HttpRequest, payload: ChildChangeClassIn, child_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    """Move the child to another class of the institution (age band and places checked; the director)."""
    child = _visible_child(request, child_id)
    klass = _institution_class(child.institution_id, payload.class_id)
    enrolment = services.enrolment_change_class(actor=request.user, child=child, klass=klass, on=payload.on)
    return _enrolment_item(enrolment)


# --- Applications ---------------------------------------------------------------------------------


def _visible_application(request: HttpRequest, application_id: int) -> Application:
    return get_object_or_404(
        Application.objects.for_user(request.user, "view").select_related("child", "institution"),
        pk=application_id,
    )


@applications_router.get(
    "", response={200: ApplicationPageSchema, **READ_ERRORS}, url_name="application_list"
)
def application_list(request: HttpRequest, filters: Query[ApplicationFilters]) -> dict[str, Any]:
    """Applications the caller may see: a parent's own, an institution's, a region's."""
    queryset = Application.objects.for_user(request.user, "view").select_related(
        "child", "institution", "enrolment"
    )
    if filters.institution:
        queryset = queryset.filter(institution_id=filters.institution)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    count, rows = _page(queryset.order_by("-created_at", "-id"), filters.limit, filters.offset)
    return {"count": count, "items": [_application_item(a) for a in rows]}


@applications_router.post(
    "", response={201: ApplicationSchema, **WRITE_ERRORS}, url_name="application_submit"
)
def application_submit(request: HttpRequest, payload: ApplicationIn) -> Status[Any]:
    """Apply for a place (parents): for a child you guard (`child_id`) or a new child (`child`, with
    `guardian` describing you and an optional `second_guardian`)."""
    institution = Institution.objects.publicly_listed().filter(pk=payload.institution_id).first()
    if institution is None:
        raise FieldError("institution_id", _("No institution on the public register has this id."))
    child = None
    if payload.child_id is not None:
        child = Child.objects.for_user(request.user, "change").filter(pk=payload.child_id).first()
        if child is None or not services.is_guardian(request.user, child):
            raise FieldError("child_id", _("You are not a guardian of this child."))
    elif payload.child is None:
        raise FieldError("child", _("Give child_id or the new child's details."))
    if child is None and payload.guardian is None:
        raise FieldError("guardian", _("Say how you are related to the child."))
    application = services.application_submit(
        actor=request.user,
        institution=institution,
        service_mode=payload.service_mode,
        start_month=payload.start_month,
        child=child,
        child_fields=payload.child.model_dump() if payload.child else None,
        guardian=payload.guardian.model_dump() if payload.guardian else None,
        second_guardian=payload.second_guardian.model_dump() if payload.second_guardian else None,
        note=payload.note,
    )
    return Status(201, _application_item(application))


@applications_router.get(
    "/{application_id}", response={200: ApplicationSchema, **READ_ERRORS}, url_name="application_detail"
)
def application_detail(
    request: HttpRequest, application_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    """One application."""
    return _application_item(_visible_application(request, application_id))


@applications_router.post(
    "/{application_id}/accept",
    response={200: ApplicationSchema, **WRITE_ERRORS},
    url_name="application_accept",
)
def application_accept(
    request: HttpRequest, payload: ApplicationAcceptIn, application_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    """Accept onto a class (the director): 409 when the class or the institution is full, the age band
    does not fit, or no passed entry health check is recorded."""
    application = _visible_application(request, application_id)
    services.require_decide(request.user, application.institution_id)
    klass = _institution_class(application.institution_id, payload.class_id)
    services.application_accept(
        actor=request.user,
        application=application,
        klass=klass,
        start_on=payload.start_on,
        agreement_ref=payload.agreement_ref,
        agreement_signed_on=payload.agreement_signed_on,
        monthly_fee=payload.monthly_fee,
    )
    return _application_item(_visible_application(request, application_id))


@applications_router.post(
    "/{application_id}/waitlist",
    response={200: ApplicationSchema, **WRITE_ERRORS},
    url_name="application_waitlist",
)
def application_waitlist(
    request: HttpRequest, payload: ApplicationReasonIn, application_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    """Put the application on the waiting list (the director)."""
    application = _visible_application(request, application_id)
    return _application_item(
        services.application_waitlist(actor=request.user, application=application, reason=payload.reason)
    )


@applications_router.post(
    "/{application_id}/decline",
    response={200: ApplicationSchema, **WRITE_ERRORS},
    url_name="application_decline",
)
def application_decline(
    request: HttpRequest, payload: ApplicationDeclineIn, application_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    """Decline with a reason (the director); the guardian is told."""
    application = _visible_application(request, application_id)
    services.require_decide(request.user, application.institution_id)
    return _application_item(
        services.application_decline(actor=request.user, application=application, reason=payload.reason)
    )


@applications_router.post(
    "/{application_id}/withdraw",
    response={200: ApplicationSchema, **WRITE_ERRORS},
    url_name="application_withdraw",
)
def application_withdraw(
    request: HttpRequest, payload: ApplicationReasonIn, application_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    """Withdraw your own application (the applicant)."""
    application = _visible_application(request, application_id)
    return _application_item(
        services.application_withdraw(actor=request.user, application=application, reason=payload.reason)
    )
