"""Demo training records: `manage.py demo_training --seed 1` (after `demo_staff`).

The catalogue: one province base, bases in 11 of 13 cities and about 60% of counties (so the base
coverage indicator has something to show; one more county base whose accreditation has ended and one
suspended base do not count), a trainer pool of about 300 (province, cities, counties with a base),
and the province's courses: the head's post training (60 h, leads to the head's training
qualification), two caregiver courses (60 + 40 h) and two modules for every role (health, safety:
10 h each), so a caregiver who completes all four has 120 h, and a head course ≥ 60 h.

Sessions from 2021 to 2026 (and a few upcoming at the reference date) are organised by counties,
cities and the province at their bases. Existing demo staff get enrolments so that about 78% of heads
and 65% of caregivers meet their hours; the rest have none, some or partial hours, some with a place in
an upcoming session (in progress), a few were absent or withdrew. Other staff take a module or two.
Heads meeting their hours are heads whose demo record already holds the head's training qualification,
so no qualification is added (a completion through `services.enrolment_complete` adds it). The
director demo login's head is short of hours with a place in an upcoming session.

Everything is drawn from one ``random.Random(seed)`` in id order against workforce's fixed
`REFERENCE_DATE`, never today. Idempotent: if any training base or enrolment exists, nothing is
written. `training_reset` deletes every training row.
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, TextIO

from django.db import connection, transaction
from django.db.models import CharField, F, Value
from django.db.models.functions import Cast, Concat, Greatest, Length, LPad
from django.utils import timezone

from tuoyu.accounts.choices import Role
from tuoyu.accounts.models import RoleAssignment
from tuoyu.devtools.progress import ProgressBar
from tuoyu.regions.models import Region
from tuoyu.workforce.choices import QualificationKind, StaffRole
from tuoyu.workforce.demo import DEMO_DIRECTOR, GIVEN_FEMALE, GIVEN_MALE, REFERENCE_DATE, SURNAMES
from tuoyu.workforce.models import Employment, Qualification

from .choices import BaseLevel, CourseMode, CourseModule, EnrolmentStatus
from .models import Course, Enrolment, Trainer, TrainingBase, TrainingSession

BATCH_SIZE = 2000
FIRST_YEAR = 2021
CITY_BASE_SHARE = 11 / 13
COUNTY_BASE_SHARE = 0.60
TRAINERS = {"province": 40, "city": 12, "county": 2}  # per region of the level (counties with a base)
HEAD_MEET = 0.87  # of heads holding the head's training qualification (≈90% do): ≈78% of all heads
CAREGIVER_MEET = 0.65
IN_PROGRESS = 0.40  # of those short of hours: a place in an upcoming session
PARTIAL = 0.20  # of those short: one completion with partial hours
ABSENT_BEFORE = 0.03  # a completion preceded by an absence the year before
WITHDRAWN = 0.02  # an extra withdrawn place in an upcoming session
OTHER_MODULE = 0.25  # other staff: each module taken with this probability
# Who organises a session of each course: (county, city, province) weights.
ORGANISERS = {"head": (0, 5, 5), "caregiver": (6, 3, 1), "module": (7, 2, 1)}
UPCOMING = (REFERENCE_DATE + timedelta(days=30), REFERENCE_DATE + timedelta(days=120))


@dataclass(frozen=True)
class _CourseSpec:
    key: str
    title: str
    hours: int
    role: str
    mode: str
    module: str
    leads_to: str = ""
    organisers: str = "module"
    capacity: tuple[int, int] = (40, 80)


COURSES: tuple[_CourseSpec, ...] = (
    _CourseSpec("head", "托育机构负责人岗位培训", 60, StaffRole.HEAD, CourseMode.BLENDED,
                CourseModule.MANAGEMENT, QualificationKind.HEAD_TRAINING, "head", (40, 60)),
    _CourseSpec("cg1", "保育人员岗位培训（一）：婴幼儿生活照料与安全", 60, StaffRole.CAREGIVER,
                CourseMode.OFFLINE, CourseModule.CAREGIVING, organisers="caregiver", capacity=(60, 120)),
    _CourseSpec("cg2", "保育人员岗位培训（二）：早期发展、回应性照护与游戏", 40, StaffRole.CAREGIVER,
                CourseMode.BLENDED, CourseModule.DEVELOPMENT, organisers="caregiver", capacity=(60, 120)),
    _CourseSpec("health", "婴幼儿卫生保健与常见病预防", 10, "", CourseMode.ONLINE, CourseModule.HEALTH,
                capacity=(80, 200)),
    _CourseSpec("safety", "托育机构安全照护与伤害预防", 10, "", CourseMode.OFFLINE, CourseModule.SAFETY,
                capacity=(60, 120)),
    _CourseSpec("health_worker", "托育机构保健人员培训", 30, StaffRole.HEALTH, CourseMode.OFFLINE,
                CourseModule.HEALTH, QualificationKind.HEALTH_WORKER_TRAINING, "head", (30, 50)),
)  # fmt: skip
CAREGIVER_PATH = ("cg1", "cg2", "health", "safety")  # 60 + 40 + 10 + 10 = 120 h
COURSE_BY_KEY = {c.key: c for c in COURSES}
ZERO = Decimal("0")
MODULES = ("health", "safety")
ORGANISATIONS = (
    "妇幼保健院",
    "卫生职业技术学院",
    "托育服务指导中心",
    "儿童医院",
    "疾病预防控制中心",
    "开放大学",
)
TITLES = ("主任医师", "副主任医师", "副教授", "讲师", "高级育婴师", "主管护师", "保育师（一级）", "")


def _days(hours: int) -> int:
    return max(1, hours // 8)


@dataclass
class _Slot:
    """The session of (organiser, course, year) being filled, and how many places are taken."""

    session: TrainingSession
    taken: int = 0


@dataclass(slots=True)
class _EnrolmentRow:
    """An enrolment before it is saved (plain values: 100,000+ model instances would cost seconds)."""

    session: TrainingSession
    person_id: int
    institution_id: int
    status: str
    hours: Decimal
    completed_on: date | None


@dataclass
class _Plan:
    bases: list[TrainingBase] = field(default_factory=list)
    trainers: list[Trainer] = field(default_factory=list)
    sessions: list[TrainingSession] = field(default_factory=list)
    session_trainers: list[tuple[TrainingSession, Trainer]] = field(default_factory=list)
    enrolments: list[_EnrolmentRow] = field(default_factory=list)


class _Generator:
    def __init__(self, seed: int, regions: Sequence[Region]) -> None:
        self.rng = random.Random(seed)
        self.plan = _Plan()
        self.regions = {r.code: r for r in regions}
        self.province = next(r for r in regions if r.level == "province")
        self.base_of: dict[str, TrainingBase] = {}
        self.pool: dict[str, list[Trainer]] = {}
        self.courses: dict[str, Course] = {}
        self.slots: dict[tuple[str, str, str], _Slot] = {}

    # -- the catalogue ---------------------------------------------------------------------------

    def catalogue(self) -> None:
        rng, plan = self.rng, self.plan
        cities = sorted(c for c, r in self.regions.items() if r.level == "city")
        counties = sorted(c for c, r in self.regions.items() if r.level == "county")
        with_base = {self.province.code}
        with_base |= set(rng.sample(cities, round(len(cities) * CITY_BASE_SHARE)))
        with_base |= set(rng.sample(counties, round(len(counties) * COUNTY_BASE_SHARE)))
        for code in sorted(with_base):
            region = self.regions[code]
            accredited = date(rng.randint(FIRST_YEAR - 1, 2024), rng.randint(1, 12), rng.randint(1, 28))
            base = TrainingBase(
                name=f"{region.name}托育服务实训基地",
                level=region.level,
                region=region,
                address=f"{region.name}{rng.choice(ORGANISATIONS)}内",
                capacity=rng.choice((50, 80, 100, 120, 200)) * (3 if region.level == "province" else 1),
                accredited_by=f"{self._authority(region)}卫生健康委员会",
                accredited_on=accredited,
                accreditation_ends_on=accredited.replace(year=accredited.year + 5)
                if rng.random() < 0.5
                else None,
            )
            if base.accreditation_ends_on and base.accreditation_ends_on <= REFERENCE_DATE:
                base.accreditation_ends_on = None  # every base chosen above counts
            plan.bases.append(base)
            self.base_of[code] = base
        # Two more county bases that do not count: one whose accreditation ended, one suspended.
        spare = [c for c in counties if c not in with_base]
        for index, code in enumerate(spare[:2]):
            region = self.regions[code]
            plan.bases.append(
                TrainingBase(
                    name=f"{region.name}托育实训点",
                    level=BaseLevel.COUNTY,
                    region=region,
                    capacity=40,
                    accredited_by=f"{self._authority(region)}卫生健康委员会",
                    accredited_on=date(2020, 6, 1),
                    accreditation_ends_on=date(2024, 6, 1) if index == 0 else None,
                    active=index == 0,
                )
            )
        for code in sorted(with_base):
            region = self.regions[code]
            count = TRAINERS[region.level]
            for _ in range(count):
                trainer = Trainer(
                    name=self._name(),
                    organisation=f"{self._authority(region)}{rng.choice(ORGANISATIONS)}",
                    title=rng.choice(TITLES),
                    specialty=rng.choice([m.value for m in CourseModule if m != CourseModule.OTHER]),
                    region=region,
                    base=self.base_of.get(code) if rng.random() < 0.7 else None,
                )
                plan.trainers.append(trainer)
                self.pool.setdefault(code, []).append(trainer)
        for spec in COURSES:
            self.courses[spec.key] = Course(
                title=spec.title,
                target_role=spec.role,
                hours=Decimal(spec.hours),
                mode=spec.mode,
                module=spec.module,
                leads_to=spec.leads_to,
                region=self.province,
                description="",
            )

    def _authority(self, region: Region) -> str:
        if region.level == "county" and region.parent_id:
            return self.regions[region.parent_id].name + region.name
        return region.name

    def _name(self) -> str:
        rng = self.rng
        given = GIVEN_FEMALE if rng.random() < 0.7 else GIVEN_MALE
        return rng.choice(SURNAMES) + "".join(rng.choice(given) for _ in range(rng.choice((1, 2, 2))))

    # -- sessions --------------------------------------------------------------------------------

    def _organiser(self, course: _CourseSpec, county: str, city: str) -> str:
        county_weight, city_weight, province_weight = ORGANISERS[course.organisers]
        draw = self.rng.random() * (county_weight + city_weight + province_weight)
        if draw < county_weight:
            return county
        return city if draw < county_weight + city_weight else self.province.code

    def _session(self, course: _CourseSpec, organiser: str, period: str) -> TrainingSession:
        """A session of the course by the organiser in the period (a year, or "upcoming"), with a place."""
        key = (organiser, course.key, period)
        slot = self.slots.get(key)
        if slot is None or slot.taken >= slot.session.capacity:
            slot = self.slots[key] = _Slot(self._new_session(course, organiser, period))
        slot.taken += 1
        return slot.session

    def _new_session(self, course: _CourseSpec, organiser: str, period: str) -> TrainingSession:
        rng = self.rng
        days = _days(course.hours)
        if period == "upcoming":
            lo, hi = UPCOMING
        else:
            year = int(period)
            lo = date(year, 3, 1)
            hi = min(date(year, 12, 10), REFERENCE_DATE - timedelta(days=days + 14))
        starts_on = lo + timedelta(days=rng.randint(0, max((hi - lo).days, 0)))
        region = self.regions[organiser]
        base = self.base_of.get(organiser)
        if base is not None:
            location = base.address
        else:
            location = "线上" if course.mode == CourseMode.ONLINE else f"{region.name}卫生健康委员会培训室"
        session = TrainingSession(
            course=self.courses[course.key],
            base=base,
            region=region,
            starts_on=starts_on,
            ends_on=starts_on + timedelta(days=days - 1),
            capacity=rng.randint(*course.capacity),
            location=location,
        )
        self.plan.sessions.append(session)
        pool = (
            self.pool.get(organiser) or self.pool.get(region.parent_id or "") or self.pool[self.province.code]
        )
        for trainer in rng.sample(pool, min(len(pool), rng.randint(1, 3))):
            self.plan.session_trainers.append((session, trainer))
        return session

    # -- enrolments ------------------------------------------------------------------------------

    def _enrol(
        self, job: Mapping[str, Any], key: str, period: str, status: str, hours: Decimal | None = None
    ) -> None:
        spec = COURSE_BY_KEY[key]
        session = self._session(spec, self._organiser(spec, job["county"], job["city"]), period)
        completed = status == EnrolmentStatus.COMPLETED
        self.plan.enrolments.append(
            _EnrolmentRow(
                session,
                job["person_id"],
                job["institution_id"],
                status,
                (Decimal(spec.hours) if hours is None else hours) if completed else ZERO,
                session.ends_on if completed else None,
            )
        )

    def _complete(self, job: Mapping[str, Any], keys: Sequence[str], partial: str = "") -> None:
        """Completions of `keys` in years from the job's start; `partial` one with partial hours."""
        rng = self.rng
        first = max(FIRST_YEAR, job["start_on"].year)
        years = sorted(rng.randint(first, REFERENCE_DATE.year) for _ in keys)
        for key, year in zip(keys, years, strict=True):
            if year > FIRST_YEAR and rng.random() < ABSENT_BEFORE:
                self._enrol(job, key, str(year - 1), EnrolmentStatus.ABSENT)
            hours = None
            if key == partial:
                full = COURSE_BY_KEY[key].hours
                hours = Decimal(rng.randint(full // 4, full - 4))
            self._enrol(job, key, str(year), EnrolmentStatus.COMPLETED, hours)

    def person(self, job: Mapping[str, Any], head_trained: bool, forced_short: bool) -> None:
        rng, role = self.rng, job["role"]
        if role == StaffRole.HEAD:
            path: Sequence[str] = ("head",)
            meets = head_trained and not forced_short and rng.random() < HEAD_MEET
            extras = [m for m in MODULES if rng.random() < 0.6]
        elif role == StaffRole.CAREGIVER:
            path = CAREGIVER_PATH
            meets = not forced_short and rng.random() < CAREGIVER_MEET
            extras = []
        else:
            done = [m for m in MODULES if rng.random() < OTHER_MODULE]
            if done:
                self._complete(job, done)
            return
        if meets:
            self._complete(job, [*path, *extras])
        else:
            # Short of hours. A caregiver: at most three of the four courses (≤ 110 h), maybe one of them
            # with partial hours. A head: the modules (20 h), or the head course with partial hours
            # (≤ 56 h) and nothing else.
            partial = ""
            if role == StaffRole.HEAD:
                done = ["head"] if rng.random() < PARTIAL else extras
                partial = "head" if done == ["head"] else ""
            else:
                done = [k for k in path if rng.random() < 0.5][: len(path) - 1]
                partial = done[0] if done and rng.random() < PARTIAL else ""
            self._complete(job, done, partial)
            missing = [k for k in path if k not in done or k == partial]
            if forced_short or rng.random() < IN_PROGRESS:
                self._enrol(job, missing[0], "upcoming", EnrolmentStatus.ENROLLED)
                return
        if rng.random() < WITHDRAWN:  # (never beside an upcoming place: one row per session and person)
            self._enrol(job, rng.choice(MODULES), "upcoming", EnrolmentStatus.WITHDRAWN)

    def upcoming_catalogue(self) -> None:
        """Every course has an upcoming session with free places at the province and in each city with a
        base, so directors have something to enrol in."""
        for spec in COURSES:
            for code in [
                self.province.code,
                *sorted(c for c in self.base_of if self.regions[c].level == "city"),
            ]:
                slot = self.slots.get((code, spec.key, "upcoming"))
                if slot is None or slot.taken * 5 >= slot.session.capacity * 4:  # over 80% taken
                    self.slots[(code, spec.key, "upcoming")] = _Slot(
                        self._new_session(spec, code, "upcoming")
                    )


def _insert_enrolments(rows: Sequence[_EnrolmentRow], bar: ProgressBar) -> None:
    """INSERT the rows with executemany, in batches: the ORM's per-field preparation of bulk_create
    took three quarters of the demo's time at province scale. Values are adapted as Django would."""
    ops = connection.ops
    meta = Enrolment._meta
    columns = ["session", "person", "institution", "status", "hours_credited", "completed_on",
               "certificate_no", "recorded_by", "created_at", "updated_at"]  # fmt: skip
    names = ", ".join(ops.quote_name(getattr(meta.get_field(c), "column", c)) for c in columns)
    # Table and column names come from the model's meta; every value is a query parameter.
    sql = "INSERT INTO {table} ({names}) VALUES ({marks})".format(  # noqa: S608
        table=ops.quote_name(meta.db_table), names=names, marks=", ".join(["%s"] * len(columns))
    )
    now = ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH_SIZE):
            batch = rows[start : start + BATCH_SIZE]
            cursor.executemany(
                sql,
                [
                    (r.session.pk, r.person_id, r.institution_id, r.status,
                     ops.adapt_decimalfield_value(r.hours), ops.adapt_datefield_value(r.completed_on),
                     "", None, now, now)
                    for r in batch
                ],
            )  # fmt: skip
            bar.update(start + len(batch))


def training_reset() -> int:
    """Delete every training row (demo or not: dev tooling only)."""
    with transaction.atomic():
        total = 0
        total += TrainingSession.trainers.through.objects.all().delete()[0]
        for model in (Enrolment, TrainingSession, Course, Trainer, TrainingBase):
            total += model.objects.all().delete()[0]
    return total


def certificate_expression() -> Any:
    """`services.certificate_number` as SQL: PX<session id, 6 digits>-<enrolment id, 6 digits>."""

    def padded(column: str) -> Any:
        text = Cast(column, CharField())
        return LPad(text, Greatest(Value(6), Length(text)), Value("0"))

    return Concat(Value("PX"), padded("session_id"), Value("-"), padded("id"), output_field=CharField())


def add_demo_training(
    *, seed: int, stdout: Any = None, progress_stream: TextIO | None = None
) -> dict[str, Any]:
    """Create the demo catalogue and enrolments (see the module docstring); returns the totals."""
    started = time.monotonic()

    def say(message: str) -> None:
        if stdout is not None:
            stdout.write(message + "\n")

    def progress(stage: str, total: int) -> ProgressBar:
        return ProgressBar(stage, total, stream=progress_stream, enabled=progress_stream is not None)

    if TrainingBase.objects.exists() or Enrolment.objects.exists():
        say("Training records exist already: no demo training added (use --reset to start over).")
        return {"created": False}
    regions = list(Region.objects.filter(level__in=["province", "city", "county"]).order_by("code"))
    if not any(r.level == "province" for r in regions):
        say("No province loaded: run load_regions first.")
        return {"created": False}
    generator = _Generator(seed, regions)
    generator.catalogue()
    jobs = list(
        Employment.objects.open()
        .order_by("id")
        .values("id", "person_id", "institution_id", "role", "start_on",
                county=F("institution__county_id"), city=F("institution__city_id"))
    )  # fmt: skip
    head_trained = set(
        Qualification.objects.filter(kind=QualificationKind.HEAD_TRAINING).values_list("person_id", flat=True)
    )
    director = (
        RoleAssignment.objects.filter(
            user__username=DEMO_DIRECTOR, role=Role.DIRECTOR, institution__isnull=False
        )
        .order_by("-active", "id")
        .values_list("institution_id", flat=True)
        .first()
    )
    with progress("enrolments", len(jobs)) as bar:
        for job in jobs:
            forced = job["institution_id"] == director and job["role"] == StaffRole.HEAD
            generator.person(job, job["person_id"] in head_trained, forced)
            bar.advance()
    generator.upcoming_catalogue()
    plan = generator.plan

    with transaction.atomic():
        with progress("catalogue", len(plan.bases) + len(plan.trainers) + len(generator.courses)) as bar:
            TrainingBase.objects.bulk_create(plan.bases, batch_size=BATCH_SIZE)
            for trainer in plan.trainers:
                trainer.base_id = trainer.base.pk if trainer.base else None
            Trainer.objects.bulk_create(plan.trainers, batch_size=BATCH_SIZE)
            Course.objects.bulk_create(list(generator.courses.values()), batch_size=BATCH_SIZE)
            bar.update(len(plan.bases) + len(plan.trainers) + len(generator.courses))
        with progress("sessions", len(plan.sessions)) as bar:
            for session in plan.sessions:
                session.course_id = session.course.pk
                session.base_id = session.base.pk if session.base else None
            TrainingSession.objects.bulk_create(plan.sessions, batch_size=BATCH_SIZE)
            through = TrainingSession.trainers.through
            TrainingSession.trainers.through.objects.bulk_create(
                [through(trainingsession_id=s.pk, trainer_id=t.pk) for s, t in plan.session_trainers],
                batch_size=BATCH_SIZE,
            )
            bar.update(len(plan.sessions))
        with progress("enrolments (saving)", len(plan.enrolments)) as bar:
            _insert_enrolments(plan.enrolments, bar)
            Enrolment.objects.filter(status=EnrolmentStatus.COMPLETED, certificate_no="").update(
                certificate_no=certificate_expression()
            )

    totals = {
        "created": True,
        "bases": len(plan.bases),
        "trainers": len(plan.trainers),
        "courses": len(generator.courses),
        "sessions": len(plan.sessions),
        "enrolments": len(plan.enrolments),
        "completed": sum(1 for e in plan.enrolments if e.status == EnrolmentStatus.COMPLETED),
        "seconds": round(time.monotonic() - started, 1),
    }
    say(
        "{bases} training bases, {trainers} trainers, {courses} courses, {sessions} sessions, "
        "{enrolments} enrolments ({completed} completed) in {seconds}s.".format(**totals)
    )
    return totals
