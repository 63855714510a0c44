"""Health API (mounted at /api/v1/health): morning/noon checks, vaccine doses and the schedule of a
child, township symptom-cluster alerts, and the daily counts.

Out of scope answers 404; visible but not allowed 403; bad input 422 naming the field; a duplicate
check or dose 409. Viewing one child's records is audited.
"""

from __future__ import annotations

import datetime as dt
import re
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from tuoyu.children.models import child_for_user
from tuoyu.core.api import ErrorSchema, FieldError, InputSchema
from tuoyu.core.audit import audit_view
from tuoyu.core.scoping import grants_for
from tuoyu.institutions.models import Institution, InstitutionClass
from tuoyu.regions.models import Region

from . import services
from .choices import DoseSource, Finding, Mood, Outcome, Session, Symptom, Vaccine
from .models import HealthCheck, SymptomClusterAlert, VaccineDose
from .selectors import child_schedule
from .statistics import DailyCounts, DailyFigures, institution_daily_counts, region_daily_counts

router = Router(tags=["health"])

MAX_ID = 2**31 - 1
ERRORS = {
    400: ErrorSchema,
    401: ErrorSchema,
    403: ErrorSchema,
    404: ErrorSchema,
    409: ErrorSchema,
    422: ErrorSchema,
}


# --- checks -------------------------------------------------------------------------------------------


class HealthCheckIn(InputSchema):
    child_id: int = Field(ge=1, le=MAX_ID)
    session: Session = Session.MORNING
    day: date | None = Field(None, description="Default today")
    temperature: Decimal | None = Field(None, ge=34, le=43, description="°C, one decimal")
    mouth: Finding = Finding.NORMAL
    hands: Finding = Finding.NORMAL
    skin: Finding = Finding.NORMAL
    mood: Mood = Mood.GOOD
    symptoms: list[Symptom] = Field(default_factory=list, max_length=len(Symptom.values))
    notes: str = Field("", max_length=300)
    outcome: Outcome | None = Field(None, description="Ignored when the rules keep the child out")


class HealthCheckSchema(Schema):
    id: int
    child_id: int
    child_name: str
    class_id: int | None
    day: date
    session: str
    temperature: Decimal | None
    mouth: str
    hands: str
    skin: str
    mood: str
    symptoms: list[str]
    notes: str
    abnormal: bool
    outcome: str
    at: Any


def _check(c: HealthCheck) -> dict[str, Any]:
    return {
        "id": c.pk,
        "child_id": c.child_id,
        "child_name": c.child.name,
        "class_id": c.klass_id,
        "day": c.day,
        "session": c.session,
        "temperature": c.temperature,
        "mouth": c.mouth,
        "hands": c.hands,
        "skin": c.skin,
        "mood": c.mood,
        "symptoms": c.symptom_codes(),
        "notes": c.notes,
        "abnormal": c.abnormal,
        "outcome": c.outcome,
        "at": c.at,
    }


@router.post("/checks", response={201: HealthCheckSchema, **ERRORS}, url_name="health_check_record")
def check_record(request: HttpRequest, payload: HealthCheckIn) -> Status[Any]:
    """Record a morning or noon check (staff with care). Abnormal results notify the guardians."""
    child = child_for_user(request.user, payload.child_id, "view")
    if child is None:
        raise Http404
    check = services.health_check_record(
        actor=request.user,
        child=child,
        session=payload.session,
        day=payload.day,
        temperature=payload.temperature,
        mouth=payload.mouth,
        hands=payload.hands,
        skin=payload.skin,
        mood=payload.mood,
        symptoms=[str(s) for s in payload.symptoms],
        notes=payload.notes,
        outcome=payload.outcome,
    )
    return Status(201, _check(check))


class CheckFilters(Schema):
    klass: int = Field(ge=1, le=MAX_ID, alias="class", description="The class's id")
    day: date | None = Field(None, description="Default today")
    session: Session | None = None


class HealthCheckPage(Schema):
    count: int
    items: list[HealthCheckSchema]


@router.get("/checks", response={200: HealthCheckPage, **ERRORS}, url_name="health_check_list")
def check_list(request: HttpRequest, filters: Query[CheckFilters]) -> dict[str, Any]:
    """A class's checks of a day (staff of the institution, officials over it); 404 outside scope."""
    klass = get_object_or_404(
        InstitutionClass.objects.filter(institution__in=Institution.objects.for_user(request.user, "view")),
        pk=filters.klass,
    )
    checks = (
        HealthCheck.objects.for_user(request.user, "view")
        .filter(klass=klass, day=filters.day or timezone.localdate())
        .select_related("child")
        .prefetch_related("symptoms")
        .order_by("child__name", "session")
    )
    if filters.session:
        checks = checks.filter(session=filters.session)
    items = [_check(c) for c in checks[:500]]
    return {"count": len(items), "items": items}


