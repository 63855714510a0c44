"""Plan indicators API (mounted at /api/v1/indicators).

`GET /api/v1/indicators?region=<code>&date=YYYY-MM-DD`: the region's indicators as of the date (today by
default) against the plan's targets: from the date's snapshot when there is one, else computed for the
region's subtree on the fly (nothing is stored). An indicator without data has `value: null` and a
`reason`, never an invented number.

Who: officials and national observers, for regions their grants cover (others 404, like a missing
region); other users 403; anonymous 401.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from tuoyu.core.api import ErrorSchema, FieldError
from tuoyu.regions.models import Region

from .selectors import (
    INDICATOR_LEVELS,
    IndicatorRow,
    covers,
    may_see_indicators,
    parse_as_of,
    region_indicators,
)

router = Router(tags=["planning"])


class IndicatorFilters(Schema):
    region: str = Field(pattern=r"^\d{12}$", description="12-digit division code (province to township)")
    date: str | None = Field(None, max_length=10, description="YYYY-MM-DD, not in the future; default today")


class TargetSchema(Schema):
    value: float
    comparison: str = Field(description="ge (≥), gt (>), le (≤) or about (左右, met from 95 %)")
    text: str = Field(description="The target as the plan writes it")
    period: str
    source: str


class IndicatorSchema(Schema):
    key: str
    name: str
    official_name: str
    value: float | None
    unit: str
    numerator: float | None
    denominator: float | None
    target: TargetSchema | None
    met: bool | None
    reason: str | None = Field(description="Why value is null (no_source, no_records, no_population, empty)")
    reason_text: str | None
    excluded: int | None = Field(description="Units left out for lack of data (communities without a point)")


class IndicatorsOut(Schema):
    region: str
    region_name: str
    region_level: str
    date: dt.date
    source: str = Field(description="snapshot (stored) or computed (on the fly, not stored)")
    computed_at: dt.datetime | None
    indicators: list[IndicatorSchema]


def _item(row: IndicatorRow) -> dict[str, Any]:
    target = row.target
    return {
        "key": row.key,
        "name": str(row.definition.name),
        "official_name": row.definition.official_name,
        "value": row.value,
        "unit": row.definition.unit,
        "numerator": row.numerator,
        "denominator": row.denominator,
        "target": {
            "value": target.value,
            "comparison": target.comparison,
            "text": target.text,
            "period": target.period,
            "source": target.source,
        }
        if target is not None
        else None,
        "met": row.met,
        "reason": row.reason or None,
        "reason_text": row.reason_text or None,
        "excluded": row.excluded,
    }


@router.get(
    "",
    response={200: IndicatorsOut, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 422: ErrorSchema},
    url_name="indicators",
)
def indicators(request: HttpRequest, filters: Query[IndicatorFilters]) -> dict[str, Any]:
    """A region's plan indicators as of a date, with targets; 404 for a region outside your grants."""
    if not may_see_indicators(request.user):
        raise PermissionDenied(_("Plan indicators are for officials."))
    try:
        as_of = parse_as_of(filters.date)
    except ValueError as exc:
        raise FieldError("date", str(exc), location="query") from None
    region = Region.objects.filter(code=filters.region).first()
    if region is None or not covers(request.user, region):
        raise Http404
    if region.level not in INDICATOR_LEVELS:
        raise FieldError("region", _("Indicators are computed down to township level."), location="query")
    result = region_indicators(region, as_of)
    return {
        "region": region.code,
        "region_name": region.name,
        "region_level": region.level,
        "date": as_of,
        "source": result.source,
        "computed_at": result.computed_at,
        "indicators": [_item(row) for row in result.rows],
    }
