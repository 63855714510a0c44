"""Staff API (mounted at /api/v1/staff): an institution's staff with what each lacks, and hiring.

The full ID number is never returned: items carry `masked_id`.
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
from .choices import StaffRole
from .selectors import StaffRow, employment_findings, institution_staff
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
