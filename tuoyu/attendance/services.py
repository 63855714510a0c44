"""Writes of attendance: check-in/out events, absences and their follow-up, staff attendance, kiosk codes.

The check-in path is the hottest write of the platform (a province checks ~400,000 children in between
7:00 and 9:00), so `attendance_event_record` is lean: one query reads the child with its latest day row,
then one transaction inserts the event and upserts the day row. The database guards the sequence: the
day-row upsert only succeeds from the state the rule allows, so two concurrent check-ins of one child
cannot both count. The event log itself is the audit trail of check-ins (who recorded what, when, via
which device), so no separate AuditLog row is written per event; absences, follow-ups and kiosk codes
are audited.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoyu.children import rules as children_rules
from tuoyu.children.models import Child, EntryCheck, Guardian, PickupPerson
from tuoyu.core.api import Conflict
from tuoyu.core.audit import audit
from tuoyu.core.scoping import Grants, grants_for

from . import rules
from .choices import AbsenceReason, DayStatus, EventKind, PersonKind, ReportedVia, Via
from .models import Absence, AttendanceDay, AttendanceEvent, KioskCode, StaffAttendance


class ChildNotFound(Http404):
    """The child is not currently enrolled at an institution the actor records care for (answered 404)."""


@dataclass
class EventResult:
    event: AttendanceEvent
    replayed: bool


def care_institution_ids(actor: Any, grants: Grants | None = None) -> frozenset[int] | None:
    """Institutions whose children the actor records care for; None means every institution (superuser)."""
    grants = grants or grants_for(actor, "care")
    return None if grants.everything else grants.institution_ids


def _aware(at: datetime) -> datetime:
    return at if timezone.is_aware(at) else timezone.make_aware(at)


def _check_time(at: datetime, now: datetime) -> None:
    if at > now + rules.FUTURE_TOLERANCE.value:
        raise ValidationError({"at": _("The time lies in the future.")})
    if at < now - rules.BACKDATE_LIMIT.value:
        raise ValidationError({"at": _("The time is too long ago to record here; ask the director.")})


def _person(
    child_id: int, kind: str, guardian_id: int | None, pickup_person_id: int | None, person_name: str
) -> tuple[str, str, int | None, int | None]:
    """(person_kind, display name, guardian_id, pickup_person_id) of who brought or collected the child.

    Check-out needs an authorised person: one of the child's guardians or an active authorised pick-up
    person (托育机构管理规范: 接送制度). Anyone may be named as bringing the child.
    """
    if guardian_id is not None:
        row = (
            Guardian.objects.filter(pk=guardian_id, child_id=child_id).values_list("name", flat=True).first()
        )
        if row is None:
            raise ValidationError({"guardian_id": _("Not a guardian of this child.")})
        return PersonKind.GUARDIAN, row, guardian_id, None
    if pickup_person_id is not None:
        person = (
            PickupPerson.objects.filter(pk=pickup_person_id, child_id=child_id)
            .values("name", "active")
            .first()
        )
        if person is None:
            raise ValidationError({"pickup_person_id": _("Not a pick-up person of this child.")})
        if kind == EventKind.OUT and not person["active"]:
            raise Conflict(
                _("{name} is no longer authorised to pick this child up.").format(name=person["name"])
            )
        return PersonKind.PICKUP, person["name"], None, pickup_person_id
    if kind == EventKind.OUT:
        if person_name:
            raise Conflict(
                _(
                    "{name} is not authorised to pick this child up: only a guardian or an authorised "
                    "pick-up person may."
                ).format(name=person_name)
            )
        raise ValidationError(
            {"guardian_id": _("Say who picks the child up: a guardian or an authorised person.")}
        )
    return (PersonKind.OTHER if person_name else ""), person_name, None, None


def _replay(
    institution_id: int,
    client_ref: str,
    *,
    child_id: int,
    kind: str,
    at: datetime,
    guardian_id: int | None,
    pickup_person_id: int | None,
    person_name: str,
) -> EventResult | None:
    """The original event of a retried request, or None. A different payload with the same ref is 409."""
    event = AttendanceEvent.objects.filter(institution_id=institution_id, client_ref=client_ref).first()
    if event is None:
        return None
    same = (
        event.child_id == child_id
        and event.kind == kind
        and event.at == at
        and event.guardian_id == guardian_id
        and event.pickup_person_id == pickup_person_id
        and (event.person_name == person_name or (guardian_id or pickup_person_id) is not None)
    )
    if not same:
        raise Conflict(_("This client_ref was already used for a different event."))
    return EventResult(event, replayed=True)


def _return_check_missing(child_id: int, last_present: date, day: date) -> bool:
    """A child away more than three months needs a passed health check dated after the absence
    (tuoyu.children.rules.return_check_due; the checks are read only when the child was away that long)."""
    if not children_rules.return_check_due(last_attended_on=last_present, today=day, checks=()):
        return False
    checks = EntryCheck.objects.filter(child_id=child_id, checked_on__gt=last_present, checked_on__lte=day)
    return children_rules.return_check_due(last_attended_on=last_present, today=day, checks=checks)


# The hot path is raw SQL: compiling the equivalent ORM queries cost more than running them. Table and
# column names are Django's defaults for the models in models.py (tests cover both SQLite and PostgreSQL).
_STATE = """
SELECT c.institution_id, c.klass_id, d.day, d.status, d.in_at, d.out_at,
       EXISTS (SELECT 1 FROM attendance_absence a WHERE a.child_id = c.id AND a.day = %s)
