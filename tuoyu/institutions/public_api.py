"""Public API: the register of filed institutions, no login needed.

Only ``Institution.objects.publicly_listed()`` (filed and not closed) is ever read here, and only the
fields a parent needs to choose a centre: never the credit code, the legal representative or the
filing paperwork.
"""

from __future__ import annotations

import math

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from tuoyu.core.api import ErrorSchema, FieldError

from . import spatial
from .choices import InstitutionType
from .models import Institution

router = Router(tags=["public"])

WALKING_RADIUS_M = 1000  # the fifteen-minute walk (15-minute childcare circle), straight line


class PublicInstitutionSchema(Schema):
    id: int
    name: str
    type: str
    inclusive: bool
    places: int
    address: str
    county_name: str
    township_name: str
    lat: float | None
    lng: float | None
    age_min_months: int
    age_max_months: int
    service_modes: list[str]
    opening_hours: str
    distance_m: int | None = Field(None, description="Straight-line (haversine) metres from `near`, rounded")


class PublicInstitutionPage(Schema):
    count: int
    items: list[PublicInstitutionSchema]


class PublicPoints(Schema):
    fields: list[str] = Field(description="The meaning of each position in an item")
    # Arrays rather than objects keep the payload small (~4,000 points). Not typed as a tuple:
    # OpenAPI 3.1 `prefixItems` is not understood by every client (schemathesis among them).
    items: list[list[int | float | bool | str]] = Field(description="[id, lat, lng, inclusive, name]")


class PublicFilters(Schema):
    inclusive: bool | None = Field(None, description="Only inclusive (普惠) institutions, or only others")
    type: InstitutionType | None = Field(None, description="Institution type")
    age_months: int | None = Field(
        None, ge=0, le=36, description="Child's age in months: institutions whose age range includes it"
    )


class PublicListFilters(PublicFilters):
    near: str | None = Field(
        None,
        description='"lat,lng" in degrees (WGS84/CGCS2000) within China: sort by distance from it',
        examples=["32.05,118.80"],
    )
    radius_m: int = Field(
        WALKING_RADIUS_M, ge=100, le=50_000, description="With `near`: only within this many metres"
    )
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=10_000_000)


def parse_near(value: str) -> tuple[float, float]:
    """(lat, lng) from "lat,lng", or FieldError naming `near`."""
    parts = value.split(",")
    try:
        if len(parts) != 2:
            raise ValueError
        lat, lng = float(parts[0]), float(parts[1])
    except ValueError:
        raise FieldError(
            "near", _('Give the point as "latitude,longitude" in degrees, e.g. 32.05,118.80.'), "query"
        ) from None
    if not (
        math.isfinite(lat)
        and math.isfinite(lng)
        and spatial.CHINA_LAT[0] <= lat <= spatial.CHINA_LAT[1]
        and spatial.CHINA_LNG[0] <= lng <= spatial.CHINA_LNG[1]
    ):
        raise FieldError("near", _("The point must lie within China (latitude first)."), "query")
    return lat, lng


def _out(institution: Institution, distance: float | None = None) -> PublicInstitutionSchema:
    return PublicInstitutionSchema(
        id=institution.pk,
        name=institution.name,
        type=institution.type,
        inclusive=institution.inclusive,
        places=institution.places,
        address=institution.address,
        county_name=institution.county.name,
        township_name=institution.township.name,
        lat=institution.lat,
        lng=institution.lng,
        age_min_months=institution.age_min_months,
        age_max_months=institution.age_max_months,
        service_modes=list(institution.service_modes or []),
        opening_hours=institution.opening_hours,
        distance_m=None if distance is None else round(distance),
    )


def _filter_args(filters: PublicFilters) -> dict[str, object]:
    return {
        "inclusive": filters.inclusive,
        "type": filters.type.value if filters.type else None,
        "age_months": filters.age_months,
    }


@router.get(
    "/institutions",
    auth=None,
    response={200: PublicInstitutionPage, 422: ErrorSchema},
    url_name="public_institution_list",
    summary="Filed institutions, nearest first",
)
def public_institution_list(request: HttpRequest, filters: Query[PublicListFilters]) -> PublicInstitutionPage:
    """Filed, not closed institutions. With `near`: those within `radius_m`, nearest first, with
    `distance_m`; without: all, ordered by township and name. `count` is the total before paging."""
    args = _filter_args(filters)
    listed = Institution.objects.publicly_listed().select_related("county", "township")
    end = filters.offset + filters.limit
    if filters.near is None:
        queryset = spatial.filter_queryset(listed, **args).order_by("township_id", "name", "id")  # type: ignore[arg-type]
        return PublicInstitutionPage(
            count=queryset.count(), items=[_out(i) for i in queryset[filters.offset : end]]
        )
    lat, lng = parse_near(filters.near)
    found = spatial.nearby_grid(lat, lng, filters.radius_m, spatial.point_filter(**args))  # type: ignore[arg-type]
    page = found[filters.offset : end]
    # Re-read through publicly_listed() and the filters: a row that left the register (or changed)
    # since the grid was built is skipped, never shown.
    by_id = spatial.filter_queryset(listed, **args).in_bulk([pk for _d, pk in page])  # type: ignore[arg-type]
    items = [_out(by_id[pk], d) for d, pk in page if pk in by_id]
    return PublicInstitutionPage(count=len(found), items=items)


@router.get(
    "/institutions/points",
    auth=None,
    response={200: PublicPoints, 422: ErrorSchema},
    url_name="public_institution_points",
    summary="Every filed institution as a map point (compact)",
)
def public_institution_points(
    request: HttpRequest, response: HttpResponse, filters: Query[PublicFilters]
) -> PublicPoints:
    """All filed, not closed institutions with a location, as [id, lat, lng, inclusive, name] arrays,
    for drawing markers. Cached by browsers and proxies for five minutes."""
    queryset = spatial.filter_queryset(
        Institution.objects.publicly_listed().filter(lat__isnull=False, lng__isnull=False),
        **_filter_args(filters),  # type: ignore[arg-type]
    )
    response["Cache-Control"] = "public, max-age=300"
    return PublicPoints(
        fields=["id", "lat", "lng", "inclusive", "name"],
        # lat/lng are never None here (filtered above); the stubs cannot know that.
        items=[
            list(row)  # type: ignore[arg-type]
            for row in queryset.order_by("id").values_list("id", "lat", "lng", "inclusive", "name")
        ],
    )
