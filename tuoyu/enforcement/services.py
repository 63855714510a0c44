"""Writes of the enforcement app: actions, the closure workflow and emergencies.

Closure state machine (one table, one service per transition, each recorded as a ClosureTransition):

    open ──close (every child placed, every fee settled, every record handed over)──▶ closed
      └───cancel (reason)──▶ cancelled

Opening a case stops new enrolment at once (children.services.application_accept asks
`selectors.enrolment_stop_reason`) and tells every enrolled child's guardians (urgent). Within an
open case, per child: placement (the child leaves through children.services.enrolment_leave_on_closure)
and fee settlement; per record: hand-over.

Who may do what:
- Actions: officials holding "manage" over the institution's region (a region grant; a director's
  "manage" over their own institution does not count). The director ("change") acknowledges.
- Closure: officials with "manage" over the region open, cancel and close a case; the director may open
  one (at the institution's request). Placements, fees and hand-over: those officials or the director.
- Emergencies: officials over the region (any official role) or the institution's director open one
  and add to its timeline; officials with "inspect" or "manage" close it. Opening and every severity
  raise notify the officials of the county, city and province (urgent when high).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoyu.accounts.choices import Role
from tuoyu.core.api import Conflict
from tuoyu.core.audit import audit
from tuoyu.core.scoping import grants_for
from tuoyu.institutions.choices import OperatingStatus
from tuoyu.institutions.models import Institution
from tuoyu.institutions.services import institution_update
from tuoyu.parents.choices import NotificationKind
from tuoyu.parents.services import notify_guardians, notify_users

from .choices import (
    SEVERITY_ORDER,
    ActionKind,
    ClosureStatus,
    EmergencySeverity,
    EmergencyStatus,
    EntryKind,
    FeeStatus,
    HandoverItem,
    PlacementOutcome,
)
from .models import (
    ClosureCase,
    ClosureChild,
    ClosureHandover,
    ClosureTransition,
    Emergency,
    EmergencyEntry,
    EnforcementAction,
)
from .rules import rule_for
from .selectors import officials_covering

C = ClosureStatus
# The closure state machine: (from, to) → the service that performs it.
TRANSITIONS: dict[tuple[str, str], str] = {
    ("", C.OPEN): "open",
    (C.OPEN, C.CLOSED): "close",
    (C.OPEN, C.CANCELLED): "cancel",
}


class TransitionNotAllowed(Conflict):
    """The case's state does not allow the step asked for (409)."""


# --- Permissions ----------------------------------------------------------------------------------


def official_may(actor: Any, action: str, institution: Institution) -> bool:
    """An official (a region grant, or a superuser) holding `action` over the institution's township."""
    grants = grants_for(actor, action)
    if grants.everything:
        return bool(getattr(actor, "is_superuser", False))  # national observers only look
    return any(lo <= str(institution.township_id) <= hi for lo, hi in grants.region_ranges)


def director_of(actor: Any, institution: Institution) -> bool:
    return institution.pk in grants_for(actor, "change").institution_ids


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _directors(institution: Institution) -> list[int]:
    return list(
        institution.role_assignments.filter(active=True, role=Role.DIRECTOR).values_list("user_id", flat=True)
    )


# --- Actions --------------------------------------------------------------------------------------


