"""Quality API (mounted at /api/v1/quality): the active WS/T 821 form, assessments, per-item scores and
the transitions of an assessment.

Assessments come through `for_user` (404 outside the caller's scope); who may act on a visible one is
decided by `services.py` (403). The county's scores are shown to the institution once published.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.errors import HttpError

from tuoyu.core.api import ErrorSchema, InputSchema
from tuoyu.institutions.models import Institution

from . import services
from .choices import AssessmentStatus
from .models import Assessment, AssessmentForm, FormItem
from .selectors import dimension_totals

router = Router(tags=["quality"])

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


class QualityItemOut(Schema):
    id: int
    clause: str
    text: str
    how_to_assess: str
    max_score: int
    value_type: str
    baseline: bool = Field(description="Not meeting it in full fails the whole assessment (veto)")
    verified: bool = Field(description="Checked against the standard's text (false: from secondary sources)")
    points_provisional: bool = Field(description="The points are this deployment's setting")
    source: str


class QualityDimensionOut(Schema):
    id: int
    code: str
    name: str
    standard_points: int | None = Field(description="The standard's points for the dimension, as reported")
    points_verified: bool
    items: list[QualityItemOut]


class QualityCutoffsOut(Schema):
    a: int | None
    b: int | None
    c: int | None
    unit: str = "percent of the form's maximum total"
    provisional: bool = Field(description="This deployment's setting, not from the standard")
    source: str


class QualityFormOut(Schema):
    id: int
    name: str
    standard: str
    version: int
    effective_on: date
    status: str
    complete: bool = Field(description="false: the item list is not the whole standard yet")
    source_note: str
    cutoffs: QualityCutoffsOut
    dimensions: list[QualityDimensionOut]


class QualityScoreOut(Schema):
    item_id: int
    clause: str
    dimension: str
    max_score: int
    value_type: str
    baseline: bool
    self_score: int | None
    self_note: str
    county_score: int | None = Field(description="Shown to the institution once published")
    county_note: str


class QualityDimensionTotalOut(Schema):
    name: str
    standard_points: int | None
    points_verified: bool
    max_total: int
    self_total: int
    county_total: int | None


class QualityTransitionOut(Schema):
    from_status: str
    to_status: str
    by: str
    at: datetime
    reason: str


class QualityAssessmentOut(Schema):
    id: int
    institution_id: int
    institution_name: str
    form_id: int
    form_version: int
    status: str
    started_at: datetime
    self_submitted_at: datetime | None
    assessed_at: datetime | None
    published_on: date | None
    self_total: int | None
    county_total: int | None
    max_total: int | None
    grade: str = Field(description='A–D, "fail" (baseline item not met), "none" (no cut-offs), or "" before')
    baseline_failed: list[str]
    cutoffs_used: dict[str, int]
    cutoffs_provisional: bool


class QualityAssessmentDetailOut(QualityAssessmentOut):
    dimensions: list[QualityDimensionTotalOut]
    scores: list[QualityScoreOut]
    transitions: list[QualityTransitionOut]


class QualityAssessmentPage(Schema):
    count: int
    items: list[QualityAssessmentOut]


class QualityAssessmentFilters(Schema):
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=10_000_000)
    status: AssessmentStatus | None = None
    institution: int | None = Field(None, ge=1, le=MAX_ID)


class QualityAssessmentIn(InputSchema):
    institution_id: int = Field(ge=1, le=MAX_ID)


class QualityScoreIn(InputSchema):
    score: int = Field(ge=0, le=1000, description="Yes / no items: 0 (not met) or the item's maximum (met)")
    note: str = Field("", max_length=500)


class QualityTransitionIn(InputSchema):
    action: Literal["self_submit", "return", "county_submit", "reopen", "publish"]
    reason: str = Field(
        "", max_length=2000, description="Required to return or reopen; the county's conclusion"
    )


# --- Helpers --------------------------------------------------------------------------------------


def _form_out(form: AssessmentForm) -> dict[str, Any]:
    return {
        "id": form.pk,
        "name": form.name,
        "standard": form.standard,
        "version": form.version,
        "effective_on": form.effective_on,
        "status": form.status,
        "complete": form.complete,
        "source_note": form.source_note,
        "cutoffs": {
            "a": form.cutoff_a,
            "b": form.cutoff_b,
            "c": form.cutoff_c,
            "provisional": form.cutoffs_provisional,
            "source": form.cutoffs_source,
        },
        "dimensions": [
            {
                "id": d.pk,
                "code": d.code,
                "name": d.name,
                "standard_points": d.max_points,
                "points_verified": d.points_verified,
                "items": [
                    {
                        "id": i.pk,
                        "clause": i.clause,
                        "text": i.text,
                        "how_to_assess": i.how_to_assess,
                        "max_score": i.max_score,
                        "value_type": i.value_type,
                        "baseline": i.baseline,
                        "verified": i.verified,
                        "points_provisional": i.points_provisional,
                        "source": i.source,
                    }
                    for i in d.items.all()
                ],
            }
            for d in form.dimensions.prefetch_related("items")
        ],
    }


def shows_county(user: Any, assessment: Assessment) -> bool:
    """The county's scores: to officials in scope; to the institution once published."""
    return assessment.status == AssessmentStatus.PUBLISHED or bool(getattr(user, "is_official", False))


