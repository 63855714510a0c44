"""Staff API (mounted at /api/v1/staff): an institution's staff with what each lacks, hiring, one
person's record (qualifications, background checks), ending a job, and the staff-to-child ratios of
an institution's classes with the caregivers assigned to them.

The full ID number is never returned: items carry `masked_id`. Out of scope answers 404; visible but
not changeable 403; bad input 422 naming the field; a state conflict 409.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from tuoyu.core.api import ErrorSchema, FieldError, InputSchema
from tuoyu.institutions.models import Institution

from . import services
from .choices import CheckKind, CheckResult, QualificationKind, QualificationLevel, StaffRole
from .models import BackgroundCheck, ClassAssignment, Employment, Person, Qualification
from .ratios import ClassRatio, institution_class_ratios
from .selectors import StaffRow, employment_findings, institution_staff, person_jobs
from .validators import validate_id_number

router = Router(tags=["staff"])

MAX_ID = 2**31 - 1


class FindingSchema(Schema):
    code: str
    status: str
    message: str
    due_on: date | None


class StaffItemSchema(Schema):
    employment_id: int
    person_id: int
    name: str
    masked_id: str
    role: str
    full_time: bool
    start_on: date
    end_on: date | None
    missing: list[FindingSchema]


class StaffPage(Schema):
    count: int
    items: list[StaffItemSchema]


class StaffFilters(Schema):
    institution: int = Field(ge=1, le=MAX_ID, description="The institution's id")
    include_ended: bool = Field(False, description="Also list jobs that have ended")


class HireIn(InputSchema):
    institution_id: int = Field(ge=1, le=MAX_ID)
    name: str = Field(min_length=1, max_length=50)
    id_number: str = Field(min_length=1, max_length=18, description="GB 11643, 18 characters")
    phone: str = Field("", max_length=20)
    role: StaffRole
    start_on: date
    full_time: bool = True
    experience_years: int = Field(0, ge=0, le=60)


def _item(row: StaffRow) -> dict[str, Any]:
    job = row.employment
    return {
        "employment_id": job.pk,
        "person_id": job.person_id,
        "name": job.person.name,
        "masked_id": job.person.masked_id,
        "role": job.role,
        "full_time": job.full_time,
        "start_on": job.start_on,
        "end_on": job.end_on,
        "missing": [
            {"code": f.code, "status": f.status, "message": f.message, "due_on": f.due_on}
            for f in row.findings
        ],
    }


@router.get(
    "", response={200: StaffPage, 401: ErrorSchema, 404: ErrorSchema, 422: ErrorSchema}, url_name="staff_list"
)
def staff_list(request: HttpRequest, filters: Query[StaffFilters]) -> dict[str, Any]:
    """An institution's current staff (or all jobs) with what each person lacks; 404 outside scope."""
    institution = get_object_or_404(
        Institution.objects.for_user(request.user, "view"), pk=filters.institution
    )
    rows = institution_staff(institution, include_ended=filters.include_ended)
    return {"count": len(rows), "items": [_item(r) for r in rows]}


WRITE_ERRORS = {400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema,
                422: ErrorSchema}  # fmt: skip


@router.post("", response={201: StaffItemSchema, **WRITE_ERRORS}, url_name="staff_hire")
def staff_hire(request: HttpRequest, payload: HireIn) -> Status[Any]:
    """Hire a person: a bad ID number answers 422 naming `id_number`; a banned person 409 with the reason."""
    institution = get_object_or_404(
        Institution.objects.for_user(request.user, "view"), pk=payload.institution_id
    )
    if not Institution.objects.for_user(request.user, "change").filter(pk=institution.pk).exists():
        raise PermissionDenied(_("You may see this institution but not hire its staff."))
    try:
        validate_id_number(payload.id_number)
    except ValidationError as exc:
        raise FieldError("id_number", " ".join(exc.messages)) from None
    job = services.staff_hire(
        actor=request.user, institution=institution, **payload.dict(exclude={"institution_id"})
    )
    row = StaffRow(job, [])
    row.findings = employment_findings(
        job, job.person.qualifications.all(), job.person.background_checks.all()
    )
    return Status(201, _item(row))


