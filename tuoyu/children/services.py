"""Writes to the children register. Pages, the API, admin and commands come through here.

Who may do what (decided here, once):
- A parent (role parent) applies for a place: for a new child (who is created with the parent as
  guardian 1, linked to the account) or for a child they already guard. The applicant may withdraw.
- The institution decides (waitlist, accept, decline): "change" on the institution as its staff,
  i.e. the director. Officials supervise admissions but do not decide them.
- Staff holding "care" over the child record admission checks (entry health check, vaccination
  certificate check and re-check, return health check).
- Guardians, pick-up people and the child's own details: "change" over the child — the child's
  parent (a guardian with an account) or the director of the child's institution.
- Changing class and leaving: the director ("change" on the institution).

Every application step goes through one transitions table (`TRANSITIONS`), is recorded as an
`ApplicationTransition` and audited, and the guardians are told (parents.services.notify_guardians).
Acceptance locks the institution row (select_for_update), so two concurrent acceptances cannot both
take the last place; `InstitutionClass.enrolled` is kept equal to the register's count of the class.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoyu.core.api import Conflict
from tuoyu.core.audit import audit
from tuoyu.core.scoping import grants_for
from tuoyu.institutions.choices import FeeUnit, ServiceMode
from tuoyu.institutions.models import Institution, InstitutionClass
from tuoyu.parents.choices import NotificationKind
from tuoyu.parents.services import notify_guardians
from tuoyu.workforce.validators import normalise_id_number

from . import rules
from .choices import ApplicationStatus, EntryCheckKind
from .models import (
    Application,
    ApplicationTransition,
    Child,
    Enrolment,
    EntryCheck,
    Guardian,
    PickupPerson,
)

S = ApplicationStatus
# The application state machine: status → statuses a step may lead to.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.SUBMITTED: frozenset({S.WAITLISTED, S.ACCEPTED, S.DECLINED, S.WITHDRAWN}),
    S.WAITLISTED: frozenset({S.ACCEPTED, S.DECLINED, S.WITHDRAWN}),
    S.ACCEPTED: frozenset(),
    S.DECLINED: frozenset(),
    S.WITHDRAWN: frozenset(),
}
OPEN_STATUSES = (S.SUBMITTED, S.WAITLISTED)

# Words of a fee item naming the service mode (the demo's and most catalogues' wording: 保育费（全日托）).
MODE_WORDS = {
    ServiceMode.FULL_DAY: "全日",
    ServiceMode.HALF_DAY: "半日",
    ServiceMode.HOURLY: "计时",
    ServiceMode.TEMPORARY: "临时",
}
CHILD_FIELDS = frozenset({"name", "sex", "birth_date", "id_number", "allergies", "special_needs"})


# --- Permissions ----------------------------------------------------------------------------------


def can_decide(actor: Any, institution: Institution | int) -> bool:
    """Whether the actor decides admissions at the institution: "change" on it as its staff."""
    pk = institution if isinstance(institution, int) else institution.pk
    grants = grants_for(actor, "change")
    return grants.everything or pk in grants.institution_ids


def require_decide(actor: Any, institution: Institution | int) -> None:
    if not can_decide(actor, institution):
        raise PermissionDenied(_("Only the institution's director may decide applications and enrolments."))


def _require_child(actor: Any, child: Child, action: str, message: str) -> None:
    if not Child.objects.for_user(actor, action).filter(pk=child.pk).exists():
        raise PermissionDenied(message)


def is_guardian(actor: Any, child: Child) -> bool:
    return (
        bool(actor and actor.is_authenticated) and Guardian.objects.filter(child=child, user=actor).exists()
    )


# --- Helpers --------------------------------------------------------------------------------------


def _strip(value: str | None) -> str:
    return (value or "").strip()


def _first_of_month(day: date) -> date:
    return day.replace(day=1)


def _transition(*, actor: Any, application: Application, to: str, reason: str = "") -> Application:
    """Move an application one step (checked against TRANSITIONS), record and audit the step."""
    if to not in TRANSITIONS[application.status]:
        raise Conflict(
            _("This application is {status}: it cannot become {to}.").format(
                status=application.get_status_display(), to=ApplicationStatus(to).label
            )
        )
    before = application.status
    application.status = to
    application.reason = reason[:300]
    application.decided_at = timezone.now()
    application.save(update_fields=["status", "reason", "decided_at"])
    ApplicationTransition.objects.create(
        application=application,
        from_status=before,
        to_status=to,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        reason=reason[:300],
    )
    audit(
        actor=actor,
        action=f"application_{to}",
        obj=application,
        region_code=application.institution.township_id,
        detail={"from": before, "to": to, "reason": reason[:300]},
    )
    return application


def _notify(application: Application, title: str, body: str = "") -> None:
    notify_guardians(
        child=application.child,
        kind=NotificationKind.APPLICATION,
        title=title,
        body=body,
        link="/children/applications/mine/",
    )


def register_count(klass: InstitutionClass) -> int:
    return Child.objects.filter(klass=klass).count()


def _sync_enrolled(*classes: InstitutionClass | None) -> None:
    """Keep each class's declared `enrolled` equal to its register count (the ratio page reads it)."""
    for klass in classes:
        if klass is None:
            continue
        n = register_count(klass)
        if klass.enrolled != n:
            InstitutionClass.objects.filter(pk=klass.pk).update(enrolled=n)
            klass.enrolled = n


