"""Writes to complaints: intake, one service per transition of the handling state machine, escalation,
the forward to the institution and its response.

    received ──accept──▶ accepted ──investigate──▶ investigating ──conclude──▶ concluded (outcome, reply)
       │                    │  └──────────conclude──────────────────────────────▲
       └──────withdraw──────┴──────────────withdraw───────────────────────────────┘ (outcome withdrawn)

Handling starts at the institution's county with a deadline in working days (rules.LEVEL_DEADLINES,
this deployment's setting); `complaint_escalate` moves an overdue complaint up one level (county →
city → province), resets the deadline and tells the officials of the new level. A serious category
opens an ad-hoc inspection in the same transaction as the complaint. A substantiated outcome posts a
credit record once. The institution sees only what was forwarded to it, never who complained.
"""

from __future__ import annotations

import base64
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoyu.accounts.choices import OFFICIAL_ROLES
from tuoyu.accounts.models import RoleAssignment
from tuoyu.core.api import Conflict
from tuoyu.core.audit import audit, client_ip
from tuoyu.core.models import AuditLog
from tuoyu.core.scoping import grants_for
from tuoyu.filings.calendar import add_working_days_estimated
from tuoyu.institutions.models import Institution

from . import rules
from .choices import (
    OPEN_STATUSES,
    ComplaintCategory,
    ComplaintOutcome,
    ComplaintStatus,
    EventKind,
    HandlingLevel,
)
from .models import Complaint, ComplaintEvent

S = ComplaintStatus
# The one table of allowed transitions: the service (action) → (the statuses it may start from, the result).
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "accept": (frozenset({S.RECEIVED}), S.ACCEPTED),
    "investigate": (frozenset({S.ACCEPTED}), S.INVESTIGATING),
    "conclude": (frozenset({S.ACCEPTED, S.INVESTIGATING}), S.CONCLUDED),
    # The complainant may withdraw at any time while the complaint is open.
    "withdraw": (frozenset(OPEN_STATUSES), S.CONCLUDED),
}
# Handling needs the `review` action (official reviewers and administrators) over the handling region.
HANDLE_ACTION = "review"


class TransitionNotAllowed(Conflict):
    """The complaint's state does not allow what was asked (409 with the reason)."""


class SubmitThrottled(Exception):
    """Too many complaints from one address recently (429)."""


def new_reference(today: Any = None) -> str:
    """TS-<year>-<12 base32 characters>: 60 random bits, so references cannot be guessed or enumerated."""
    year = (today or timezone.localdate()).year
    raw = base64.b32encode(secrets.token_bytes(10)).decode()[: rules.REFERENCE_RANDOM_CHARS]
    return f"{rules.REFERENCE_PREFIX}-{year}-{raw}"


def normalise_reference(value: str) -> str:
    return (value or "").strip().upper().replace(" ", "")


def handling_region_id(institution: Institution, level: str) -> str:
    if level == HandlingLevel.COUNTY:
        return str(institution.county_id)
    if level == HandlingLevel.CITY:
        return str(institution.city_id)
    return str(institution.city.parent_id)


def officials_of(region_id: str) -> list[int]:
    """Users with an active official role bound to exactly this region (the officials of that level)."""
    return list(
        RoleAssignment.objects.filter(region_id=region_id, role__in=list(OFFICIAL_ROLES), active=True)
        .values_list("user_id", flat=True)
        .distinct()
    )


def _set_due(complaint: Complaint, start: Any) -> None:
    deadline = rules.LEVEL_DEADLINES[complaint.level]
    complaint.due_on, complaint.due_provisional = add_working_days_estimated(start, deadline.working_days)


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _notify(complaint: Complaint, region_id: str, title: str, urgent: bool) -> None:
    from tuoyu.parents.choices import NotificationKind
    from tuoyu.parents.services import notify_users

    notify_users(
        user_ids=officials_of(region_id),
        kind=NotificationKind.SUPERVISION,
        title=title,
        body=str(complaint.institution.name),
        urgent=urgent,
        link=reverse("complaints:detail", args=[complaint.pk]),
    )


