"""Credit API (mounted at /api/v1/credit): an institution's standing with its records and tier
changes, the standings by tier and region, and revoking a record.

Objects come through `for_user` (404 outside the caller's scope); revoking needs "manage" over the
institution's region (403 otherwise). Tiers follow the project's own rule (credit/rules.py), not an
official one. Names of responsible persons are returned to officials only.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema

from tuoyu.core.api import ErrorSchema, FieldError, InputSchema
from tuoyu.institutions.models import Institution

from . import selectors, services
from .models import CreditRecord, CreditStanding, CreditTierChange, Tier

router = Router(tags=["credit"])

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


class CreditRecordOut(Schema):
    id: int
    institution_id: int
    source: str
    severity: str
    source_ref: str
    points: int
    reason: str
    occurred_on: date
    person_name: str = Field(description="Officials only (empty for others)")
    status: str = Field(description="counting, expired or revoked")
    revoked_at: datetime | None
    revoked_reason: str


class CreditTierChangeOut(Schema):
    id: int
    from_tier: str
    to_tier: str
    from_score: int
    score: int
    overridden: bool
    as_of: date
    changed_at: datetime
    causes: list[int] = Field(description="Ids of the records that caused the change")


class CreditStandingOut(Schema):
    institution_id: int
    institution_name: str
    tier: str | None
    score: int | None
    as_of: date | None
    tier_since: datetime | None
    override_until: date | None
    rule: str
    records: list[CreditRecordOut]
    changes: list[CreditTierChangeOut]


class CreditStandingItemOut(Schema):
    institution_id: int
    institution_name: str
    county_code: str | None
    tier: str
    score: int
    tier_since: datetime
    override_until: date | None


class CreditStandingPage(Schema):
    count: int
    items: list[CreditStandingItemOut]


class CreditStandingFilters(Schema):
    tier: Tier | None = None
    region: str | None = Field(None, pattern=r"^\d{12}$", description="A region code: its subtree")
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=10_000_000)


class CreditRevokeIn(InputSchema):
    reason: str = Field("", max_length=300, description="Required: why the record is revoked")


def _record_item(record: CreditRecord, status: str, show_person: bool) -> dict[str, Any]:
    return {
        "id": record.pk,
        "institution_id": record.institution_id,
        "source": record.source,
        "severity": record.severity,
        "source_ref": record.source_ref,
        "points": record.points,
        "reason": record.reason,
        "occurred_on": record.occurred_on,
        "person_name": record.person_name if show_person else "",
        "status": status,
        "revoked_at": record.revoked_at,
        "revoked_reason": record.revoked_reason,
    }


def _change_item(change: CreditTierChange) -> dict[str, Any]:
    return {
        "id": change.pk,
        "from_tier": change.from_tier,
        "to_tier": change.to_tier,
        "from_score": change.from_score,
        "score": change.score,
        "overridden": change.overridden,
        "as_of": change.as_of,
        "changed_at": change.changed_at,
        "causes": [r.pk for r in change.causes.all()],
    }


@router.get(
    "/institutions/{institution_id}",
    response={200: CreditStandingOut, **READ_ERRORS},
    url_name="credit_institution",
)
def institution_standing(
    request: HttpRequest, institution_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    """An institution's tier and score with every record (counting, expired, revoked) and every tier
    change with the ids of the records that caused it. Officials in scope and the institution's staff."""
    institution = get_object_or_404(Institution.objects.for_user(request.user, "view"), pk=institution_id)
    context = selectors.institution_credit(institution)
    standing: CreditStanding | None = context["standing"]
    show_person = bool(getattr(request.user, "is_official", False))
    records = (
        [_record_item(r, "counting", show_person) for r in context["counting"]]
        + [_record_item(r, "expired", show_person) for r in context["expired"]]
        + [_record_item(r, "revoked", show_person) for r in context["revoked"]]
    )
    return {
        "institution_id": institution.pk,
        "institution_name": institution.name,
        "tier": standing.tier if standing else None,
        "score": standing.score if standing else None,
        "as_of": standing.as_of if standing else None,
        "tier_since": standing.tier_since if standing else None,
        "override_until": standing.override_until if standing else None,
        "rule": context["rule"].source,
        "records": records,
        "changes": [_change_item(c) for c in context["changes"]],
    }


@router.get("/standings", response={200: CreditStandingPage, **READ_ERRORS}, url_name="credit_standings")
def standing_list(request: HttpRequest, filters: Query[CreditStandingFilters]) -> dict[str, Any]:
    """Standings in the caller's scope, optionally of one tier and under one region, worst first."""
    from tuoyu.regions.models import Region

    region = None
    if filters.region:
        region = Region.objects.filter(code=filters.region).first()
        if region is None:
            raise FieldError("region", _("No such region."), location="query")
    tiers: list[str] = [str(filters.tier)] if filters.tier else ["A", "B", "C", "D"]
    queryset = selectors.standings_in_scope(request.user, tiers, region)
    count = queryset.count()
    rows = queryset[filters.offset : filters.offset + filters.limit]
    return {
        "count": count,
        "items": [
            {
                "institution_id": s.institution_id,
                "institution_name": s.institution.name,
                "county_code": s.institution.county_id,
                "tier": s.tier,
                "score": s.score,
                "tier_since": s.tier_since,
                "override_until": s.override_until,
            }
            for s in rows
        ],
    }


@router.post(
    "/records/{record_id}/revoke",
    response={200: CreditRecordOut, **WRITE_ERRORS},
    url_name="credit_record_revoke",
)
def record_revoke(
    request: HttpRequest, payload: CreditRevokeIn, record_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    """Revoke a record with a reason (officials who manage the region; 409 if already revoked). The
    institution's tier is recomputed at once."""
    record = get_object_or_404(
        CreditRecord.objects.for_user(request.user, "view").select_related("institution"), pk=record_id
    )
    revoked = services.credit_record_revoke(actor=request.user, record=record, reason=payload.reason)
    return _record_item(revoked, "revoked", bool(getattr(request.user, "is_official", False)))