def _check_capacity(institution: Institution, klass: InstitutionClass) -> None:
    """Refuse (409) when one more child would overfill the class or the institution's filed places.

    The caller holds the institution row locked, so the counts cannot change until it commits."""
    refusal = rules.capacity_refusal(
        class_name=klass.name,
        class_capacity=klass.capacity,
        class_current=register_count(klass),
        places=institution.places,
        institution_current=Child.objects.filter(institution=institution).count(),
    )
    if refusal:
        raise Conflict(refusal)


def _locked_institution(pk: int) -> Institution:
    return Institution.objects.select_for_update().get(pk=pk)


def monthly_fee_for(institution: Institution, service_mode: str) -> Decimal | None:
    """The monthly fee of the service mode from the fee catalogue (收费目录清单), if one is listed."""
    items = list(institution.fees.filter(unit=FeeUnit.MONTH).order_by("amount", "id"))
    word = MODE_WORDS.get(ServiceMode(service_mode), "") if service_mode in ServiceMode.values else ""
    for item in items:
        if word and word in item.item:
            return item.amount
    return items[0].amount if len(items) == 1 else None


# --- Children, guardians, pick-up people ---------------------------------------------------------


def _new_child(**fields: Any) -> Child:
    child = Child(
        name=_strip(fields.get("name")),
        sex=fields.get("sex") or "",
        birth_date=fields.get("birth_date"),  # type: ignore[misc]  # None: full_clean() says "required"
        id_number=normalise_id_number(fields.get("id_number") or ""),
        allergies=_strip(fields.get("allergies")),
        special_needs=_strip(fields.get("special_needs")),
    )
    if child.birth_date and child.birth_date > timezone.localdate():
        raise ValidationError({"birth_date": _("The date of birth cannot be in the future.")})
    child.full_clean()
    return child


def _guardian_set(
    *, child: Child, position: int, name: str, relation: str, phone: str, user: Any = None
) -> Guardian:
    guardian = Guardian.objects.filter(child=child, position=position).first() or Guardian(
        child=child, position=position
    )
    guardian.name, guardian.relation, guardian.phone = _strip(name), relation, _strip(phone)
    if user is not None:
        guardian.user = user
    guardian.full_clean(validate_constraints=False)
    guardian.save()
    return guardian


