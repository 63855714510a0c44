"""Writes to the training records. Pages, the API, admin and commands come through here.

Who may do what (decided here, once):
- The catalogue (bases, trainers, courses, sessions): officials holding "manage" over the record's
  region (a county official for the county's own records, a province official for any).
- A session's organising region must cover its base: the base serves the organising region itself or
  one of its sub-regions (a county may not book the city's base; the city organises that session).
  Its trainers come from the pool of the organising region, of one of its ancestors or sub-regions.
- A session is open to the staff of institutions within its organising region (a Xuanwu session to
  Xuanwu's institutions; a province session to everyone), so the organiser always sees its enrolments.
- Enrolling: a director enrols their own staff (a "change" grant on the institution); an official
  with "manage" over the session's region enrols anyone their grant reaches.
- Attendance and completion (hours, certificate) are recorded by the organiser only: an employer does
  not certify its own staff's hours. Withdrawing: the director or the organiser.
"""

from __future__ import annotations

from collections.abc import Iterable
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
from tuoyu.institutions.models import Institution
from tuoyu.regions.models import Region
from tuoyu.workforce.models import Employment, Person, Qualification
from tuoyu.workforce.services import qualification_add

from .choices import HOLDS_PLACE, EnrolmentStatus
from .models import Course, Enrolment, Trainer, TrainingBase, TrainingSession

# The enrolment state machine: status → statuses a transition may lead to. `enrolment_add` also
# re-opens a withdrawn enrolment (withdrawn → enrolled) since a person has one row per session.
TRANSITIONS: dict[str, frozenset[str]] = {
    EnrolmentStatus.ENROLLED: frozenset(
        {EnrolmentStatus.COMPLETED, EnrolmentStatus.ABSENT, EnrolmentStatus.WITHDRAWN}
    ),
    # Attendance recorded as absent by mistake can be corrected to completed.
    EnrolmentStatus.ABSENT: frozenset({EnrolmentStatus.COMPLETED}),
    EnrolmentStatus.WITHDRAWN: frozenset({EnrolmentStatus.ENROLLED}),
    EnrolmentStatus.COMPLETED: frozenset(),
}


def certificate_number(session_id: int, enrolment_id: int) -> str:
    """The certificate number given on completion unless the organiser enters one (培训合格证编号)."""
    return f"PX{session_id:06d}-{enrolment_id:06d}"


def can_manage_region(actor: Any, region_code: str) -> bool:
    """Whether the actor is an official holding "manage" over this region (a director's does not count)."""
    return grants_for(actor, "manage").covers_code(str(region_code))


def _require_manage(actor: Any, region_code: str) -> None:
    if not can_manage_region(actor, region_code):
        raise PermissionDenied(_("Only officials who manage this region may change its training records."))


def _check_transition(enrolment: Enrolment, to: str) -> None:
    if to not in TRANSITIONS[enrolment.status]:
        raise Conflict(
            _("This enrolment is {status}: it cannot become {to}.").format(
                status=enrolment.get_status_display(), to=EnrolmentStatus(to).label
            )
        )


# --- The catalogue --------------------------------------------------------------------------------


@transaction.atomic
def training_base_add(
    *,
    actor: Any,
    name: str,
    level: str,
    region: Region,
    capacity: int,
    accredited_by: str,
    accredited_on: date,
    accreditation_ends_on: date | None = None,
    address: str = "",
    active: bool = True,
) -> TrainingBase:
    """Record an accredited training base (officials with "manage" over its region)."""
    _require_manage(actor, region.code)
    base = TrainingBase(
        name=name.strip(),
        level=level,
        region=region,
        address=address.strip(),
        capacity=capacity,
        accredited_by=accredited_by.strip(),
        accredited_on=accredited_on,
        accreditation_ends_on=accreditation_ends_on,
        active=active,
    )
    base.full_clean()
    base.save()
    audit(actor=actor, action="training_base_add", obj=base, detail={"level": level})
    return base


BASE_FIELDS = frozenset(
    {"name", "address", "capacity", "accredited_by", "accredited_on", "accreditation_ends_on", "active"}
)