FROM children_child c
LEFT JOIN attendance_attendanceday d ON d.id = (
    SELECT d2.id FROM attendance_attendanceday d2 WHERE d2.child_id = c.id AND d2.day <= %s
    ORDER BY d2.day DESC LIMIT 1)
WHERE c.id = %s AND c.institution_id IS NOT NULL
"""

_DAY_IN = """
INSERT INTO attendance_attendanceday
    (child_id, institution_id, klass_id, day, in_at, out_at, dropped_off_by, picked_up_by, status)
VALUES (%s, %s, %s, %s, %s, NULL, %s, '', 'present')
ON CONFLICT (child_id, day) DO UPDATE SET status = 'present', out_at = NULL, picked_up_by = ''
WHERE attendance_attendanceday.status = 'left' AND attendance_attendanceday.out_at <= excluded.in_at
RETURNING id
"""

_DAY_OUT = """
UPDATE attendance_attendanceday SET out_at = %s, picked_up_by = %s, status = 'left'
WHERE child_id = %s AND day = %s AND status = 'present' AND in_at <= %s
RETURNING id
"""

_EVENT_COLUMNS = (
    "child_id, institution_id, klass_id, kind, at, day, client_ref, recorded_by_id, via, person_kind, "
    "guardian_id, pickup_person_id, person_name, created_at"
)
_EVENT_VALUES = "%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s"
# Only module constants are interpolated into the SQL below; values are always parameters.
_EVENT = f"INSERT INTO attendance_attendanceevent ({_EVENT_COLUMNS}) VALUES ({_EVENT_VALUES}) RETURNING id"  # noqa: S608
# PostgreSQL: the day row and the event in ONE statement (a data-modifying CTE is atomic): the event is
# inserted only when the day-row write succeeded, and a duplicate client_ref undoes the day-row write.
_DAY_THEN_EVENT = (
    "WITH d AS ({day}) INSERT INTO attendance_attendanceevent ("  # noqa: S608
    + _EVENT_COLUMNS
    + ") SELECT "
    + (_EVENT_VALUES + " FROM d RETURNING id")
)


def _dt(value: Any) -> datetime | None:
    parsed = value if value is None or isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if parsed is not None and timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=UTC)  # SQLite keeps UTC without an offset
    return parsed


def _d(value: Any) -> date | None:
    return value if value is None or isinstance(value, date) else date.fromisoformat(str(value))


def _state(child_id: int, day: date, institution_ids: frozenset[int] | None) -> dict[str, Any] | None:
    """The child's institution and class with its latest day row on or before `day`: one query."""
    sql, params = _STATE, [connection.ops.adapt_datefield_value(day)] * 2 + [child_id]
    if institution_ids is not None:
        sql += f" AND c.institution_id IN ({', '.join(['%s'] * len(institution_ids))})"
        params += sorted(institution_ids)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    return {
        "institution_id": row[0],
        "klass_id": row[1],
        "last_day": _d(row[2]),
        "last_status": row[3],
        "last_in": _dt(row[4]),
        "last_out": _dt(row[5]),
        "absent": bool(row[6]),
    }