@transaction.atomic
def guardian_upsert(
    *,
    actor: Any,
    child: Child,
    position: int,
    name: str,
    relation: str,
    phone: str,
) -> Guardian:
    """Add or change guardian 1 or 2 (at most two). Parents change their child's guardians, the
    director those of the institution's children. An account link stays as it is."""
    _require_child(actor, child, "change", _("Only the child's guardians or director may change guardians."))
    if position not in (1, 2):
        raise ValidationError({"position": _("A child has at most two guardians (1 or 2).")})
    guardian = _guardian_set(child=child, position=position, name=name, relation=relation, phone=phone)
    audit(actor=actor, action="guardian_upsert", obj=child, detail={"position": position})
    return guardian


@transaction.atomic
def guardian_link_account(*, actor: Any, child: Child, position: int, phone: str) -> Guardian:
    """Link guardian 1 or 2 to the parent account signed up with `phone` (the sign-up username), so the
    parent follows the child on the parent end. The director does it: sign-up does not verify the
    number, so nothing links by phone on its own."""
    from tuoyu.accounts.choices import Role
    from tuoyu.accounts.models import User

    if child.institution_id is None:
        raise Conflict(_("The child holds no place: link accounts at the institution where the child is."))
    require_decide(actor, child.institution_id)
    guardian = child.guardians.filter(position=position).first()
    if guardian is None:
        raise ValidationError({"position": _("This child has no guardian {n} yet.").format(n=position)})
    account = (
        User.objects.filter(
            username=_strip(phone),
            is_active=True,
            role_assignments__role=Role.PARENT,
            role_assignments__active=True,
        )
        .distinct()
        .first()
    )
    if account is None:
        raise ValidationError(
            {"phone": _("No parent account has this mobile number: ask the parent to sign up first.")}
        )
    if child.guardians.filter(user=account).exclude(pk=guardian.pk).exists():
        raise ValidationError({"phone": _("This account is already linked to the child's other guardian.")})
    guardian.user = account
    guardian.save(update_fields=["user"])
    audit(actor=actor, action="guardian_link_account", obj=child, detail={"position": position})
    notify_guardians(
        child=child,
        kind=NotificationKind.OTHER,
        title=_("You can now follow {name} on the parent end.").format(name=child.name),
    )
    return guardian


@transaction.atomic
def pickup_person_add(*, actor: Any, child: Child, name: str, relation: str, phone: str) -> PickupPerson:
    """Authorise someone to collect the child (guardians are authorised themselves)."""
    _require_child(
        actor, child, "change", _("Only the child's guardians or director may authorise pick-up people.")
    )
    person = PickupPerson(child=child, name=_strip(name), relation=relation, phone=_strip(phone))
    person.full_clean()
    person.save()
    audit(actor=actor, action="pickup_person_add", obj=child, detail={"name": person.name})
    return person


@transaction.atomic
def pickup_person_deactivate(*, actor: Any, person: PickupPerson) -> PickupPerson:
    """Withdraw someone's authorisation to collect the child (kept for the record)."""
    _require_child(
        actor, person.child, "change", _("Only the child's guardians or director may change pick-up people.")
    )
    if person.active:
        person.active = False
        person.save(update_fields=["active"])
        audit(actor=actor, action="pickup_person_deactivate", obj=person.child, detail={"name": person.name})
    return person


@transaction.atomic
def child_update(*, actor: Any, child: Child, **changes: Any) -> Child:
    """Change the child's own details (name, sex, date of birth, ID number, allergies, special needs)."""
    unknown = set(changes) - CHILD_FIELDS
    if unknown:
        raise ValidationError({field: _("This field cannot be changed.") for field in sorted(unknown)})
    _require_child(actor, child, "change", _("Only the child's guardians or director may change the record."))
    changed: dict[str, str] = {}
    for field, value in changes.items():
        if value is None:
            continue
        if field == "id_number":
            value = normalise_id_number(value)
        elif isinstance(value, str):
            value = value.strip()
        if getattr(child, field) != value:
            # The ID number never goes to the audit log in full.
            changed[field] = child.masked_id if field == "id_number" else str(value)
            setattr(child, field, value)
    if not changed:
        return child
    if child.birth_date > timezone.localdate():
        raise ValidationError({"birth_date": _("The date of birth cannot be in the future.")})
    child.full_clean()
    child.save(update_fields=list(changed))
    if "id_number" in changed:
        changed["id_number"] = child.masked_id
    audit(actor=actor, action="child_update", obj=child, detail=changed)
    return child


