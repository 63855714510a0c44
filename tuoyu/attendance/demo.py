"""Demo attendance: `manage.py demo_attendance --seed 1` (after `demo_children`).

- Today, province-wide: ~90% of enrolled children checked in, at times spread over the two hours
  before now (time-shifted so the morning looks live whenever the demo is built), each with its
  check-in event (client_ref "demo-…") and day row, brought by guardian 1; ~6% absent with a reason
  (illness, family, other; reported by a parent or staff); the rest (~4%) neither in nor reported, so
  the follow-up list (缺勤追踪) has children to show after the cut-off.
- The demo director's institution: the last 30 days (weekdays) with check-in and check-out events,
  day rows and absences, and today's staff attendance (every open job arrived this morning).

Rows are inserted with executemany and `ON CONFLICT DO NOTHING`, so a re-run adds only what is
missing (a child already recorded on a day keeps its record). `--reset` first deletes every demo
event ("demo-" refs) and every day row and absence of the days the demo writes (development only).
"""

from __future__ import annotations

import random
import time
from datetime import date, datetime, timedelta
from datetime import time as dtime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from tuoyu.accounts.choices import Role
from tuoyu.accounts.models import RoleAssignment
from tuoyu.children.models import Child, Guardian
from tuoyu.workforce.models import Employment

from .choices import AbsenceReason, PersonKind, ReportedVia, Via
from .models import Absence, AttendanceDay, AttendanceEvent, StaffAttendance

CHUNK = 10_000
DEMO_DIRECTOR = "demo_director"
PRESENT_TODAY = 0.90
ABSENT_WITH_REASON = 0.06  # the rest are unexplained (follow-up list)
PRESENT_HISTORY = 0.92
REASONS = [AbsenceReason.ILLNESS] * 5 + [AbsenceReason.FAMILY] * 3 + [AbsenceReason.OTHER]
NOTES = {
    AbsenceReason.ILLNESS: ("发烧，在家休息", "咳嗽，去医院看病", "腹泻"),
    AbsenceReason.FAMILY: ("回老家", "家里有事", "外出旅行"),
    AbsenceReason.OTHER: ("", "预约体检"),
}


def _insert(model: Any, fields: list[str], rows: list[tuple[Any, ...]]) -> int:
    """INSERT … ON CONFLICT DO NOTHING with executemany, values adapted by the backend."""
    if not rows:
        return 0
    meta = model._meta
    ops = connection.ops
    adapters = []
    for name in fields:
        kind = meta.get_field(name).get_internal_type()
        adapters.append(
            ops.adapt_datetimefield_value
            if kind == "DateTimeField"
            else ops.adapt_datefield_value
            if kind == "DateField"
            else None
        )
    sql = "INSERT INTO {} ({}) VALUES ({}) ON CONFLICT DO NOTHING".format(  # noqa: S608 - names from metadata
        ops.quote_name(meta.db_table),
        ", ".join(ops.quote_name(meta.get_field(n).column) for n in fields),
        ", ".join(["%s"] * len(fields)),
    )
    with connection.cursor() as cursor:
        for k in range(0, len(rows), CHUNK):
            chunk = [
                tuple(v if a is None or v is None else a(v) for v, a in zip(row, adapters, strict=True))
                for row in rows[k : k + CHUNK]
            ]
            cursor.executemany(sql, chunk)
    return len(rows)


def _director_institution_id() -> int | None:
    return (
        RoleAssignment.objects.filter(user__username=DEMO_DIRECTOR, role=Role.DIRECTOR, active=True)
        .values_list("institution_id", flat=True)
        .first()
    )


def _local(day: date, minutes: int) -> datetime:
    """The aware moment `minutes` after local midnight of `day`."""
    return datetime.combine(day, dtime(), tzinfo=timezone.get_current_timezone()) + timedelta(minutes=minutes)


EVENT_FIELDS = [
    "child",
    "institution",
    "klass",
    "kind",
    "at",
    "day",
    "client_ref",
    "via",
    "person_kind",
    "guardian",
    "person_name",
    "created_at",
]
DAY_FIELDS = [
    "child",
    "institution",
    "klass",
    "day",
    "in_at",
    "out_at",
    "dropped_off_by",
    "picked_up_by",
    "status",
]
ABSENCE_FIELDS = [
    "child",
    "institution",
    "klass",
    "day",
    "reason",
    "note",
    "reported_via",
    "created_at",
    "outcome",
]


def _event(
    child: tuple[int, int, int | None], kind: str, at: datetime, day: date, guardian: tuple[int, str] | None
) -> tuple[Any, ...]:
    cid, inst, klass = child
    ref = f"demo-{cid}-{day:%Y%m%d}-{kind}"
    return (
        cid,
        inst,
        klass,
        kind,
        at,
        day,
        ref,
        Via.STAFF,
        PersonKind.GUARDIAN if guardian else "",
        guardian[0] if guardian else None,
        "",
        at,
    )


