"""Writes to the workforce records. Pages, the API and admin come through here."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoyu.core.api import Conflict
from tuoyu.core.audit import audit
from tuoyu.institutions.models import Institution, InstitutionClass

from .choices import AlertKind, CheckResult
from .models import (
    BackgroundCheck,
    BanRecord,
    ClassAssignment,
    Employment,
    Person,
    Qualification,
    StaffAlert,
    official_with,
)
from .validators import normalise_id_number


def ban_refusal(ban: BanRecord) -> str:
    return _(
        "This person is banned from childcare work ({kind}) by decision of {decided_by} on {date}."
    ).format(kind=ban.get_kind_display(), decided_by=ban.decided_by, date=ban.decided_on.isoformat())


@transaction.atomic
def staff_hire(
    *,
    actor: Any,
    institution: Institution,
    name: str,
    id_number: str,
    phone: str = "",
    role: str,
    start_on: date,
    full_time: bool = True,
    experience_years: int = 0,
) -> Employment:
    """Hire a person (found by ID number, or created): refused if banned or already in a full-time job."""
    id_number = normalise_id_number(id_number)
    person = Person.objects.select_for_update().filter(id_number=id_number).first()
    if person is None:
        person = Person(name=name.strip(), id_number=id_number, phone=phone.strip())
        person.full_clean()
    # 人口与计划生育法 第41条 / 未成年人保护法 第62条: a banned person may not be hired.
    ban = (
        BanRecord.objects.active(start_on).filter(id_number=id_number).order_by("kind", "-decided_on").first()
    )
    if ban is not None:
        raise Conflict(ban_refusal(ban))
    if person.pk is None:
        person.save()
    elif full_time:
        current = (
            Employment.objects.open()
            .filter(person=person, full_time=True)
            .select_related("institution")
            .first()
        )
        if current is not None:
            visible = Institution.objects.for_user(actor, "view").filter(pk=current.institution_id).exists()
            where = current.institution.name if visible else _("another institution")
            raise Conflict(
                _("This person already has a full-time job at {institution}: end it first.").format(
                    institution=where
                )
            )
    employment = Employment(
        person=person,
        institution=institution,
        role=role,
        full_time=full_time,
        experience_years=experience_years,
        start_on=start_on,
    )
    employment.full_clean()
    employment.save()
    audit(actor=actor, action="staff_hire", obj=employment, detail={"person": person.masked_id, "role": role})
    return employment


@transaction.atomic
def employment_end(*, actor: Any, employment: Employment, end_on: date, end_reason: str = "") -> Employment:
    """End a job; its class assignment ends with it (on the same day, or today if that is later)."""
    if employment.end_on is not None:
        raise Conflict(_("This job has already ended."))
    employment.end_on = end_on
    employment.end_reason = end_reason.strip()
    employment.full_clean()
    employment.save(update_fields=["end_on", "end_reason"])
    audit(actor=actor, action="employment_end", obj=employment, detail={"end_on": end_on.isoformat()})
    today = timezone.localdate()
    for assignment in (
        ClassAssignment.objects.open().filter(employment=employment).select_related("institution_class")
    ):
        _assignment_close(
            actor=actor, assignment=assignment, end_on=max(assignment.start_on, min(end_on, today))
        )
    return employment


# --- Class assignments (the staff-to-child ratio, ratios.py) ---------------------------------------


def _require_change(actor: Any, institution: Institution) -> None:
    """Class assignments are the director's: "change" on the institution (None: the system itself)."""
    if actor is None:
        return
    if not Institution.objects.for_user(actor, "change").filter(pk=institution.pk).exists():
        raise PermissionDenied(_("Only the institution's director may assign caregivers to classes."))


def _assignment_close(*, actor: Any, assignment: ClassAssignment, end_on: date) -> ClassAssignment:
    assignment.end_on = end_on
    assignment.full_clean()
    assignment.save(update_fields=["end_on"])
    audit(
        actor=actor,
        action="class_assignment_end",
        obj=assignment,
        detail={"class": assignment.institution_class.name, "end_on": end_on.isoformat()},
    )
    return assignment


@transaction.atomic
def class_assignment_add(
    *,
    actor: Any,
    employment: Employment,
    institution_class: InstitutionClass,
    start_on: date | None = None,
) -> ClassAssignment:
    """Put a caregiver in a class of their institution, from `start_on` (default today).

    Refused: another institution's class or a job other than a caregiver's (422 on the field); an ended
    job, or a caregiver already in a class (409: end that assignment first).
    """
    _require_change(actor, employment.institution)
    # Lock the job so that two assignments of it cannot pass the checks at once.
    employment = (
        Employment.objects.select_for_update().select_related("person", "institution").get(pk=employment.pk)
    )
    start_on = start_on or timezone.localdate()
    if start_on > timezone.localdate():
        raise ValidationError({"start_on": _("This date is in the future.")})
    if employment.end_on is not None:
        raise Conflict(_("This job has ended."))
    current = ClassAssignment.objects.open().filter(employment=employment).select_related("institution_class")
    if (existing := current.first()) is not None:
        raise Conflict(
            _("{name} is already assigned to {klass}: end that assignment first.").format(
                name=employment.person.name, klass=existing.institution_class.name
            )
        )
    assignment = ClassAssignment(
        employment=employment, institution_class=institution_class, start_on=start_on
    )
    assignment.full_clean()
    assignment.save()
    audit(
        actor=actor,
        action="class_assignment_add",
        obj=assignment,
        detail={"class": institution_class.name, "person": employment.person.masked_id},
    )
    return assignment


