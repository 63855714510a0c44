"""Statistical reports API (mounted at /api/v1/planning/reports).

- `GET ""`: reports the caller may see (filters: period_kind, period, region, status), newest first.
- `POST ""` `{"region", "period_kind", "period"}`: make the draft of a unit for a period that has ended
  (`2026-10` monthly, `2026` annual); 409 if it exists.
- `GET /{id}`: the report with its tables, history, missing units below and the caller's actions.
- `POST /{id}/submit|approve|accept|return|lock` `{"reason"}`: one step (services_reports.py; `return`
  needs a reason). 409 when the report's state does not allow it (submitting twice).
- `GET /{id}/national`: the province's signed-off report in the national format (docs/national_export.md).

Who: officials and national observers (other users 403; anonymous 401); reports of regions outside
the caller's grants answer 404; a visible report the caller may not act on, 403.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from tuoyu.core.api import Conflict, ErrorSchema, FieldError, InputSchema
from tuoyu.core.scoping import grants_for
from tuoyu.regions.models import Region

from . import services_reports as services
from .choices import ReportPeriodKind, ReportStatus
from .exports_reports import national_export
from .models import StatReport
from .selectors_reports import may_see_reports, period_bounds, report_tables

router = Router(tags=["planning reports"])

ERRORS: dict[int, Any] = {
    400: ErrorSchema,
    401: ErrorSchema,
    403: ErrorSchema,
    404: ErrorSchema,
    409: ErrorSchema,
    422: ErrorSchema,
}
ReportId = Annotated[int, Path(ge=1, le=2_147_483_647)]


class ReportTransitionSchema(Schema):
    action: str
    from_status: ReportStatus
    to_status: ReportStatus
    actor: str | None
    at: dt.datetime
    reason: str


class CellSchema(Schema):
    region: str
    value: float | None
    numerator: float | None
    denominator: float | None
    reason: str | None = Field(description="Why value is null (no_source, no_records, no_population, empty)")
    target: str | None = Field(description="Plan indicators: the target as written at capture")
    met: bool | None


class ReportRowSchema(Schema):
    key: str
    name: str = Field(description="指标名称 (the form's Chinese wording)")
    label: str
    unit: str = Field(description="计量单位")
    value: CellSchema | None = Field(description="本期数: the reporting unit's figure")
    by_region: list[CellSchema] = Field(description="The figures of the units below (cities and province)")


class TableSchema(Schema):
    code: str
    number: str
    title: str
    rows: list[ReportRowSchema]


class UnitSchema(Schema):
    code: str
    name: str


class ReportListItem(Schema):
    id: int
    region: str
    region_name: str
    region_level: str
    period_kind: ReportPeriodKind
    period: str
    period_start: dt.date
    period_end: dt.date
    status: ReportStatus
    submitted_at: dt.datetime | None
    submitted_by: str | None
    reviewed_at: dt.datetime | None
    locked_at: dt.datetime | None


class ReportSchema(ReportListItem):
    generated_at: dt.datetime | None = Field(description="When the figures were captured from the data")
    return_reason: str
    actions: list[str] = Field(
        description="What the caller may do now: submit, approve, accept, return, lock"
    )
    missing: list[UnitSchema] = Field(description="Units below whose report is not signed off yet")
    tables: list[TableSchema]
    transitions: list[ReportTransitionSchema]


class ReportPage(Schema):
    count: int
    items: list[ReportListItem]


class ReportFilters(Schema):
    period_kind: ReportPeriodKind | None = None
    period: str | None = Field(None, max_length=7, description="2026-10 (monthly) or 2026 (annual)")
    region: str | None = Field(None, pattern=r"^\d{12}$", description="Reports of this unit and below")
    status: ReportStatus | None = None
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=10_000_000)


class ReportCreateIn(InputSchema):
    region: str = Field(pattern=r"^\d{12}$", description="The reporting unit: a county, city or province")
    period_kind: ReportPeriodKind
    period: str = Field(max_length=7, description="2026-10 (monthly) or 2026 (annual); it must have ended")


class ReportReasonIn(InputSchema):
    reason: str = Field("", max_length=4000)


def _check_official(request: HttpRequest) -> None:
    if not may_see_reports(request.user):
        raise PermissionDenied(_("Statistical reports are for officials."))


def _get(request: HttpRequest, report_id: int) -> StatReport:
    _check_official(request)
    return get_object_or_404(
        StatReport.objects.for_user(request.user, "view").select_related(
            "region", "submitted_by", "reviewed_by", "locked_by"
        ),
        pk=report_id,
    )


def _username(user: Any) -> str | None:
    return user.get_username() if user is not None else None


def _item(report: StatReport) -> dict[str, Any]:
    return {
        "id": report.pk,
        "region": report.region_id,
        "region_name": report.region.name,
        "region_level": report.region.level,
        "period_kind": report.period_kind,
        "period": report.period_label,
        "period_start": report.period_start,
        "period_end": report.period_end,
        "status": report.status,
        "submitted_at": report.submitted_at,
        "submitted_by": _username(report.submitted_by),
        "reviewed_at": report.reviewed_at,
        "locked_at": report.locked_at,
    }


def _cell(cell: Any) -> dict[str, Any] | None:
    if cell is None:
        return None
    return {
        "region": cell.region_id,
        "value": cell.value,
        "numerator": cell.numerator,
        "denominator": cell.denominator,
        "reason": cell.reason or None,
        "target": cell.target or None,
        "met": cell.met,
    }


def _report_out(request: HttpRequest, report: StatReport) -> dict[str, Any]:
    tables = [
        {
            "code": view.table.code,
            "number": view.table.number,
            "title": view.table.title,
            "rows": [
                {
                    "key": line.row.key,
                    "name": line.row.name,
                    "label": str(line.row.label),
                    "unit": line.row.unit,
                    "value": _cell(line.own),
                    "by_region": [c for c in (_cell(x) for x in line.by_region) if c is not None],
                }
                for line in view.rows
            ],
        }
        for view in report_tables(report)
    ]
    missing = services.missing_below(report) if report.status == ReportStatus.DRAFT else []
    return {
        **_item(report),
        "generated_at": report.generated_at,
        "return_reason": report.return_reason,
        "actions": services.allowed_actions(request.user, report),
        "missing": [{"code": r.code, "name": r.name} for r in missing],
        "tables": tables,
        "transitions": [
            {
                "action": t.action,
                "from_status": t.from_status,
                "to_status": t.to_status,
                "actor": _username(t.actor),
                "at": t.at,
                "reason": t.reason,
            }
            for t in report.transitions.select_related("actor")
        ],
    }


@router.get("", response={200: ReportPage, **ERRORS}, url_name="report_list")
def report_list(request: HttpRequest, filters: Query[ReportFilters]) -> dict[str, Any]:
    """Reports of the regions the caller may see, newest period first."""
    _check_official(request)
    queryset = StatReport.objects.for_user(request.user, "view")
    if filters.period:
        if filters.period_kind is None:
            raise FieldError(
                "period_kind", _("Say whether the period is monthly or annual."), location="query"
            )
        try:
            start, _end = period_bounds(filters.period_kind, filters.period)
        except ValueError as exc:
            raise FieldError("period", str(exc), location="query") from None
        queryset = queryset.filter(period_start=start)
    if filters.period_kind:
        queryset = queryset.filter(period_kind=filters.period_kind)
    if filters.region:
        region = Region.objects.filter(code=filters.region).first()
        if region is None:
            raise Http404
        lo, hi = region.subtree_bounds()
        queryset = queryset.filter(region_id__gte=lo, region_id__lte=hi)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    count = queryset.count()
    rows = queryset.select_related("region", "submitted_by").order_by(
        "-period_start", "period_kind", "region_id"
    )
    return {
        "count": count,
        "items": [_item(r) for r in rows[filters.offset : filters.offset + filters.limit]],
    }


@router.post("", response={201: ReportSchema, **ERRORS}, url_name="report_create")
def report_create(request: HttpRequest, payload: ReportCreateIn) -> Status[dict[str, Any]]:
    """Make the draft report of a unit (county, city, province) for a period that has ended."""
    _check_official(request)
    region = Region.objects.filter(code=payload.region).first()
    if region is None or not grants_for(request.user, "view").covers_code(region.code):
        raise Http404
    try:
        start, end = period_bounds(payload.period_kind, payload.period)
    except ValueError as exc:
        raise FieldError("period", str(exc)) from None
    report = services.stat_report_create(
        actor=request.user, region=region, period_kind=payload.period_kind, period_start=start, period_end=end
    )
    return Status(201, _report_out(request, report))


@router.get("/{report_id}", response={200: ReportSchema, **ERRORS}, url_name="report_detail")
def report_detail(request: HttpRequest, report_id: ReportId) -> dict[str, Any]:
    """One report: its tables (the stored figures), history, and what the caller may do."""
    return _report_out(request, _get(request, report_id))


def _transition(request: HttpRequest, report_id: int, action: str, reason: str) -> dict[str, Any]:
    report = services.stat_report_transition(
        actor=request.user, report=_get(request, report_id), action=action, reason=reason
    )
    return _report_out(request, report)


@router.post("/{report_id}/submit", response={200: ReportSchema, **ERRORS}, url_name="report_submit")
def report_submit(request: HttpRequest, report_id: ReportId, payload: ReportReasonIn) -> dict[str, Any]:
    """Capture the figures now and send the draft up; 409 if it is not a draft or units below are missing."""
    return _transition(request, report_id, "submit", payload.reason)


@router.post("/{report_id}/approve", response={200: ReportSchema, **ERRORS}, url_name="report_approve")
def report_approve(request: HttpRequest, report_id: ReportId, payload: ReportReasonIn) -> dict[str, Any]:
    """The city approves a county's submitted report."""
    return _transition(request, report_id, "approve", payload.reason)