@transaction.atomic
def enforcement_action_create(
    *,
    actor: Any,
    institution: Institution,
    kind: str,
    rule: str,
    decision_number: str,
    decided_on: date,
    facts: str,
    amount: Decimal | None = None,
    correct_by: date | None = None,
    inspection: Any = None,
    complaint_ref: str = "",
    published: bool = True,
    banned_persons: Iterable[tuple[str, str]] = (),
) -> EnforcementAction:
    """Record a decision against an institution; post its credit record; tell the director.

    A suspension sets the institution suspended; a closure opens its closure case; a lifetime ban adds
    each `banned_persons` (ID number, name) to the workforce ban list."""
    from tuoyu.credit.rules import points_for
    from tuoyu.credit.services import credit_record_add

    _require(
        official_may(actor, "manage", institution),
        _("Only officials who manage the institution's region may decide enforcement actions."),
    )
    if institution.status == OperatingStatus.CLOSED:
        raise Conflict(_("{name} has closed.").format(name=institution.name))
    if inspection is not None and inspection.institution_id != institution.pk:
        raise ValidationError({"inspection_id": _("Choose an inspection of this institution.")})
    if decided_on > timezone.localdate():
        raise ValidationError({"decided_on": _("The decision date cannot be in the future.")})
    persons = [(i.strip(), n.strip()) for i, n in banned_persons if i.strip()]
    if kind == ActionKind.BAN and not persons:
        raise ValidationError({"banned_persons": _("Name at least one person to ban.")})
    if kind != ActionKind.BAN and persons:
        raise ValidationError({"banned_persons": _("Only a ban names persons.")})
    action = EnforcementAction(
        institution=institution,
        kind=kind,
        rule=rule,
        decision_number=decision_number.strip(),
        decided_on=decided_on,
        facts=facts.strip(),
        amount=amount,
        correct_by=correct_by,
        inspection=inspection,
        complaint_ref=complaint_ref.strip(),
        published=published,
        decided_by=actor,
    )
    action.full_clean()
    action.save()
    if kind == ActionKind.BAN:
        from tuoyu.workforce.choices import BanKind
        from tuoyu.workforce.services import ban_record_add

        for id_number, name in persons:
            ban = ban_record_add(
                actor=actor,
                id_number=id_number,
                name=name,
                kind=BanKind.LIFETIME,
                decision=f"{action.decision_number} {action.facts}"[:2000],
                decided_on=decided_on,
                decided_by=getattr(actor, "display_name", "") or str(actor),
            )
            action.bans.add(ban)
    if kind == ActionKind.SUSPENSION and institution.status != OperatingStatus.SUSPENDED:
        institution_update(actor=actor, institution=institution, status=OperatingStatus.SUSPENDED)
    if kind == ActionKind.CLOSURE:
        case = ClosureCase.objects.filter(institution=institution, status=C.OPEN).first()
        if case is None:
            closure_case_open(actor=actor, institution=institution, reason=action.facts, action=action)
        elif case.action_id is None:
            case.action = action
            case.save(update_fields=["action"])
    rule_obj = rule_for(rule)
    basis = rule_obj.basis if rule_obj else rule
    credit_record_add(
        institution=institution,
        source="enforcement",
        source_ref=f"enforcement:{action.pk}",
        points=points_for("enforcement", kind),
        reason=f"{action.get_kind_display()} {action.decision_number} ({basis})",
        occurred_on=decided_on,
        actor=actor,
    )
    audit(
        actor=actor,
        action="enforcement_action_create",
        obj=action,
        detail={"kind": kind, "rule": rule, "amount": str(amount) if amount is not None else None},
    )
    notify_users(
        user_ids=_directors(institution),
        kind=NotificationKind.SUPERVISION,
        title=_("{kind}: decision {number}").format(
            kind=action.get_kind_display(), number=action.decision_number
        ),
        body=action.facts[:500],
        urgent=kind in (ActionKind.SUSPENSION, ActionKind.CLOSURE),
        link=reverse("enforcement:action", args=[action.pk]),
    )
    return action


@transaction.atomic
def enforcement_action_acknowledge(*, actor: Any, action: EnforcementAction) -> EnforcementAction:
    """The institution's director acknowledges receipt of the decision (once; again is a no-op)."""
    _require(director_of(actor, action.institution), _("Only the institution's director acknowledges."))
    if action.acknowledged_at is None:
        action.acknowledged_at, action.acknowledged_by = timezone.now(), actor
        action.save(update_fields=["acknowledged_at", "acknowledged_by"])
        audit(actor=actor, action="enforcement_action_acknowledge", obj=action)
    return action