def _tell_complainant(complaint: Complaint) -> None:
    """A named complaint from a signed-in user: its new status goes to their notifications (in the daily
    digest), linked to the tracking page. Anonymous complaints keep no account to tell."""
    if complaint.submitted_by_id is None:
        return
    from tuoyu.parents.choices import NotificationKind
    from tuoyu.parents.services import notify_users

    notify_users(
        user_ids=[complaint.submitted_by_id],
        kind=NotificationKind.COMPLAINT,
        title=_("Your complaint {reference}: {status}").format(
            reference=complaint.reference, status=complaint.get_status_display()
        ),
        body=str(complaint.institution.name),
        link=reverse("complaints:track") + f"?reference={complaint.reference}",
    )


def _event(complaint: Complaint, kind: str, actor: Any, reason: str = "", **fields: Any) -> None:
    ComplaintEvent.objects.create(complaint=complaint, kind=kind, actor=_user(actor), reason=reason, **fields)


# --- Intake ---------------------------------------------------------------------------------------


def submit_throttled(*, request: HttpRequest | None) -> bool:
    """Like the parents' sign-up: complaints from this address within the window, from the audit log."""
    ip = client_ip(request)
    if not ip:
        return False
    since = timezone.now() - rules.SUBMIT_WINDOW
    return (
        AuditLog.objects.filter(action="complaint.submit", ip=ip, at__gte=since).count()
        >= rules.SUBMIT_MAX_PER_ADDRESS
    )


@transaction.atomic
def complaint_submit(
    *,
    institution: Institution,
    category: str,
    description: str,
    occurred_on: Any = None,
    anonymous: bool = True,
    contact_name: str = "",
    contact_phone: str = "",
    actor: Any = None,
    request: HttpRequest | None = None,
) -> Complaint:
    """Anyone's complaint about an institution the public can see. Returns it with its reference.

    A serious category opens an ad-hoc inspection now (same transaction) and warns the county's
    officials urgently; the others wait in the county's queue."""
    if submit_throttled(request=request):
        raise SubmitThrottled(_("Too many complaints were sent from here. Please try again later."))
    if not Institution.objects.publicly_viewable().filter(pk=institution.pk).exists():
        raise ValidationError({"institution": _("This institution is not on the public register.")})
    errors: dict[str, str] = {}
    if category not in ComplaintCategory.values:
        errors["category"] = _("Choose a category.")
    description = (description or "").strip()
    if not description:
        errors["description"] = _("Say what happened.")
    elif len(description) > rules.DESCRIPTION_MAX:
        errors["description"] = _("At most {n} characters.").format(n=rules.DESCRIPTION_MAX)
    today = timezone.localdate()
    if occurred_on is not None and occurred_on > today:
        errors["occurred_on"] = _("The date cannot be in the future.")
    contact_name, contact_phone = (contact_name or "").strip(), (contact_phone or "").strip()
    if anonymous:
        contact_name = contact_phone = ""
    elif not contact_phone:
        errors["contact_phone"] = _("Give a phone number, or complain anonymously.")
    if errors:
        raise ValidationError(errors)
    complaint = Complaint(
        reference=new_reference(today),
        institution=institution,
        category=category,
        serious=rules.is_serious(category),
        description=description,
        occurred_on=occurred_on,
        anonymous=anonymous,
        contact_name=contact_name,
        contact_phone=contact_phone,
        # A named complaint from a logged-in user keeps the account; an anonymous one keeps nothing.
        submitted_by=None if anonymous else _user(actor),
        level=HandlingLevel.COUNTY,
        handling_region_id=handling_region_id(institution, HandlingLevel.COUNTY),
    )
    _set_due(complaint, today)
    complaint.full_clean()
    complaint.save()
    _event(complaint, EventKind.SUBMITTED, None, to_status=S.RECEIVED, to_level=HandlingLevel.COUNTY)
    # Never the contact details in the audit log: only what and where.
    audit(
        actor=actor,
        action="complaint.submit",
        obj=complaint,
        detail={"category": category, "serious": complaint.serious},
        request=request,
    )
    if complaint.serious:
        _open_inspection(complaint)
    title = (
        _("Serious complaint: {category} — inspection opened")
        if complaint.serious
        else _("New complaint: {category}")
    ).format(category=ComplaintCategory(category).label)
    _notify(complaint, complaint.handling_region_id, title, urgent=complaint.serious)
    return complaint


