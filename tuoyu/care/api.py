"""Care API (mounted at /api/v1/care): medication requests and doses, incidents and mandatory reports,
weekly menus with the allergy check, and the class diary.

Objects come through `for_user` (404 outside the caller's scope); who may act on a visible object is
decided by `services.py` (403). Children's names appear only to callers who may see the child.
"""

from __future__ import annotations

import base64
import binascii
from datetime import date, datetime, time
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from tuoyu.children.models import Child
from tuoyu.core.api import ErrorSchema, FieldError, InputSchema
from tuoyu.core.audit import audit_view
from tuoyu.institutions.models import Institution, InstitutionClass

from . import services
from .choices import DiaryKind, IncidentKind, Meal, MedicationStatus, Severity, Weekday
from .models import DiaryEntry, Incident, MedicationDose, MedicationRequest, WeeklyMenu
from .rules import DIARY_PHOTO_MAX_BYTES, MAX_TIMES_PER_DAY
from .selectors import allergy_warnings

router = Router(tags=["care"])

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


class CarePaging(Schema):
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=10_000_000)


class MedicationDoseOut(Schema):
    id: int
    given_at: datetime
    dose: str
    given_by: str
    note: str


class MedicationRequestOut(Schema):
    id: int
    child_id: int
    child_name: str
    institution_id: int
    medicine: str
    dose: str
    times: list[str]
    start_on: date
    end_on: date
    instructions: str
    status: str
    parent_consent: bool
    authorisation_on_file: bool
    authorisation_note: str
    decline_reason: str
    created_at: datetime
    doses: list[MedicationDoseOut]


class MedicationRequestPage(Schema):
    count: int
    items: list[MedicationRequestOut]


class MedicationFilters(CarePaging):
    child: int | None = Field(None, ge=1, le=MAX_ID)
    institution: int | None = Field(None, ge=1, le=MAX_ID)
    status: MedicationStatus | None = None


class MedicationRequestIn(InputSchema):
    child_id: int = Field(ge=1, le=MAX_ID)
    medicine: str = Field(min_length=1, max_length=100)
    dose: str = Field(min_length=1, max_length=50)
    times: list[str] = Field(min_length=1, max_length=MAX_TIMES_PER_DAY, description='["09:00", "13:00"]')
    start_on: date
    end_on: date
    instructions: str = Field("", max_length=300)
    parent_consent: bool = Field(False, description="The guardian authorises the centre to give the medicine")


class MedicationAcceptIn(InputSchema):
    authorisation_on_file: bool = Field(False, description="The guardian's signed authorisation is on file")
    authorisation_note: str = Field("", max_length=200)


class MedicationDeclineIn(InputSchema):
    reason: str = Field("", max_length=300, description="Required: told to the guardians at once")


class MedicationDoseIn(InputSchema):
    given_at: datetime | None = Field(None, description="Default: now")
    dose: str = Field("", max_length=50, description="Default: the requested dose")
    note: str = Field("", max_length=300)


class MandatoryReportOut(Schema):
    county_code: str
    reported_at: datetime
    reported_by: str
    other_departments: str
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    acknowledgement_note: str


class IncidentOut(Schema):
    id: int
    institution_id: int
    institution_name: str
    child_id: int | None
    child_name: str | None
    occurred_at: datetime
    kind: str
    severity: str
    description: str
    actions_taken: str
    guardian_informed_at: datetime | None
    suspected_abuse_or_harm: bool
    reported_to_county_at: datetime | None
    reported_by: str
    mandatory_report: MandatoryReportOut | None


class IncidentPage(Schema):
    count: int
    items: list[IncidentOut]


class IncidentFilters(CarePaging):
    institution: int | None = Field(None, ge=1, le=MAX_ID)
    severity: Severity | None = None
    suspected: bool | None = Field(None, description="Only mandatory reports (true) or only the others")


class IncidentIn(InputSchema):
    institution_id: int = Field(ge=1, le=MAX_ID)
    child_id: int | None = Field(None, ge=1, le=MAX_ID)
    occurred_at: datetime
    kind: IncidentKind
    severity: Severity
    description: str = Field(min_length=1, max_length=2000)
    actions_taken: str = Field("", max_length=2000)
    guardian_informed_at: datetime | None = None
    suspected_abuse_or_harm: bool = False
    other_departments: str = Field("", max_length=200)


class IncidentAcknowledgeIn(InputSchema):
    note: str = Field("", max_length=500)


class MenuItemOut(Schema):
    id: int
    day: int
    date: date
    meal: str
    dish: str
    ingredients: str


