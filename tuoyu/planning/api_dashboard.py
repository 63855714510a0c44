"""Planning dashboard API (mounted at /api/v1/planning/dashboard): the data of the dashboard's map.

`GET /api/v1/planning/dashboard/map?region=<code>&indicator=<key>&date=YYYY-MM-DD`: a GeoJSON
FeatureCollection of the region's sub-regions with the indicator's value (cities and counties as
polygons — a city is the union of its counties —, townships as points since there are no township
boundaries), plus, for a county or a township, its institutions operating on the date as points.
Values come from the latest snapshot on or before the date (`date` in the answer), or are computed
once for the region when it has none (`source: computed`).

Who: officials and national observers, for regions their grants cover (others 404, like a missing
region); other users 403; anonymous 401. Institutions are those the user may see.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from tuoyu.core.api import ErrorSchema, FieldError
from tuoyu.institutions.models import Institution
from tuoyu.regions.models import Region

from .dashboard import indicator_choices, map_layer
from .selectors import INDICATOR_LEVELS, covers, may_see_indicators, parse_as_of

router = Router(tags=["planning dashboard"])


class MapFilters(Schema):
    region: str = Field(pattern=r"^\d{12}$", description="12-digit division code (province to township)")
    indicator: str | None = Field(
        None, max_length=40, description="Indicator key (default places_per_1000); see /api/v1/indicators"
    )
    date: str | None = Field(None, max_length=10, description="YYYY-MM-DD, not in the future; default today")


class FeatureSchema(Schema):
    type: str
    geometry: dict[str, Any] | None = Field(description="GeoJSON geometry (lng, lat); null without one")
    properties: dict[str, Any] = Field(
        description="kind region: code, name, level, value, display, met, places, inclusive_places, "
        "has_inclusive (townships), href; kind institution: id, name, places, inclusive, href"
    )


class MapOut(Schema):
    type: str = "FeatureCollection"
    region: str
    region_name: str
    child_level: str | None = Field(description="Level of the sub-regions shown; null for a township")
    indicator: str
    indicator_name: str
    unit: str
    date: dt.date = Field(description="Date of the figures (the snapshot used)")
    source: str = Field(description="snapshot, or computed (no snapshot of the region: not stored)")
    target: float | None
    comparison: str | None
    features: list[FeatureSchema]


@router.get(
    "/map",
    response={200: MapOut, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 422: ErrorSchema},
    url_name="planning_dashboard_map",
)
def dashboard_map(request: HttpRequest, filters: Query[MapFilters]) -> dict[str, Any]:
    """The sub-regions of a region coloured by an indicator, and its institutions (county, township)."""
    if not may_see_indicators(request.user):
        raise PermissionDenied(_("Plan indicators are for officials."))
    try:
        requested = parse_as_of(filters.date)
    except ValueError as exc:
        raise FieldError("date", str(exc), location="query") from None
    region = Region.objects.filter(code=filters.region).first()
    if region is None or not covers(request.user, region):
        raise Http404
    if region.level not in INDICATOR_LEVELS:
        raise FieldError("region", _("Indicators are computed down to township level."), location="query")
    choices = {d.key: d for d in indicator_choices(region.level)}
    key = filters.indicator or "places_per_1000"
    if key not in choices:
        raise FieldError("indicator", _("Unknown indicator for this level."), location="query")
    base = reverse("planning:dashboard")

    def link(code: str) -> str:
        query = {"region": code, "indicator": key}
        if filters.date:
            query["date"] = requested.isoformat()
        return f"{base}?{urlencode(query)}"

    layer = map_layer(
        region, requested, choices[key], Institution.objects.for_user(request.user, "view"), link
    )
    for feature in layer.features:
        properties = feature["properties"]
        if properties["kind"] == "institution":
            properties["href"] = reverse("portal:gov_institution", args=[properties["id"]])
    return {
        "type": "FeatureCollection",
        "region": region.code,
        "region_name": region.name,
        "child_level": layer.child_level,
        "indicator": key,
        "indicator_name": str(layer.indicator.name),
        "unit": layer.indicator.unit,
        "date": layer.as_of,
        "source": layer.source,
        "target": layer.target.value if layer.target is not None else None,
        "comparison": layer.target.comparison if layer.target is not None else None,
        "features": layer.features,
    }
