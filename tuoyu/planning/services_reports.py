"""Writes to statistical reports (统计调查): one service per transition of the report state machine.

    county:   draft ──submit (county)──▶ submitted ──approve (city)─────▶ approved ──lock (province)──▶ locked
    city:     draft ──submit (city)────▶ submitted ──accept (province)──▶ accepted ──lock (province)──▶ locked
    province: draft ──submit (province)▶ submitted ──accept (province)──▶ accepted ──lock (province)──▶ locked
              submitted / approved / accepted ──return (the reviewer, with a reason)──▶ draft

The hierarchy. A county reports what its records say; a city's report consolidates (逐级汇总) the
approved reports of all its counties, and can be submitted only once every county's is approved; the
province's consolidates the accepted reports of all its cities. Table 3 (plan indicators) is computed
for the reporting unit itself (report_tables.py says why). The province accepts city reports and its
own, and locks: locking a report locks it and every signed-off report it consolidated.

Figures are captured when a report is submitted (and when its draft is made, to show what it will
say): from then on they are stored cells and never follow the data again. The submission also stores
the unit's indicator snapshot of the period's last day and locks it (`indicator_snapshots_lock`), so
the indicators page of that day shows what was reported; a return for correction unlocks it.

Who: the grant an action needs is "manage" on the acting unit: the report's own region to create and
submit, its city to approve or return a county's, the province to accept, return a city's or the
province's, and to lock. A region grant covers the regions below it, as everywhere (an upper level may
act for a lower one; every step records who). A visible report the user may not act on: 403. A step the
report's state does not allow (submitting twice, approving a city's report): `TransitionNotAllowed`,
409 in the API.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from tuoyu.core.api import Conflict
from tuoyu.core.audit import audit
from tuoyu.core.scoping import grants_for
from tuoyu.regions.constants import PARENT_LEVEL, ancestor_codes
from tuoyu.regions.models import Region

from .choices import ReportPeriodKind, ReportStatus
from .models import REPORT_LEVELS, IndicatorSnapshot, StatReport, StatReportCell, StatReportTransition
from .selectors_reports import (
    FROZEN,
    CellData,
    Figures,
    computed_indicators,
    consolidated_figures,
    data_figures,
    indicator_figures,
    indicator_rows_to_store,
)
from .services import indicator_snapshots_lock

S = ReportStatus
# The one table of allowed transitions: (from, to) → the service (action) that performs it.
TRANSITIONS: dict[tuple[str, str], str] = {
    (S.DRAFT, S.SUBMITTED): "submit",
    (S.SUBMITTED, S.APPROVED): "approve",
    (S.SUBMITTED, S.ACCEPTED): "accept",
    (S.SUBMITTED, S.DRAFT): "return",
    (S.APPROVED, S.DRAFT): "return",
    (S.ACCEPTED, S.DRAFT): "return",
    (S.APPROVED, S.LOCKED): "lock",
    (S.ACCEPTED, S.LOCKED): "lock",
}
# Which reports each action applies to (a county's report is approved by its city, a city's and the
# province's are accepted by the province).
ACTION_LEVELS: dict[str, tuple[str, ...]] = {
    "submit": REPORT_LEVELS,
    "approve": ("county",),
    "accept": ("city", "province"),
    "return": REPORT_LEVELS,
    "lock": REPORT_LEVELS,
}
ACTION_TARGET = {a: t for (_f, t), a in TRANSITIONS.items()}
ACTIONS = ("submit", "approve", "accept", "return", "lock")


class TransitionNotAllowed(Conflict):
    """The report's current state does not allow what was asked (answered 409 with the reason)."""


def _province_code(region: Region) -> str:
    return region.code if region.level == "province" else ancestor_codes(region.code, region.level)[0]


