"""Regions API. Division codes and population are public reference data, readable without login."""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Path, Router, Schema

from tuoyu.core.api import ErrorSchema

from .models import Region
from .selectors import population_for

router = Router(tags=["regions"])

# A 12-digit statistical division code; anything else answers 422 before reaching the database.
RegionCode = Annotated[str, Path(pattern=r"^\d{12}$")]


class RegionSchema(Schema):
    code: str
    name: str
    level: str
    kind: str
    parent_code: str | None
    population: int | None
    lat: float | None
    lng: float | None


def _out(regions: list[Region]) -> list[RegionSchema]:
    populations = population_for(regions)
    return [
        RegionSchema(
            code=r.code,
            name=r.name,
            level=r.level,
            kind=r.kind,
            parent_code=r.parent_id,
            population=populations.get(r.code),
            lat=r.lat,
            lng=r.lng,
        )
        for r in regions
    ]


@router.get("/boundaries", auth=None, url_name="region_boundaries", summary="County boundaries (GeoJSON)")
def boundaries(request: HttpRequest) -> HttpResponse:
    """Simplified county boundaries for maps. The file is replaceable (a licensed file with a 审图号)."""
    from .geo import get_boundaries

    response = HttpResponse(get_boundaries().geojson_text(), content_type="application/geo+json")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@router.get(
    "/{code}",
    auth=None,
    response={200: RegionSchema, 404: ErrorSchema, 422: ErrorSchema},
    url_name="region_detail",
)
def region_detail(request: HttpRequest, code: RegionCode) -> RegionSchema:
    region = get_object_or_404(Region, code=code)
    return _out([region])[0]


@router.get(
    "/{code}/children",
    auth=None,
    response={200: list[RegionSchema], 404: ErrorSchema, 422: ErrorSchema},
    url_name="region_children",
)
def region_children(request: HttpRequest, code: RegionCode) -> list[RegionSchema]:
    region = get_object_or_404(Region, code=code)
    return _out(list(region.children.order_by("code")))
