"""Demo health records: `manage.py demo_health --seed 1` (after demo_children and demo_attendance).

- Today's morning check for every child present today (attendance rows of today; without any, every
  enrolled child), about 2% abnormal with symptoms and the outcome the rules give.
- A month of morning and noon checks (weekdays) for the demo director's institution.
- A planted cluster: fever with rash at three or four institutions of one township of 玄武区 over the
  last three days, put through the cluster rule so the alert opens as it would in use (for
  demo_county_xuanwu).
- Vaccine doses by the schedule, given on or soon after the minimum age; about 5% of children miss one
  dose that is now overdue. `doses="nanjing"` (default) writes them for the children of 南京市 only,
  `"all"` for the province (~2.3M rows: see the report for the time it takes).

Replaces its own rows: checks of the days it writes (for the children it writes them for), doses with
no recorder of the children it writes doses for, and the planted township's fever-with-rash alerts.
Notifications are not sent for demo checks.
"""

from __future__ import annotations

import random
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from tuoyu.accounts.choices import Role
from tuoyu.accounts.models import RoleAssignment, User
from tuoyu.children.models import Child
from tuoyu.institutions.models import Institution

from .choices import Finding, Mood, Outcome, Session, Symptom
from .immunisation import SCHEDULE
from .models import HealthCheck, HealthCheckSymptom, SymptomClusterAlert, VaccineDose
from .rules import GROUPS_BY_KEY, assess

BATCH = 5000
ABNORMAL_SHARE = 0.02
OVERDUE_SHARE = 0.05
XUANWU = "320102000000"
NANJING = "320100000000"
DEMO_DIRECTOR = "demo_director"
DEMO_CAREGIVER = "demo_caregiver"

# What an abnormal demo check shows: (temperature or None, symptoms), weighted.
ABNORMAL_PATTERNS: tuple[tuple[str | None, tuple[str, ...], int], ...] = (
    ("37.4", (), 6),
    ("38.1", (Symptom.FEVER,), 3),
    (None, (Symptom.COUGH, Symptom.RUNNY_NOSE), 6),
    (None, (Symptom.RUNNY_NOSE,), 5),
    (None, (Symptom.RASH,), 2),
    (None, (Symptom.DIARRHOEA,), 2),
    (None, (Symptom.RED_EYES,), 1),
    ("38.3", (Symptom.FEVER, Symptom.MOUTH_ULCERS), 1),
    (None, (Symptom.INJURY,), 2),
)


def _at(day: date, hour: int, minute: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=timezone.get_current_timezone())


class _Checks:
    """Builds HealthCheck rows with their symptoms and writes them in batches."""

    def __init__(self, rng: random.Random, townships: dict[int, str]) -> None:
        self.rng = rng
        self.townships = townships
        self.checks: list[HealthCheck] = []
        self.symptoms: list[list[str]] = []
        self.written = 0
        self.abnormal = 0

    def add(
        self,
        row: dict[str, Any],
        day: date,
        session: str,
        checker_id: int | None,
        temperature: str | None = None,
        symptoms: tuple[str, ...] | None = None,
    ) -> None:
        rng = self.rng
        if symptoms is None and temperature is None and rng.random() < ABNORMAL_SHARE:
            temperature, symptoms, _w = rng.choices(ABNORMAL_PATTERNS, [p[2] for p in ABNORMAL_PATTERNS])[0]
        symptoms = tuple(symptoms or ())
        temp = (
            Decimal(temperature)
            if temperature
            else Decimal(rng.choice(("36.4", "36.5", "36.6", "36.7", "36.8")))
        )
        skin = Finding.ABNORMAL if Symptom.RASH in symptoms or Symptom.INJURY in symptoms else Finding.NORMAL
        mouth = Finding.ABNORMAL if Symptom.MOUTH_ULCERS in symptoms else Finding.NORMAL
        found = assess(temperature=temp, mouth=mouth, skin=skin, symptoms=symptoms)
        outcome = (
            Outcome.SENT_HOME if found.keep_out else Outcome.OBSERVE if found.abnormal else Outcome.ADMITTED
        )
        hour = 8 if session == Session.MORNING else 14
        self.checks.append(
            HealthCheck(
                child_id=row["pk"],
                institution_id=row["institution_id"],
                klass_id=row["klass_id"],
                day=day,
                session=session,
                temperature=temp,
                mouth=mouth,
                hands=Finding.NORMAL,
                skin=skin,
                mood=Mood.TIRED if found.keep_out else Mood.GOOD,
                abnormal=found.abnormal,
                outcome=outcome,
                checker_id=checker_id,
                at=_at(day, hour, rng.randint(0, 59)),
            )
        )
        self.symptoms.append(list(symptoms))
        self.abnormal += found.abnormal
        if len(self.checks) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.checks:
            return
        created = HealthCheck.objects.bulk_create(self.checks, batch_size=BATCH)
        rows = [
            HealthCheckSymptom(
                check_record_id=c.pk,
                symptom=s,
                day=c.day,
                township_id=self.townships[c.institution_id],
                institution_id=c.institution_id,
            )
            for c, symptoms in zip(created, self.symptoms, strict=True)
            for s in symptoms
        ]
        HealthCheckSymptom.objects.bulk_create(rows, batch_size=BATCH)
        self.written += len(created)
        self.checks, self.symptoms = [], []