def attendance_event_record(
    *,
    actor: Any,
    child_id: int,
    kind: str,
    at: datetime,
    client_ref: str,
    via: str = Via.API,
    guardian_id: int | None = None,
    pickup_person_id: int | None = None,
    person_name: str = "",
    grants: Grants | None = None,
    now: datetime | None = None,
) -> EventResult:
    """Record a check-in or check-out of a child enrolled at the actor's institution.

    Idempotent on (institution, client_ref): the same ref with the same payload returns the original
    event (`replayed`), with a different payload raises Conflict. Refused as Conflict with the reason:
    in while in, out without in, out before in, pick-up by an unauthorised person, a return after more
    than three months without a return health check. A child not enrolled at the actor's institution
    raises ChildNotFound (404); a time in the future or long past ValidationError on `at` (422).
    A check-in on a day with a recorded absence clears the absence.
    """
    if kind not in EventKind.values:
        raise ValidationError({"kind": _("Must be in or out.")})
    if not client_ref or len(client_ref) > 64:
        raise ValidationError({"client_ref": _("1 to 64 characters.")})
    person_name = (person_name or "").strip()[:50]
    now = now or timezone.now()
    at = _aware(at)
    institution_ids = care_institution_ids(actor, grants)
    if institution_ids is not None and not institution_ids:
        raise ChildNotFound
    day = timezone.localtime(at).date()
    child = _state(child_id, day, institution_ids)
    if child is None:
        raise ChildNotFound
    institution_id = child["institution_id"]
    replay = partial(
        _replay,
        institution_id,
        client_ref,
        child_id=child_id,
        kind=kind,
        at=at,
        guardian_id=guardian_id,
        pickup_person_id=pickup_person_id,
        person_name=person_name,
    )

    def refuse(message: str) -> EventResult:
        replayed = replay()
        if replayed is not None:
            return replayed
        raise Conflict(message)

    last_day, status = child["last_day"], child["last_status"]
    same_day = last_day == day
    if kind == EventKind.IN:
        if same_day and status == DayStatus.PRESENT:
            return refuse(
                _("Already checked in at {time}.").format(
                    time=f"{timezone.localtime(child['last_in']):%H:%M}"
                )
            )
        if same_day and child["last_out"] is not None and at < child["last_out"]:
            return refuse(_("This check-in is earlier than the check-out already recorded today."))
        if last_day is not None and not same_day and _return_check_missing(child_id, last_day, day):
            return refuse(
                _(
                    "Away since {day}, more than three months: a return health check is needed first "
                    "({source})."
                ).format(day=last_day.isoformat(), source=children_rules.RETURN_HEALTH_CHECK.source)
            )
    else:
        if not same_day:
            return refuse(_("Not checked in on this day: a check-out needs a check-in first."))
        if status == DayStatus.LEFT:
            return refuse(
                _("Already picked up at {time}.").format(
                    time=f"{timezone.localtime(child['last_out']):%H:%M}"
                )
            )
        if at < child["last_in"]:
            return refuse(_("A check-out cannot be earlier than the check-in."))
    _check_time(at, now)
    person_kind, name, guardian_id, pickup_person_id = _person(
        child_id, kind, guardian_id, pickup_person_id, person_name
    )
    ops = connection.ops
    at_db, day_db = ops.adapt_datetimefield_value(at), ops.adapt_datefield_value(day)
    if kind == EventKind.IN:
        day_sql, day_params = _DAY_IN, [child_id, institution_id, child["klass_id"], day_db, at_db, name[:80]]
    else:
        day_sql, day_params = _DAY_OUT, [at_db, name[:80], child_id, day_db, at_db]
    recorded_by = actor.pk if getattr(actor, "is_authenticated", False) else None
    event_params = [
        child_id,
        institution_id,
        child["klass_id"],
        kind,
        at_db,
        day_db,
        client_ref,
        recorded_by,
        via,
        person_kind,
        guardian_id,
        pickup_person_id,
        person_name if person_kind == PersonKind.OTHER else "",
        ops.adapt_datetimefield_value(now),
    ]
    try:
        if connection.vendor == "postgresql" and not child["absent"]:
            # One statement is atomic by itself; inside a caller's transaction it needs a savepoint so
            # that a duplicate ref does not abort the caller's transaction.
            guard = transaction.atomic() if connection.in_atomic_block else nullcontext()
            with guard, connection.cursor() as cursor:
                cursor.execute(_DAY_THEN_EVENT.format(day=day_sql.strip()), day_params + event_params)
                row = cursor.fetchone()
        else:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(day_sql, day_params)
                row = cursor.fetchone()
                if row is not None:
                    cursor.execute(_EVENT, event_params)
                    row = cursor.fetchone()
                    if child["absent"] and kind == EventKind.IN:
                        Absence.objects.filter(child_id=child_id, day=day).delete()
                        audit(
                            actor=actor,
                            action="attendance.absence_cleared",
                            detail={"child": child_id, "day": str(day)},
                        )
    except IntegrityError:
        replayed = replay()
        if replayed is None:
            raise
        return replayed
    if row is None:
        # Another request changed the child's day between our read and this write.
        return refuse(_("The child's attendance changed meanwhile; reload and try again."))
    event = AttendanceEvent(
        pk=row[0],
        child_id=child_id,
        institution_id=institution_id,
        klass_id=child["klass_id"],
        kind=kind,
        at=at,
        day=day,
        client_ref=client_ref,
        recorded_by_id=recorded_by,
        via=via,
        person_kind=person_kind,
        guardian_id=guardian_id,
        pickup_person_id=pickup_person_id,
        person_name=person_name if person_kind == PersonKind.OTHER else "",
        created_at=now,
    )
    event._state.adding = False
    return EventResult(event, replayed=False)


