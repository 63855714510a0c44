"""Create a draft institution (the first step before its filing).

Attached to the institutions router by core/api.py:register_routers (`attach_to`), so that
`POST /api/v1/institutions` shares its path with the institutions app's `GET` list.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Status

from tuoyu.accounts.choices import Role
from tuoyu.accounts.services import role_assign
from tuoyu.core.api import ErrorSchema, InputSchema
from tuoyu.institutions.api import InstitutionSchema
from tuoyu.institutions.choices import FilingStatus, InstitutionType, LegalForm, OperatingStatus, Ownership
from tuoyu.institutions.models import Institution
from tuoyu.institutions.services import institution_create

from .auth import AUTH


class InstitutionCreateIn(InputSchema):
    name: str = Field(min_length=1, max_length=200)
    uscc: str = Field(max_length=40, description="Unified social credit code (checked: GB 32100-2015)")
    type: InstitutionType
    ownership: Ownership
    legal_form: LegalForm | None = None
    township_code: str = Field(pattern=r"^\d{12}$", description="12-digit code of the township (街道/镇/乡)")
    address: str = Field(min_length=1, max_length=300)
    places: int = Field(0, ge=0, le=2000)
    serves_meals: bool = False
    phone: str = Field("", max_length=20)


def may_create_in(user: Any, township_code: str) -> bool:
    """Officials who review or manage the township, and directors (of any institution)."""
    if any(user.grants(action).covers_code(township_code) for action in ("review", "manage")):
        return True
    return bool(user.has_role(Role.DIRECTOR))


def create_institution_draft(request: HttpRequest, payload: InstitutionCreateIn) -> Status[Institution]:
    """Create a draft institution (not filed, preparing). A bad credit code answers 422 naming `uscc`.

    A creator who is not an official becomes the new institution's director.
    """
    user = request.user
    if not may_create_in(user, payload.township_code):
        raise PermissionDenied(
            _("Only reviewing officials of the township or directors may create institutions.")
        )
    with transaction.atomic():
        institution = institution_create(
            actor=user,
            name=payload.name,
            uscc=payload.uscc,
            type=payload.type,
            ownership=payload.ownership,
            legal_form=payload.legal_form or "",
            township_id=payload.township_code,
            address=payload.address,
            places=payload.places,
            serves_meals=payload.serves_meals,
            phone=payload.phone,
            status=OperatingStatus.PREPARING,
            filing_status=FilingStatus.NOT_FILED,
        )
        if not user.is_official:  # type: ignore[union-attr]
            role_assign(actor=user, user=user, role=Role.DIRECTOR, institution=institution)  # type: ignore[arg-type]
    return Status(201, institution)


def attach_to(router: Router) -> None:
    """Add `POST ""` to the institutions router (two routers on one path would answer 405 to POST)."""
    router.post(
        "",
        auth=AUTH,
        response={
            201: InstitutionSchema,
            400: ErrorSchema,
            401: ErrorSchema,
            403: ErrorSchema,
            409: ErrorSchema,
            422: ErrorSchema,
        },
        url_name="institution_create_draft",
    )(create_institution_draft)