def _has_attendance(day: date) -> bool:
    from tuoyu.attendance.models import AttendanceDay

    return AttendanceDay.objects.filter(day=day).exists()


def _insert_normal_checks(
    day: date, present: bool, caregiver_id: int | None, director_inst: int | None
) -> int:
    """A normal morning check for every enrolled child (present that day, when attendance has rows):
    one INSERT ... SELECT, temperatures 36.4-36.8 and times 08:00-08:59 spread by the child's id."""
    from tuoyu.attendance.models import AttendanceDay

    qn = connection.ops.quote_name
    check, child = HealthCheck._meta.db_table, Child._meta.db_table
    attendance = AttendanceDay._meta.db_table
    ats = [connection.ops.adapt_datetimefield_value(_at(day, 8, m)) for m in (5, 20, 35, 50)]
    where = f"c.{qn('institution_id')} IS NOT NULL"
    params: list[Any] = [connection.ops.adapt_datefield_value(day), Session.MORNING, Finding.NORMAL,
                         Finding.NORMAL, Finding.NORMAL, Mood.GOOD, "", False, Outcome.ADMITTED]  # fmt: skip
    # The demo caregiver is the checker at the demo director's institution; elsewhere nobody (NULL
    # as a literal: a NULL parameter would be typed text on PostgreSQL).
    checker = "NULL"
    if caregiver_id is not None and director_inst is not None:
        checker = f"CASE WHEN c.{qn('institution_id')} = %s THEN %s ELSE NULL END"
        params += [director_inst, caregiver_id]
    params += ats
    if present:
        where += (
            f" AND EXISTS (SELECT 1 FROM {qn(attendance)} a WHERE a.{qn('child_id')} = c.{qn('id')}"  # noqa: S608
            f" AND a.{qn('day')} = %s)"
        )
        params.append(connection.ops.adapt_datefield_value(day))
    columns = ", ".join(
        qn(c) for c in ("child_id", "institution_id", "klass_id", "day", "session", "temperature", "mouth",
                        "hands", "skin", "mood", "notes", "abnormal", "outcome", "checker_id", "at")
    )  # fmt: skip
    cid, iid = f"c.{qn('id')}", f"c.{qn('institution_id')}"
    values = (
        f"{cid}, {iid}, c.{qn('klass_id')}, %s, %s, 36.4 + ({cid} %% 5) * 0.1, %s, %s, %s, %s, %s, %s, %s, "
        f"{checker}, "
        f"CASE {cid} %% 4 WHEN 0 THEN %s WHEN 1 THEN %s WHEN 2 THEN %s ELSE %s END"
    )
    # Table and column names are quoted constants of our own models; values are parameters.
    sql = f"INSERT INTO {qn(check)} ({columns}) SELECT {values} FROM {qn(child)} c WHERE {where}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    return HealthCheck.objects.filter(day=day, session=Session.MORNING).count()