def acting_region(report: StatReport, action: str) -> str:
    """The code of the unit that performs `action` on the report (its manage grant must cover it)."""
    region = report.region
    if action == "submit":
        return region.code
    if action in ("approve", "return") and region.level == "county":
        return str(region.parent_id)  # the county's city
    return _province_code(region)


def _may(user: Any, report: StatReport, action: str) -> bool:
    return grants_for(user, "manage").covers_code(acting_region(report, action))


def allowed_actions(user: Any, report: StatReport) -> list[str]:
    """The actions the user may take on the report now (the buttons a page shows)."""
    level = report.region.level
    return [
        action
        for (from_status, _to), action in TRANSITIONS.items()
        if from_status == report.status and level in ACTION_LEVELS[action] and _may(user, report, action)
    ]


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _label(status: str) -> str:
    return str(ReportStatus(status).label)


def _check(report: StatReport, action: str, actor: Any) -> str:
    """The target status, after checking the actor's grant (403) and the table (409)."""
    if actor is not None and not _may(actor, report, action):
        raise PermissionDenied(_("You may not do this for this report."))
    target = ACTION_TARGET[action]
    if TRANSITIONS.get((report.status, target)) != action:
        raise TransitionNotAllowed(
            _("A report with status {current} cannot go through this step: {action}.").format(
                current=_label(report.status), action=_action_label(action)
            )
        )
    if report.region.level not in ACTION_LEVELS[action]:
        raise TransitionNotAllowed(
            _(
                "A county's report is approved by its city; a city's or the province's report is "
                "accepted by the province."
            )
        )
    return target


def _action_label(action: str) -> str:
    return {
        "submit": pgettext("report action", "submit"),
        "approve": pgettext("report action", "approve"),
        "accept": pgettext("report action", "accept"),
        "return": pgettext("report action", "return"),
        "lock": pgettext("report action", "lock"),
    }[action]


def _lock_row(report: StatReport) -> StatReport:
    return StatReport.objects.select_for_update().select_related("region").get(pk=report.pk)


def _move(report: StatReport, to_status: str, actor: Any, action: str, reason: str = "") -> None:
    from_status = report.status
    report.status = to_status
    report.full_clean()
    report.save()
    StatReportTransition.objects.create(
        report=report, action=action, from_status=from_status, to_status=to_status, actor=_user(actor),
        reason=reason,
    )  # fmt: skip
    audit(
        actor=actor,
        action=f"planning.report_{action}",
        obj=report,
        detail={"from": from_status, "to": to_status, "reason": reason, "period": report.period_label},
    )


# --- figures ----------------------------------------------------------------------------------------


def _freeze_indicators(report: StatReport, actor: Any) -> dict[str, Any]:
    """Store the unit's indicators of the period's last day in the snapshot (itself and its children,
    rows another report already locked kept as they are), lock its own rows, and return them."""
    region, as_of = report.region, report.period_end
    rows = indicator_rows_to_store(region, as_of)
    codes = {v.region_code for v in rows} | {region.code}
    snapshots = IndicatorSnapshot.objects.filter(as_of=as_of, region_id__in=codes)
    locked = set(snapshots.filter(locked=True).values_list("region_id", "key"))
    snapshots.filter(locked=False).delete()
    now = timezone.now()
    IndicatorSnapshot.objects.bulk_create(
        IndicatorSnapshot(
            as_of=as_of,
            computed_at=now,
            region_id=v.region_code,
            key=v.key,
            value=v.value,
            numerator=v.numerator,
            denominator=v.denominator,
            reason=v.reason,
            excluded=v.excluded,
        )  # fmt: skip
        for v in rows
        if (v.region_code, v.key) not in locked
    )
    indicator_snapshots_lock(actor=actor, as_of=as_of, region_codes=[region.code])
    return {s.key: s for s in IndicatorSnapshot.objects.filter(as_of=as_of, region=region)}