def attendance_reset(days: list[date]) -> None:
    with transaction.atomic():
        AttendanceEvent.objects.filter(client_ref__startswith="demo-").delete()
        AttendanceDay.objects.filter(day__in=days).delete()
        Absence.objects.filter(day__in=days).delete()
        StaffAttendance.objects.filter(day__in=days).delete()


def add_demo_attendance(
    *, seed: int = 1, stdout: Any = None, now: datetime | None = None, reset: bool = False
) -> dict[str, Any]:
    started = time.monotonic()
    rng = random.Random(seed)
    now = timezone.localtime(now or timezone.now())
    today = now.date()
    day_start = _local(today, 0)
    # Arrivals over the two hours before now, never before midnight nor in the future.
    window_start = max(day_start, now - timedelta(hours=2))
    window = max(1, int((now - window_start).total_seconds() // 60) - 1)
    director_inst = _director_institution_id()
    history_days = [today - timedelta(days=d) for d in range(1, 31)]
    history_days = [d for d in history_days if d.weekday() < 5]
    if reset:
        attendance_reset([today, *history_days])

    children = list(
        Child.objects.filter(institution__isnull=False)
        .order_by("id")
        .values_list("id", "institution_id", "klass_id")
    )
    first_guardian: dict[int, tuple[int, str]] = {
        cid: (gid, name)
        for cid, gid, name in Guardian.objects.filter(
            child__institution__isnull=False, position=1
        ).values_list("child_id", "id", "name")
    }
    events: list[tuple[Any, ...]] = []
    days: list[tuple[Any, ...]] = []
    absences: list[tuple[Any, ...]] = []
    counts: dict[str, Any] = dict.fromkeys(("present", "absent", "unexplained"), 0)
    for child in children:
        cid, inst, klass = child
        roll = rng.random()
        guardian = first_guardian.get(cid)
        if roll < PRESENT_TODAY:
            at = window_start + timedelta(minutes=rng.randrange(window), seconds=rng.randrange(60))
            events.append(_event(child, "in", at, today, guardian))
            days.append((cid, inst, klass, today, at, None, guardian[1] if guardian else "", "", "present"))
            counts["present"] += 1
        elif roll < PRESENT_TODAY + ABSENT_WITH_REASON:
            reason = rng.choice(REASONS)
            via = ReportedVia.PARENT if rng.random() < 0.7 else ReportedVia.STAFF
            absences.append((cid, inst, klass, today, reason, rng.choice(NOTES[reason]), via, day_start, ""))
            counts["absent"] += 1
        else:
            counts["unexplained"] += 1
        if inst == director_inst:
            for day in history_days:
                if rng.random() < PRESENT_HISTORY:
                    t_in = _local(day, 450 + rng.randrange(90))  # 07:30–09:00
                    t_out = _local(day, 990 + rng.randrange(90))  # 16:30–18:00
                    events.append(_event(child, "in", t_in, day, guardian))
                    events.append(_event(child, "out", t_out, day, guardian))
                    name = guardian[1] if guardian else ""
                    days.append((cid, inst, klass, day, t_in, t_out, name, name, "left"))
                else:
                    reason = rng.choice([*REASONS, AbsenceReason.UNEXPLAINED])
                    outcome = "电话联系家长" if reason == AbsenceReason.UNEXPLAINED else ""
                    absences.append(
                        (cid, inst, klass, day, reason, "", ReportedVia.STAFF, _local(day, 600), outcome)
                    )
    with transaction.atomic():
        counts["events"] = _insert(AttendanceEvent, EVENT_FIELDS, events)
        counts["days"] = _insert(AttendanceDay, DAY_FIELDS, days)
        counts["absences"] = _insert(Absence, ABSENCE_FIELDS, absences)
        staff_rows = [
            (job_id, director_inst, today, window_start + timedelta(minutes=rng.randrange(min(window, 45))))
            for job_id in Employment.objects.open()
            .filter(institution_id=director_inst or 0)
            .values_list("id", flat=True)
        ]
        counts["staff"] = _insert(StaffAttendance, ["employment", "institution", "day", "in_at"], staff_rows)
    counts["seconds"] = round(time.monotonic() - started, 1)
    if stdout:
        stdout.write(
            "Demo attendance: {present} children in today, {absent} absent with a reason, {unexplained} "
            "unexplained; {events} events, {days} day rows, {absences} absences, {staff} staff arrivals "
            "({seconds} s; rows already present were kept).\n".format(**counts)
        )
    return dict(counts)