# --- Closure --------------------------------------------------------------------------------------


def _move(case: ClosureCase, to: str, actor: Any, reason: str = "") -> None:
    if (case.status if case.pk else "", to) not in TRANSITIONS:
        raise TransitionNotAllowed(
            _("A closure case that is {current} cannot become {target}.").format(
                current=ClosureStatus(case.status).label, target=ClosureStatus(to).label
            )
        )
    before = case.status if case.pk else ""
    case.status = to
    case.save()
    ClosureTransition.objects.create(
        case=case, from_status=before, to_status=to, actor=actor, reason=reason[:500]
    )


def _locked_case(case: ClosureCase) -> ClosureCase:
    return ClosureCase.objects.select_for_update().select_related("institution").get(pk=case.pk)


def _require_case_writer(actor: Any, case: ClosureCase) -> None:
    _require(
        official_may(actor, "manage", case.institution) or director_of(actor, case.institution),
        _("Only the supervising officials or the institution's director may record this."),
    )


def _require_open(case: ClosureCase) -> None:
    if case.status != C.OPEN:
        raise TransitionNotAllowed(
            _("This closure case is {status}.").format(status=case.get_status_display())
        )


@transaction.atomic
def closure_case_open(
    *, actor: Any, institution: Institution, reason: str, action: EnforcementAction | None = None
) -> ClosureCase:
    """Open a closure: new enrolment stops at once, every enrolled child's guardians are told (urgent),
    the children and the hand-over checklist are listed. An official opens it, or the director (then it
    is at the institution's request)."""
    from tuoyu.children.models import Child

    is_official = official_may(actor, "manage", institution)
    _require(
        is_official or director_of(actor, institution),
        _("Only officials who manage the region or the institution's director may open a closure."),
    )
    institution = Institution.objects.select_for_update().get(pk=institution.pk)
    if institution.status == OperatingStatus.CLOSED:
        raise Conflict(_("{name} has closed already.").format(name=institution.name))
    if ClosureCase.objects.filter(institution=institution, status=C.OPEN).exists():
        raise Conflict(_("{name} has a closure in progress already.").format(name=institution.name))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the closure.")})
    now = timezone.now()
    case = ClosureCase(
        institution=institution,
        reason=reason,
        at_institution_request=not is_official,
        action=action,
        opened_by=actor,
        enrolment_stopped_at=now,
    )
    case.full_clean(exclude=["status"])
    _move(case, C.OPEN, actor, reason)
    children = list(Child.objects.filter(institution=institution).select_related("klass").order_by("pk"))
    ClosureChild.objects.bulk_create(
        [ClosureChild(case=case, child=c, class_kind=c.klass.kind if c.klass else "") for c in children]
    )
    ClosureHandover.objects.bulk_create([ClosureHandover(case=case, item=i) for i in HandoverItem.values])
    title = _("{name} is closing").format(name=institution.name)
    body = _(
        "The institution will close. The county health commission will help you find a place nearby and "
        "settle prepaid fees. It will contact you."
    )
    for child in children:
        notify_guardians(child=child, kind=NotificationKind.SUPERVISION, title=title, body=body, urgent=True)
    case.parents_notified_at = timezone.now()
    case.save(update_fields=["parents_notified_at"])
    audit(
        actor=actor,
        action="closure_case_open",
        obj=case,
        detail={"children": len(children), "at_institution_request": case.at_institution_request},
    )
    notify_users(
        user_ids=[u for u in officials_covering(institution) if u != actor.pk] + _directors(institution),
        kind=NotificationKind.SUPERVISION,
        title=title,
        body=reason[:500],
        urgent=True,
        link=reverse("enforcement:closure", args=[case.pk]),
    )
    return case


