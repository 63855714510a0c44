"""Workforce statistics API (mounted at /api/v1/workforce): the figures of the statistics page as JSON.

Officials only (403 for institution staff and parents); a region outside the caller's grants or an
unknown one answers 404; a malformed code 422. Definitions: `statistics.py`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from tuoyu.core.api import ErrorSchema

from .statistics import Figures, WorkforceStatistics, workforce_statistics
from .views_statistics import statistics_region

router = Router(tags=["workforce statistics"])


class FiguresSchema(Schema):
    staff: int = Field(description="Current staff (open jobs)")
    by_role: dict[str, int] = Field(description="Current staff by role (head, caregiver, ...)")
    caregivers: int
    institutions: int = Field(description="Institutions with current staff")
    certified: int
    certified_base: int = Field(description="Staff in roles with a certification rule")
    certified_share: float | None = Field(description="Percent, one decimal; null without such staff")
    trained: int = Field(description="Heads and caregivers whose training hours are met")
    trained_base: int
    trained_share: float | None
    documents_expired: int
    documents_expiring: int = Field(description="Valid today, none valid after 30 days")
    checks_overdue: int
    checks_due: int = Field(description="Annual background check due within 30 days")


class RowSchema(Schema):
    name: str
    code: str | None = Field(description="The child region's code (null for an institution row)")
    institution_id: int | None
    training_bases: int | None = Field(description="Active training bases serving this city or county")
    figures: FiguresSchema


class RegionRefSchema(Schema):
    code: str
    name: str
    level: str


class PlanSchema(Schema):
    indicator: str
    unit: str
    baseline: int
    baseline_year: int
    target: int
    target_text: str
    target_year: int
    source: str


class BaseCoverageSchema(Schema):
    covered: int
    units: int
    share: float | None


class StatisticsSchema(Schema):
    region: RegionRefSchema
    as_of: date
    rows_are_institutions: bool
    rows: list[RowSchema]
    totals: FiguresSchema
    training_base_coverage: BaseCoverageSchema
    plan: PlanSchema | None = Field(description="The province plan's baseline and target (province only)")


class StatisticsFilters(Schema):
    region: str | None = Field(
        None, pattern=r"^\d{12}$", description="12-digit division code; default: your own region"
    )


def _figures(f: Figures) -> dict[str, Any]:
    return f.as_dict()


def statistics_payload(stats: WorkforceStatistics) -> dict[str, Any]:
    plan = stats.plan
    return {
        "region": {"code": stats.region.code, "name": stats.region.name, "level": stats.region.level},
        "as_of": stats.today,
        "rows_are_institutions": stats.rows_are_institutions,
        "rows": [
            {
                "name": row.name,
                "code": row.code,
                "institution_id": row.institution_id,
                "training_bases": row.training_bases,
                "figures": _figures(row.figures),
            }
            for row in stats.rows
        ],
        "totals": _figures(stats.totals),
        "training_base_coverage": {
            "covered": stats.base_coverage.covered,
            "units": stats.base_coverage.units,
            "share": stats.base_coverage.share,
        },
        "plan": None if plan is None else {name: getattr(plan, name) for name in PlanSchema.model_fields},
    }


@router.get(
    "/statistics",
    response={200: StatisticsSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 422: ErrorSchema},
    url_name="workforce_statistics",
)
def statistics(request: HttpRequest, filters: Query[StatisticsFilters]) -> dict[str, Any]:
    """Workforce of a region per child region (per institution in a township): staff by role,
    certified and trained shares, expired and expiring documents, overdue checks, and totals."""
    region = statistics_region(request.user, filters.region)
    return statistics_payload(workforce_statistics(request.user, region))
