"""API of the spotchecks app (双随机、一公开).

`plans_router` (mounted at /api/v1/spotchecks): annual plans, batches, the inspectors register and
conflict declarations. `router` (mounted at /api/v1/draws): the draw of a batch, its stored record,
and its replay from the stored seed and inputs.

Objects come through `for_user` (404 outside the caller's scope); who may act on a visible object is
decided by `services.py` (403).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Path, Query, Router, Schema, Status

from tuoyu.accounts.models import User
from tuoyu.core.api import ErrorSchema, FieldError, InputSchema
from tuoyu.core.scoping import grants_for
from tuoyu.institutions.choices import InstitutionType
from tuoyu.institutions.models import Institution
from tuoyu.regions.models import Region

from . import selectors, services
from .choices import ConflictRelation, StratumKey
from .models import Batch, ConflictDeclaration, Draw, InspectionPlan
from .rules import MAX_SEED, rate_percent

router = Router(tags=["spotchecks"])

# Inspectors register, inspection plans and batches (mounted under /api/v1/spotchecks/); `router`
# above serves the draws themselves under /api/v1/draws/.
plans_router = Router(tags=["spotchecks"])

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
CODE = r"^\d{12}$"


# --- Schemas --------------------------------------------------------------------------------------


class SpotcheckPaging(Schema):
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=10_000_000)


class SpotcheckPlanOut(Schema):
    id: int
    region_code: str
    region_name: str
    year: int
    title: str
    note: str
    batches: int
    created_at: datetime


class SpotcheckPlanPage(Schema):
    count: int
    items: list[SpotcheckPlanOut]


class SpotcheckPlanFilters(SpotcheckPaging):
    region: str | None = Field(None, pattern=CODE, description="Plans of this office region and below")
    year: int | None = Field(None, ge=2020, le=2100)


class SpotcheckPlanIn(InputSchema):
    region_code: str = Field(pattern=CODE, description="The planning office's region (county or higher)")
    year: int = Field(ge=2020, le=2100)
    title: str = Field("", max_length=200)
    note: str = Field("", max_length=2000)


class SpotcheckStratumOut(Schema):
    key: str
    label: str
    rate_percent: str
    lookback_days: int


class SpotcheckStratumIn(InputSchema):
    key: StratumKey
    rate_percent: Decimal = Field(ge=0, le=100, max_digits=5, decimal_places=2)
    lookback_days: int = Field(0, ge=0, le=3650, description="For the complaints and serious-findings strata")


class SpotcheckBatchOut(Schema):
    id: int
    plan_id: int
    name: str
    scope_region_code: str
    scope_region_name: str
    institution_kinds: list[str]
    operating_only: bool
    window_start: date
    window_end: date
    team_size: int
    strata: list[SpotcheckStratumOut]
    draw_id: int | None


class SpotcheckBatchPage(Schema):
    count: int
    items: list[SpotcheckBatchOut]


class SpotcheckBatchFilters(SpotcheckPaging):
    plan: int | None = Field(None, ge=1, le=MAX_ID)


class SpotcheckBatchIn(InputSchema):
    plan_id: int = Field(ge=1, le=MAX_ID)
    name: str = Field(min_length=1, max_length=200)
    scope_region_code: str = Field(pattern=CODE, description="Within the plan's region")
    window_start: date
    window_end: date
    team_size: int = Field(2, ge=0, le=100, description="Inspectors per team, at least 2")
    institution_kinds: list[InstitutionType] = Field(default_factory=list, max_length=10)
    operating_only: bool = True
    strata: list[SpotcheckStratumIn] | None = Field(
        None, max_length=10, description="Default: the deployment's strata (rules.STRATA)"
    )


class InspectorOut(Schema):
    user_id: int
    name: str
    unit: str
    region_code: str
    region_name: str
    role: str
    declarations: int


class InspectorPage(Schema):
    count: int
    items: list[InspectorOut]


class InspectorFilters(SpotcheckPaging):
    region: str | None = Field(None, pattern=CODE, description="Default: the caller's top region")


class DeclarationOut(Schema):
    id: int
    institution_id: int
    institution_name: str
    relation: str
    inspector_id: int | None
    inspector_name: str
    unit: str
    declared_on: date
    note: str
    ended_on: date | None


class DeclarationPage(Schema):
    count: int
    items: list[DeclarationOut]


class DeclarationFilters(SpotcheckPaging):
    inspector: int | None = Field(None, ge=1, le=MAX_ID)
    institution: int | None = Field(None, ge=1, le=MAX_ID)


class DeclarationIn(InputSchema):
    institution_id: int = Field(ge=1, le=MAX_ID)
    relation: ConflictRelation
    inspector_id: int | None = Field(None, ge=1, le=MAX_ID, description="Relative, other interest")
    unit: str = Field("", max_length=100, description="Own unit: the unit as in the register")
    declared_on: date | None = None
    note: str = Field("", max_length=300)


class DrawIn(InputSchema):
    batch_id: int = Field(ge=1, le=MAX_ID)
    seed: int | None = Field(None, ge=0, le=MAX_SEED, description="Default: a random seed (stored)")


class DrawStratumOut(Schema):
    key: str
    label: str
    rate_percent: str
    size: int
    drawn: int


class DrawTeamMemberOut(Schema):
    id: int
    name: str
    unit: str


class DrawnInstitutionOut(Schema):
    institution_id: int
    name: str
    stratum: str
    available: int
    team: list[DrawTeamMemberOut]
    no_team: bool
    inspection_id: int | None


class DrawExclusionOut(Schema):
    institution_id: int
    institution_name: str
    inspector_id: int
    inspector_name: str
    reason: str
    detail: dict[str, Any]


class DrawOut(Schema):
    id: int
    batch_id: int
    seed: int
    algorithm: str
    drawn_at: datetime
    drawn_by: str
    published: bool
    digest: str
    team_size: int
    candidates: int
    strata: list[DrawStratumOut]
    institutions: list[DrawnInstitutionOut]
    exclusions: list[DrawExclusionOut]
    inputs: dict[str, Any]


class DrawResultStratumOut(Schema):
    key: str
    rate_bp: int
    size: int
    drawn: int


class DrawResultRowOut(Schema):
    id: int
    name: str
    stratum: str
    available: int
    team: list[int]


class DrawResultOut(Schema):
    strata: list[DrawResultStratumOut]
    institutions: list[DrawResultRowOut]


class DrawReplayOut(Schema):
    identical: bool
    digest_matches: bool
    differences: list[dict[str, Any]]
    result: DrawResultOut


# --- Helpers --------------------------------------------------------------------------------------


def _slice(queryset: QuerySet[Any], paging: SpotcheckPaging) -> tuple[int, list[Any]]:
    return queryset.count(), list(queryset[paging.offset : paging.offset + paging.limit])


def _region(code: str, field: str) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise FieldError(field, "Unknown region.")
    return region


def _plan_item(plan: InspectionPlan) -> dict[str, Any]:
    return {
        "id": plan.pk,
        "region_code": plan.region_id,
        "region_name": plan.region.name,
        "year": plan.year,
        "title": plan.title,
        "note": plan.note,
        "batches": getattr(plan, "batch_count", 0),
        "created_at": plan.created_at,
    }


def _batch_item(batch: Batch) -> dict[str, Any]:
    labels = dict(StratumKey.choices)
    draw = getattr(batch, "draw", None)
    return {
        "id": batch.pk,
        "plan_id": batch.plan_id,
        "name": batch.name,
        "scope_region_code": batch.scope_region_id,
        "scope_region_name": batch.scope_region.name,
        "institution_kinds": list(batch.institution_kinds or []),
        "operating_only": batch.operating_only,
        "window_start": batch.window_start,
        "window_end": batch.window_end,
        "team_size": batch.team_size,
        "strata": [
            {
                "key": s["key"],
                "label": str(labels.get(s["key"], s["key"])),
                "rate_percent": rate_percent(s["rate_bp"]),
                "lookback_days": s["lookback_days"],
            }
            for s in batch.strata
        ],
        "draw_id": draw.pk if draw else None,
    }


def _batches(user: Any) -> QuerySet[Batch]:
    return Batch.objects.for_user(user, "view").select_related("plan__region", "scope_region", "draw")


def _declaration_item(d: ConflictDeclaration) -> dict[str, Any]:
    return {
        "id": d.pk,
        "institution_id": d.institution_id,
        "institution_name": d.institution.name,
        "relation": d.relation,
        "inspector_id": d.inspector_id,
        "inspector_name": str(d.inspector) if d.inspector else "",
        "unit": d.unit,
        "declared_on": d.declared_on,
        "note": d.note,
        "ended_on": d.ended_on,
    }


def _draw_item(draw: Draw) -> dict[str, Any]:
    return {**selectors.draw_detail(draw), "inputs": draw.inputs}


def _visible_draw(request: HttpRequest, draw_id: int) -> Draw:
    return get_object_or_404(
        Draw.objects.for_user(request.user, "view").select_related("drawn_by"), pk=draw_id
    )


# --- Plans ----------------------------------------------------------------------------------------


@plans_router.get("/plans", response={200: SpotcheckPlanPage, **READ_ERRORS}, url_name="spotcheck_plan_list")
def plan_list(request: HttpRequest, filters: Query[SpotcheckPlanFilters]) -> dict[str, Any]:
    """Annual plans of the offices in the caller's scope, newest year first."""
    queryset = (
        InspectionPlan.objects.for_user(request.user, "view")
        .select_related("region")
        .annotate(batch_count=Count("batches"))
        .order_by("-year", "region_id", "id")
    )
    if filters.region:
        region = Region.objects.filter(code=filters.region).first()
        if region is None:
            return {"count": 0, "items": []}
        lo, hi = region.subtree_bounds()
        queryset = queryset.filter(region_id__gte=lo, region_id__lte=hi)
    if filters.year:
        queryset = queryset.filter(year=filters.year)
    count, rows = _slice(queryset, filters)
    return {"count": count, "items": [_plan_item(p) for p in rows]}


