"""Attendance API (mounted at /api/v1/attendance): check-in/out events (idempotent on client_ref),
a class's roster of the day and its live ratio, absences and their follow-up, staff attendance.

Events: 201 the first time, 200 with `"replayed": true` for a retry with the same client_ref and payload,
409 for the same ref with another payload or an impossible sequence (the reason in `detail`), 404 for a
child not enrolled at the caller's institution, 422 for a time in the future or a bad field.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from tuoyu.core.api import ErrorSchema, InputSchema, session_auth
from tuoyu.institutions.models import InstitutionClass

from . import services
from .auth import CareBearer
from .choices import AbsenceReason, Via
from .models import Absence
from .selectors import class_live_ratio, class_roster

router = Router(tags=["attendance"])

MAX_ID = 2**31 - 1
ERRORS = {
    400: ErrorSchema,
    401: ErrorSchema,
    403: ErrorSchema,
    404: ErrorSchema,
    409: ErrorSchema,
    422: ErrorSchema,
}


class AttendanceEventIn(InputSchema):
    child_id: int = Field(ge=1, le=MAX_ID)
    kind: Literal["in", "out"]
    at: datetime = Field(description="When it happened (ISO 8601; without an offset, China time)")
    client_ref: str = Field(
        min_length=1, max_length=64, description="The device's own id of this event; a retry sends the same"
    )
    guardian_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="The guardian who brought or collected"
    )
    pickup_person_id: int | None = Field(None, ge=1, le=MAX_ID, description="The authorised pick-up person")
    person_name: str = Field(
        "", max_length=50, description="Someone else who brought the child (check-in only)"
    )


class AttendanceEventOut(Schema):
    id: int
    child_id: int
    kind: str
    at: datetime
    day: date
    client_ref: str
    via: str
    replayed: bool


@router.post(
    "/events",
    response={200: AttendanceEventOut, 201: AttendanceEventOut, **ERRORS},
    url_name="attendance_event",
    auth=[CareBearer(), session_auth],
)
def attendance_event(request: HttpRequest, payload: AttendanceEventIn) -> Status[Any]:
    """Record a check-in or check-out, idempotent on `client_ref` (per institution)."""
    result = services.attendance_event_record(
        actor=request.user,
        child_id=payload.child_id,
        kind=payload.kind,
        at=payload.at,
        client_ref=payload.client_ref,
        via=Via.API,
        guardian_id=payload.guardian_id,
        pickup_person_id=payload.pickup_person_id,
        person_name=payload.person_name,
        grants=getattr(request, "care_grants", None),
    )
    event = result.event
    return Status(
        200 if result.replayed else 201,
        {
            "id": event.pk,
            "child_id": event.child_id,
            "kind": event.kind,
            "at": event.at,
            "day": event.day,
            "client_ref": event.client_ref,
            "via": event.via,
            "replayed": result.replayed,
        },
    )


# --- Roster and ratio ----------------------------------------------------------------------------------


class AttendanceAbsenceSchema(Schema):
    id: int
    reason: str
    reason_label: str
    note: str
    reported_via: str
    followed_up: bool
    outcome: str


class AttendanceRosterItem(Schema):
    child_id: int
    name: str
    status: str = Field(description="present, left, absent or not_in")
    in_at: datetime | None
    out_at: datetime | None
    dropped_off_by: str
    picked_up_by: str
    absence: AttendanceAbsenceSchema | None


class AttendanceRosterOut(Schema):
    class_id: int
    day: date
    count: int
    present: int
    items: list[AttendanceRosterItem]


def _visible_class(request: HttpRequest, class_id: int) -> InstitutionClass:
    from tuoyu.institutions.models import Institution

    return get_object_or_404(
        InstitutionClass.objects.select_related("institution").filter(
            institution__in=Institution.objects.for_user(request.user, "view").values("pk")
        ),
        pk=class_id,
    )


@router.get(
    "/classes/{class_id}/today",
    response={200: AttendanceRosterOut, 401: ErrorSchema, 404: ErrorSchema, 422: ErrorSchema},
    url_name="attendance_class_today",
)
def attendance_class_today(request: HttpRequest, class_id: int) -> dict[str, Any]:
    """The class's children today: status, in/out times, by whom, absence. 404 outside scope."""
    klass = _visible_class(request, class_id)
    day = timezone.localdate()
    rows = class_roster(klass, day, with_pickups=False)
    items = []
    for row in rows:
        d = row.day
        absence = row.absence
        items.append(
            {
                "child_id": row.child.pk,
                "name": row.child.name,
                "status": row.status,
                "in_at": d.in_at if d else None,
                "out_at": d.out_at if d else None,
                "dropped_off_by": d.dropped_off_by if d else "",
                "picked_up_by": d.picked_up_by if d else "",
                "absence": None
                if absence is None
                else {
                    "id": absence.pk,
                    "reason": absence.reason,
                    "reason_label": str(absence.get_reason_display()),
                    "note": absence.note,
                    "reported_via": absence.reported_via,
                    "followed_up": absence.followed_up_at is not None,
                    "outcome": absence.outcome,
                },
            }
        )
    return {
        "class_id": klass.pk,
        "day": day,
        "count": len(items),
        "present": sum(1 for i in items if i["status"] == "present"),
        "items": items,
    }


