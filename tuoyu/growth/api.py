"""Growth API (mounted at /api/v1/growth): the public WHO z-score calculator, and a child's measurements.

A child outside the caller's scope answers 404 like a missing one; reading a child's measurements is
audited (children's data is sensitive). Recording needs `care` on the child (centre staff): 403 for
officials and parents who can see the child.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from tuoyu.children.models import child_for_user
from tuoyu.core.api import ErrorSchema, FieldError, InputSchema
from tuoyu.core.audit import audit_view

from . import services, who
from .models import GrowthMeasurement
from .selectors import child_series

router = Router(tags=["growth"])

MAX_ID = 2**31 - 1
READ_ERRORS = {401: ErrorSchema, 404: ErrorSchema, 422: ErrorSchema}
WRITE_ERRORS = {400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema,
                422: ErrorSchema}  # fmt: skip


class GrowthZScoresOut(Schema):
    wfa: float | None
    lhfa: float | None
    wflh: float | None
    bfa: float | None


class GrowthZScoresQuery(Schema):
    sex: str = Field(..., description="M or F", max_length=8)
    age_days: int = Field(..., description="Age in completed days", ge=-(2**31), le=2**31 - 1)
    weight_kg: float | None = Field(None, description="Weight in kg")
    length_cm: float | None = Field(None, description="Length (lying) or height (standing) in cm")
    position: str | None = Field(
        None, description="lying or standing; default: as the age requires", max_length=16
    )


@router.get(
    "/zscores",
    auth=None,
    response={200: GrowthZScoresOut, 422: ErrorSchema},
    url_name="growth_zscores",
    summary="WHO 2006 z-scores (public)",
)
def zscores(request: HttpRequest, q: Query[GrowthZScoresQuery]) -> dict[str, Any]:
    """Weight-for-age, length/height-for-age, weight-for-length/height and BMI-for-age z-scores by the
    WHO 2006 Child Growth Standards (LMS method, expanded daily tables, WHO's restricted rule beyond
    ±3 SD for weight-based indicators, 0.7 cm lying/standing adjustment), to two decimals; null where
    the indicator does not apply (outside the tables, e.g. over 1856 days) or a value is missing.

    Public: no login. It is pure arithmetic on the values sent, stores nothing and reads no personal
    data, so that other systems can use the same arithmetic. 422 for an unknown sex or position and
    for negative or zero measurements."""
    if q.sex not in ("M", "F"):
        raise FieldError("sex", _("Must be M or F."), "query")
    if q.position is not None and q.position not in ("lying", "standing"):
        raise FieldError("position", _("Must be lying or standing."), "query")
    if q.age_days < 0:
        raise FieldError("age_days", _("Must not be negative."), "query")
    for name in ("weight_kg", "length_cm"):
        value = getattr(q, name)
        if value is not None and not (0 < value < 1000):
            raise FieldError(name, _("Must be a positive number."), "query")
    if q.age_days > 100_000:
        return {"wfa": None, "lhfa": None, "wflh": None, "bfa": None}
    scores = who.zscores(
        sex=q.sex,  # type: ignore[arg-type]
        age_days=q.age_days,
        weight_kg=q.weight_kg,
        length_cm=q.length_cm,
        position=q.position,  # type: ignore[arg-type]
    )
    return {"wfa": scores.wfa, "lhfa": scores.lhfa, "wflh": scores.wflh, "bfa": scores.bfa}


class GrowthMeasurementOut(Schema):
    id: int
    child_id: int
    institution_id: int | None
    measured_on: date
    age_days: int
    weight_kg: Decimal | None
    length_cm: Decimal | None
    position: str
    head_cm: Decimal | None
    z_wfa: float | None
    z_lhfa: float | None
    z_wflh: float | None
    z_bfa: float | None
    z_hcfa: float | None
    flags: list[str]
    implausible: list[str]
    grade_wfa: str
    grade_lhfa: str
    grade_hcfa: str
    who_version: str
    wst_version: str
    note: str


class GrowthMeasurementPage(Schema):
    count: int
    items: list[GrowthMeasurementOut]


class GrowthMeasurementIn(InputSchema):
    measured_on: date
    weight_kg: Decimal | None = Field(None, max_digits=5, decimal_places=2)
    length_cm: Decimal | None = Field(None, max_digits=5, decimal_places=1)
    position: str = Field("", max_length=8, description="lying or standing (required with length_cm)")
    head_cm: Decimal | None = Field(None, max_digits=4, decimal_places=1)
    note: str = Field("", max_length=300)


def _item(m: GrowthMeasurement) -> dict[str, Any]:
    return {
        "id": m.pk,
        "child_id": m.child_id,
        "institution_id": m.institution_id,
        "measured_on": m.measured_on,
        "age_days": m.age_days,
        "weight_kg": m.weight_kg,
        "length_cm": m.length_cm,
        "position": m.position,
        "head_cm": m.head_cm,
        "z_wfa": m.z_wfa,
        "z_lhfa": m.z_lhfa,
        "z_wflh": m.z_wflh,
        "z_bfa": m.z_bfa,
        "z_hcfa": m.z_hcfa,
        "flags": m.flags,
        "implausible": [x for x in m.implausible.split(",") if x],
        "grade_wfa": m.grade_wfa,
        "grade_lhfa": m.grade_lhfa,
        "grade_hcfa": m.grade_hcfa,
        "who_version": m.who_version,
        "wst_version": m.wst_version,
        "note": m.note,
    }


def _child(request: HttpRequest, child_id: int) -> Any:
    from django.http import Http404

    child = child_for_user(request.user, child_id, "view")
    if child is None:
        raise Http404
    return child


@router.get(
    "/children/{child_id}/measurements",
    response={200: GrowthMeasurementPage, **READ_ERRORS},
    url_name="growth_measurement_list",
)
def measurement_list(request: HttpRequest, child_id: int = Path(..., ge=1, le=MAX_ID)) -> dict[str, Any]:
    """A child's measurements, oldest first, with z-scores, flags and WS/T 423 grades (viewing is audited)."""
    child = _child(request, child_id)
    audit_view(actor=request.user, obj=child, request=request)
    items = [_item(m) for m in child_series(child)]
    return {"count": len(items), "items": items}


@router.post(
    "/children/{child_id}/measurements",
    response={201: GrowthMeasurementOut, **WRITE_ERRORS},
    url_name="growth_measurement_record",
)
def measurement_record(
    request: HttpRequest, payload: GrowthMeasurementIn, child_id: int = Path(..., ge=1, le=MAX_ID)
) -> Status[Any] | HttpResponse:
    """Record a measurement (centre staff): 422 with the field for values outside plausible ranges, 409
    when the child already has one that day. Guardians are told in their daily digest."""
    child = _child(request, child_id)
    m = services.growth_measurement_record(
        actor=request.user,
        child=child,
        measured_on=payload.measured_on,
        weight_kg=payload.weight_kg,
        length_cm=payload.length_cm,
        position=payload.position,
        head_cm=payload.head_cm,
        note=payload.note,
        request=request,
    )
    return Status(201, _item(m))