@plans_router.post(
    "/plans", response={201: SpotcheckPlanOut, **WRITE_ERRORS}, url_name="spotcheck_plan_create"
)
def plan_create(request: HttpRequest, payload: SpotcheckPlanIn) -> Status[Any]:
    """A county or higher office files its annual plan (manage over the region; one per region and year)."""
    region = _region(payload.region_code, "region_code")
    plan = services.plan_create(
        actor=request.user, region=region, year=payload.year, title=payload.title, note=payload.note
    )
    return Status(201, _plan_item(plan))


@plans_router.get(
    "/plans/{plan_id}", response={200: SpotcheckPlanOut, **READ_ERRORS}, url_name="spotcheck_plan"
)
def plan_detail(request: HttpRequest, plan_id: int = Path(..., ge=1, le=MAX_ID)) -> dict[str, Any]:
    plan = get_object_or_404(
        InspectionPlan.objects.for_user(request.user, "view")
        .select_related("region")
        .annotate(batch_count=Count("batches")),
        pk=plan_id,
    )
    return _plan_item(plan)


# --- Batches --------------------------------------------------------------------------------------


@plans_router.get(
    "/batches", response={200: SpotcheckBatchPage, **READ_ERRORS}, url_name="spotcheck_batch_list"
)
def batch_list(request: HttpRequest, filters: Query[SpotcheckBatchFilters]) -> dict[str, Any]:
    """Batches of the plans in the caller's scope."""
    queryset = _batches(request.user).order_by("-plan__year", "window_start", "id")
    if filters.plan:
        queryset = queryset.filter(plan_id=filters.plan)
    count, rows = _slice(queryset, filters)
    return {"count": count, "items": [_batch_item(b) for b in rows]}