def _assessment_out(a: Assessment, user: Any) -> dict[str, Any]:
    county = shows_county(user, a)
    return {
        "id": a.pk,
        "institution_id": a.institution_id,
        "institution_name": a.institution.name,
        "form_id": a.form_id,
        "form_version": a.form.version,
        "status": a.status,
        "started_at": a.started_at,
        "self_submitted_at": a.self_submitted_at,
        "assessed_at": a.assessed_at,
        "published_on": a.published_on,
        "self_total": a.self_total,
        "county_total": a.county_total if county else None,
        "max_total": a.max_total,
        "grade": a.grade if county else "",
        "baseline_failed": a.baseline_failed if county else [],
        "cutoffs_used": a.cutoffs_used,
        "cutoffs_provisional": a.cutoffs_provisional,
    }


def _detail_out(a: Assessment, user: Any) -> dict[str, Any]:
    county = shows_county(user, a)
    scores = a.scores.select_related("item", "item__dimension").order_by(
        "item__dimension__order", "item__order", "item_id"
    )
    return {
        **_assessment_out(a, user),
        "dimensions": [
            {
                "name": d["name"],
                "standard_points": d["standard_points"],
                "points_verified": d["points_verified"],
                "max_total": d["max_total"],
                "self_total": d["self_total"],
                "county_total": d["county_total"] if county else None,
            }
            for d in dimension_totals(a)
        ],
        "scores": [
            {
                "item_id": s.item_id,
                "clause": s.item.clause,
                "dimension": s.item.dimension.name,
                "max_score": s.item.max_score,
                "value_type": s.item.value_type,
                "baseline": s.item.baseline,
                "self_score": s.self_score,
                "self_note": s.self_note,
                "county_score": s.county_score if county else None,
                "county_note": s.county_note if county else "",
            }
            for s in scores
        ],
        "transitions": [
            {
                "from_status": t.from_status,
                "to_status": t.to_status,
                "by": str(t.actor) if t.actor else "",
                "at": t.at,
                "reason": t.reason,
            }
            for t in a.transitions.select_related("actor")
        ],
    }


def _assessments(user: Any) -> QuerySet[Assessment]:
    return Assessment.objects.for_user(user, "view").select_related("institution", "form")


def _visible(request: HttpRequest, assessment_id: int) -> Assessment:
    return get_object_or_404(_assessments(request.user), pk=assessment_id)


# --- Endpoints ------------------------------------------------------------------------------------


@router.get(
    "/form", response={200: QualityFormOut, 401: ErrorSchema, 404: ErrorSchema}, url_name="quality_form"
)
def active_form(request: HttpRequest) -> dict[str, Any]:
    """The active assessment form: dimensions, items, baseline flags, cut-offs, and what is unverified."""
    form = services.form_active()
    if form is None:
        raise HttpError(404, "No assessment form is active.")
    return _form_out(form)