@transaction.atomic
def closure_child_place(
    *,
    actor: Any,
    row: ClosureChild,
    outcome: str,
    institution: Institution | None = None,
    note: str = "",
    placed_on: date | None = None,
) -> ClosureChild:
    """Record where a child went (another institution, home care, other). A child still on the
    register leaves the closing institution through the children app's leave service."""
    from tuoyu.children.services import enrolment_leave_on_closure

    case = _locked_case(row.case)
    _require_case_writer(actor, case)
    _require_open(case)
    row = ClosureChild.objects.select_for_update().select_related("child").get(pk=row.pk)
    note = note.strip()
    placed_on = placed_on or timezone.localdate()
    if outcome not in PlacementOutcome.values or outcome == PlacementOutcome.PENDING:
        raise ValidationError({"outcome": _("Choose where the child went.")})
    if outcome == PlacementOutcome.INSTITUTION:
        if institution is None:
            raise ValidationError({"institution_id": _("Choose the institution the child went to.")})
        if institution.pk == case.institution_id:
            raise ValidationError({"institution_id": _("Choose another institution.")})
        if institution.status != OperatingStatus.OPERATING:
            raise ValidationError({"institution_id": _("Choose an operating institution.")})
    else:
        institution = None
        if outcome == PlacementOutcome.OTHER and not note:
            raise ValidationError({"note": _("Say where the child went.")})
    if placed_on > timezone.localdate():
        raise ValidationError({"placed_on": _("The date cannot be in the future.")})
    row.outcome, row.placed_institution, row.placement_note = outcome, institution, note
    row.placed_on, row.placed_by = placed_on, actor
    row.full_clean()
    row.save()
    if row.child.institution_id == case.institution_id:
        where = institution.name if institution else PlacementOutcome(outcome).label
        enrolment_leave_on_closure(
            actor=actor,
            child=row.child,
            left_on=max(placed_on, _enrolment_start(row)),
            reason=_("Institution closing: {where}").format(where=where),
        )
    audit(
        actor=actor,
        action="closure_child_place",
        obj=case,
        detail={
            "child": row.child_id,
            "outcome": outcome,
            "institution": institution.pk if institution else None,
        },
    )
    return row


def _enrolment_start(row: ClosureChild) -> date:
    from tuoyu.children.models import Enrolment

    start = (
        Enrolment.objects.current().filter(child_id=row.child_id).values_list("start_on", flat=True).first()
    )
    return start or timezone.localdate()


@transaction.atomic
def closure_child_settle_fee(
    *,
    actor: Any,
    row: ClosureChild,
    prepaid: Decimal,
    refunded: Decimal,
    settled_on: date | None = None,
    note: str = "",
) -> ClosureChild:
    """Settle a child's prepaid fees: what was prepaid, what was refunded, when."""
    case = _locked_case(row.case)
    _require_case_writer(actor, case)
    _require_open(case)
    row = ClosureChild.objects.select_for_update().get(pk=row.pk)
    if prepaid < 0:
        raise ValidationError({"prepaid": _("An amount cannot be negative.")})
    if refunded < 0:
        raise ValidationError({"refunded": _("An amount cannot be negative.")})
    if refunded > prepaid:
        raise ValidationError({"refunded": _("The refund cannot exceed what was prepaid.")})
    settled_on = settled_on or timezone.localdate()
    if settled_on > timezone.localdate():
        raise ValidationError({"settled_on": _("The date cannot be in the future.")})
    row.prepaid, row.refunded, row.settled_on = prepaid, refunded, settled_on
    row.fee_status, row.fee_note = FeeStatus.SETTLED, note.strip()
    row.full_clean()
    row.save()
    audit(
        actor=actor,
        action="closure_fee_settle",
        obj=case,
        detail={"child": row.child_id, "prepaid": str(prepaid), "refunded": str(refunded)},
    )
    return row


