"""Institutions API: scoped reads (the filing workflow adds writes here)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from tuoyu.core.api import ErrorSchema, FieldError, InputSchema
from tuoyu.regions.models import Region

from . import services
from .choices import DesignationKind, DesignationLevel, FeeUnit, LegalForm, PremisesTenure, ServiceMode
from .models import Institution
from .rules import ClassKind

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
    id: int
    name: str
    kind: str
    capacity: int
    enrolled: int


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


# --- Keeping the record: the same services the institution end's pages call -----------------------


class RecordPatchIn(InputSchema):
    """Fields of the record a director keeps; omitted fields stay as they are."""

    legal_form: LegalForm | None = None
    legal_representative: str | None = Field(None, max_length=50)
    phone: str | None = Field(None, max_length=20)
    opening_hours: str | None = Field(None, max_length=100)
    service_modes: list[ServiceMode] | None = None
    serves_meals: bool | None = None
    age_min_months: int | None = Field(None, ge=0, le=36)
    age_max_months: int | None = Field(None, ge=0, le=36)
    premises_tenure: PremisesTenure | None = None
    lease_start: date | None = None
    lease_end: date | None = None
    children_rooms_floor: int | None = Field(None, ge=-5, le=100)
    fire_safety_date: date | None = None
    cctv_retention_days: int | None = Field(None, ge=0, le=3650)


class ClassIn(InputSchema):
    name: str = Field(min_length=1, max_length=50)
    kind: ClassKind
    capacity: int = Field(ge=1, le=50)
    enrolled: int = Field(0, ge=0, le=200, description="Children enrolled now (may exceed capacity)")


class FeeIn(InputSchema):
    item: str = Field(min_length=1, max_length=100)
    amount: Decimal = Field(ge=0, max_digits=9, decimal_places=2)
    unit: FeeUnit
    inclusive_price: bool = False


class InsuranceIn(InputSchema):
    insurer: str = Field(min_length=1, max_length=100)
    policy_number: str = Field(min_length=1, max_length=60)
    starts_on: date
    expires_on: date


class DesignationIn(InputSchema):
    kind: DesignationKind
    level: DesignationLevel
    granted_on: date
    granted_by: str = Field(min_length=1, max_length=100)


WRITE_ERRORS = {400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema,
                422: ErrorSchema}  # fmt: skip


def _for_action(request: HttpRequest, institution_id: int, action: str) -> Institution:
    """The institution if the caller may do `action` to it; 404 if they cannot even see it, else 403."""
    visible = get_object_or_404(Institution.objects.for_user(request.user, "view"), pk=institution_id)
    if not Institution.objects.for_user(request.user, action).filter(pk=visible.pk).exists():
        raise PermissionDenied(_("You may see this institution but not do this to it."))
    return visible


@router.patch(
    "/{institution_id}", response={200: InstitutionDetailSchema, **WRITE_ERRORS}, url_name="institution_patch"
)
def institution_patch(request: HttpRequest, institution_id: int, payload: RecordPatchIn) -> Institution:
    """Change the record (director); rule violations answer 422 naming the field."""
    institution = _for_action(request, institution_id, "change")
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    if "service_modes" in changes:
        changes["service_modes"] = [str(m) for m in changes["service_modes"]]
    services.institution_update(actor=request.user, institution=institution, **changes)
    return institution


@router.post(
    "/{institution_id}/classes", response={201: ClassSchema, **WRITE_ERRORS}, url_name="institution_class_add"
)
def institution_class_add(request: HttpRequest, institution_id: int, payload: ClassIn) -> Status[Any]:
    """Add a class; over its type's cap or the filed places answers 422 naming `capacity`."""
    institution = _for_action(request, institution_id, "change")
    klass = services.institution_class_save(actor=request.user, institution=institution, **payload.dict())
    return Status(201, klass)


@router.post(
    "/{institution_id}/fees", response={201: FeeSchema, **WRITE_ERRORS}, url_name="institution_fee_add"
)
def institution_fee_add(request: HttpRequest, institution_id: int, payload: FeeIn) -> Status[Any]:
    institution = _for_action(request, institution_id, "change")
    return Status(201, services.fee_item_save(actor=request.user, institution=institution, **payload.dict()))


@router.post(
    "/{institution_id}/insurance",
    response={201: InsuranceSchema, **WRITE_ERRORS},
    url_name="institution_insurance_add",
)
def institution_insurance_add(request: HttpRequest, institution_id: int, payload: InsuranceIn) -> Status[Any]:
    institution = _for_action(request, institution_id, "change")
    if payload.expires_on <= payload.starts_on:
        raise FieldError("expires_on", _("A policy must expire after it starts."))
    return Status(
        201, services.insurance_policy_save(actor=request.user, institution=institution, **payload.dict())
    )


@router.post(
    "/{institution_id}/designations",
    response={201: DesignationSchema, **WRITE_ERRORS},
    url_name="institution_designation_grant",
)
def institution_designation_grant(
    request: HttpRequest, institution_id: int, payload: DesignationIn
) -> Status[Any]:
    """Grant a designation (officials who review the institution's region)."""
    institution = _for_action(request, institution_id, "review")
    return Status(
        201, services.designation_grant(actor=request.user, institution=institution, **payload.dict())
    )