def _open_inspection(complaint: Complaint) -> None:
    from tuoyu.supervision.choices import InspectionKind
    from tuoyu.supervision.services import inspection_open

    inspection = inspection_open(
        actor=None,
        institution=complaint.institution,
        kind=InspectionKind.COMPLAINT,
        inspectors=[],
        planned_on=timezone.localdate(),
        reason=_("Serious complaint ({category}) received: an ad-hoc inspection at once.").format(
            category=ComplaintCategory(complaint.category).label
        ),
        origin=f"complaint {complaint.reference}",
    )
    complaint.inspection = inspection
    complaint.save(update_fields=["inspection"])
    _event(complaint, EventKind.INSPECTION, None, reason=f"inspection {inspection.pk}")


# --- Handling -------------------------------------------------------------------------------------


def can_handle(user: Any, complaint: Complaint) -> bool:
    """Officials with `review` over the handling region (its level or above) act on a complaint."""
    return grants_for(user, HANDLE_ACTION).covers_code(str(complaint.handling_region_id))


def can_see_contact(user: Any, complaint: Complaint) -> bool:
    """The complainant's details: for officials who may handle complaints over the institution (not
    viewers, not observers, never staff)."""
    grants = grants_for(user, HANDLE_ACTION)
    return not grants.everything and grants.covers_code(str(complaint.institution.township_id))


def _lock(complaint: Complaint) -> Complaint:
    return Complaint.objects.select_for_update().select_related("institution").get(pk=complaint.pk)


def _require_handler(actor: Any, complaint: Complaint) -> None:
    if not can_handle(actor, complaint):
        raise PermissionDenied(_("Only the officials handling this complaint (or above) may do this."))


def _move(complaint: Complaint, action: str, actor: Any) -> tuple[Complaint, str]:
    """Lock, check the actor and the table; set the new status. Returns (complaint, previous status)."""
    complaint = _lock(complaint)
    _require_handler(actor, complaint)
    from_status = complaint.status
    sources, to_status = TRANSITIONS[action]
    if from_status not in sources:
        raise TransitionNotAllowed(
            _("A complaint that is {current} cannot become {target}.").format(
                current=ComplaintStatus(from_status).label, target=ComplaintStatus(to_status).label
            )
        )
    complaint.status = to_status
    return complaint, from_status


def _record(
    complaint: Complaint, from_status: str, actor: Any, action: str, reason: str, request: Any
) -> None:
    complaint.full_clean()
    complaint.save()
    _event(
        complaint, EventKind.TRANSITION, actor, reason, from_status=from_status, to_status=complaint.status
    )
    audit(
        actor=actor,
        action=f"complaint.{action}",
        obj=complaint,
        detail={"from": from_status, "to": complaint.status, "outcome": complaint.outcome},
        request=request,
    )
    _tell_complainant(complaint)


@transaction.atomic
def complaint_accept(*, actor: Any, complaint: Complaint, reason: str = "", request: Any = None) -> Complaint:
    """受理: the handling office takes the complaint on."""
    complaint, from_status = _move(complaint, "accept", actor)
    _record(complaint, from_status, actor, "accept", reason, request)
    return complaint