# --- Applications ---------------------------------------------------------------------------------


@transaction.atomic
def application_submit(
    *,
    actor: Any,
    institution: Institution,
    service_mode: str,
    start_month: date,
    child: Child | None = None,
    child_fields: dict[str, Any] | None = None,
    guardian: dict[str, Any] | None = None,
    second_guardian: dict[str, Any] | None = None,
    note: str = "",
) -> Application:
    """A parent applies for a place (入托申请): for a child they guard (`child`), or for a new child
    (`child_fields`: name, sex, birth_date, id_number, allergies, special_needs) of whom they become
    guardian 1 (`guardian`: relation, and optionally name and phone; the account's by default), with an
    optional `second_guardian` (name, relation, phone)."""
    if not (actor and actor.is_authenticated and actor.is_parent):
        raise PermissionDenied(_("Only parents apply for a place."))
    if not Institution.objects.publicly_listed().filter(pk=institution.pk).exists():
        raise Conflict(_("This institution is not on the public register: it cannot take applications."))
    # A suspended or closing institution could never accept the child: the parent is told now.
    from tuoyu.enforcement.selectors import enrolment_stop_reason

    stopped = enrolment_stop_reason(institution)
    if stopped:
        raise Conflict(stopped)
    offered = institution.service_modes or []
    if service_mode not in ServiceMode.values or (offered and service_mode not in offered):
        raise ValidationError({"service_mode": _("The institution does not offer this service mode.")})
    start_month = _first_of_month(start_month)
    if start_month < _first_of_month(timezone.localdate()):
        raise ValidationError({"start_month": _("The start month cannot be in the past.")})

    if child is None:
        fields = dict(child_fields or {})
        id_number = normalise_id_number(fields.get("id_number") or "")
        if id_number and Child.objects.filter(id_number=id_number).exists():
            raise ValidationError(
                {
                    "id_number": _(
                        "A child with this ID number is registered already: apply from their record."
                    )
                }
            )
        child = _new_child(**fields)
        g = dict(guardian or {})
        _guardian_check = Guardian(
            child=child,
            position=1,
            name=_strip(g.get("name")) or actor.display_name or actor.get_username(),
            relation=g.get("relation") or "",
            phone=_strip(g.get("phone")) or actor.phone,
        )
        _guardian_check.full_clean(exclude=["child"], validate_constraints=False)
        child.save()
        _guardian_set(
            child=child,
            position=1,
            name=_guardian_check.name,
            relation=_guardian_check.relation,
            phone=_guardian_check.phone,
            user=actor,
        )
        if second_guardian and _strip(second_guardian.get("name")):
            _guardian_set(
                child=child,
                position=2,
                name=second_guardian["name"],
                relation=second_guardian.get("relation") or "",
                phone=second_guardian.get("phone") or "",
            )
        audit(actor=actor, action="child_add", obj=child, detail={"by": "application"})
    elif not is_guardian(actor, child):
        raise PermissionDenied(_("You may apply only for a child you are a guardian of."))

    if child.institution_id == institution.pk:
        raise Conflict(_("{child} is enrolled at this institution already.").format(child=child.name))
    if Application.objects.filter(child=child, institution=institution, status__in=OPEN_STATUSES).exists():
        raise Conflict(
            _("{child} has an open application to this institution already.").format(child=child.name)
        )
    kinds = set(institution.classes.values_list("kind", flat=True))
    fitting = set(rules.fitting_kinds(child.birth_date, start_month))
    if not kinds & fitting:
        raise ValidationError(
            {
                "start_month": _(
                    "No class of this institution takes a child aged {age} months in {month}."
                ).format(
                    age=rules.age_in_months(child.birth_date, start_month),
                    month=start_month.strftime("%Y-%m"),
                )
            }
        )
    application = Application(
        child=child,
        institution=institution,
        applicant=actor,
        service_mode=service_mode,
        start_month=start_month,
        note=_strip(note),
    )
    application.full_clean()
    application.save()
    ApplicationTransition.objects.create(
        application=application, from_status="", to_status=S.SUBMITTED, actor=actor
    )
    audit(
        actor=actor,
        action="application_submitted",
        obj=application,
        region_code=institution.township_id,
        detail={
            "institution": institution.pk,
            "service_mode": service_mode,
            "start_month": start_month.isoformat(),
        },
    )
    return application