@transaction.atomic
def training_base_update(*, actor: Any, base: TrainingBase, **changes: Any) -> TrainingBase:
    """Change a base's record (not its level or region: a base accredited elsewhere is a new base)."""
    unknown = set(changes) - BASE_FIELDS
    if unknown:
        raise ValidationError({field: _("This field cannot be changed.") for field in sorted(unknown)})
    _require_manage(actor, base.region_id)
    changed = {}
    for field, value in changes.items():
        if isinstance(value, str):
            value = value.strip()
        if getattr(base, field) != value:
            changed[field] = str(value)
            setattr(base, field, value)
    if not changed:
        return base
    base.full_clean()
    base.save(update_fields=list(changed))
    audit(actor=actor, action="training_base_update", obj=base, detail=changed)
    return base


@transaction.atomic
def trainer_add(
    *,
    actor: Any,
    name: str,
    organisation: str,
    specialty: str,
    region: Region,
    title: str = "",
    base: TrainingBase | None = None,
) -> Trainer:
    """Add a trainer to a region's pool (培训师资库); a base, if given, must be in that region or below."""
    _require_manage(actor, region.code)
    if base is not None and not region.contains(base.region_id):
        raise ValidationError({"base": _("The base must serve this region or one of its sub-regions.")})
    trainer = Trainer(
        name=name.strip(),
        organisation=organisation.strip(),
        title=title.strip(),
        specialty=specialty,
        region=region,
        base=base,
    )
    trainer.full_clean()
    trainer.save()
    audit(actor=actor, action="trainer_add", obj=trainer)
    return trainer


@transaction.atomic
def course_add(
    *,
    actor: Any,
    title: str,
    hours: Decimal,
    mode: str,
    module: str,
    region: Region,
    target_role: str = "",
    leads_to: str = "",
    description: str = "",
) -> Course:
    """Publish a course for a region (officials with "manage" over it)."""
    _require_manage(actor, region.code)
    course = Course(
        title=title.strip(),
        hours=hours,
        mode=mode,
        module=module,
        region=region,
        target_role=target_role,
        leads_to=leads_to,
        description=description.strip(),
    )
    course.full_clean()
    course.save()
    audit(actor=actor, action="course_add", obj=course, detail={"hours": str(hours), "role": target_role})
    return course


@transaction.atomic
def session_add(
    *,
    actor: Any,
    course: Course,
    region: Region,
    starts_on: date,
    ends_on: date,
    capacity: int,
    base: TrainingBase | None = None,
    trainers: Iterable[Trainer] = (),
    location: str = "",
) -> TrainingSession:
    """Schedule a run of a course, organised by `region` (see the module docstring for the rules)."""
    _require_manage(actor, region.code)
    errors: dict[str, Any] = {}
    if not course.active:
        errors["course"] = _("This course is no longer offered.")
    if base is not None:
        if not region.contains(base.region_id):
            errors["base"] = _("The base must serve the organising region or one of its sub-regions.")
        elif not base.active:
            errors["base"] = _("This base is not active.")
    trainers = list(trainers)
    for trainer in trainers:
        if not (region.contains(trainer.region_id) or trainer.region.contains(region.code)):
            errors["trainers"] = _(
                "{name} is in the pool of another region: choose trainers of this region, "
                "its sub-regions or the regions above it."
            ).format(name=trainer.name)
            break
        if not trainer.active:
            errors["trainers"] = _("{name} is not an active trainer.").format(name=trainer.name)
            break
    if errors:
        raise ValidationError(errors)
    session = TrainingSession(
        course=course,
        base=base,
        region=region,
        starts_on=starts_on,
        ends_on=ends_on,
        capacity=capacity,
        location=location.strip(),
    )
    session.full_clean()
    session.save()
    if trainers:
        session.trainers.set(trainers)
    audit(
        actor=actor,
        action="session_add",
        obj=session,
        detail={"course": course.pk, "trainers": [t.pk for t in trainers]},
    )
    return session


# --- Enrolments -----------------------------------------------------------------------------------


def _enrolling_job(actor: Any, person: Person, institution: Institution | None) -> Employment:
    """The open job the person is enrolled from: at `institution`, or their open job (full time first)."""
    jobs = Employment.objects.open().filter(person=person).select_related("institution")
    if institution is not None:
        jobs = jobs.filter(institution=institution)
    job = jobs.order_by("-full_time", "-start_on", "id").first()
    if job is None:
        raise ValidationError(
            {"person": _("This person has no current job at the institution to enrol them from.")}
        )
    return job