def _make_abnormal(rng: random.Random, day: date, townships: dict[int, str]) -> int:
    """Turn ~2% of the day's checks abnormal with a weighted pattern, applying the rules."""
    ids = list(HealthCheck.objects.filter(day=day, session=Session.MORNING).values_list("pk", flat=True))
    chosen = sorted(pk for pk in ids if rng.random() < ABNORMAL_SHARE)
    changed: list[HealthCheck] = []
    symptoms: list[HealthCheckSymptom] = []
    for start in range(0, len(chosen), 900):
        for check in HealthCheck.objects.filter(pk__in=chosen[start : start + 900]).only(
            "pk", "institution_id"
        ):
            temperature, codes, _w = rng.choices(ABNORMAL_PATTERNS, [p[2] for p in ABNORMAL_PATTERNS])[0]
            temp = Decimal(temperature) if temperature else Decimal("36.6")
            check.skin = (
                Finding.ABNORMAL if Symptom.RASH in codes or Symptom.INJURY in codes else Finding.NORMAL
            )
            check.mouth = Finding.ABNORMAL if Symptom.MOUTH_ULCERS in codes else Finding.NORMAL
            found = assess(temperature=temp, mouth=check.mouth, skin=check.skin, symptoms=codes)
            check.temperature = temp
            check.abnormal = found.abnormal
            check.outcome = Outcome.SENT_HOME if found.keep_out else Outcome.OBSERVE
            check.mood = Mood.TIRED if found.keep_out else Mood.GOOD
            changed.append(check)
            town = townships[check.institution_id]
            symptoms.extend(
                HealthCheckSymptom(check_record_id=check.pk, symptom=code, day=day, township_id=town,
                                   institution_id=check.institution_id)
                for code in codes
            )  # fmt: skip
    HealthCheck.objects.bulk_update(changed, ["temperature", "skin", "mouth", "abnormal", "outcome", "mood"],
                                    batch_size=500)  # fmt: skip
    HealthCheckSymptom.objects.bulk_create(symptoms, batch_size=BATCH)
    return len(changed)


def _present_ids(day: date) -> set[int] | None:
    """Children checked in on `day` per the attendance app, or None when it has no rows that day."""
    from tuoyu.attendance.models import AttendanceDay

    ids = set(AttendanceDay.objects.filter(day=day).values_list("child_id", flat=True))
    return ids or None


def _demo_user(username: str, role: str) -> tuple[int | None, int | None]:
    row = (
        RoleAssignment.objects.filter(user__username=username, role=role, active=True)
        .values_list("user_id", "institution_id")
        .first()
    )
    return (row[0], row[1]) if row else (None, None)


def _children(**filters: Any) -> list[dict[str, Any]]:
    rows = Child.objects.filter(institution__isnull=False, **filters).order_by("pk")
    return [dict(r) for r in rows.values("pk", "institution_id", "klass_id", "birth_date")]


def add_demo_health(
    *, seed: int = 1, doses: str = "nanjing", stdout: Any = None, today: date | None = None
) -> dict[str, Any]:
    """Write the demo health records (see the module docstring) and return what was written."""
    started = time.monotonic()
    rng = random.Random(seed)
    today = today or timezone.localdate()
    out: dict[str, Any] = {}

    def say(message: str) -> None:
        if stdout:
            stdout.write(f"{message} ({time.monotonic() - started:.1f} s)\n")

    townships = dict(Institution.objects.values_list("pk", "township_id"))
    caregiver_id, _x = _demo_user(DEMO_CAREGIVER, Role.CAREGIVER)
    _d, director_inst = _demo_user(DEMO_DIRECTOR, Role.DIRECTOR)
    with transaction.atomic():
        # 1. Today's morning checks for the children present (else every enrolled child): every check
        # normal in one INSERT ... SELECT, then ~2% made abnormal through the rules.
        HealthCheck.objects.filter(day=today).delete()
        present = _has_attendance(today)
        written = _insert_normal_checks(today, present, caregiver_id, director_inst)
        abnormal = _make_abnormal(rng, today, townships)
        out["checks_today"], out["abnormal_today"] = written, abnormal
        out["today_from"] = "attendance" if present else "enrolment"
        say(f"Morning checks today: {written} ({abnormal} abnormal, children from {out['today_from']})")

        # 2. A month of morning and noon checks at the demo director's institution (weekdays).
        if director_inst is not None:
            own = _children(institution_id=director_inst)
            month = [today - timedelta(days=n) for n in range(1, 31)]
            HealthCheck.objects.filter(institution_id=director_inst, day__in=month).delete()
            writer = _Checks(rng, townships)
            for day in month:
                if day.weekday() >= 5:
                    continue
                here = _present_ids(day)
                for row in own:
                    if here is not None and row["pk"] not in here:
                        continue
                    if here is None and rng.random() < 0.08:  # absent that day
                        continue
                    writer.add(row, day, Session.MORNING, caregiver_id)
                    writer.add(row, day, Session.NOON, caregiver_id)
            writer.flush()
            out["checks_month"] = writer.written
            say(f"A month at the demo director's institution: {writer.written} checks")

        # 3. The planted cluster in 玄武区.
        out["alert"] = _plant_cluster(rng, today, townships)
        say(f"Planted cluster: {out['alert']}")

    # 4. Vaccine doses (own transaction: the largest write).
    out.update(_doses(rng, today, doses))
    say(
        f"Vaccine doses: {out['doses']} for {out['dose_children']} children ({doses}), "
        f"{out['overdue_children']} with an overdue dose planted"
    )
    out["seconds"] = round(time.monotonic() - started, 1)
    return out