# --- One person: jobs, qualifications, checks ---------------------------------------------------------


class EmploymentSchema(Schema):
    employment_id: int
    institution_id: int
    institution_name: str
    role: str
    full_time: bool
    start_on: date
    end_on: date | None
    end_reason: str
    missing: list[FindingSchema]


class QualificationSchema(Schema):
    id: int
    kind: str
    level: str
    issued_on: date
    expires_on: date | None


class BackgroundCheckSchema(Schema):
    id: int
    kind: str
    checked_on: date
    result: str
    employment_id: int | None
    note: str


class PersonDetailSchema(Schema):
    id: int
    name: str
    masked_id: str
    phone: str
    jobs: list[EmploymentSchema]
    qualifications: list[QualificationSchema]
    checks: list[BackgroundCheckSchema]


class QualificationIn(InputSchema):
    kind: QualificationKind
    level: QualificationLevel | None = None
    issued_on: date
    expires_on: date | None = None


class BackgroundCheckIn(InputSchema):
    kind: CheckKind
    checked_on: date
    result: CheckResult
    employment_id: int | None = Field(None, ge=1, le=MAX_ID, description="The job the check was for")
    note: str = Field("", max_length=300)


class EmploymentEndIn(InputSchema):
    end_on: date
    end_reason: str = Field("", max_length=200)


def _person_for(request: HttpRequest, person_id: int, action: str = "view") -> Person:
    """The person if the caller may do `action`; 404 if they cannot see them, else 403."""
    person = get_object_or_404(Person.objects.for_user(request.user, "view"), pk=person_id)
    if action != "view" and not Person.objects.for_user(request.user, action).filter(pk=person.pk).exists():
        raise PermissionDenied(_("You may see this person but not change their record."))
    return person


def _job(row: StaffRow) -> dict[str, Any]:
    job = row.employment
    return {
        "employment_id": job.pk,
        "institution_id": job.institution_id,
        "institution_name": job.institution.name,
        "role": job.role,
        "full_time": job.full_time,
        "start_on": job.start_on,
        "end_on": job.end_on,
        "end_reason": job.end_reason,
        "missing": [
            {"code": f.code, "status": f.status, "message": f.message, "due_on": f.due_on}
            for f in row.findings
        ],
    }


def _check(check: BackgroundCheck) -> dict[str, Any]:
    return {
        "id": check.pk,
        "kind": check.kind,
        "checked_on": check.checked_on,
        "result": check.result,
        "employment_id": check.employment_id,
        "note": check.note,
    }


def _qualification(q: Qualification) -> dict[str, Any]:
    return {
        "id": q.pk,
        "kind": q.kind,
        "level": q.level,
        "issued_on": q.issued_on,
        "expires_on": q.expires_on,
    }


@router.get(
    "/people/{person_id}",
    response={200: PersonDetailSchema, 401: ErrorSchema, 404: ErrorSchema, 422: ErrorSchema},
    url_name="staff_person",
)
def person_detail(request: HttpRequest, person_id: int) -> dict[str, Any]:
    """One person: masked ID, the jobs the caller may see (with what each lacks), qualifications, checks."""
    person = _person_for(request, person_id)
    return {
        "id": person.pk,
        "name": person.name,
        "masked_id": person.masked_id,
        "phone": person.phone,
        "jobs": [_job(row) for row in person_jobs(request.user, person)],
        "qualifications": [_qualification(q) for q in person.qualifications.all()],
        "checks": [_check(c) for c in person.background_checks.all()],
    }