@router.post("/{report_id}/accept", response={200: ReportSchema, **ERRORS}, url_name="report_accept")
def report_accept(request: HttpRequest, report_id: ReportId, payload: ReportReasonIn) -> dict[str, Any]:
    """The province accepts a city's submitted report, or its own."""
    return _transition(request, report_id, "accept", payload.reason)


@router.post("/{report_id}/return", response={200: ReportSchema, **ERRORS}, url_name="report_return")
def report_return(request: HttpRequest, report_id: ReportId, payload: ReportReasonIn) -> dict[str, Any]:
    """Send a report back for correction; `reason` is required (422 without it)."""
    return _transition(request, report_id, "return", payload.reason)


@router.post("/{report_id}/lock", response={200: ReportSchema, **ERRORS}, url_name="report_lock")
def report_lock(request: HttpRequest, report_id: ReportId, payload: ReportReasonIn) -> dict[str, Any]:
    """The province locks a signed-off report and the signed-off reports it consolidated."""
    return _transition(request, report_id, "lock", payload.reason)


@router.get("/{report_id}/national", response={200: dict[str, Any], **ERRORS}, url_name="report_national")
def report_national(request: HttpRequest, report_id: ReportId) -> dict[str, Any]:
    """The province's accepted or locked report in the national format (docs/national_export.md); 409
    for another report or one not signed off yet."""
    report = _get(request, report_id)
    check_national(report)
    return national_export(report)


def check_national(report: StatReport) -> None:
    if report.region.level != "province" or report.status not in (ReportStatus.ACCEPTED, ReportStatus.LOCKED):
        raise Conflict(_("Only the province's accepted or locked report is exported for the national level."))
