"""Planning scenarios API (mounted at /api/v1/planning/scenarios). Reads only: nothing is stored.

- `POST /api/v1/planning/scenarios` with `{"region", "date"?, "additions": [...]}`: every indicator of
  the region before and after the hypothetical additions (a new centre at a point with places, inclusive
  or not; or places at an existing institution), the sub-regions that change, the fifteen-minute
  coverage before and after and the communities newly covered.
- `GET /api/v1/planning/scenarios/suggestions?region=&n=`: the next n sites by a greedy maximal covering
  of the residents without a place within a fifteen-minute walk (residents estimated: see scenarios.py).

Who: officials and national observers, for regions their grants cover (others 404, like a missing
region); other users 403; anonymous 401. Wrong input answers 422 naming the field.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from tuoyu.core.api import ErrorSchema, FieldError, InputSchema
from tuoyu.regions.models import Region

from . import scenarios
from .scenarios import (
    MAX_ADDITIONS,
    MAX_RADIUS_M,
    MAX_SUGGESTIONS,
    MIN_RADIUS_M,
    AdditionInput,
    Change,
    ScenarioInvalid,
)
from .selectors import covers, may_see_indicators, parse_as_of

router = Router(tags=["planning"])

ERRORS = {401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 422: ErrorSchema}


class AdditionIn(InputSchema):
    places: int = Field(description="Places to add, 1–2000")
    lat: float | None = Field(None, description="A new centre's latitude (CGCS2000/WGS84 degrees)")
    lng: float | None = Field(None, description="A new centre's longitude")
    inclusive: bool = Field(False, description="The new centre is inclusive (普惠)")
    institution: int | None = Field(
        None, description="Instead of a point: an institution operating in the region that gets the places"
    )
    township: str | None = Field(
        None, pattern=r"^\d{12}$", description="The new centre's township; default: the nearest to the point"
    )


class ScenarioIn(InputSchema):
    region: str = Field(pattern=r"^\d{12}$", description="12-digit code of a county, a city or the province")
    date: str | None = Field(None, max_length=10, description="YYYY-MM-DD, not in the future; default today")
    additions: list[AdditionIn] = Field(default_factory=list, max_length=MAX_ADDITIONS)


class ValueSchema(Schema):
    value: float | None
    numerator: float | None
    denominator: float | None
    reason: str | None


class ChangeSchema(Schema):
    key: str
    name: str
    unit: str
    before: ValueSchema | None
    after: ValueSchema | None
    change: float | None = Field(description="after − before, when both have a value")
    target: float | None
    met_before: bool | None
    met_after: bool | None


class RegionChangesSchema(Schema):
    region: str
    region_name: str
    region_level: str
    indicators: list[ChangeSchema] = Field(description="Only the indicators that change")


class AdditionOut(Schema):
    index: int
    places: int
    inclusive: bool
    lat: float | None
    lng: float | None
    township: str
    township_name: str
    institution: int | None
    institution_name: str


class CoverageSchema(Schema):
    covered: int
    total: int = Field(description="Communities with a point")
    value: float | None = Field(description="Percent")


class FifteenMinuteSchema(Schema):
    radius_m: float
    before: CoverageSchema
    after: CoverageSchema


class CommunitySchema(Schema):
    code: str
    name: str
    township_name: str
    lat: float
    lng: float


class ScenarioOut(Schema):
    region: str
    region_name: str
    region_level: str
    date: dt.date
    additions: list[AdditionOut]
    indicators: list[ChangeSchema]
    sub_regions: list[RegionChangesSchema]
    fifteen_minute: FifteenMinuteSchema
    newly_covered: list[CommunitySchema]


class SuggestionFilters(Schema):
    region: str = Field(pattern=r"^\d{12}$", description="12-digit code of a county, a city or the province")
    n: int = Field(5, ge=1, le=MAX_SUGGESTIONS, description="How many sites")
    radius_m: int = Field(1000, ge=MIN_RADIUS_M, le=MAX_RADIUS_M, description="Walk radius, straight line")
    date: str | None = Field(None, max_length=10, description="YYYY-MM-DD, not in the future; default today")


class SiteSchema(Schema):
    rank: int
    code: str = Field(description="The community at whose point the site is")
    name: str
    township_name: str
    lat: float
    lng: float
    communities: int = Field(description="Communities newly within the radius")
    residents: int = Field(description="Estimated residents of those communities")
    covered: list[str]


class SuggestionsOut(Schema):
    region: str
    region_name: str
    date: dt.date
    radius_m: float
    communities: int = Field(description="Communities with a point")
    uncovered_before: int
    uncovered_after: int
    residents_uncovered_before: int
    residents_uncovered_after: int
    residents_note: str
    sites: list[SiteSchema]


def _region(request: HttpRequest, code: str, location: str) -> Region:
    if not may_see_indicators(request.user):
        raise PermissionDenied(_("Planning scenarios are for officials."))
    region = Region.objects.filter(code=code).first()
    if region is None or not covers(request.user, region):
        raise Http404
    if region.level not in scenarios.SCENARIO_LEVELS:
        raise FieldError("region", _("Choose a county, a city or the province."), location=location)
    return region


def _as_of(raw: str | None, location: str) -> dt.date:
    try:
        return parse_as_of(raw)
    except ValueError as exc:
        raise FieldError("date", str(exc), location=location) from None


def _value(v: Any) -> dict[str, Any] | None:
    if v is None:
        return None
    return {
        "value": v.value,
        "numerator": v.numerator,
        "denominator": v.denominator,
        "reason": v.reason or None,
    }


def change_item(change: Change) -> dict[str, Any]:
    return {
        "key": change.key,
        "name": str(change.definition.name),
        "unit": change.definition.unit,
        "before": _value(change.before),
        "after": _value(change.after),
        "change": change.delta,
        "target": change.target.value if change.target is not None else None,
        "met_before": change.met_before,
        "met_after": change.met_after,
    }


@router.post("", response={200: ScenarioOut, 400: ErrorSchema, **ERRORS}, url_name="planning_scenario")
def scenario(request: HttpRequest, payload: ScenarioIn) -> Any:
    """A region's indicators before and after hypothetical additions (nothing is stored)."""
    region = _region(request, payload.region, "body")
    as_of = _as_of(payload.date, "body")
    additions = [
        AdditionInput(
            places=a.places,
            lat=a.lat,
            lng=a.lng,
            inclusive=a.inclusive,
            institution=a.institution,
            township=a.township,
        )
        for a in payload.additions
    ]
    try:
        effect = scenarios.scenario_effect(region, additions, as_of)
    except ScenarioInvalid as exc:
        return Status(
            422,
            {
                "detail": [
                    {"loc": ["body", *p.loc], "msg": p.msg, "type": "value_error"} for p in exc.problems
                ]
            },
        )
    return {
        "region": region.code,
        "region_name": region.name,
        "region_level": region.level,
        "date": as_of,
        "additions": [
            {
                "index": a.index,
                "places": a.places,
                "inclusive": a.inclusive,
                "lat": a.lat,
                "lng": a.lng,
                "township": a.township_code,
                "township_name": a.township_name,
                "institution": a.institution_id,
                "institution_name": a.institution_name,
            }
            for a in effect.additions
        ],
        "indicators": [change_item(c) for c in effect.indicators],
        "sub_regions": [
            {
                "region": r.code,
                "region_name": r.name,
                "region_level": r.level,
                "indicators": [change_item(c) for c in r.changes],
            }
            for r in effect.sub_regions
        ],
        "fifteen_minute": {
            "radius_m": scenarios.fifteen_minute_radius(),
            "before": {
                "covered": effect.coverage_before.covered,
                "total": effect.coverage_before.total,
                "value": effect.coverage_before.percent,
            },
            "after": {
                "covered": effect.coverage_after.covered,
                "total": effect.coverage_after.total,
                "value": effect.coverage_after.percent,
            },
        },
        "newly_covered": [
            {"code": c.code, "name": c.name, "township_name": c.township_name, "lat": c.lat, "lng": c.lng}
            for c in effect.newly_covered
        ],
    }


@router.get(
    "/suggestions", response={200: SuggestionsOut, **ERRORS}, url_name="planning_scenario_suggestions"
)
def suggestions(request: HttpRequest, filters: Query[SuggestionFilters]) -> Any:
    """The next n sites that would bring the most residents within a fifteen-minute walk of a place."""
    region = _region(request, filters.region, "query")
    as_of = _as_of(filters.date, "query")
    result = scenarios.suggest_sites(region, filters.n, radius_m=filters.radius_m, as_of=as_of)
    return {
        "region": region.code,
        "region_name": region.name,
        "date": as_of,
        "radius_m": result.radius_m,
        "communities": result.communities,
        "uncovered_before": result.uncovered_before,
        "uncovered_after": result.uncovered_after,
        "residents_uncovered_before": result.residents_uncovered_before,
        "residents_uncovered_after": result.residents_uncovered_after,
        "residents_note": scenarios.residents_note(),
        "sites": [
            {
                "rank": s.rank,
                "code": s.code,
                "name": s.name,
                "township_name": s.township_name,
                "lat": s.lat,
                "lng": s.lng,
                "communities": s.communities,
                "residents": s.residents,
                "covered": s.covered_codes,
            }
            for s in result.sites
        ],
    }