def _may_enrol(actor: Any, session: TrainingSession, institution: Institution) -> bool:
    if Institution.objects.for_user(actor, "change").filter(pk=institution.pk).exists():
        return True  # the institution's director (their own staff)
    # An official managing the session's region, whose grant reaches the institution.
    manage = grants_for(actor, "manage")
    return manage.covers_code(session.region_id) and manage.covers_code(institution.township_id)


@transaction.atomic
def enrolment_add(
    *,
    actor: Any,
    session: TrainingSession,
    person: Person,
    institution: Institution | None = None,
) -> Enrolment:
    """Give a person a place in a session: refused (Conflict) when already enrolled or full."""
    job = _enrolling_job(actor, person, institution)
    institution = job.institution
    if not _may_enrol(actor, session, institution):
        raise PermissionDenied(
            _("Directors enrol their own staff; officials enrol staff for sessions of their region.")
        )
    # Serialise enrolments into one session (PostgreSQL locks the row; SQLite locks the database).
    session = (
        TrainingSession.objects.select_for_update().select_related("course", "region").get(pk=session.pk)
    )
    if not session.region.contains(institution.township_id):
        raise Conflict(
            _("This session is organised by {region} for the staff of its own institutions.").format(
                region=session.region.name
            )
        )
    if session.ends_on < timezone.localdate() and not can_manage_region(actor, session.region_id):
        raise Conflict(_("This session is over: enrolment has closed."))
    existing = Enrolment.objects.filter(session=session, person=person).first()
    if existing is not None and existing.status != EnrolmentStatus.WITHDRAWN:
        raise Conflict(
            _("{name} is already in this session ({status}).").format(
                name=person.name, status=existing.get_status_display()
            )
        )
    taken = Enrolment.objects.filter(session=session, status__in=HOLDS_PLACE).count()
    if taken >= session.capacity:
        raise Conflict(_("This session is full ({places} places).").format(places=session.capacity))
    user = actor if getattr(actor, "is_authenticated", False) else None
    if existing is not None:
        enrolment = existing
        enrolment.status = EnrolmentStatus.ENROLLED
        enrolment.institution = institution
        enrolment.recorded_by = user
    else:
        enrolment = Enrolment(session=session, person=person, institution=institution, recorded_by=user)
    enrolment.full_clean()
    enrolment.save()
    audit(
        actor=actor,
        action="enrolment_add",
        obj=enrolment,
        detail={"person": person.masked_id, "session": session.pk, "role": job.role},
    )
    return enrolment


def _require_organiser(actor: Any, enrolment: Enrolment) -> None:
    if not can_manage_region(actor, enrolment.session.region_id):
        raise PermissionDenied(_("Attendance and completion are recorded by the session's organiser."))