@transaction.atomic
def application_waitlist(*, actor: Any, application: Application, reason: str = "") -> Application:
    """Put an application on the waiting list (the institution)."""
    require_decide(actor, application.institution_id)
    application = _transition(actor=actor, application=application, to=S.WAITLISTED, reason=_strip(reason))
    _notify(
        application,
        _("{institution} put {child} on its waiting list").format(
            institution=application.institution.name, child=application.child.name
        ),
        application.reason,
    )
    return application


@transaction.atomic
def application_decline(*, actor: Any, application: Application, reason: str) -> Application:
    """Decline an application, with the reason the guardian is told (the institution)."""
    require_decide(actor, application.institution_id)
    reason = _strip(reason)
    if not reason:
        raise ValidationError({"reason": _("Give the reason for declining: the guardian is told.")})
    application = _transition(actor=actor, application=application, to=S.DECLINED, reason=reason)
    _notify(
        application,
        _("{institution} declined the application for {child}").format(
            institution=application.institution.name, child=application.child.name
        ),
        reason,
    )
    return application


@transaction.atomic
def application_withdraw(*, actor: Any, application: Application, reason: str = "") -> Application:
    """The applicant (or another guardian of the child) withdraws the application."""
    if not (application.applicant_id == getattr(actor, "pk", None) or is_guardian(actor, application.child)):
        raise PermissionDenied(_("Only the applicant may withdraw this application."))
    return _transition(actor=actor, application=application, to=S.WITHDRAWN, reason=_strip(reason))


def agreement_number(application: Application, year: int) -> str:
    """The service agreement number given when the director enters none (服务协议编号)."""
    return f"FW{application.institution_id:05d}-{year}-{application.pk:06d}"