def _figures(report: StatReport, *, freeze: bool, actor: Any = None) -> Figures:
    region = report.region
    if region.level == "county":
        figures = Figures(
            cells=data_figures(region, report.period_kind, report.period_start, report.period_end)
        )
    else:
        figures = consolidated_figures(region, report.period_kind, report.period_start)
    values = _freeze_indicators(report, actor) if freeze else computed_indicators(region, report.period_end)
    figures.cells += indicator_figures(region, report.period_end, values)
    return figures


def _store(report: StatReport, cells: list[CellData]) -> None:
    report.cells.all().delete()
    StatReportCell.objects.bulk_create(
        StatReportCell(
            report=report,
            table=c.table,
            row=c.row,
            region_id=c.region,
            value=c.value,
            numerator=c.numerator,
            denominator=c.denominator,
            reason=c.reason,
            target=c.target,
            met=c.met,
        )  # fmt: skip
        for c in cells
    )
    report.generated_at = timezone.now()


def missing_below(report: StatReport) -> list[Region]:
    """Units below a city or the province whose report of the period is not signed off yet."""
    if report.region.level == "county":
        return []
    from .selectors_reports import subordinate_reports

    children, ready = subordinate_reports(report.region, report.period_kind, report.period_start)
    done = {r.region_id for r in ready}
    return [c for c in children if c.code not in done]


# --- the services -----------------------------------------------------------------------------------


@transaction.atomic
def stat_report_create(
    *, actor: Any, region: Region, period_kind: str, period_start: dt.date, period_end: dt.date
) -> StatReport:
    """Make the draft report of a unit for a period that has ended, with its figures as of now."""
    if actor is not None and not grants_for(actor, "manage").covers_code(region.code):
        raise PermissionDenied(_("You may not make reports for this region."))
    if region.level not in REPORT_LEVELS:
        raise ValidationError({"region": _("Reports are made by counties, cities and the province.")})
    if period_kind not in ReportPeriodKind.values:
        raise ValidationError({"period_kind": _("The period is monthly or annual.")})
    if period_end >= timezone.localdate():
        raise ValidationError({"period": _("The period has not ended yet.")})
    existing = StatReport.objects.filter(
        region=region, period_kind=period_kind, period_start=period_start
    ).first()
    if existing is not None:
        raise Conflict(_("This report already exists (no. {id}).").format(id=existing.pk))
    report = StatReport(
        region=region,
        period_kind=period_kind,
        period_start=period_start,
        period_end=period_end,
        created_by=_user(actor),
    )
    report.full_clean()
    report.save()
    _store(report, _figures(report, freeze=False).cells)
    report.save(update_fields=["generated_at"])
    audit(actor=actor, action="planning.report_create", obj=report, detail={"period": report.period_label})
    return report


@transaction.atomic
def stat_report_refresh(*, actor: Any, report: StatReport) -> StatReport:
    """Recount a draft's figures from the data now (a submitted report never changes)."""
    report = _lock_row(report)
    if actor is not None and not _may(actor, report, "submit"):
        raise PermissionDenied(_("You may not do this for this report."))
    if report.status != S.DRAFT:
        raise TransitionNotAllowed(_("Only a draft's figures can be recounted."))
    _store(report, _figures(report, freeze=False).cells)
    report.save(update_fields=["generated_at"])
    return report


@transaction.atomic
def stat_report_submit(*, actor: Any, report: StatReport, reason: str = "") -> StatReport:
    """Capture the figures from the data as they are now and send the report up. A city or the province
    may submit only when the report of every unit below it is signed off."""
    report = _lock_row(report)
    target = _check(report, "submit", actor)
    missing = missing_below(report)
    if missing:
        raise TransitionNotAllowed(
            _("Not yet signed off below: {names}.").format(names="、".join(r.name for r in missing))
        )
    _store(report, _figures(report, freeze=True, actor=actor).cells)
    report.submitted_at = timezone.now()
    report.submitted_by = _user(actor)
    report.reviewed_at = report.reviewed_by = None
    report.return_reason = ""
    _move(report, target, actor, "submit", reason)
    return report