@plans_router.post(
    "/batches", response={201: SpotcheckBatchOut, **WRITE_ERRORS}, url_name="spotcheck_batch_create"
)
def batch_create(request: HttpRequest, payload: SpotcheckBatchIn) -> Status[Any]:
    """Add a batch to a plan: scope, window, team size (≥ 2, else 422) and strata (rates in percent)."""
    plan = get_object_or_404(InspectionPlan.objects.for_user(request.user, "view"), pk=payload.plan_id)
    strata = None
    if payload.strata is not None:
        strata = [
            {
                "key": s.key,
                "rate_bp": services.percent_to_bp(s.rate_percent),
                "lookback_days": s.lookback_days,
            }
            for s in payload.strata
        ]
    batch = services.batch_create(
        actor=request.user,
        plan=plan,
        name=payload.name,
        scope_region=_region(payload.scope_region_code, "scope_region_code"),
        window_start=payload.window_start,
        window_end=payload.window_end,
        team_size=payload.team_size,
        institution_kinds=[str(k) for k in payload.institution_kinds],
        operating_only=payload.operating_only,
        strata=strata,
    )
    return Status(201, _batch_item(_batches(request.user).get(pk=batch.pk)))


@plans_router.get(
    "/batches/{batch_id}", response={200: SpotcheckBatchOut, **READ_ERRORS}, url_name="spotcheck_batch"
)
def batch_detail(request: HttpRequest, batch_id: int = Path(..., ge=1, le=MAX_ID)) -> dict[str, Any]:
    return _batch_item(get_object_or_404(_batches(request.user), pk=batch_id))


# --- The inspectors register ----------------------------------------------------------------------