# --- doses and the schedule ------------------------------------------------------------------------


class VaccineDoseIn(InputSchema):
    vaccine: Vaccine
    dose_no: int = Field(ge=1, le=6)
    given_on: date
    source: DoseSource = DoseSource.CERTIFICATE


class VaccineDoseSchema(Schema):
    id: int
    vaccine: str
    dose_no: int
    given_on: date
    source: str


class VaccineDoseList(Schema):
    count: int
    items: list[VaccineDoseSchema]


def _dose(d: VaccineDose) -> dict[str, Any]:
    return {
        "id": d.pk,
        "vaccine": d.vaccine,
        "dose_no": d.dose_no,
        "given_on": d.given_on,
        "source": d.source,
    }


@router.post(
    "/children/{child_id}/doses", response={201: VaccineDoseSchema, **ERRORS}, url_name="health_dose_record"
)
def dose_record(request: HttpRequest, child_id: int, payload: VaccineDoseIn) -> Status[Any]:
    """Record a dose the child has had (staff with care; a guardian for their own child)."""
    child = child_for_user(request.user, child_id, "view")
    if child is None:
        raise Http404
    dose = services.vaccine_dose_record(
        actor=request.user,
        child=child,
        vaccine=payload.vaccine,
        dose_no=payload.dose_no,
        given_on=payload.given_on,
        source=payload.source,
    )
    return Status(201, _dose(dose))


@router.get(
    "/children/{child_id}/doses", response={200: VaccineDoseList, **ERRORS}, url_name="health_dose_list"
)
def dose_list(request: HttpRequest, child_id: int) -> dict[str, Any]:
    child = child_for_user(request.user, child_id, "view")
    if child is None:
        raise Http404
    audit_view(actor=request.user, obj=child, request=request)
    items = [_dose(d) for d in VaccineDose.objects.filter(child=child)]
    return {"count": len(items), "items": items}


class ScheduleItemSchema(Schema):
    vaccine: str
    dose_no: int
    due_from: date
    overdue_from: date
    status: str = Field(description="given | overdue | due | upcoming")
    given_on: date | None
    verify: bool = Field(description="The schedule row has an unverified detail")


class ImmunisationSchema(Schema):
    child_id: int
    as_of: date
    source: str
    due: int
    overdue: int
    items: list[ScheduleItemSchema]


@router.get(
    "/children/{child_id}/immunisations",
    response={200: ImmunisationSchema, **ERRORS},
    url_name="health_immunisations",
)
def immunisations(request: HttpRequest, child_id: int, as_of: date | None = None) -> dict[str, Any]:
    """The national schedule against the child's doses: given, overdue, due or upcoming per dose."""
    from .immunisation import SCHEDULE_SOURCE

    child = child_for_user(request.user, child_id, "view")
    if child is None:
        raise Http404
    audit_view(actor=request.user, obj=child, request=request)
    day = as_of or timezone.localdate()
    rows = child_schedule(child, day)
    return {
        "child_id": child.pk,
        "as_of": day,
        "source": SCHEDULE_SOURCE,
        "due": sum(r.status == "due" for r in rows),
        "overdue": sum(r.status == "overdue" for r in rows),
        "items": [
            {
                "vaccine": r.rule.vaccine,
                "dose_no": r.rule.dose_no,
                "due_from": r.due_from,
                "overdue_from": r.overdue_from,
                "status": r.status,
                "given_on": r.dose.given_on if r.dose else None,
                "verify": r.rule.verify,
            }
            for r in rows
        ],
    }


# --- alerts -------------------------------------------------------------------------------------------


class AlertSchema(Schema):
    id: int
    township: str
    township_name: str
    group: str
    group_label: str
    window_start: date
    window_end: date
    institutions: int
    cases: int
    acknowledged_at: Any
    acknowledged_by: str | None


class AlertPage(Schema):
    count: int
    items: list[AlertSchema]


class AlertFilters(Schema):
    open: bool | None = Field(None, description="Only open (true) or acknowledged (false) alerts")
    region: str | None = Field(None, pattern=r"^\d{12}$")


def _alert(a: SymptomClusterAlert) -> dict[str, Any]:
    return {
        "id": a.pk,
        "township": a.township_id,
        "township_name": a.township.name,
        "group": a.group,
        "group_label": a.group_label,
        "window_start": a.window_start,
        "window_end": a.window_end,
        "institutions": a.institution_count,
        "cases": a.cases,
        "acknowledged_at": a.acknowledged_at,
        "acknowledged_by": a.acknowledged_by.get_username() if a.acknowledged_by else None,
    }