@transaction.atomic
def complaint_investigate(
    *, actor: Any, complaint: Complaint, reason: str = "", request: Any = None
) -> Complaint:
    """调查核实: the office checks the facts (on site, with the institution, through the inspection)."""
    complaint, from_status = _move(complaint, "investigate", actor)
    _record(complaint, from_status, actor, "investigate", reason, request)
    return complaint


@transaction.atomic
def complaint_conclude(
    *, actor: Any, complaint: Complaint, outcome: str, reply: str, reason: str = "", request: Any = None
) -> Complaint:
    """办结: the outcome and the written reply the complainant reads with the reference. A substantiated
    outcome posts a credit record (once: the credit app is idempotent on the complaint's id)."""
    errors: dict[str, str] = {}
    if outcome not in ComplaintOutcome.values or outcome == ComplaintOutcome.WITHDRAWN:
        errors["outcome"] = _("Choose substantiated, partly substantiated or not substantiated.")
    reply = (reply or "").strip()
    if not reply:
        errors["reply"] = _("Write the reply to the complainant.")
    elif len(reply) > rules.REPLY_MAX:
        errors["reply"] = _("At most {n} characters.").format(n=rules.REPLY_MAX)
    if errors:
        raise ValidationError(errors)
    complaint, from_status = _move(complaint, "conclude", actor)
    complaint.outcome, complaint.reply, complaint.concluded_at = outcome, reply, timezone.now()
    _record(complaint, from_status, actor, "conclude", reason, request)
    if outcome in rules.SUBSTANTIATED_OUTCOMES:
        post_credit(complaint, actor=actor)
    return complaint


@transaction.atomic
def complaint_withdraw(
    *, actor: Any, complaint: Complaint, reason: str = "", request: Any = None
) -> Complaint:
    """The complainant withdrew (told the office): concluded with outcome "withdrawn"."""
    complaint, from_status = _move(complaint, "withdraw", actor)
    complaint.outcome = ComplaintOutcome.WITHDRAWN
    complaint.reply = reason.strip() or _("The complaint was withdrawn.")
    complaint.concluded_at = timezone.now()
    _record(complaint, from_status, actor, "withdraw", reason, request)
    return complaint


def post_credit(complaint: Complaint, *, actor: Any = None) -> Any:
    """The credit record of a substantiated complaint (idempotent on source_ref)."""
    from tuoyu.credit.choices import CreditSource
    from tuoyu.credit.rules import points_for
    from tuoyu.credit.services import credit_record_add

    return credit_record_add(
        institution=complaint.institution,
        source=CreditSource.COMPLAINT,
        source_ref=f"complaint:{complaint.pk}",
        points=points_for("complaint", "serious" if complaint.serious else "substantiated"),
        reason=_("{outcome} complaint: {category}").format(
            outcome=ComplaintOutcome(complaint.outcome).label,
            category=ComplaintCategory(complaint.category).label,
        ),
        occurred_on=timezone.localdate(complaint.concluded_at)
        if complaint.concluded_at
        else timezone.localdate(),
        actor=actor,
    )


@transaction.atomic
def complaint_forward(
    *, actor: Any, complaint: Complaint, reason: str = "", request: Any = None
) -> Complaint:
    """Forward the complaint to the institution for a written response (without the complainant)."""
    complaint = _lock(complaint)
    _require_handler(actor, complaint)
    if complaint.status not in (S.ACCEPTED, S.INVESTIGATING):
        raise TransitionNotAllowed(_("Only an accepted complaint under handling can be forwarded."))
    if complaint.forwarded_at is not None:
        raise TransitionNotAllowed(_("This complaint was forwarded already."))
    complaint.forwarded_at = timezone.now()
    complaint.save(update_fields=["forwarded_at"])
    _event(complaint, EventKind.FORWARDED, actor, reason)
    audit(actor=actor, action="complaint.forward", obj=complaint, request=request)
    from tuoyu.parents.choices import NotificationKind
    from tuoyu.parents.services import notify_users

    directors = list(
        RoleAssignment.objects.filter(
            institution=complaint.institution, role="director", active=True
        ).values_list("user_id", flat=True)
    )
    notify_users(
        user_ids=directors,
        kind=NotificationKind.SUPERVISION,
        title=_("A complaint was forwarded to you for a response"),
        link=reverse("complaints:inst_detail", args=[complaint.pk]),
    )
    return complaint


