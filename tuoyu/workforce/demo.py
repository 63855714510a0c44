"""Demo staff for every operating institution: `manage.py demo_staff --seed 1` (after the demo generator).

Sized on the plan's 2021 baseline: 221,000 places served by about 41,300 staff, about 27,300 of them
caregivers (保育人员). A database with fewer places (the small demo) gets proportionally fewer:
staff ≈ places × 41,300/221,000 and caregivers ≈ places × 27,300/221,000, with at least one head and
one caregiver per institution. Family points get a head plus enough carers for at most 3 children each.
Other institutions get a head, caregivers, a security guard and a cook; the largest also a health
worker (as many as make up the staff total).

Everyone has a synthetic name, a valid 18-digit ID number (region prefix of the institution's county,
born 1965–2003, GB 11643 check character), a phone number, qualifications and background checks.
Most records meet rules.py; a few per cent do not (expired health certificates, missing certificates
or training, overdue annual checks) so the warnings show. The director demo login's institution always
gets a few such warnings.

Everything is drawn from one ``random.Random(seed)`` in institution-id order against the fixed
`REFERENCE_DATE`, never today, so a seed always gives the same data. Idempotent: if any Employment
exists, nothing is written. `staff_reset` deletes every workforce row except ban records.

Once the staff exist, `demo_ratios.add_demo_ratios` declares each class's enrolment and puts the
caregivers in classes (also `manage.py demo_ratios` for a database whose staff exist already).
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, TextIO

from django.db import transaction

from tuoyu.accounts.choices import Role
from tuoyu.accounts.models import RoleAssignment
from tuoyu.devtools.progress import ProgressBar
from tuoyu.institutions.choices import InstitutionType
from tuoyu.institutions.models import Institution

from .choices import CheckKind, CheckResult, QualificationKind, QualificationLevel, StaffRole
from .models import BackgroundCheck, ClassAssignment, Employment, Person, Qualification, StaffAlert
from .validators import id_check_char

REFERENCE_DATE = date(2026, 11, 1)
BASELINE_PLACES = 221_000
BASELINE_STAFF = 41_300
BASELINE_CAREGIVERS = 27_300
FAMILY_CHILDREN_PER_CARER = 3
BIRTH_YEARS = (1965, 2003)
EARLIEST_START = date(2018, 1, 1)
BATCH_SIZE = 2000
DEMO_DIRECTOR = "demo_director"

# Shares of records that break a rule (the rest comply).
HEALTH_CERT_LAPSING = 0.06  # expired, or expiring within 30 days
NO_CRIMINAL_RECORD_MISSING = 0.03
HEAD_TRAINING_MISSING = 0.10
PRE_HIRE_MISSING = 0.03
ANNUAL_CURRENT = 0.90  # of those hired over a year ago; the rest are overdue
HEAD_EDUCATION: tuple[tuple[str, int], ...] = (
    (QualificationLevel.SECONDARY, 6),
    (QualificationLevel.JUNIOR_COLLEGE, 44),
    (QualificationLevel.BACHELOR, 45),
    (QualificationLevel.MASTER, 5),
)
CAREGIVER_CERTIFICATE: tuple[tuple[str, int], ...] = (
    ("", 25),  # none: not mandatory
    (QualificationLevel.LEVEL_5, 35),
    (QualificationLevel.LEVEL_4, 30),
    (QualificationLevel.LEVEL_3, 10),
)

SURNAMES = tuple(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔"
)
GIVEN_FEMALE = tuple("秀英芳娟敏静丽艳霞玲婷雪梅琳颖慧洁燕萍红晶佳欣悦怡岚琴月雯倩蓉璐")
GIVEN_MALE = tuple("伟强军磊勇杰涛明超刚平辉鹏华飞斌波宇浩凯健俊峰亮晨龙林文")
PHONE_PREFIXES = ("130", "131", "133", "135", "136", "137", "138", "139", "150", "151", "152", "158",
                  "159", "177", "180", "182", "187", "188", "189", "199")  # fmt: skip


@dataclass
class _Hire:
    """One person to create, with their job and records (before any row exists)."""

    person: Person
    role: str
    institution_id: int
    start_on: date
    experience_years: int
    qualifications: list[Qualification] = field(default_factory=list)
    checks: list[tuple[str, date]] = field(default_factory=list)


def _pick(rng: random.Random, shares: Sequence[tuple[str, int]]) -> str:
    return rng.choices([v for v, _w in shares], weights=[w for _v, w in shares])[0]


def _round(rng: random.Random, x: float) -> int:
    """Round up with probability equal to the fraction: unbiased over many institutions."""
    whole = int(x)
    return whole + (1 if rng.random() < x - whole else 0)


def _day_between(rng: random.Random, lo: date, hi: date) -> date:
    return lo + timedelta(days=rng.randint(0, max((hi - lo).days, 0)))


class _Generator:
    def __init__(self, seed: int, taken_ids: set[str]) -> None:
        self.rng = random.Random(seed)
        self.taken = taken_ids

    # -- people ----------------------------------------------------------------------------------

    def person(self, county_code: str, female: bool) -> Person:
        rng = self.rng
        given = GIVEN_FEMALE if female else GIVEN_MALE
        name = rng.choice(SURNAMES) + "".join(rng.choice(given) for _ in range(rng.choice((1, 2, 2))))
        prefix = county_code[:6]
        while True:
            born = date(rng.randint(*BIRTH_YEARS), 1, 1) + timedelta(days=rng.randint(0, 364))
            # The 17th digit is odd for men, even for women.
            sequence = rng.randint(0, 99) * 10 + rng.choice((0, 2, 4, 6, 8) if female else (1, 3, 5, 7, 9))
            first17 = f"{prefix}{born:%Y%m%d}{sequence:03d}"
            id_number = first17 + id_check_char(first17)
            if id_number not in self.taken:
                self.taken.add(id_number)
                break
        phone = rng.choice(PHONE_PREFIXES) + f"{rng.randint(0, 99_999_999):08d}"
        return Person(name=name, id_number=id_number, phone=phone)

    # -- one hire --------------------------------------------------------------------------------

    def hire(self, institution: Institution, role: str, lapses: frozenset[str] = frozenset()) -> _Hire:
        """A person in `role` at `institution`; `lapses` forces named rule breaks (for the director demo)."""
        rng = self.rng
        ref = REFERENCE_DATE
        female = rng.random() < (0.95 if role in (StaffRole.CAREGIVER, StaffRole.HEALTH) else 0.6)
        if role == StaffRole.SECURITY:
            female = rng.random() < 0.1
        person = self.person(str(institution.county_id), female)
        latest_start = ref - timedelta(days=500 if "annual_check" in lapses else 20)
        start_on = _day_between(rng, EARLIEST_START, latest_start)
        experience = rng.randint(3, 20) if role == StaffRole.HEAD else rng.randint(0, 15)
        hire = _Hire(person, role, institution.pk, start_on, experience)

        def qualification(
            kind: str, issued_on: date, level: str = "", expires_on: date | None = None
        ) -> None:
            hire.qualifications.append(
                Qualification(
                    person=person, kind=kind, level=level, issued_on=issued_on, expires_on=expires_on
                )
            )

        # Health certificate: yearly. Most issued 30–330 days ago; a few 340–400 days ago (lapsing).
        if "health_certificate" in lapses or rng.random() < HEALTH_CERT_LAPSING:
            issued = ref - timedelta(days=rng.randint(340, 400))
        else:
            issued = ref - timedelta(days=rng.randint(30, 330))
        qualification(QualificationKind.HEALTH_CERTIFICATE, issued, expires_on=issued + timedelta(days=365))
        # No-criminal-record certificate, obtained for the hiring.
        if "no_criminal_record" not in lapses and rng.random() >= NO_CRIMINAL_RECORD_MISSING:
            qualification(QualificationKind.NO_CRIMINAL_RECORD, start_on - timedelta(days=rng.randint(7, 60)))
        earlier = _day_between(rng, date(1990, 1, 1), start_on - timedelta(days=30))
        if role == StaffRole.HEAD:
            level = _pick(rng, HEAD_EDUCATION)
            graduated = date(int(person.id_number[6:10]) + rng.randint(19, 24), 7, 1)
            qualification(QualificationKind.EDUCATION, min(graduated, start_on), level=level)
            if "head_training" not in lapses and rng.random() >= HEAD_TRAINING_MISSING:
                qualification(
                    QualificationKind.HEAD_TRAINING, _day_between(rng, earlier, ref - timedelta(days=7))
                )
        elif role == StaffRole.CAREGIVER:
            level = _pick(rng, CAREGIVER_CERTIFICATE)
            if level:
                qualification(QualificationKind.CHILDCARE_CERTIFICATE, earlier, level=level)
        elif role == StaffRole.HEALTH:
            qualification(QualificationKind.HEALTH_WORKER_TRAINING, _day_between(rng, earlier, start_on))
        elif role == StaffRole.SECURITY:
            qualification(QualificationKind.SECURITY_CERTIFICATE, earlier)
        # Background checks: before hiring (on the start date), then yearly.
        if "pre_hire_check" not in lapses and rng.random() >= PRE_HIRE_MISSING:
            hire.checks.append((CheckKind.PRE_HIRE, start_on))
        year_ago = ref - timedelta(days=365)
        if start_on <= year_ago:
            if "annual_check" not in lapses and rng.random() < ANNUAL_CURRENT:
                hire.checks.append((CheckKind.ANNUAL, ref - timedelta(days=rng.randint(1, 330))))
            else:
                last = ref - timedelta(days=rng.randint(366, 450))
                if last > start_on:
                    hire.checks.append((CheckKind.ANNUAL, last))
        return hire


def _plan(institutions: Sequence[Institution], rng: random.Random) -> dict[int, list[StaffRole]]:
    """The roles of each institution's staff, sized on the baseline ratios."""
    places = sum(i.places for i in institutions)
    target_staff = places * BASELINE_STAFF / BASELINE_PLACES
    target_caregivers = places * BASELINE_CAREGIVERS / BASELINE_PLACES
    family = [i for i in institutions if i.type == InstitutionType.FAMILY]
    others = [i for i in institutions if i.type != InstitutionType.FAMILY]
    roles: dict[int, list[StaffRole]] = {}
    for inst in family:
        carers = max(1, -(-inst.places // FAMILY_CHILDREN_PER_CARER))
        roles[inst.pk] = [StaffRole.HEAD] + [StaffRole.CAREGIVER] * carers
    family_carers = sum(len(r) - 1 for r in roles.values())
    other_places = sum(i.places for i in others) or 1
    rate = max(target_caregivers - family_carers, 0) / other_places
    for inst in others:
        caregivers = max(1, _round(rng, inst.places * rate))
        roles[inst.pk] = [StaffRole.HEAD, StaffRole.SECURITY, StaffRole.COOK] + [
            StaffRole.CAREGIVER
        ] * caregivers
    # Health workers for the largest institutions, as many as bring the staff up to the target.
    planned = sum(len(r) for r in roles.values())
    health = max(0, min(len(others), round(target_staff) - planned))
    for inst in sorted(others, key=lambda i: (-i.places, i.pk))[:health]:
        roles[inst.pk].insert(1, StaffRole.HEALTH)
    return roles


def _director_institution_id() -> int | None:
    assignment = (
        RoleAssignment.objects.filter(
            user__username=DEMO_DIRECTOR, role=Role.DIRECTOR, institution__isnull=False
        )
        .order_by("-active", "id")
        .first()
    )
    return assignment.institution_id if assignment else None


def staff_reset() -> int:
    """Delete every workforce row except ban records (all of them, demo or not: dev tooling only)."""
    with transaction.atomic():
        total = 0
        for model in (ClassAssignment, StaffAlert, BackgroundCheck, Qualification, Employment, Person):
            deleted, _ = model.objects.all().delete()
            total += deleted
    return total


def add_demo_staff(*, seed: int, stdout: Any = None, progress_stream: TextIO | None = None) -> dict[str, Any]:
    """Give every operating institution demo staff (see the module docstring); returns the totals.

    `stdout`: where to write the outcome (None: nowhere). `progress_stream`: where progress bars go.
    """
    started = time.monotonic()

    def say(message: str) -> None:
        if stdout is not None:
            stdout.write(message + "\n")

    def progress(stage: str, total: int) -> ProgressBar:
        return ProgressBar(stage, total, stream=progress_stream, enabled=progress_stream is not None)

    if Employment.objects.exists():
        say("Staff records exist already: no demo staff added (use --reset to start over).")
        return {"created": False}
    institutions = list(
        Institution.objects.operating().only("id", "type", "places", "county_id").order_by("id")
    )
    generator = _Generator(seed, set(Person.objects.values_list("id_number", flat=True)))
    roles = _plan(institutions, generator.rng)
    director_institution = _director_institution_id()
    hires: list[_Hire] = []
    with progress("staff", len(institutions)) as bar:
        for inst in institutions:
            forced = iter(("health_certificate", "annual_check", "no_criminal_record"))
            for index, role in enumerate(roles[inst.pk]):
                lapses: frozenset[str] = frozenset()
                if inst.pk == director_institution:
                    # The director's demo: the head lacks training; the first caregivers show one lapse each.
                    lapses = frozenset({"head_training"}) if index == 0 else frozenset()
                    if role == StaffRole.CAREGIVER:
                        lapses = frozenset(filter(None, (next(forced, None),)))
                hires.append(generator.hire(inst, role, lapses))
            bar.advance()

    with transaction.atomic():
        with progress("people", len(hires)) as bar:
            people = [h.person for h in hires]
            Person.objects.bulk_create(people, batch_size=BATCH_SIZE)
            bar.update(len(people))
        with progress("employments", len(hires)) as bar:
            employments = [
                Employment(
                    person=h.person,
                    institution_id=h.institution_id,
                    role=h.role,
                    full_time=True,
                    experience_years=h.experience_years,
                    start_on=h.start_on,
                )
                for h in hires
            ]
            Employment.objects.bulk_create(employments, batch_size=BATCH_SIZE)
            bar.update(len(employments))
        qualifications = [q for h in hires for q in h.qualifications]
        for q in qualifications:
            q.person_id = q.person.pk  # set after the person was saved
        with progress("qualifications", len(qualifications)) as bar:
            Qualification.objects.bulk_create(qualifications, batch_size=BATCH_SIZE)
            bar.update(len(qualifications))
        checks = [
            BackgroundCheck(person=h.person, employment=e, kind=kind, checked_on=on, result=CheckResult.CLEAR)
            for h, e in zip(hires, employments, strict=True)
            for kind, on in h.checks
        ]
        with progress("background checks", len(checks)) as bar:
            BackgroundCheck.objects.bulk_create(checks, batch_size=BATCH_SIZE)
            bar.update(len(checks))

    totals: dict[str, Any] = {
        "created": True,
        "institutions": len(institutions),
        "people": len(hires),
        "caregivers": sum(1 for h in hires if h.role == StaffRole.CAREGIVER),
        "qualifications": len(qualifications),
        "background_checks": len(checks),
        "seconds": round(time.monotonic() - started, 1),
    }
    say(
        "{people} demo staff ({caregivers} caregivers) at {institutions} institutions, "
        "{qualifications} qualifications, {background_checks} background checks in {seconds}s.".format(
            **totals
        )
    )
    from .demo_ratios import add_demo_ratios  # imports this module

    totals["ratios"] = add_demo_ratios(seed=seed, stdout=stdout)
    return totals