@transaction.atomic
def enrolment_complete(
    *,
    actor: Any,
    enrolment: Enrolment,
    hours_credited: Decimal | None = None,
    completed_on: date | None = None,
    certificate_no: str = "",
) -> Enrolment:
    """Record that the person completed the session: credit hours (at most the course's), a certificate
    number (PX<session>-<enrolment> unless given), and the course's qualification when full hours were
    credited (`workforce.services.qualification_add`, not twice).

    Completing again with the same (or no) figures returns the enrolment unchanged; different figures
    answer Conflict: a completion is corrected by the organiser in admin, with its audit record.
    """
    enrolment = (
        Enrolment.objects.select_for_update().select_related("session__course", "person").get(pk=enrolment.pk)
    )
    session, course = enrolment.session, enrolment.session.course
    _require_organiser(actor, enrolment)
    certificate_no = certificate_no.strip()
    if enrolment.status == EnrolmentStatus.COMPLETED:
        same = (
            (hours_credited is None or Decimal(hours_credited) == enrolment.hours_credited)
            and (completed_on is None or completed_on == enrolment.completed_on)
            and (not certificate_no or certificate_no == enrolment.certificate_no)
        )
        if same:
            _record_qualification(actor, enrolment)  # no-op when recorded; repairs it otherwise
            return enrolment
        raise Conflict(
            _("Already completed on {date} with {hours} hours.").format(
                date=enrolment.completed_on.isoformat() if enrolment.completed_on else "",
                hours=enrolment.hours_credited,
            )
        )
    _check_transition(enrolment, EnrolmentStatus.COMPLETED)
    today = timezone.localdate()
    hours = course.hours if hours_credited is None else Decimal(hours_credited)
    completed_on = completed_on or min(session.ends_on, today)
    errors: dict[str, Any] = {}
    if hours <= 0:
        errors["hours_credited"] = _(
            "A completion credits more than 0 hours (mark the person absent instead)."
        )
    if completed_on > today:
        errors["completed_on"] = _("This date is in the future.")
    elif completed_on < session.starts_on:
        errors["completed_on"] = _("A session cannot be completed before it starts ({date}).").format(
            date=session.starts_on.isoformat()
        )
    if (
        certificate_no
        and Enrolment.objects.filter(certificate_no=certificate_no).exclude(pk=enrolment.pk).exists()
    ):
        errors["certificate_no"] = _("This certificate number is already in use.")
    if errors:
        raise ValidationError(errors)
    enrolment.status = EnrolmentStatus.COMPLETED
    enrolment.hours_credited = hours
    enrolment.completed_on = completed_on
    enrolment.certificate_no = certificate_no or certificate_number(session.pk, enrolment.pk)
    enrolment.recorded_by = actor if getattr(actor, "is_authenticated", False) else None
    enrolment.full_clean()
    enrolment.save(
        update_fields=[
            "status",
            "hours_credited",
            "completed_on",
            "certificate_no",
            "recorded_by",
            "updated_at",
        ]
    )
    audit(
        actor=actor,
        action="enrolment_complete",
        obj=enrolment,
        detail={
            "person": enrolment.person.masked_id,
            "hours": str(hours),
            "certificate": enrolment.certificate_no,
        },
    )
    _record_qualification(actor, enrolment)
    return enrolment


def _record_qualification(actor: Any, enrolment: Enrolment) -> Qualification | None:
    """The course's qualification for a full-hours completion, unless the person already holds it from
    that date (so completing, or retrying a completion, records it once)."""
    course = enrolment.session.course
    if not course.leads_to or enrolment.hours_credited < course.hours or enrolment.completed_on is None:
        return None
    held = Qualification.objects.filter(
        person_id=enrolment.person_id, kind=course.leads_to, issued_on=enrolment.completed_on
    ).first()
    if held is not None:
        return held
    return qualification_add(
        actor=actor, person=enrolment.person, kind=course.leads_to, issued_on=enrolment.completed_on
    )


def _set_status(*, actor: Any, enrolment: Enrolment, to: str, action: str, reason: str) -> Enrolment:
    _check_transition(enrolment, to)
    enrolment.status = to
    enrolment.recorded_by = actor if getattr(actor, "is_authenticated", False) else None
    enrolment.full_clean()
    enrolment.save(update_fields=["status", "recorded_by", "updated_at"])
    audit(
        actor=actor,
        action=action,
        obj=enrolment,
        detail={"person": enrolment.person.masked_id, "reason": reason.strip()[:300]},
    )
    return enrolment


@transaction.atomic
def enrolment_mark_absent(*, actor: Any, enrolment: Enrolment, reason: str = "") -> Enrolment:
    """The person did not attend (the organiser records it); the place stays taken."""
    enrolment = Enrolment.objects.select_for_update().select_related("session", "person").get(pk=enrolment.pk)
    _require_organiser(actor, enrolment)
    return _set_status(
        actor=actor, enrolment=enrolment, to=EnrolmentStatus.ABSENT, action="enrolment_absent", reason=reason
    )


@transaction.atomic
def enrolment_withdraw(*, actor: Any, enrolment: Enrolment, reason: str = "") -> Enrolment:
    """Give the place back before the session (the person's director or the organiser)."""
    enrolment = Enrolment.objects.select_for_update().select_related("session", "person").get(pk=enrolment.pk)
    director = Institution.objects.for_user(actor, "change").filter(pk=enrolment.institution_id).exists()
    if not director:
        _require_organiser(actor, enrolment)
    return _set_status(
        actor=actor,
        enrolment=enrolment,
        to=EnrolmentStatus.WITHDRAWN,
        action="enrolment_withdraw",
        reason=reason,
    )