@transaction.atomic
def complaint_respond(*, actor: Any, complaint: Complaint, response: str, request: Any = None) -> Complaint:
    """The institution's written response to a forwarded complaint (its director; once, while open)."""
    complaint = _lock(complaint)
    if not Complaint.objects.for_staff(actor).filter(pk=complaint.pk).exists():
        raise PermissionDenied(_("Only the institution's director may respond."))
    if not complaint.is_open:
        raise TransitionNotAllowed(_("This complaint is concluded."))
    if complaint.responded_at is not None:
        raise TransitionNotAllowed(_("The institution has responded already."))
    response = (response or "").strip()
    if not response:
        raise ValidationError({"response": _("Write the response.")})
    if len(response) > rules.REPLY_MAX:
        raise ValidationError({"response": _("At most {n} characters.").format(n=rules.REPLY_MAX)})
    complaint.institution_response, complaint.responded_at = response, timezone.now()
    complaint.save(update_fields=["institution_response", "responded_at"])
    _event(complaint, EventKind.RESPONDED, actor)
    audit(actor=actor, action="complaint.respond", obj=complaint, request=request)
    _notify(
        complaint, complaint.handling_region_id, _("The institution responded to a complaint"), urgent=False
    )
    return complaint


# --- Escalation -----------------------------------------------------------------------------------


@transaction.atomic
def complaint_escalate(*, complaint: Complaint, actor: Any = None, today: Any = None) -> Complaint | None:
    """Move an overdue open complaint up one level (county → city → province), reset its deadline,
    record it and tell the new level's officials. None when it is not overdue or already at the top."""
    today = today or timezone.localdate()
    complaint = _lock(complaint)
    if not complaint.is_open or complaint.due_on is None or complaint.due_on >= today:
        return None
    to_level = rules.NEXT_LEVEL.get(complaint.level)
    if to_level is None:
        return None
    from_level = complaint.level
    complaint.level = to_level
    complaint.handling_region_id = handling_region_id(complaint.institution, to_level)
    complaint.escalations += 1
    complaint.due_provisional = False
    _set_due(complaint, today)
    complaint.full_clean()
    complaint.save()
    deadline = rules.LEVEL_DEADLINES[from_level].working_days
    _event(
        complaint,
        EventKind.ESCALATED,
        actor,
        _("Not concluded within {n} working days at the {level} level.").format(
            n=deadline, level=HandlingLevel(from_level).label
        ),
        from_level=from_level,
        to_level=to_level,
    )
    audit(
        actor=actor, action="complaint.escalate", obj=complaint, detail={"from": from_level, "to": to_level}
    )
    _notify(
        complaint,
        complaint.handling_region_id,
        _("Overdue complaint escalated to you: {category}").format(
            category=ComplaintCategory(complaint.category).label
        ),
        urgent=complaint.serious,
    )
    return complaint


def escalate_overdue(*, today: Any = None) -> int:
    """Escalate every overdue open complaint below the province, one transaction each; returns how many."""
    today = today or timezone.localdate()
    ids = list(
        Complaint.objects.open()
        .filter(due_on__lt=today, level__in=list(rules.NEXT_LEVEL))
        .values_list("pk", flat=True)
    )
    moved = 0
    for pk in ids:
        moved += complaint_escalate(complaint=Complaint(pk=pk), today=today) is not None
    return moved
