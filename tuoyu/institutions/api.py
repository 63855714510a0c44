"""Institutions API: scoped reads (the filing workflow adds writes here)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from tuoyu.core.api import ErrorSchema
from tuoyu.regions.models import Region

from .models import Institution

router = Router(tags=["institutions"])


class InstitutionSchema(Schema):
    id: int
    name: str
    uscc: str
    type: str
    ownership: str
    inclusive: bool
    places: int
    status: str
    filing_status: str
    address: str
    township_code: str = Field(alias="township_id")
    county_code: str = Field(alias="county_id")
    city_code: str = Field(alias="city_id")
    lat: float | None
    lng: float | None


class ClassSchema(Schema):
    name: str
    kind: str
    capacity: int


class FeeSchema(Schema):
    item: str
    amount: str
    unit: str
    inclusive_price: bool

    @staticmethod
    def resolve_amount(obj: Any) -> str:
        return str(obj.amount)


class InsuranceSchema(Schema):
    insurer: str
    policy_number: str
    starts_on: date
    expires_on: date
    valid_today: bool


class DesignationSchema(Schema):
    kind: str
    level: str
    granted_on: date
    granted_by: str
    revoked_on: date | None


class InstitutionDetailSchema(InstitutionSchema):
    legal_form: str
    legal_representative: str
    service_modes: list[str]
    serves_meals: bool
    opening_hours: str
    age_min_months: int
    age_max_months: int
    premises_tenure: str
    lease_start: date | None
    lease_end: date | None
    children_rooms_floor: int | None
    fire_safety_date: date | None
    cctv_retention_days: int | None
    classes: list[ClassSchema]
    fees: list[FeeSchema]
    insurance_policies: list[InsuranceSchema]
    designations: list[DesignationSchema]

    @staticmethod
    def resolve_classes(obj: Any) -> list[Any]:
        return list(obj.classes.all())

    @staticmethod
    def resolve_fees(obj: Any) -> list[Any]:
        return list(obj.fees.all())

    @staticmethod
    def resolve_insurance_policies(obj: Any) -> list[Any]:
        return list(obj.insurance_policies.all())

    @staticmethod
    def resolve_designations(obj: Any) -> list[Any]:
        return list(obj.designations.all())


class InstitutionPage(Schema):
    count: int
    items: list[InstitutionSchema]


class InstitutionFilters(Schema):
    region: str | None = Field(
        None,
        pattern=r"^\d{12}$",
        description="12-digit division code: only institutions in this region and below",
    )
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=10_000_000)


@router.get(
    "",
    response={200: InstitutionPage, 401: ErrorSchema, 404: ErrorSchema, 422: ErrorSchema},
    url_name="institution_list",
)
def institution_list(request: HttpRequest, filters: Query[InstitutionFilters]) -> InstitutionPage:
    """Institutions the caller may see, optionally within a region, ordered by id."""
    queryset = Institution.objects.for_user(request.user, "view")
    if filters.region:
        region = Region.objects.filter(code=filters.region).first()
        if region is None:
            raise HttpError(404, _("Unknown region code {code}.").format(code=filters.region))
        lo, hi = region.subtree_bounds()
        queryset = queryset.filter(township_id__gte=lo, township_id__lte=hi)
    count = queryset.count()
    items = list(queryset.order_by("id")[filters.offset : filters.offset + filters.limit])
    return InstitutionPage(count=count, items=items)  # type: ignore[arg-type]


@router.get(
    "/{institution_id}",
    response={200: InstitutionDetailSchema, 401: ErrorSchema, 404: ErrorSchema, 422: ErrorSchema},
    url_name="institution_detail",
)
def institution_detail(request: HttpRequest, institution_id: int) -> Institution:
    """One institution; outside the caller's scope it answers 404 like a missing one."""
    queryset = Institution.objects.for_user(request.user, "view").prefetch_related(
        "classes", "fees", "insurance_policies", "designations"
    )
    return get_object_or_404(queryset, pk=institution_id)