# --- Absences ------------------------------------------------------------------------------------


def _absence_child(actor: Any, child_id: int) -> tuple[Child, str]:
    """The child and whether the actor reports as staff (care at the child's institution) or parent."""
    ids = care_institution_ids(actor)
    child = Child.objects.filter(pk=child_id, institution__isnull=False).first()
    if child is None:
        raise ChildNotFound
    if ids is None or child.institution_id in ids:
        return child, ReportedVia.STAFF
    actor_id = getattr(actor, "pk", None)
    if (
        actor_id is not None
        and grants_for(actor, "change").personal
        and Guardian.objects.filter(child_id=child_id, user_id=actor_id).exists()
    ):
        return child, ReportedVia.PARENT
    raise ChildNotFound


@transaction.atomic
def absence_record(
    *, actor: Any, child_id: int, day: date, reason: str, note: str = "", today: date | None = None
) -> tuple[Absence, bool]:
    """A parent (own child, today or later) or staff (their children) records an absence.

    Returns (absence, created); a later report for the same day replaces the reason and note. A day the
    child was checked in is refused (409).
    """
    today = today or timezone.localdate()
    child, reported_via = _absence_child(actor, child_id)
    if reason not in AbsenceReason.values:
        raise ValidationError({"reason": _("Choose a reason.")})
    earliest = today if reported_via == ReportedVia.PARENT else today - rules.BACKDATE_LIMIT.value
    if day < earliest:
        raise ValidationError(
            {
                "day": _("Parents report absences for today or later.")
                if reported_via == ReportedVia.PARENT
                else _("Too long ago.")
            }
        )
    if (day - today).days > 366:
        raise ValidationError({"day": _("At most a year ahead.")})
    if AttendanceDay.objects.filter(child_id=child_id, day=day).exists():
        raise Conflict(_("The child was checked in on that day."))
    absence = Absence.objects.filter(child_id=child_id, day=day).first()
    created = absence is None
    if absence is None:
        assert child.institution_id is not None  # enrolled children only
        absence = Absence(child=child, institution_id=child.institution_id, klass_id=child.klass_id, day=day)
    absence.reason = reason
    absence.note = note.strip()[:300]
    absence.reported_by = actor
    absence.reported_via = reported_via
    absence.full_clean(validate_constraints=False)
    absence.save()
    audit(
        actor=actor,
        action="attendance.absence",
        obj=absence,
        detail={"child": child_id, "day": str(day), "reason": reason, "via": reported_via},
    )
    return absence, created