def _plant_cluster(rng: random.Random, today: date, townships: dict[int, str]) -> str:
    from .services import cluster_evaluate

    lo, hi = XUANWU, "320102999999"
    per_township = (
        Child.objects.filter(institution__township_id__gte=lo, institution__township_id__lte=hi)
        .values("institution__township_id")
        .annotate(n=Count("institution_id", distinct=True))
        .filter(n__gte=3)
        .order_by("-n", "institution__township_id")
    )
    first = per_township.first()
    if first is None:
        return "no township in 玄武区 with three institutions with children"
    township = first["institution__township_id"]
    institutions = list(
        Child.objects.filter(institution__township_id=township)
        .values_list("institution_id", flat=True)
        .distinct()
        .order_by("institution_id")[:4]
    )
    SymptomClusterAlert.objects.filter(township_id=township, group="fever_rash").delete()
    days = [today - timedelta(days=2), today - timedelta(days=1), today, today]
    writer = _Checks(rng, townships)
    cases = 0
    for inst_id, day in zip(institutions, days, strict=False):
        picks = list(
            Child.objects.filter(institution_id=inst_id)
            .order_by("pk")
            .values("pk", "institution_id", "klass_id", "birth_date")[: rng.randint(1, 3)]
        )
        for row in picks:
            HealthCheck.objects.filter(child_id=row["pk"], day=day, session=Session.MORNING).delete()
            writer.add(
                dict(row),
                day,
                Session.MORNING,
                None,
                temperature="38.4",
                symptoms=(Symptom.FEVER, Symptom.RASH),
            )
            cases += 1
    writer.flush()
    alert = cluster_evaluate(township_id=township, group=GROUPS_BY_KEY["fever_rash"], day=days[0])
    opened = alert.pk if alert else "NOT opened"
    return f"{township}: {len(institutions)} institutions, {cases} children, alert {opened}"


def _doses(rng: random.Random, today: date, scope: str) -> dict[str, Any]:
    filters: dict[str, Any] = {}
    if scope == "nanjing":
        filters = {"institution__city_id": NANJING}
    elif scope != "all":
        raise ValueError("doses must be 'nanjing' or 'all'")
    children = _children(**filters)
    recorded = 0
    overdue_children = 0
    qn = connection.ops.quote_name
    table = VaccineDose._meta.db_table
    # S608: quoted constants of our own model; values are parameters.
    sql = (
        f"INSERT INTO {qn(table)} ({qn('child_id')}, {qn('vaccine')}, {qn('dose_no')}, {qn('given_on')}, "  # noqa: S608
        f"{qn('source')}, {qn('recorded_by_id')}, {qn('recorded_at')}) VALUES (%s, %s, %s, %s, %s, NULL, %s)"
    )
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    adapt = connection.ops.adapt_datefield_value
    with transaction.atomic(), connection.cursor() as cursor:
        ids = [c["pk"] for c in children]
        if scope == "all":
            VaccineDose.objects.filter(recorded_by__isnull=True).delete()
        else:
            for start in range(0, len(ids), 900):
                VaccineDose.objects.filter(
                    child_id__in=ids[start : start + 900], recorded_by__isnull=True
                ).delete()
        batch: list[tuple[Any, ...]] = []
        for row in children:
            birth = row["birth_date"]
            overdue_candidates = [r for r in SCHEDULE if r.overdue_from(birth) <= today]
            skip = None
            if overdue_candidates and rng.random() < OVERDUE_SHARE:
                skip = rng.choice(overdue_candidates).key
                overdue_children += 1
            for rule in SCHEDULE:
                due = rule.due_from(birth)
                if due > today or rule.key == skip:
                    continue
                given = due if rule.min_months == 0 else due + timedelta(days=rng.randint(0, 20))
                if given > today:
                    continue  # due, not given yet
                batch.append((row["pk"], rule.vaccine, rule.dose_no, adapt(given), "certificate", now))
            if len(batch) >= 20000:
                cursor.executemany(sql, batch)
                recorded += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            recorded += len(batch)
    return {"doses": recorded, "dose_children": len(children), "overdue_children": overdue_children}


def demo_user_ids() -> dict[str, int]:
    return dict(
        User.objects.filter(username__in=[DEMO_DIRECTOR, DEMO_CAREGIVER]).values_list("username", "pk")
    )