def _review(report: StatReport, actor: Any, action: str, reason: str) -> StatReport:
    report = _lock_row(report)
    target = _check(report, action, actor)
    report.reviewed_at = timezone.now()
    report.reviewed_by = _user(actor)
    _move(report, target, actor, action, reason)
    return report


@transaction.atomic
def stat_report_approve(*, actor: Any, report: StatReport, reason: str = "") -> StatReport:
    """The city approves a county's submitted report (审核通过): it now counts in the city's report."""
    return _review(report, actor, "approve", reason)


@transaction.atomic
def stat_report_accept(*, actor: Any, report: StatReport, reason: str = "") -> StatReport:
    """The province accepts a city's submitted report, or its own (验收)."""
    return _review(report, actor, "accept", reason)


@transaction.atomic
def stat_report_return(*, actor: Any, report: StatReport, reason: str) -> StatReport:
    """The reviewer sends a report back for correction (退回修改) with the reason; it becomes a draft and
    is captured again when it is submitted again. Not once the report above that includes it has been
    submitted: that one must be returned first."""
    report = _lock_row(report)
    target = _check(report, "return", actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say what must be corrected.")})
    parent_level = PARENT_LEVEL.get(report.region.level)
    if report.status != S.SUBMITTED and parent_level:
        above = StatReport.objects.filter(
            region_id=report.region.parent_id,
            period_kind=report.period_kind,
            period_start=report.period_start,
            status__in=FROZEN,
        ).first()
        if above is not None:
            raise TransitionNotAllowed(
                _(
                    "The report of {region} that includes these figures has been submitted: return it first."
                ).format(region=above.region.name)
            )
    report.return_reason = reason
    report.reviewed_at = report.reviewed_by = None
    _move(report, target, actor, "return", reason)
    other_frozen = (
        StatReport.objects.filter(region=report.region, period_end=report.period_end, status__in=FROZEN)
        .exclude(pk=report.pk)
        .exists()
    )
    if not other_frozen:
        indicator_snapshots_lock(
            actor=actor, as_of=report.period_end, region_codes=[report.region_id], locked=False
        )
    return report


@transaction.atomic
def stat_report_lock(*, actor: Any, report: StatReport, reason: str = "") -> StatReport:
    """The province locks a signed-off report and every signed-off report it consolidated (the same
    period, below it): their figures are final."""
    report = _lock_row(report)
    target = _check(report, "lock", actor)
    now = timezone.now()
    report.locked_at = now
    report.locked_by = _user(actor)
    _move(report, target, actor, "lock", reason)
    lo, hi = report.region.subtree_bounds()
    below = (
        StatReport.objects.select_for_update()
        .filter(
            region_id__gt=lo,
            region_id__lte=hi,
            period_kind=report.period_kind,
            period_start=report.period_start,
            status__in=(S.APPROVED, S.ACCEPTED),
        )
        .select_related("region")
        .order_by("region_id")
    )
    for other in below:
        other.locked_at = now
        other.locked_by = _user(actor)
        _move(other, S.LOCKED, actor, "lock", reason or _("Locked with the report of {region}.").format(
            region=report.region.name
        ))  # fmt: skip
    return report


SERVICES: dict[str, Callable[..., StatReport]] = {
    "submit": stat_report_submit,
    "approve": stat_report_approve,
    "accept": stat_report_accept,
    "return": stat_report_return,
    "lock": stat_report_lock,
}


def stat_report_transition(*, actor: Any, report: StatReport, action: str, reason: str = "") -> StatReport:
    """Dispatch to the service of `action` (pages and the API post an action name)."""
    service = SERVICES.get(action)
    if service is None:
        raise ValidationError({"action": _("Unknown action.")})
    result: StatReport = service(actor=actor, report=report, reason=reason)
    return result
