"""Training API (mounted at /api/v1/training): the catalogue, a person's ledger of hours, enrolling and
recording completion.

The catalogue (bases, trainers, courses, sessions) is visible to every official and staff member;
ledgers and enrolments only within the caller's scope (404 outside it, like a missing record). The full
ID number is never returned: people carry `masked_id`.
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
from tuoyu.institutions.models import Institution
from tuoyu.regions.models import Region
from tuoyu.workforce.choices import StaffRole
from tuoyu.workforce.models import Person

from . import services
from .choices import BaseLevel, CourseModule
from .models import Course, Enrolment, Trainer, TrainingBase, TrainingSession
from .selectors import Ledger, active_bases, person_ledger, with_places_taken

router = Router(tags=["training"])

MAX_ID = 2**31 - 1
READ_ERRORS = {401: ErrorSchema, 404: ErrorSchema, 422: ErrorSchema}
WRITE_ERRORS = {400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema,
                422: ErrorSchema}  # fmt: skip
CODE = r"^\d{12}$"


def _hours(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


# --- Schemas --------------------------------------------------------------------------------------


class BaseSchema(Schema):
    id: int
    name: str
    level: str
    region_code: str = Field(alias="region_id")
    address: str
    capacity: int
    accredited_by: str
    accredited_on: date
    accreditation_ends_on: date | None
    active: bool


class TrainerSchema(Schema):
    id: int
    name: str
    organisation: str
    title: str
    specialty: str
    region_code: str = Field(alias="region_id")
    base_id: int | None
    active: bool


class CourseSchema(Schema):
    id: int
    title: str
    target_role: str
    hours: float
    mode: str
    module: str
    leads_to: str
    region_code: str = Field(alias="region_id")
    active: bool


class SessionSchema(Schema):
    id: int
    course_id: int
    course_title: str
    hours: float
    target_role: str
    region_code: str
    base_id: int | None
    starts_on: date
    ends_on: date
    capacity: int
    places_taken: int
    location: str


class EnrolmentSchema(Schema):
    id: int
    session_id: int
    person_id: int
    name: str
    masked_id: str
    institution_id: int
    status: str
    hours_credited: float
    completed_on: date | None
    certificate_no: str


class LedgerEnrolmentSchema(Schema):
    id: int
    session_id: int
    course_title: str
    target_role: str
    starts_on: date
    ends_on: date
    status: str
    hours_credited: float
    completed_on: date | None
    certificate_no: str


class LedgerLineSchema(Schema):
    role: str
    required_hours: float | None
    hours_credited: float
    remaining_hours: float | None
    met: bool | None
    rule_source: str | None
    rule_verified: bool | None
    enrolment_ids: list[int]


class LedgerSchema(Schema):
    person_id: int
    name: str
    masked_id: str
    as_of: date
    lines: list[LedgerLineSchema]
    enrolments: list[LedgerEnrolmentSchema]


class BasePage(Schema):
    count: int
    items: list[BaseSchema]


class TrainerPage(Schema):
    count: int
    items: list[TrainerSchema]


class CoursePage(Schema):
    count: int
    items: list[CourseSchema]


class SessionPage(Schema):
    count: int
    items: list[SessionSchema]


class Paging(Schema):
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=10_000_000)


class CatalogueFilters(Paging):
    region: str | None = Field(
        None, pattern=CODE, description="12-digit division code: this region and below"
    )


class BaseFilters(CatalogueFilters):
    level: BaseLevel | None = None
    in_service: bool | None = Field(
        None, description="true: only bases active and accredited today; false: only the others"
    )


class TrainerFilters(CatalogueFilters):
    specialty: CourseModule | None = None


class CourseFilters(Paging):
    role: StaffRole | None = Field(None, description="Courses for this role (and for every role)")
    module: CourseModule | None = None


class SessionFilters(CatalogueFilters):
    level: BaseLevel | None = Field(None, description="Level of the organising region")
    upcoming: bool | None = Field(None, description="true: sessions not yet over; false: sessions over")
    course: int | None = Field(None, ge=1, le=MAX_ID)


class LedgerFilters(Schema):
    person: int = Field(ge=1, le=MAX_ID, description="The person's id")


class EnrolIn(InputSchema):
    session_id: int = Field(ge=1, le=MAX_ID)
    person_id: int = Field(ge=1, le=MAX_ID)
    institution_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="Where the person works (default: their current full-time job)"
    )


class CompleteIn(InputSchema):
    hours_credited: Decimal | None = Field(
        None, gt=0, le=500, decimal_places=1, description="Default: the course's hours"
    )
    completed_on: date | None = Field(None, description="Default: the session's last day (or today)")
    certificate_no: str = Field("", max_length=40, description="Default: PX<session>-<enrolment>")


# --- Helpers --------------------------------------------------------------------------------------


def _in_region(queryset: QuerySet[Any], code: str | None, field: str = "region_id") -> QuerySet[Any]:
    if not code:
        return queryset
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise FieldError("region", _("Unknown region code {code}.").format(code=code), location="query")
    lo, hi = region.subtree_bounds()
    return queryset.filter(**{f"{field}__gte": lo, f"{field}__lte": hi})


def _slice(queryset: QuerySet[Any], paging: Paging) -> dict[str, Any]:
    return {"count": queryset.count(), "items": list(queryset[paging.offset : paging.offset + paging.limit])}


def _session_item(session: TrainingSession) -> dict[str, Any]:
    return {
        "id": session.pk,
        "course_id": session.course_id,
        "course_title": session.course.title,
        "hours": float(session.course.hours),
        "target_role": session.course.target_role,
        "region_code": session.region_id,
        "base_id": session.base_id,
        "starts_on": session.starts_on,
        "ends_on": session.ends_on,
        "capacity": session.capacity,
        "places_taken": getattr(session, "taken", 0),
        "location": session.location,
    }


def _enrolment_item(enrolment: Enrolment) -> dict[str, Any]:
    return {
        "id": enrolment.pk,
        "session_id": enrolment.session_id,
        "person_id": enrolment.person_id,
        "name": enrolment.person.name,
        "masked_id": enrolment.person.masked_id,
        "institution_id": enrolment.institution_id,
        "status": enrolment.status,
        "hours_credited": float(enrolment.hours_credited),
        "completed_on": enrolment.completed_on,
        "certificate_no": enrolment.certificate_no,
    }


def _ledger_item(ledger: Ledger) -> dict[str, Any]:
    return {
        "person_id": ledger.person.pk,
        "name": ledger.person.name,
        "masked_id": ledger.person.masked_id,
        "as_of": ledger.today,
        "lines": [
            {
                "role": line.role,
                "required_hours": _hours(line.required),
                "hours_credited": float(line.credited),
                "remaining_hours": _hours(line.remaining),
                "met": line.met,
                "rule_source": line.rule.source if line.rule else None,
                "rule_verified": line.rule.verified if line.rule else None,
                "enrolment_ids": [e.pk for e in line.enrolments],
            }
            for line in ledger.lines
        ],
        "enrolments": [
            {
                "id": e.pk,
                "session_id": e.session_id,
                "course_title": e.session.course.title,
                "target_role": e.session.course.target_role,
                "starts_on": e.session.starts_on,
                "ends_on": e.session.ends_on,
                "status": e.status,
                "hours_credited": float(e.hours_credited),
                "completed_on": e.completed_on,
                "certificate_no": e.certificate_no,
            }
            for e in ledger.enrolments
        ],
    }


# --- The catalogue --------------------------------------------------------------------------------


@router.get("/bases", response={200: BasePage, **READ_ERRORS}, url_name="training_base_list")
def base_list(request: HttpRequest, filters: Query[BaseFilters]) -> dict[str, Any]:
    """Training bases (省市县实训基地), optionally within a region, of a level, in service or not."""
    queryset = _in_region(TrainingBase.objects.for_user(request.user, "view"), filters.region)
    if filters.level:
        queryset = queryset.filter(level=filters.level)
    if filters.in_service is not None:
        serving = active_bases().values("pk")
        queryset = queryset.filter(pk__in=serving) if filters.in_service else queryset.exclude(pk__in=serving)
    return _slice(queryset.order_by("region_id", "name", "id"), filters)


@router.get("/trainers", response={200: TrainerPage, **READ_ERRORS}, url_name="training_trainer_list")
def trainer_list(request: HttpRequest, filters: Query[TrainerFilters]) -> dict[str, Any]:
    """The trainer pool (培训师资库), optionally of a region and below, by specialty."""
    queryset = _in_region(Trainer.objects.for_user(request.user, "view"), filters.region)
    if filters.specialty:
        queryset = queryset.filter(specialty=filters.specialty)
    return _slice(queryset.order_by("region_id", "name", "id"), filters)


@router.get("/courses", response={200: CoursePage, **READ_ERRORS}, url_name="training_course_list")
def course_list(request: HttpRequest, filters: Query[CourseFilters]) -> dict[str, Any]:
    """Courses and the credit hours each gives; `role` lists those that count for the role."""
    queryset = Course.objects.for_user(request.user, "view")
    if filters.role:
        queryset = queryset.filter(target_role__in=[filters.role, ""])
    if filters.module:
        queryset = queryset.filter(module=filters.module)
    return _slice(queryset.order_by("target_role", "title", "id"), filters)


@router.get("/sessions", response={200: SessionPage, **READ_ERRORS}, url_name="training_session_list")
def session_list(request: HttpRequest, filters: Query[SessionFilters]) -> dict[str, Any]:
    """Sessions with places taken; `upcoming=true` lists those not yet over, soonest first."""
    queryset = _in_region(TrainingSession.objects.for_user(request.user, "view"), filters.region)
    if filters.level:
        queryset = queryset.filter(region__level=filters.level)
    if filters.course:
        queryset = queryset.filter(course_id=filters.course)
    order = ["-starts_on", "-id"]
    if filters.upcoming is not None:
        today = timezone.localdate()
        if filters.upcoming:
            queryset, order = queryset.filter(ends_on__gte=today), ["starts_on", "id"]
        else:
            queryset = queryset.filter(ends_on__lt=today)
    page = _slice(with_places_taken(queryset.order_by(*order)), filters)
    page["items"] = [_session_item(s) for s in page["items"]]
    return page


# --- Ledger and enrolments ------------------------------------------------------------------------


@router.get("/ledger", response={200: LedgerSchema, **READ_ERRORS}, url_name="training_ledger")
def ledger(request: HttpRequest, filters: Query[LedgerFilters]) -> dict[str, Any]:
    """A person's training hours against each role they hold now; 404 outside the caller's scope."""
    person = get_object_or_404(Person.objects.for_user(request.user, "view"), pk=filters.person)
    return _ledger_item(person_ledger(person))


@router.post("/enrolments", response={201: EnrolmentSchema, **WRITE_ERRORS}, url_name="training_enrol")
def enrol(request: HttpRequest, payload: EnrolIn) -> Status[Any]:
    """Enrol a person in a session: 409 when already enrolled or the session is full; 403 when the caller
    may see but not enrol them (directors enrol their own staff, officials for their region's sessions)."""
    session = get_object_or_404(TrainingSession.objects.for_user(request.user, "view"), pk=payload.session_id)
    person = get_object_or_404(Person.objects.for_user(request.user, "view"), pk=payload.person_id)
    institution = None
    if payload.institution_id is not None:
        institution = get_object_or_404(
            Institution.objects.for_user(request.user, "view"), pk=payload.institution_id
        )
    enrolment = services.enrolment_add(
        actor=request.user, session=session, person=person, institution=institution
    )
    return Status(201, _enrolment_item(enrolment))


@router.post(
    "/enrolments/{enrolment_id}/complete",
    response={200: EnrolmentSchema, **WRITE_ERRORS},
    url_name="training_enrolment_complete",
)
def enrolment_complete(
    request: HttpRequest, payload: CompleteIn, enrolment_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    """Record completion (the session's organiser): hours default to the course's, the certificate number
    to PX<session>-<enrolment>; completing again with the same figures answers the same record."""
    enrolment = get_object_or_404(
        Enrolment.objects.for_user(request.user, "view").select_related("person"), pk=enrolment_id
    )
    enrolment = services.enrolment_complete(
        actor=request.user,
        enrolment=enrolment,
        hours_credited=payload.hours_credited,
        completed_on=payload.completed_on,
        certificate_no=payload.certificate_no,
    )
    return _enrolment_item(enrolment)