class MenuOut(Schema):
    id: int
    institution_id: int
    week_start: date
    published: bool
    published_at: datetime | None
    note: str
    items: list[MenuItemOut]


class MenuPage(Schema):
    count: int
    items: list[MenuOut]


class MenuFilters(CarePaging):
    institution: int | None = Field(None, ge=1, le=MAX_ID)
    week: date | None = Field(None, description="Menus of the week containing this day")
    published: bool | None = None


class MenuItemIn(InputSchema):
    day: Weekday
    meal: Meal
    dish: str = Field(min_length=1, max_length=60)
    ingredients: str = Field("", max_length=300)


class MenuIn(InputSchema):
    institution_id: int = Field(ge=1, le=MAX_ID)
    week_start: date = Field(description="A Monday")
    note: str = Field("", max_length=300)
    items: list[MenuItemIn] = Field(default_factory=list, max_length=200)


class AllergyWarningOut(Schema):
    item_id: int
    day: int
    date: date
    meal: str
    dish: str
    child_id: int
    child_name: str
    allergy: str
    found: str
    substitute: str


class AllergyCheckOut(Schema):
    menu_id: int
    warnings: list[AllergyWarningOut]
    open: int


class DiaryOut(Schema):
    id: int
    klass_id: int
    child_id: int | None
    day: date
    kind: str
    text: str
    nap_start: time | None
    nap_end: time | None
    photo_url: str | None
    author: str
    created_at: datetime


class DiaryPage(Schema):
    count: int
    items: list[DiaryOut]


class DiaryFilters(CarePaging):
    klass: int | None = Field(None, ge=1, le=MAX_ID)
    child: int | None = Field(None, ge=1, le=MAX_ID)
    day: date | None = None


class DiaryIn(InputSchema):
    klass_id: int = Field(ge=1, le=MAX_ID)
    child_id: int | None = Field(None, ge=1, le=MAX_ID)
    day: date
    kind: DiaryKind
    text: str = Field("", max_length=1000)
    nap_start: time | None = None
    nap_end: time | None = None
    photo_base64: str | None = Field(
        None, max_length=(DIARY_PHOTO_MAX_BYTES * 4) // 3 + 8, description="A JPEG or PNG, base64-encoded"
    )


# --- Helpers --------------------------------------------------------------------------------------


def _name(user: Any) -> str:
    return str(user) if user is not None else ""


def _slice(queryset: QuerySet[Any], paging: CarePaging) -> tuple[int, list[Any]]:
    return queryset.count(), list(queryset[paging.offset : paging.offset + paging.limit])


def _request_item(r: MedicationRequest) -> dict[str, Any]:
    return {
        "id": r.pk,
        "child_id": r.child_id,
        "child_name": r.child.name,
        "institution_id": r.institution_id,
        "medicine": r.medicine,
        "dose": r.dose,
        "times": r.time_list(),
        "start_on": r.start_on,
        "end_on": r.end_on,
        "instructions": r.instructions,
        "status": r.status,
        "parent_consent": r.parent_consent,
        "authorisation_on_file": r.authorisation_on_file,
        "authorisation_note": r.authorisation_note,
        "decline_reason": r.decline_reason,
        "created_at": r.created_at,
        "doses": [_dose_item(d) for d in r.doses.all()],
    }


def _dose_item(d: MedicationDose) -> dict[str, Any]:
    return {"id": d.pk, "given_at": d.given_at, "dose": d.dose, "given_by": _name(d.given_by), "note": d.note}


def _incident_item(i: Incident) -> dict[str, Any]:
    report = getattr(i, "mandatory_report", None) if i.suspected_abuse_or_harm else None
    return {
        "id": i.pk,
        "institution_id": i.institution_id,
        "institution_name": i.institution.name,
        "child_id": i.child_id,
        "child_name": i.child.name if i.child else None,
        "occurred_at": i.occurred_at,
        "kind": i.kind,
        "severity": i.severity,
        "description": i.description,
        "actions_taken": i.actions_taken,
        "guardian_informed_at": i.guardian_informed_at,
        "suspected_abuse_or_harm": i.suspected_abuse_or_harm,
        "reported_to_county_at": i.reported_to_county_at,
        "reported_by": _name(i.reported_by),
        "mandatory_report": None
        if report is None
        else {
            "county_code": report.county_id,
            "reported_at": report.reported_at,
            "reported_by": _name(report.reported_by),
            "other_departments": report.other_departments,
            "acknowledged_at": report.acknowledged_at,
            "acknowledged_by": _name(report.acknowledged_by) if report.acknowledged_by else None,
            "acknowledgement_note": report.acknowledgement_note,
        },
    }