@transaction.atomic
def closure_handover_record(
    *, actor: Any, item: ClosureHandover, received_by: str, received_on: date | None = None, note: str = ""
) -> ClosureHandover:
    """Record that an item of the checklist was handed over, and who received it."""
    case = _locked_case(item.case)
    _require_case_writer(actor, case)
    _require_open(case)
    received_by = received_by.strip()
    if not received_by:
        raise ValidationError({"received_by": _("Say who received it.")})
    received_on = received_on or timezone.localdate()
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": _("The date cannot be in the future.")})
    item.received_by, item.received_on, item.note, item.recorded_by = (
        received_by,
        received_on,
        note.strip(),
        actor,
    )
    item.full_clean()
    item.save()
    audit(
        actor=actor,
        action="closure_handover",
        obj=case,
        detail={"item": item.item, "received_by": received_by},
    )
    return item


@transaction.atomic
def closure_case_close(
    *, actor: Any, case: ClosureCase, closed_on: date | None = None, summary: str = ""
) -> ClosureCase:
    """Close the institution: only when every child is placed, every fee settled and every record
    handed over. Sets the institution closed; its public trust card stays, with the closure."""
    from .selectors import case_progress

    case = _locked_case(case)
    _require(
        official_may(actor, "manage", case.institution),
        _("Only officials who manage the institution's region may close it."),
    )
    _require_open(case)
    progress = case_progress(case)
    missing = []
    if progress.placed < progress.children:
        missing.append(_("{n} children not placed").format(n=progress.children - progress.placed))
    if progress.settled < progress.children:
        missing.append(_("{n} fees not settled").format(n=progress.children - progress.settled))
    if progress.handovers_done < progress.handovers:
        missing.append(
            _("{n} records not handed over").format(n=progress.handovers - progress.handovers_done)
        )
    if missing:
        raise TransitionNotAllowed(
            _("The institution cannot close yet: {missing}.").format(missing="; ".join(missing))
        )
    closed_on = closed_on or timezone.localdate()
    if closed_on > timezone.localdate():
        raise ValidationError({"closed_on": _("The date cannot be in the future.")})
    case.closed_on, case.summary = closed_on, summary.strip()
    _move(case, C.CLOSED, actor, summary)
    institution_update(
        actor=actor, institution=case.institution, status=OperatingStatus.CLOSED, closed_on=closed_on
    )
    audit(actor=actor, action="closure_case_close", obj=case, detail={"closed_on": closed_on.isoformat()})
    return case


@transaction.atomic
def closure_case_cancel(*, actor: Any, case: ClosureCase, reason: str) -> ClosureCase:
    """Cancel a closure (the institution stays open; children who left stay left)."""
    case = _locked_case(case)
    _require(
        official_may(actor, "manage", case.institution),
        _("Only officials who manage the institution's region may cancel a closure."),
    )
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason.")})
    _move(case, C.CANCELLED, actor, reason.strip())
    audit(actor=actor, action="closure_case_cancel", obj=case, detail={"reason": reason.strip()[:200]})
    return case


# --- Emergencies ----------------------------------------------------------------------------------


def _emergency_writer(actor: Any, institution: Institution) -> bool:
    return official_may(actor, "view", institution) or director_of(actor, institution)


def _notify_hierarchy(emergency: Emergency, actor: Any, title: str) -> None:
    notify_users(
        user_ids=[u for u in officials_covering(emergency.institution) if u != getattr(actor, "pk", None)],
        kind=NotificationKind.SUPERVISION,
        title=title,
        body=emergency.description[:500],
        urgent=emergency.severity == EmergencySeverity.HIGH,
        link=reverse("enforcement:emergency", args=[emergency.pk]),
    )