@router.post(
    "/people/{person_id}/qualifications",
    response={201: QualificationSchema, **WRITE_ERRORS},
    url_name="staff_qualification_add",
)
def qualification_add(request: HttpRequest, person_id: int, payload: QualificationIn) -> Status[Any]:
    """Record a qualification; a date in the future or an expiry before issue answers 422 on that field."""
    person = _person_for(request, person_id, "change")
    qualification = services.qualification_add(
        actor=request.user,
        person=person,
        kind=payload.kind,
        level=payload.level or "",
        issued_on=payload.issued_on,
        expires_on=payload.expires_on,
    )
    return Status(201, _qualification(qualification))


@router.post(
    "/people/{person_id}/checks",
    response={201: BackgroundCheckSchema, **WRITE_ERRORS},
    url_name="staff_check_add",
)
def check_add(request: HttpRequest, person_id: int, payload: BackgroundCheckIn) -> Status[Any]:
    """Record a background check (未成年人保护法 第62条); a record found alerts every employer."""
    person = _person_for(request, person_id, "change")
    employment = None
    if payload.employment_id is not None:
        employment = (
            Employment.objects.for_user(request.user, "change")
            .filter(pk=payload.employment_id, person=person)
            .first()
        )
        if employment is None:
            raise FieldError("employment_id", _("Not one of this person's jobs that you keep."))
    check = services.background_check_record(
        actor=request.user,
        person=person,
        kind=payload.kind,
        checked_on=payload.checked_on,
        result=payload.result,
        employment=employment,
        note=payload.note,
    )
    return Status(201, _check(check))


@router.post(
    "/{employment_id}/end", response={200: StaffItemSchema, **WRITE_ERRORS}, url_name="staff_employment_end"
)
def employment_end(request: HttpRequest, employment_id: int, payload: EmploymentEndIn) -> dict[str, Any]:
    """End a job (and its class assignment); already ended answers 409, an end before the start 422."""
    job = get_object_or_404(
        Employment.objects.for_user(request.user, "view").select_related("person"), pk=employment_id
    )
    if not Employment.objects.for_user(request.user, "change").filter(pk=job.pk).exists():
        raise PermissionDenied(_("You may see this job but not end it."))
    services.employment_end(
        actor=request.user, employment=job, end_on=payload.end_on, end_reason=payload.end_reason
    )
    return _item(StaffRow(job, []))


# --- Staff-to-child ratios and class assignments ------------------------------------------------------


class AssignedCaregiverSchema(Schema):
    assignment_id: int
    employment_id: int
    person_id: int
    name: str
    start_on: date


class ClassRatioSchema(Schema):
    class_id: int
    name: str
    kind: str
    capacity: int
    children: int = Field(description="Children counted: enrolled now (live attendance later)")
    children_per_caregiver: int | None = Field(description="None: no ratio is set for this class type")
    rule_source: str
    caregivers: list[AssignedCaregiverSchema]
    required_caregivers: int | None
    breach: bool | None = Field(description="Fewer caregivers than required; None without a ratio")
    over_capacity: bool
    messages: list[str]


class ClassRatiosOut(Schema):
    institution_id: int
    children_counted: str = Field(description='"enrolment" now; "attendance" once daily operations exist')
    count: int
    breaches: int
    items: list[ClassRatioSchema]


class RatioFilters(Schema):
    institution: int = Field(ge=1, le=MAX_ID, description="The institution's id")


class ClassAssignmentIn(InputSchema):
    employment_id: int = Field(ge=1, le=MAX_ID, description="An open caregiver job")
    class_id: int = Field(ge=1, le=MAX_ID, description="A class of the same institution")
    start_on: date | None = Field(None, description="Default today; not in the future")


class ClassAssignmentEndIn(InputSchema):
    end_on: date | None = Field(None, description="Default today; not in the future")


class ClassAssignmentSchema(Schema):
    id: int
    employment_id: int
    class_id: int
    start_on: date
    end_on: date | None