def _incidents(user: Any) -> QuerySet[Incident]:
    return Incident.objects.for_user(user, "view").select_related(
        "institution",
        "child",
        "reported_by",
        "mandatory_report",
        "mandatory_report__reported_by",
        "mandatory_report__acknowledged_by",
    )


def _menu_item(menu: WeeklyMenu) -> dict[str, Any]:
    from datetime import timedelta

    return {
        "id": menu.pk,
        "institution_id": menu.institution_id,
        "week_start": menu.week_start,
        "published": menu.published,
        "published_at": menu.published_at,
        "note": menu.note,
        "items": [
            {
                "id": i.pk,
                "day": i.day,
                "date": menu.week_start + timedelta(days=i.day),
                "meal": i.meal,
                "dish": i.dish,
                "ingredients": i.ingredients,
            }
            for i in menu.items.all()
        ],
    }


def _diary_item(e: DiaryEntry) -> dict[str, Any]:
    from django.urls import reverse

    return {
        "id": e.pk,
        "klass_id": e.klass_id,
        "child_id": e.child_id,
        "day": e.day,
        "kind": e.kind,
        "text": e.text,
        "nap_start": e.nap_start,
        "nap_end": e.nap_end,
        "photo_url": reverse("care:diary_photo", args=[e.pk]) if e.photo else None,
        "author": _name(e.author),
        "created_at": e.created_at,
    }


# --- Medication -----------------------------------------------------------------------------------


@router.get(
    "/medication-requests",
    response={200: MedicationRequestPage, **READ_ERRORS},
    url_name="care_medication_list",
)
def medication_list(request: HttpRequest, filters: Query[MedicationFilters]) -> dict[str, Any]:
    """Medication requests the caller may see (staff: their institution's; guardians: their children's)."""
    queryset = (
        MedicationRequest.objects.for_user(request.user, "view")
        .select_related("child")
        .prefetch_related("doses__given_by")
        .order_by("-created_at", "-id")
    )
    if filters.child:
        queryset = queryset.filter(child_id=filters.child)
    if filters.institution:
        queryset = queryset.filter(institution_id=filters.institution)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    count, rows = _slice(queryset, filters)
    return {"count": count, "items": [_request_item(r) for r in rows]}


@router.post(
    "/medication-requests",
    response={201: MedicationRequestOut, **WRITE_ERRORS},
    url_name="care_medication_create",
)
def medication_create(request: HttpRequest, payload: MedicationRequestIn) -> Status[Any]:
    """A guardian asks the centre to give their child a medicine (403 for anyone but the guardians)."""
    child = get_object_or_404(Child.objects.for_user(request.user, "view"), pk=payload.child_id)
    item = services.medication_request_create(
        actor=request.user,
        child=child,
        medicine=payload.medicine,
        dose=payload.dose,
        times=payload.times,
        start_on=payload.start_on,
        end_on=payload.end_on,
        instructions=payload.instructions,
        parent_consent=payload.parent_consent,
    )
    return Status(201, _request_item(item))


def _visible_request(request: HttpRequest, request_id: int) -> MedicationRequest:
    return get_object_or_404(
        MedicationRequest.objects.for_user(request.user, "view").select_related("child"), pk=request_id
    )