@transaction.atomic
def absence_follow_up(
    *,
    actor: Any,
    child_id: int,
    day: date,
    outcome: str,
    reason: str | None = None,
    absence_id: int | None = None,
) -> Absence:
    """Staff record the follow-up of an absence (缺勤追踪): what they found out, and the reason once known.

    Creates the absence when none was reported (a child who simply did not come).
    """
    ids = care_institution_ids(actor)
    children = Child.objects.filter(pk=child_id, institution__isnull=False)
    if ids is not None:
        children = children.filter(institution_id__in=ids)
    child = children.first()
    if child is None:
        raise ChildNotFound
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationError({"outcome": _("Say what you found out.")})
    if reason is not None and reason not in AbsenceReason.values:
        raise ValidationError({"reason": _("Choose a reason.")})
    if AttendanceDay.objects.filter(child_id=child_id, day=day).exists():
        raise Conflict(_("The child was checked in on that day."))
    absence = Absence.objects.select_for_update().filter(child_id=child_id, day=day).first()
    if absence is None:
        assert child.institution_id is not None  # enrolled children only
        absence = Absence(
            child=child,
            institution_id=child.institution_id,
            klass_id=child.klass_id,
            day=day,
            reason=reason or AbsenceReason.UNEXPLAINED,
            reported_by=actor,
            reported_via=ReportedVia.STAFF,
        )
    elif reason:
        absence.reason = reason
    absence.outcome = outcome[:300]
    absence.followed_up_at = timezone.now()
    absence.followed_up_by = actor
    absence.full_clean(validate_constraints=False)
    absence.save()
    audit(
        actor=actor, action="attendance.follow_up", obj=absence, detail={"child": child_id, "day": str(day)}
    )
    return absence


# --- Staff attendance ------------------------------------------------------------------------------


@transaction.atomic
def staff_attendance_record(
    *, actor: Any, employment_id: int, kind: str, at: datetime, now: datetime | None = None
) -> StaffAttendance:
    """A staff member arrives or leaves (recorded by staff holding `care` at the institution)."""
    from tuoyu.workforce.models import Employment

    if kind not in EventKind.values:
        raise ValidationError({"kind": _("Must be in or out.")})
    now = now or timezone.now()
    at = _aware(at)
    ids = care_institution_ids(actor)
    jobs = Employment.objects.open().filter(pk=employment_id)
    if ids is not None:
        jobs = jobs.filter(institution_id__in=ids)
    job = jobs.first()
    if job is None:
        raise Http404
    _check_time(at, now)
    day = timezone.localtime(at).date()
    row = StaffAttendance.objects.select_for_update().filter(employment=job, day=day).first()
    if kind == EventKind.IN:
        if row is not None and row.out_at is None:
            raise Conflict(
                _("Already arrived at {time}.").format(time=f"{timezone.localtime(row.in_at):%H:%M}")
            )
        if row is None:
            row = StaffAttendance(employment=job, institution_id=job.institution_id, day=day, in_at=at)
        elif row.out_at is not None and at < row.out_at:
            raise Conflict(_("This arrival is earlier than the departure already recorded."))
        else:
            row.out_at = None
    else:
        if row is None or row.out_at is not None:
            raise Conflict(_("Not at work: a departure needs an arrival first."))
        if at < row.in_at:
            raise Conflict(_("A departure cannot be earlier than the arrival."))
        row.out_at = at
    row.recorded_by = actor
    row.save()
    audit(actor=actor, action=f"attendance.staff_{kind}", obj=row, detail={"employment": employment_id})
    return row