@router.get("/alerts", response={200: AlertPage, **ERRORS}, url_name="health_alert_list")
def alert_list(request: HttpRequest, filters: Query[AlertFilters]) -> dict[str, Any]:
    """Symptom-cluster alerts of the townships the official may see (others: an empty list)."""
    alerts = SymptomClusterAlert.objects.for_user(request.user, "view").select_related(
        "township", "acknowledged_by"
    )
    if filters.open is not None:
        alerts = alerts.filter(acknowledged_at__isnull=filters.open)
    if filters.region:
        region = Region.objects.filter(code=filters.region).first()
        if region is None:
            raise FieldError("region", _("Unknown region."), "query")
        lo, hi = region.subtree_bounds()
        alerts = alerts.filter(township_id__gte=lo, township_id__lte=hi)
    items = [_alert(a) for a in alerts[:200]]
    return {"count": len(items), "items": items}


class AcknowledgeIn(InputSchema):
    note: str = Field("", max_length=300)


@router.post(
    "/alerts/{alert_id}/acknowledge", response={200: AlertSchema, **ERRORS}, url_name="health_alert_ack"
)
def alert_acknowledge(
    request: HttpRequest, alert_id: int, payload: AcknowledgeIn | None = None
) -> dict[str, Any]:
    """Acknowledge an alert (officials with inspect over the township); others who see it 403."""
    alert = get_object_or_404(SymptomClusterAlert.objects.for_user(request.user, "view"), pk=alert_id)
    alert = services.symptom_alert_acknowledge(
        actor=request.user, alert=alert, note=payload.note if payload else ""
    )
    return _alert(alert)


# --- daily counts -----------------------------------------------------------------------------------


class DailyFiguresSchema(Schema):
    enrolled: int
    present: int | None
    abnormal_checks: int = Field(description="Children with an abnormal morning or noon check")
    sent_home: int
    overdue_immunisation: int = Field(description="Enrolled children with at least one overdue dose")
    no_immunisation_record: int = Field(description="Enrolled children with no dose recorded at all")
    growth_flags: int | None = Field(description="null: the growth records offer no count")
    ratio_breaches: int = Field(description="Classes short of caregivers")
    open_alerts: int


class DailyRowSchema(Schema):
    name: str
    code: str | None
    institution_id: int | None
    figures: DailyFiguresSchema


class DailyCountsSchema(Schema):
    date: dt.date
    region: str | None
    rows_are_institutions: bool
    rows: list[DailyRowSchema]
    totals: DailyFiguresSchema
    notes: list[str]


class DailyFilters(Schema):
    region: str | None = Field(None, description="12-digit region code; default the caller's widest region")
    date: dt.date | None = None


REGION_CODE = re.compile(r"^\d{12}$")


def _figures(f: DailyFigures) -> dict[str, Any]:
    return f.as_dict()


def _counts(c: DailyCounts) -> dict[str, Any]:
    return {
        "date": c.day,
        "region": c.region.code if c.region else None,
        "rows_are_institutions": c.rows_are_institutions,
        "rows": [
            {
                "name": r.name,
                "code": r.code,
                "institution_id": r.institution_id,
                "figures": _figures(r.figures),
            }
            for r in c.rows
        ],
        "totals": _figures(c.totals),
        "notes": c.notes,
    }


def overview_region(user: Any, code: str | None) -> Region | None:
    """The region an official asked for (or their widest); None for staff (their institution). Raises
    PermissionDenied for users with neither, Http404 for a region outside the grants."""
    from tuoyu.regions.selectors import widest_region

    grants = grants_for(user, "view")
    if grants.everything or grants.region_ranges:
        if not code:
            region = widest_region(grants)
            if region is None:
                raise Http404
            return region
        if not REGION_CODE.match(code):
            raise Http404
        region = get_object_or_404(Region, code=code, level__in=["province", "city", "county", "township"])
        if not grants.covers_code(region.code):
            raise Http404
        return region
    if grants.institution_ids:
        return None
    raise PermissionDenied(_("Only officials and institution staff see these counts."))


@router.get("/daily-counts", response={200: DailyCountsSchema, **ERRORS}, url_name="health_daily_counts")
def daily_counts(request: HttpRequest, filters: Query[DailyFilters]) -> dict[str, Any]:
    """Enrolled, present, abnormal checks, overdue immunisations, growth flags, ratio breaches and open
    alerts per child region (officials) or for the caller's institution (staff)."""
    if filters.date and filters.date > timezone.localdate():
        raise FieldError("date", _("The date is in the future."), "query")
    region = overview_region(request.user, filters.region)
    counts = (
        region_daily_counts(request.user, region, filters.date)
        if region is not None
        else institution_daily_counts(request.user, filters.date)
    )
    return _counts(counts)