@transaction.atomic
def application_accept(
    *,
    actor: Any,
    application: Application,
    klass: InstitutionClass,
    start_on: date | None = None,
    agreement_ref: str = "",
    agreement_signed_on: date | None = None,
    monthly_fee: Decimal | None = None,
) -> Enrolment:
    """Accept onto a class: the class's age band fits at the start, the class and the institution have
    a place (the institution row is locked while counting), the child passed the entry health check.
    Records the service agreement (服务协议) and the monthly fee (default: the fee catalogue's)."""
    require_decide(actor, application.institution_id)
    institution = _locked_institution(application.institution_id)
    # Suspended, closed or closing institutions take no new child (enforcement: the closure workflow).
    from tuoyu.enforcement.selectors import enrolment_stop_reason

    stopped = enrolment_stop_reason(institution)
    if stopped:
        raise Conflict(stopped)
    application = Application.objects.select_related("child").get(pk=application.pk)
    if S.ACCEPTED not in TRANSITIONS[application.status]:
        _transition(actor=actor, application=application, to=S.ACCEPTED)  # raises the refusal
    if klass.institution_id != institution.pk:
        raise ValidationError({"class_id": _("Choose a class of this institution.")})
    child = application.child
    start_on = start_on or application.start_month
    if start_on < application.start_month:
        raise ValidationError({"start_on": _("The start date cannot be before the month applied for.")})
    refusal = rules.age_refusal(klass.kind, child.birth_date, start_on)
    if refusal:
        raise Conflict(refusal)
    if Enrolment.objects.current().filter(child=child).exists():
        raise Conflict(
            _("{child} is enrolled elsewhere: they must leave there first.").format(child=child.name)
        )
    today = timezone.localdate()
    if not rules.has_passed_health_check(child.entry_checks.all(), on_or_before=today):
        raise Conflict(
            _("Record a passed entry health check for {child} first ({source}).").format(
                child=child.name, source=rules.ENTRY_HEALTH_CHECK.source
            )
        )
    _check_capacity(institution, klass)
    if monthly_fee is None:
        monthly_fee = monthly_fee_for(institution, application.service_mode)
    enrolment = Enrolment(
        child=child,
        institution=institution,
        klass=klass,
        application=application,
        service_mode=application.service_mode,
        start_on=start_on,
        agreement_ref=_strip(agreement_ref) or agreement_number(application, today.year),
        agreement_signed_on=agreement_signed_on or today,
        monthly_fee=monthly_fee,
    )
    enrolment.full_clean(validate_constraints=False)
    enrolment.save()
    child.institution, child.klass = institution, klass
    child.save(update_fields=["institution", "klass"])
    _sync_enrolled(klass)
    _transition(actor=actor, application=application, to=S.ACCEPTED, reason=klass.name)
    audit(
        actor=actor,
        action="enrolment_start",
        obj=child,
        region_code=institution.township_id,
        detail={"class": klass.name, "start_on": start_on.isoformat(), "agreement": enrolment.agreement_ref},
    )
    _notify(
        application,
        _("{institution} accepted {child} into {klass} from {date}").format(
            institution=institution.name, child=child.name, klass=klass.name, date=start_on.isoformat()
        ),
    )
    return enrolment


# --- Enrolments -----------------------------------------------------------------------------------


def _current_enrolment(child: Child) -> Enrolment:
    enrolment = Enrolment.objects.current().filter(child=child).select_related("klass").first()
    if enrolment is None or child.institution_id is None:
        raise Conflict(_("{child} is not enrolled anywhere.").format(child=child.name))
    return enrolment


@transaction.atomic
def enrolment_change_class(
    *, actor: Any, child: Child, klass: InstitutionClass, on: date | None = None
) -> Enrolment:
    """Move an enrolled child to another class of the same institution (its age band and places)."""
    enrolment = _current_enrolment(child)
    require_decide(actor, enrolment.institution_id)
    institution = _locked_institution(enrolment.institution_id)
    if klass.institution_id != institution.pk:
        raise ValidationError({"class_id": _("Choose a class of this institution.")})
    if klass.pk == enrolment.klass_id:
        return enrolment
    on = on or timezone.localdate()
    refusal = rules.age_refusal(klass.kind, child.birth_date, on)
    if refusal:
        raise Conflict(refusal)
    if register_count(klass) >= klass.capacity:
        raise Conflict(
            _("{name} is full: {current} children for {capacity} places.").format(
                name=klass.name, current=register_count(klass), capacity=klass.capacity
            )
        )
    before = enrolment.klass
    enrolment.klass = klass
    enrolment.save(update_fields=["klass"])
    child.klass = klass
    child.save(update_fields=["klass"])
    _sync_enrolled(before, klass)
    audit(
        actor=actor,
        action="enrolment_change_class",
        obj=child,
        region_code=institution.township_id,
        detail={"from": before.name, "to": klass.name, "on": on.isoformat()},
    )
    return enrolment