def _ratio(row: ClassRatio) -> dict[str, Any]:
    klass = row.institution_class
    return {
        "class_id": klass.pk,
        "name": klass.name,
        "kind": klass.kind,
        "capacity": klass.capacity,
        "children": row.children,
        "children_per_caregiver": row.rule.children_per_caregiver,
        "rule_source": row.rule.source,
        "caregivers": [
            {
                "assignment_id": a.pk,
                "employment_id": a.employment_id,
                "person_id": a.employment.person_id,
                "name": a.employment.person.name,
                "start_on": a.start_on,
            }
            for a in row.assignments
        ],
        "required_caregivers": row.required,
        "breach": row.breach,
        "over_capacity": row.over_capacity,
        "messages": row.messages,
    }


def _assignment(a: ClassAssignment) -> dict[str, Any]:
    return {
        "id": a.pk,
        "employment_id": a.employment_id,
        "class_id": a.institution_class_id,
        "start_on": a.start_on,
        "end_on": a.end_on,
    }


# The services name model fields; the API's body names them with _id.
_ASSIGNMENT_FIELDS = {"employment": "employment_id", "institution_class": "class_id"}


def _renamed(exc: ValidationError) -> ValidationError:
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError({_ASSIGNMENT_FIELDS.get(k, k): v for k, v in exc.error_dict.items()})


@router.get(
    "/ratios",
    response={200: ClassRatiosOut, 401: ErrorSchema, 404: ErrorSchema, 422: ErrorSchema},
    url_name="staff_ratios",
)
def ratios(request: HttpRequest, filters: Query[RatioFilters]) -> dict[str, Any]:
    """Each class of an institution: children, caregivers assigned, required, breach; 404 outside scope."""
    institution = get_object_or_404(
        Institution.objects.for_user(request.user, "view"), pk=filters.institution
    )
    rows = institution_class_ratios(institution)
    return {
        "institution_id": institution.pk,
        "children_counted": "enrolment",
        "count": len(rows),
        "breaches": sum(1 for r in rows if r.breach),
        "items": [_ratio(r) for r in rows],
    }


@router.post(
    "/assignments", response={201: ClassAssignmentSchema, **WRITE_ERRORS}, url_name="staff_assignment_add"
)
def assignment_add(request: HttpRequest, payload: ClassAssignmentIn) -> Status[Any]:
    """Assign a caregiver to a class: another institution's class or a non-caregiver job answers 422,
    an ended job or a caregiver already in a class 409."""
    job = get_object_or_404(
        Employment.objects.for_user(request.user, "view").select_related("institution", "person"),
        pk=payload.employment_id,
    )
    if not Institution.objects.for_user(request.user, "change").filter(pk=job.institution_id).exists():
        raise PermissionDenied(_("You may see this job but not assign it to a class."))
    klass = job.institution.classes.filter(pk=payload.class_id).first()
    if klass is None:
        raise FieldError("class_id", _("This is not a class of the job's institution."))
    try:
        assignment = services.class_assignment_add(
            actor=request.user, employment=job, institution_class=klass, start_on=payload.start_on
        )
    except ValidationError as exc:
        raise _renamed(exc) from None
    return Status(201, _assignment(assignment))


@router.post(
    "/assignments/{assignment_id}/end",
    response={200: ClassAssignmentSchema, **WRITE_ERRORS},
    url_name="staff_assignment_end",
)
def assignment_end(request: HttpRequest, assignment_id: int, payload: ClassAssignmentEndIn) -> dict[str, Any]:
    """End an assignment (default today); already ended answers 409."""
    assignment = get_object_or_404(ClassAssignment.objects.for_user(request.user, "view"), pk=assignment_id)
    if not ClassAssignment.objects.for_user(request.user, "change").filter(pk=assignment.pk).exists():
        raise PermissionDenied(_("You may see this assignment but not end it."))
    return _assignment(
        services.class_assignment_end(actor=request.user, assignment=assignment, end_on=payload.end_on)
    )