@plans_router.get(
    "/inspectors", response={200: InspectorPage, **READ_ERRORS}, url_name="spotcheck_inspectors"
)
def inspector_list(request: HttpRequest, filters: Query[InspectorFilters]) -> dict[str, Any]:
    """The inspectors register (执法检查人员名录库) for a region in the caller's scope (officials only)."""
    user = request.user
    if not getattr(user, "is_official", False):
        return {"count": 0, "items": []}
    if filters.region:
        region = Region.objects.filter(code=filters.region).first()
        if region is None or not grants_for(user, "view").covers_code(region.code):
            return {"count": 0, "items": []}
        regions = [region]
    else:
        regions = selectors.register_regions(user)
    if not regions:
        return {"count": 0, "items": []}
    queryset = selectors.register(regions[0])
    count, rows = _slice(queryset, filters)
    return {
        "count": count,
        "items": [
            {
                "user_id": a.user_id,
                "name": str(a.user),
                "unit": a.unit,
                "region_code": a.region_id,
                "region_name": a.region.name if a.region else "",
                "role": a.role,
                "declarations": a.declarations,
            }
            for a in rows
        ],
    }


@plans_router.get(
    "/declarations", response={200: DeclarationPage, **READ_ERRORS}, url_name="spotcheck_declaration_list"
)
def declaration_list(request: HttpRequest, filters: Query[DeclarationFilters]) -> dict[str, Any]:
    """Current conflict declarations on institutions in the caller's scope."""
    queryset = (
        ConflictDeclaration.objects.for_user(request.user, "view")
        .current()
        .select_related("institution", "inspector")
        .order_by("-declared_on", "-id")
    )
    if filters.inspector:
        queryset = queryset.filter(inspector_id=filters.inspector)
    if filters.institution:
        queryset = queryset.filter(institution_id=filters.institution)
    count, rows = _slice(queryset, filters)
    return {"count": count, "items": [_declaration_item(d) for d in rows]}


@plans_router.post(
    "/declarations", response={201: DeclarationOut, **WRITE_ERRORS}, url_name="spotcheck_declaration_create"
)
def declaration_create(request: HttpRequest, payload: DeclarationIn) -> Status[Any]:
    """Declare a conflict: the inspector (or their office) for a relative or other interest; the
    office for an own unit, which every inspector of that unit then recuses from."""
    institution = get_object_or_404(
        Institution.objects.for_user(request.user, "view"), pk=payload.institution_id
    )
    inspector = None
    if payload.inspector_id is not None:
        inspector = User.objects.filter(pk=payload.inspector_id).first()
        if inspector is None:
            raise FieldError("inspector_id", "Unknown inspector.")
    declaration = services.declaration_add(
        actor=request.user,
        institution=institution,
        relation=payload.relation,
        inspector=inspector,
        unit=payload.unit,
        declared_on=payload.declared_on,
        note=payload.note,
    )
    return Status(201, _declaration_item(declaration))


# --- Draws (mounted at /api/v1/draws) -------------------------------------------------------------


@router.post("", response={201: DrawOut, **WRITE_ERRORS}, url_name="draw_create")
def draw_create(request: HttpRequest, payload: DrawIn) -> Status[Any]:
    """Draw a batch: institutions per stratum, then a team for each; the answer lists both. Opens a
    routine inspection per institution with a full team. A batch is drawn once (409 after)."""
    batch = get_object_or_404(
        Batch.objects.for_user(request.user, "view").select_related("plan__region", "scope_region"),
        pk=payload.batch_id,
    )
    draw = services.draw_run(actor=request.user, batch=batch, seed=payload.seed)
    return Status(201, _draw_item(draw))


@router.get("/{draw_id}", response={200: DrawOut, **READ_ERRORS}, url_name="draw")
def draw_detail(request: HttpRequest, draw_id: int = Path(..., ge=1, le=MAX_ID)) -> dict[str, Any]:
    """A draw with everything it used: seed, candidates, strata, eligible inspectors, exclusions."""
    return _draw_item(_visible_draw(request, draw_id))


@router.post("/{draw_id}/replay", response={200: DrawReplayOut, **WRITE_ERRORS}, url_name="draw_replay")
def draw_replay(request: HttpRequest, draw_id: int = Path(..., ge=1, le=MAX_ID)) -> dict[str, Any]:
    """Re-run the draw from its stored seed and inputs (not the current database): is the result identical?"""
    return services.draw_replay(actor=request.user, draw=_visible_draw(request, draw_id))