@transaction.atomic
def enrolment_leave(*, actor: Any, child: Child, left_on: date, reason: str) -> Enrolment:
    """Record that the child leaves the institution: the date and the reason (the director)."""
    enrolment = _current_enrolment(child)
    require_decide(actor, enrolment.institution_id)
    return _leave(actor=actor, child=child, enrolment=enrolment, left_on=left_on, reason=reason)


@transaction.atomic
def enrolment_leave_on_closure(*, actor: Any, child: Child, left_on: date, reason: str) -> Enrolment:
    """The child leaves an institution that is closing: recorded by the closure case's official (the
    enforcement app checks their "manage" grant over the institution's region) or its director."""
    enrolment = _current_enrolment(child)
    official = grants_for(actor, "manage").covers_code(enrolment.institution.township_id)
    if not (official or can_decide(actor, enrolment.institution_id)):
        raise PermissionDenied(_("Only the institution's director or the supervising official may do this."))
    return _leave(actor=actor, child=child, enrolment=enrolment, left_on=left_on, reason=reason)


def _leave(*, actor: Any, child: Child, enrolment: Enrolment, left_on: date, reason: str) -> Enrolment:
    reason = _strip(reason)
    if not reason:
        raise ValidationError({"reason": _("Give the reason for leaving.")})
    if left_on < enrolment.start_on:
        raise ValidationError({"left_on": _("A child cannot leave before their start date.")})
    if left_on > timezone.localdate():
        raise ValidationError({"left_on": _("The leaving date cannot be in the future.")})
    _locked_institution(enrolment.institution_id)
    enrolment.left_on, enrolment.leave_reason = left_on, reason[:200]
    enrolment.full_clean(validate_constraints=False)
    enrolment.save(update_fields=["left_on", "leave_reason"])
    klass = enrolment.klass
    child.institution, child.klass = None, None
    child.save(update_fields=["institution", "klass"])
    _sync_enrolled(klass)
    audit(
        actor=actor,
        action="enrolment_leave",
        obj=child,
        region_code=enrolment.institution.township_id,
        detail={"left_on": left_on.isoformat(), "reason": reason[:200]},
    )
    return enrolment


# --- Admission checks -----------------------------------------------------------------------------


@transaction.atomic
def entry_check_record(
    *,
    actor: Any,
    child: Child,
    kind: str,
    checked_on: date,
    passed: bool,
    issuer: str = "",
    notes: str = "",
) -> EntryCheck:
    """Record an admission check (entry health check, vaccination certificate check or re-check, health
    check after more than three months away), by staff holding "care" at the child's institution or at
    an institution the child has an open application to."""
    grants = grants_for(actor, "care")
    if not Child.objects.for_user(actor, "care").filter(pk=child.pk).exists():
        raise PermissionDenied(_("Only the institution's staff record admission checks."))
    if kind not in EntryCheckKind.values:
        raise ValidationError({"kind": _("Unknown check.")})
    if checked_on > timezone.localdate():
        raise ValidationError({"checked_on": _("The date cannot be in the future.")})
    institution_id = child.institution_id
    if not (grants.everything and institution_id) and institution_id not in grants.institution_ids:
        institution_id = (
            Application.objects.filter(
                child=child, status__in=OPEN_STATUSES, institution_id__in=grants.institution_ids
            )
            .order_by("-created_at")
            .values_list("institution_id", flat=True)
            .first()
        )
    if institution_id is None:
        raise PermissionDenied(_("Only the institution's staff record admission checks."))
    check = EntryCheck(
        child=child,
        institution_id=institution_id,
        kind=kind,
        checked_on=checked_on,
        passed=passed,
        issuer=_strip(issuer),
        notes=_strip(notes),
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    check.full_clean()
    check.save()
    audit(
        actor=actor,
        action="entry_check_record",
        obj=child,
        detail={"kind": kind, "checked_on": checked_on.isoformat(), "passed": passed},
    )
    return check