@router.post(
    "/medication-requests/{request_id}/accept",
    response={200: MedicationRequestOut, **WRITE_ERRORS},
    url_name="care_medication_accept",
)
def medication_accept(
    request: HttpRequest, payload: MedicationAcceptIn, request_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    """Care staff accept a request; the guardian's signed authorisation must be on file (else 422)."""
    item = services.medication_request_accept(
        actor=request.user,
        request=_visible_request(request, request_id),
        authorisation_on_file=payload.authorisation_on_file,
        authorisation_note=payload.authorisation_note,
    )
    return _request_item(item)


@router.post(
    "/medication-requests/{request_id}/decline",
    response={200: MedicationRequestOut, **WRITE_ERRORS},
    url_name="care_medication_decline",
)
def medication_decline(
    request: HttpRequest, payload: MedicationDeclineIn, request_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    """Care staff decline a request with a reason; the guardians are told at once."""
    item = services.medication_request_decline(
        actor=request.user, request=_visible_request(request, request_id), reason=payload.reason
    )
    return _request_item(item)


@router.post(
    "/medication-requests/{request_id}/doses",
    response={201: MedicationDoseOut, **WRITE_ERRORS},
    url_name="care_medication_dose",
)
def medication_dose(
    request: HttpRequest, payload: MedicationDoseIn, request_id: int = Path(..., ge=1, le=MAX_ID)
) -> Status[Any]:
    """Record a dose given (409 unless the request is accepted; 422 outside its dates)."""
    dose = services.medication_dose_record(
        actor=request.user,
        request=_visible_request(request, request_id),
        given_at=payload.given_at,
        dose=payload.dose,
        note=payload.note,
    )
    return Status(201, _dose_item(dose))


# --- Incidents ------------------------------------------------------------------------------------


@router.get("/incidents", response={200: IncidentPage, **READ_ERRORS}, url_name="care_incident_list")
def incident_list(request: HttpRequest, filters: Query[IncidentFilters]) -> dict[str, Any]:
    """Incidents the caller may see: their institution's, or (officials) serious ones and mandatory reports
    in their region; guardians see their child's, except suspected-abuse reports."""
    queryset = _incidents(request.user)
    if filters.institution:
        queryset = queryset.filter(institution_id=filters.institution)
    if filters.severity:
        queryset = queryset.filter(severity=filters.severity)
    if filters.suspected is not None:
        queryset = queryset.filter(suspected_abuse_or_harm=filters.suspected)
    count, rows = _slice(queryset.order_by("-occurred_at", "-id"), filters)
    return {"count": count, "items": [_incident_item(i) for i in rows]}


@router.post("/incidents", response={201: IncidentOut, **WRITE_ERRORS}, url_name="care_incident_create")
def incident_create(request: HttpRequest, payload: IncidentIn) -> Status[Any]:
    """Care staff report an incident; `suspected_abuse_or_harm` files the mandatory report (强制报告)."""
    institution = get_object_or_404(
        Institution.objects.for_user(request.user, "view"), pk=payload.institution_id
    )
    child = None
    if payload.child_id is not None:
        child = Child.objects.for_user(request.user, "view").filter(pk=payload.child_id).first()
        if child is None:
            raise FieldError("child_id", _("No such child."))
    incident = services.incident_report(
        actor=request.user,
        institution=institution,
        child=child,
        occurred_at=payload.occurred_at,
        kind=payload.kind,
        severity=payload.severity,
        description=payload.description,
        actions_taken=payload.actions_taken,
        guardian_informed_at=payload.guardian_informed_at,
        suspected_abuse_or_harm=payload.suspected_abuse_or_harm,
        other_departments=payload.other_departments,
    )
    return Status(201, _incident_item(_incidents(request.user).get(pk=incident.pk)))


@router.get("/incidents/{incident_id}", response={200: IncidentOut, **READ_ERRORS}, url_name="care_incident")
def incident_detail(request: HttpRequest, incident_id: int = Path(..., ge=1, le=MAX_ID)) -> dict[str, Any]:
    """One incident with its mandatory report (the reporter stays named to officials)."""
    incident = get_object_or_404(_incidents(request.user), pk=incident_id)
    audit_view(actor=request.user, obj=incident, request=request)
    return _incident_item(incident)


@router.post(
    "/incidents/{incident_id}/acknowledge",
    response={200: IncidentOut, **WRITE_ERRORS},
    url_name="care_incident_acknowledge",
)
def incident_acknowledge(
    request: HttpRequest, payload: IncidentAcknowledgeIn, incident_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    """An official with "review" over the area acknowledges a mandatory report (409 if none or done)."""
    incident = get_object_or_404(_incidents(request.user), pk=incident_id)
    services.mandatory_report_acknowledge(actor=request.user, incident=incident, note=payload.note)
    return _incident_item(_incidents(request.user).get(pk=incident.pk))


# --- Menus ----------------------------------------------------------------------------------------


@router.get("/menus", response={200: MenuPage, **READ_ERRORS}, url_name="care_menu_list")
def menu_list(request: HttpRequest, filters: Query[MenuFilters]) -> dict[str, Any]:
    """Weekly menus (guardians: published menus of their children's institutions)."""
    queryset = WeeklyMenu.objects.for_user(request.user, "view").prefetch_related("items")
    if filters.institution:
        queryset = queryset.filter(institution_id=filters.institution)
    if filters.week:
        queryset = queryset.filter(week_start=services.monday_of(filters.week))
    if filters.published is not None:
        queryset = queryset.filter(published=filters.published)
    count, rows = _slice(queryset.order_by("-week_start", "institution_id", "id"), filters)
    return {"count": count, "items": [_menu_item(m) for m in rows]}


@router.post("/menus", response={201: MenuOut, **WRITE_ERRORS}, url_name="care_menu_create")
def menu_create(request: HttpRequest, payload: MenuIn) -> Status[Any]:
    """Start a week's menu with its dishes (care staff; 409 if the week has one)."""
    institution = get_object_or_404(
        Institution.objects.for_user(request.user, "view"), pk=payload.institution_id
    )
    menu = services.menu_create(
        actor=request.user,
        institution=institution,
        week_start=payload.week_start,
        note=payload.note,
        items=[item.model_dump() for item in payload.items],
    )
    return Status(201, _menu_item(menu))


def _visible_menu(request: HttpRequest, menu_id: int) -> WeeklyMenu:
    return get_object_or_404(WeeklyMenu.objects.for_user(request.user, "view"), pk=menu_id)


@router.post(
    "/menus/{menu_id}/publish", response={200: MenuOut, **WRITE_ERRORS}, url_name="care_menu_publish"
)
def menu_publish(request: HttpRequest, menu_id: int = Path(..., ge=1, le=MAX_ID)) -> dict[str, Any]:
    """Publish to parents; 409 while an allergy warning has no substitute noted."""
    menu = services.menu_publish(actor=request.user, menu=_visible_menu(request, menu_id))
    return _menu_item(menu)


@router.get(
    "/menus/{menu_id}/allergy-check",
    response={200: AllergyCheckOut, **READ_ERRORS},
    url_name="care_menu_allergy",
)
def menu_allergy_check(request: HttpRequest, menu_id: int = Path(..., ge=1, le=MAX_ID)) -> dict[str, Any]:
    """Dishes that meet a child's recorded allergy, and the substitute noted (only children the caller
    may see: a guardian sees their own child's)."""
    menu = _visible_menu(request, menu_id)
    warnings = allergy_warnings(menu, Child.objects.for_user(request.user, "view"))
    return {
        "menu_id": menu.pk,
        "open": sum(1 for w in warnings if not w.substitute),
        "warnings": [
            {
                "item_id": w.item.pk,
                "day": w.item.day,
                "date": w.item.date,
                "meal": w.item.meal,
                "dish": w.item.dish,
                "child_id": w.child.pk,
                "child_name": w.child.name,
                "allergy": w.allergy,
                "found": w.found,
                "substitute": w.substitute,
            }
            for w in warnings
        ],
    }


# --- Diary ----------------------------------------------------------------------------------------


@router.get("/diary", response={200: DiaryPage, **READ_ERRORS}, url_name="care_diary_list")
def diary_list(request: HttpRequest, filters: Query[DiaryFilters]) -> dict[str, Any]:
    """Class diary entries the caller may read (guardians: their child's class and their own child)."""
    queryset = DiaryEntry.objects.for_user(request.user, "view").select_related("author")
    if filters.klass:
        queryset = queryset.filter(klass_id=filters.klass)
    if filters.child:
        queryset = queryset.filter(child_id=filters.child)
    if filters.day:
        queryset = queryset.filter(day=filters.day)
    count, rows = _slice(queryset.order_by("-day", "-created_at", "-id"), filters)
    return {"count": count, "items": [_diary_item(e) for e in rows]}


@router.post("/diary", response={201: DiaryOut, **WRITE_ERRORS}, url_name="care_diary_create")
def diary_create(request: HttpRequest, payload: DiaryIn) -> Status[Any]:
    """Write a diary entry for a class or one of its children (care staff)."""
    klass = get_object_or_404(
        InstitutionClass.objects.filter(institution__in=Institution.objects.for_user(request.user, "view")),
        pk=payload.klass_id,
    )
    child = None
    if payload.child_id is not None:
        child = Child.objects.for_user(request.user, "view").filter(pk=payload.child_id).first()
        if child is None:
            raise FieldError("child_id", _("No such child."))
    photo = None
    if payload.photo_base64:
        try:
            data = base64.b64decode(payload.photo_base64, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise FieldError("photo_base64", _("This is not base64.")) from exc
        photo = SimpleUploadedFile("photo", data)
    entry = services.diary_entry_add(
        actor=request.user,
        klass=klass,
        day=payload.day,
        kind=payload.kind,
        text=payload.text,
        child=child,
        nap_start=payload.nap_start,
        nap_end=payload.nap_end,
        photo=photo,
    )
    return Status(201, _diary_item(entry))