class AttendanceRatioOut(Schema):
    class_id: int
    present: int = Field(description="Children checked in and not yet picked up")
    caregivers_assigned: int
    caregivers_present: int = Field(description="Caregivers assigned to the class who are at work now")
    children_per_caregiver: int | None
    required: int | None
    breach: bool | None
    source: str


@router.get(
    "/classes/{class_id}/ratio",
    response={200: AttendanceRatioOut, 401: ErrorSchema, 404: ErrorSchema, 422: ErrorSchema},
    url_name="attendance_class_ratio",
)
def attendance_class_ratio(request: HttpRequest, class_id: int) -> dict[str, Any]:
    """Live staff-to-child ratio of a class: children present against caregivers assigned and present."""
    ratio = class_live_ratio(_visible_class(request, class_id))
    return {
        "class_id": class_id,
        "present": ratio.present,
        "caregivers_assigned": ratio.assigned,
        "caregivers_present": ratio.caregivers_present,
        "children_per_caregiver": ratio.rule.children_per_caregiver,
        "required": ratio.required,
        "breach": ratio.breach,
        "source": ratio.rule.source,
    }


# --- Absences ---------------------------------------------------------------------------------------


class AttendanceAbsenceIn(InputSchema):
    child_id: int = Field(ge=1, le=MAX_ID)
    day: date
    reason: AbsenceReason
    note: str = Field("", max_length=300)


class AttendanceAbsenceOut(Schema):
    id: int
    child_id: int
    day: date
    reason: str
    note: str
    reported_via: str
    followed_up_at: datetime | None
    outcome: str


def _absence(absence: Absence) -> dict[str, Any]:
    return {
        "id": absence.pk,
        "child_id": absence.child_id,
        "day": absence.day,
        "reason": absence.reason,
        "note": absence.note,
        "reported_via": absence.reported_via,
        "followed_up_at": absence.followed_up_at,
        "outcome": absence.outcome,
    }


@router.post(
    "/absences",
    response={200: AttendanceAbsenceOut, 201: AttendanceAbsenceOut, **ERRORS},
    url_name="attendance_absence",
)
def attendance_absence(request: HttpRequest, payload: AttendanceAbsenceIn) -> Status[Any]:
    """Report an absence: a parent for their own child (today or later), staff for their children.
    201 when new, 200 when it replaces that day's earlier report."""
    absence, created = services.absence_record(
        actor=request.user,
        child_id=payload.child_id,
        day=payload.day,
        reason=payload.reason,
        note=payload.note,
    )
    return Status(201 if created else 200, _absence(absence))


class AttendanceFollowUpIn(InputSchema):
    outcome: str = Field(min_length=1, max_length=300, description="What the follow-up found out")
    reason: AbsenceReason | None = None


@router.post(
    "/absences/{absence_id}/follow-up",
    response={200: AttendanceAbsenceOut, **ERRORS},
    url_name="attendance_absence_follow_up",
)
def attendance_absence_follow_up(
    request: HttpRequest, absence_id: int, payload: AttendanceFollowUpIn
) -> dict[str, Any]:
    """Record the follow-up of an absence (缺勤追踪); staff with daily care of the child only."""
    absence = get_object_or_404(Absence.objects.for_user(request.user, "view"), pk=absence_id)
    care_ids = services.care_institution_ids(request.user)
    if care_ids is not None and absence.institution_id not in care_ids:
        raise PermissionDenied(_("Only the child's centre follows up absences."))
    updated = services.absence_follow_up(
        actor=request.user,
        child_id=absence.child_id,
        day=absence.day,
        outcome=payload.outcome,
        reason=payload.reason,
    )
    return _absence(updated)


# --- Staff attendance -----------------------------------------------------------------------------


class AttendanceStaffIn(InputSchema):
    employment_id: int = Field(ge=1, le=MAX_ID)
    kind: Literal["in", "out"]
    at: datetime


class AttendanceStaffOut(Schema):
    employment_id: int
    day: date
    in_at: datetime
    out_at: datetime | None


@router.post("/staff", response={200: AttendanceStaffOut, **ERRORS}, url_name="attendance_staff")
def attendance_staff(request: HttpRequest, payload: AttendanceStaffIn) -> dict[str, Any]:
    """A staff member arrives or leaves; recorded by staff with daily care at the institution."""
    row = services.staff_attendance_record(
        actor=request.user, employment_id=payload.employment_id, kind=payload.kind, at=payload.at
    )
    return {"employment_id": row.employment_id, "day": row.day, "in_at": row.in_at, "out_at": row.out_at}