# --- Kiosk codes -------------------------------------------------------------------------------------

KIOSK_CODE_DIGITS = 8


def kiosk_code_hash(code: str) -> str:
    """Keyed hash of a kiosk code (HMAC with the site's secret), so the stored value cannot be reversed
    by trying all 10^8 codes without the key, yet a code entered at the kiosk is found by one lookup."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"kiosk:{code.strip()}".encode(), hashlib.sha256).hexdigest()


@transaction.atomic
def kiosk_code_issue(*, actor: Any, guardian: Guardian) -> str:
    """Issue (or rotate) a guardian's personal kiosk code; only the guardian themself may. Returns the
    code, which is shown once and never stored."""
    if guardian.user_id is None or guardian.user_id != getattr(actor, "pk", None):
        raise Conflict(_("Only the guardian can issue their own code."))
    for _attempt in range(10):
        code = f"{secrets.randbelow(10**KIOSK_CODE_DIGITS):0{KIOSK_CODE_DIGITS}d}"
        digest = kiosk_code_hash(code)
        if KioskCode.objects.filter(code_hash=digest).exclude(guardian=guardian).exists():
            continue
        KioskCode.objects.update_or_create(guardian=guardian, defaults={"code_hash": digest})
        audit(actor=actor, action="attendance.kiosk_code", obj=guardian)
        return code
    raise Conflict(_("Could not issue a code; try again."))  # pragma: no cover


class KioskLocked(Exception):
    """Too many wrong codes at this kiosk just now; codes are refused until the window passes."""


def _kiosk_key(institution_id: int) -> str:
    return f"kiosk:{institution_id}"


def kiosk_locked(*, institution_id: int) -> bool:
    """Whether the wrong codes at this institution's kiosk within the window reached the limit."""
    from tuoyu.accounts.models import LoginFailure

    since = timezone.now() - rules.KIOSK_WRONG_CODE_WINDOW.value
    recent = LoginFailure.objects.filter(username=_kiosk_key(institution_id), at__gte=since)
    return recent.count() >= rules.KIOSK_MAX_WRONG_CODES.value


def kiosk_guardian(*, institution_id: int, code: str, request: Any = None) -> Guardian | None:
    """The guardian whose code this is, if they have a child enrolled at the institution.

    A wrong code is recorded (as a failed login on the kiosk's own key, so the audit log shows it); while
    the kiosk has had too many wrong codes within the window, every code raises KioskLocked."""
    from tuoyu.accounts.models import LoginFailure

    if kiosk_locked(institution_id=institution_id):
        raise KioskLocked
    code = (code or "").strip()
    guardian = None
    if code.isdigit() and len(code) == KIOSK_CODE_DIGITS:
        guardian = (
            Guardian.objects.filter(
                kiosk_code__code_hash=kiosk_code_hash(code), child__institution_id=institution_id
            )
            .select_related("child")
            .first()
        )
    if guardian is None:
        # Kept without the address, so wrong kiosk codes never count against staff logins from the
        # centre's address (accounts.services.login_throttled); the audit record keeps the address.
        LoginFailure.objects.create(username=_kiosk_key(institution_id), ip=None)
        audit(
            actor=None,
            action="attendance.kiosk_wrong_code",
            detail={"institution": institution_id},
            request=request,
        )
    return guardian