@router.get("/assessments", response={200: QualityAssessmentPage, **READ_ERRORS}, url_name="quality_list")
def assessment_list(request: HttpRequest, filters: Query[QualityAssessmentFilters]) -> dict[str, Any]:
    """Assessments the caller may see (officials: their regions'; staff: their institution's)."""
    queryset = _assessments(request.user).order_by("-started_at", "-id")
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.institution:
        queryset = queryset.filter(institution_id=filters.institution)
    rows = list(queryset[filters.offset : filters.offset + filters.limit])
    return {"count": queryset.count(), "items": [_assessment_out(a, request.user) for a in rows]}


@router.post(
    "/assessments", response={201: QualityAssessmentDetailOut, **WRITE_ERRORS}, url_name="quality_start"
)
def assessment_start(request: HttpRequest, payload: QualityAssessmentIn) -> Status[Any]:
    """The director starts a self-assessment on the active form (409 if one is in progress)."""
    institution = get_object_or_404(
        Institution.objects.for_user(request.user, "view"), pk=payload.institution_id
    )
    assessment = services.assessment_start(actor=request.user, institution=institution)
    return Status(201, _detail_out(_visible(request, assessment.pk), request.user))


@router.get(
    "/assessments/{assessment_id}",
    response={200: QualityAssessmentDetailOut, **READ_ERRORS},
    url_name="quality_detail",
)
def assessment_detail(
    request: HttpRequest, assessment_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    """One assessment with its per-dimension totals, every item's scores and its transitions."""
    return _detail_out(_visible(request, assessment_id), request.user)


@router.put(
    "/assessments/{assessment_id}/scores/{item_id}",
    response={200: QualityScoreOut, **WRITE_ERRORS},
    url_name="quality_score",
)
def assessment_score(
    request: HttpRequest,
    payload: QualityScoreIn,
    assessment_id: int = Path(..., ge=1, le=MAX_ID),
    item_id: int = Path(..., ge=1, le=MAX_ID),
) -> dict[str, Any]:
    """Score one item: the director while self-assessing, the county once the self-assessment is in."""
    assessment = _visible(request, assessment_id)
    item = get_object_or_404(
        FormItem.objects.select_related("dimension"), pk=item_id, dimension__form=assessment.form_id
    )
    row = services.assessment_score(
        actor=request.user, assessment=assessment, item=item, score=payload.score, note=payload.note
    )
    return {
        "item_id": item.pk,
        "clause": item.clause,
        "dimension": item.dimension.name,
        "max_score": item.max_score,
        "value_type": item.value_type,
        "baseline": item.baseline,
        "self_score": row.self_score,
        "self_note": row.self_note,
        "county_score": row.county_score,
        "county_note": row.county_note,
    }


@router.post(
    "/assessments/{assessment_id}/transitions",
    response={200: QualityAssessmentDetailOut, **WRITE_ERRORS},
    url_name="quality_transition",
)
def assessment_transition(
    request: HttpRequest, payload: QualityTransitionIn, assessment_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    """Move the assessment on: self_submit (director), return / county_submit / reopen (county assessor),
    publish (county reviewer). 409 when its state does not allow it."""
    assessment = _visible(request, assessment_id)
    user = request.user
    if payload.action == "self_submit":
        services.assessment_self_submit(actor=user, assessment=assessment, reason=payload.reason)
    elif payload.action == "return":
        services.assessment_return(actor=user, assessment=assessment, reason=payload.reason)
    elif payload.action == "county_submit":
        services.assessment_county_submit(actor=user, assessment=assessment, note=payload.reason)
    elif payload.action == "reopen":
        services.assessment_reopen(actor=user, assessment=assessment, reason=payload.reason)
    else:
        services.assessment_publish(actor=user, assessment=assessment, reason=payload.reason)
    return _detail_out(_visible(request, assessment_id), user)