@transaction.atomic
def emergency_open(
    *,
    actor: Any,
    institution: Institution,
    kind: str,
    severity: str,
    title: str,
    description: str,
    source_alert: Any = None,
) -> Emergency:
    """Open an emergency at an institution; the officials of its county, city and province are told."""
    _require(
        _emergency_writer(actor, institution),
        _("Only officials over the institution or its director may report an emergency."),
    )
    if source_alert is not None and not source_alert.institutions.filter(pk=institution.pk).exists():
        raise ValidationError({"source_alert_id": _("This alert does not concern the institution.")})
    emergency = Emergency(
        institution=institution,
        kind=kind,
        severity=severity,
        title=title.strip(),
        description=description.strip(),
        source_alert=source_alert,
        opened_by=actor,
    )
    emergency.full_clean()
    emergency.save()
    EmergencyEntry.objects.create(
        emergency=emergency,
        kind=EntryKind.OPENED,
        text=emergency.description,
        severity=severity,
        author=actor,
    )
    audit(actor=actor, action="emergency_open", obj=emergency, detail={"kind": kind, "severity": severity})
    _notify_hierarchy(
        emergency,
        actor,
        _("Emergency at {name}: {title} ({severity})").format(
            name=institution.name, title=emergency.title, severity=emergency.get_severity_display()
        ),
    )
    return emergency


@transaction.atomic
def emergency_add_entry(
    *, actor: Any, emergency: Emergency, text: str, severity: str | None = None
) -> EmergencyEntry:
    """Add to the timeline; a new severity is recorded, and a raise notifies the hierarchy again."""
    emergency = Emergency.objects.select_for_update().select_related("institution").get(pk=emergency.pk)
    _require(
        _emergency_writer(actor, emergency.institution),
        _("Only officials over the institution or its director may add to this timeline."),
    )
    if emergency.status != EmergencyStatus.OPEN:
        raise Conflict(_("This emergency is closed."))
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write what happened.")})
    if severity and severity not in EmergencySeverity.values:
        raise ValidationError({"severity": _("Unknown severity.")})
    new = severity or emergency.severity
    raised = SEVERITY_ORDER[new] > SEVERITY_ORDER[emergency.severity]  # type: ignore[index]
    changed = new != emergency.severity
    entry = EmergencyEntry(
        emergency=emergency,
        kind=EntryKind.SEVERITY if changed else EntryKind.NOTE,
        text=text,
        severity=new if changed else "",
        author=actor,
    )
    entry.full_clean()
    entry.save()
    if changed:
        emergency.severity = new
        emergency.save(update_fields=["severity"])
    audit(
        actor=actor,
        action="emergency_entry",
        obj=emergency,
        detail={"severity": severity if changed else None},
    )
    if raised:
        _notify_hierarchy(
            emergency,
            actor,
            _("Emergency at {name} raised to {severity}: {title}").format(
                name=emergency.institution.name,
                severity=emergency.get_severity_display(),
                title=emergency.title,
            ),
        )
    return entry


@transaction.atomic
def emergency_close(*, actor: Any, emergency: Emergency, summary: str) -> Emergency:
    """Close an emergency with a summary (officials who inspect or manage the region)."""
    emergency = Emergency.objects.select_for_update().select_related("institution").get(pk=emergency.pk)
    _require(
        official_may(actor, "inspect", emergency.institution)
        or official_may(actor, "manage", emergency.institution),
        _("Only inspecting or managing officials over the institution may close an emergency."),
    )
    if emergency.status != EmergencyStatus.OPEN:
        raise Conflict(_("This emergency is closed already."))
    summary = summary.strip()
    if not summary:
        raise ValidationError({"summary": _("Write a summary.")})
    emergency.status, emergency.summary, emergency.closed_at = EmergencyStatus.CLOSED, summary, timezone.now()
    emergency.save(update_fields=["status", "summary", "closed_at"])
    EmergencyEntry.objects.create(emergency=emergency, kind=EntryKind.CLOSED, text=summary, author=actor)
    audit(actor=actor, action="emergency_close", obj=emergency)
    return emergency