@transaction.atomic
def class_assignment_end(
    *, actor: Any, assignment: ClassAssignment, end_on: date | None = None
) -> ClassAssignment:
    """End a caregiver's assignment to a class on `end_on` (default today; not in the future)."""
    assignment = (
        ClassAssignment.objects.select_for_update()
        .select_related("employment__institution", "employment__person", "institution_class")
        .get(pk=assignment.pk)
    )
    _require_change(actor, assignment.employment.institution)
    if assignment.end_on is not None:
        raise Conflict(_("This assignment has already ended."))
    today = timezone.localdate()
    end_on = end_on or max(today, assignment.start_on)
    if end_on > max(today, assignment.start_on):
        raise ValidationError({"end_on": _("This date is in the future.")})
    return _assignment_close(actor=actor, assignment=assignment, end_on=end_on)


@transaction.atomic
def qualification_add(
    *,
    actor: Any,
    person: Person,
    kind: str,
    issued_on: date,
    level: str = "",
    expires_on: date | None = None,
) -> Qualification:
    qualification = Qualification(
        person=person, kind=kind, level=level.strip(), issued_on=issued_on, expires_on=expires_on
    )
    qualification.full_clean()
    qualification.save()
    audit(actor=actor, action="qualification_add", obj=qualification, detail={"person": person.masked_id})
    return qualification


def _alert(*, actor: Any, employment: Employment, kind: str, ban: BanRecord | None = None) -> StaffAlert:
    alert = StaffAlert(institution=employment.institution, person=employment.person, kind=kind, ban=ban)
    alert.full_clean()
    alert.save()
    audit(
        actor=actor,
        action="staff_alert",
        obj=alert,
        detail={"kind": kind, "person": employment.person.masked_id},
    )
    return alert


@transaction.atomic
def background_check_record(
    *,
    actor: Any,
    person: Person,
    kind: str,
    checked_on: date,
    result: str,
    employment: Employment | None = None,
    note: str = "",
) -> BackgroundCheck:
    """Record a check (未成年人保护法 第62条); a record found alerts every institution employing them."""
    check = BackgroundCheck(
        person=person,
        employment=employment,
        kind=kind,
        checked_on=checked_on,
        result=result,
        checked_by=actor if getattr(actor, "is_authenticated", False) else None,
        note=note.strip(),
    )
    check.full_clean()
    check.save()
    audit(
        actor=actor,
        action="background_check",
        obj=check,
        detail={"person": person.masked_id, "result": result},
    )
    if result == CheckResult.RECORD_FOUND:
        for open_job in (
            Employment.objects.open().filter(person=person).select_related("institution", "person")
        ):
            _alert(actor=actor, employment=open_job, kind=AlertKind.RECORD_FOUND)
    return check


@transaction.atomic
def ban_record_add(
    *,
    actor: Any,
    id_number: str,
    name: str,
    kind: str,
    decision: str,
    decided_on: date,
    decided_by: str,
    ends_on: date | None = None,
) -> BanRecord:
    """Add a ban (officials with "manage"); everyone employed with that ID now raises an alert."""
    if not official_with(actor, "manage"):
        raise PermissionDenied(_("Only officials who manage a region may add to the ban list."))
    ban = BanRecord(
        id_number=normalise_id_number(id_number),
        name=name.strip(),
        kind=kind,
        decision=decision.strip(),
        decided_on=decided_on,
        ends_on=ends_on,
        decided_by=decided_by.strip(),
        created_by=actor,
    )
    ban.full_clean()
    ban.save()
    audit(actor=actor, action="ban_record_add", obj=ban, detail={"id": ban.masked_id, "kind": kind})
    if BanRecord.objects.active().filter(pk=ban.pk).exists():
        jobs = (
            Employment.objects.open()
            .filter(person__id_number=ban.id_number)
            .select_related("institution", "person")
        )
        for job in jobs:
            _alert(actor=actor, employment=job, kind=AlertKind.BANNED_WHILE_EMPLOYED, ban=ban)
    return ban


@transaction.atomic
def staff_alert_resolve(*, actor: Any, alert: StaffAlert, resolution: str = "") -> StaffAlert:
    if alert.resolved_at is not None:
        raise Conflict(_("This alert is already resolved."))
    alert.resolved_at = timezone.now()
    alert.resolved_by = actor if getattr(actor, "is_authenticated", False) else None
    alert.resolution = resolution.strip()
    alert.full_clean()
    alert.save(update_fields=["resolved_at", "resolved_by", "resolution"])
    audit(actor=actor, action="staff_alert_resolve", obj=alert)
    return alert
