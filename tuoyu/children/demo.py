"""Demo children for every class of the operating institutions: `manage.py demo_children --seed 1`.

Run after `demo_staff` (whose ratio step declares each class's `enrolled`). Every class gets
min(enrolled, places in the class) children — never more than the institution's filed places — with
plausible names, ages in the class type's band today, one or two guardians (no accounts), an
enrolment started in the last two years with a service agreement and the catalogue's monthly fee, a
passed entry health check and a vaccination-certificate check. A few per cent lack a check (or have an
incomplete certificate awaiting the year-end re-check) so the "admission checks due" page has
something to show. Each class's `enrolled` is then set to its register count.

The demo parent (`demo_parent`) becomes guardian of one child at the demo director's institution and of
one child elsewhere in 南京市; five families (accounts without a password, not logins) have pending
applications to the demo director's institution, one with its entry health check already passed.

Names, sexes and ages come from `random.Random(seed)` in class-id order; dates count back from today
(so what is due is always current). Skips if demo enrolments (agreement numbers starting "DEMO-")
exist; `children_reset` deletes every row of the register (development databases only).
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from tuoyu.accounts.choices import Role
from tuoyu.accounts.models import RoleAssignment, User
from tuoyu.institutions.choices import FeeUnit, ServiceMode
from tuoyu.institutions.models import FeeItem, Institution, InstitutionClass
from tuoyu.institutions.rules import CLASS_RULES
from tuoyu.workforce.validators import id_check_char

from .choices import ApplicationStatus, EntryCheckKind, Relation
from .models import Application, ApplicationTransition, Child, Enrolment, EntryCheck, Guardian, PickupPerson
from .rules import add_months

BATCH_SIZE = 2000
MARK = "DEMO-"
DEMO_PARENT = "demo_parent"
DEMO_DIRECTOR = "demo_director"
NANJING_CODE = "320100000000"

# Shares of enrolled children whose records break an admission rule (the rest comply).
NO_HEALTH_CHECK = 0.005
NO_VACCINATION_CHECK = 0.02
INCOMPLETE_CERTIFICATE = 0.03  # of those checked; half of them re-checked already
WITH_ID_NUMBER = 0.25
SECOND_GUARDIAN = 0.6
PICKUP_PERSON = 0.15

SURNAMES = tuple(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔"
)
# Children's given names: whole names (two characters, or one), as parents choose them.
GIVEN_GIRL = (
    "子涵", "欣怡", "梓涵", "诗涵", "一诺", "依诺", "雨桐", "可欣", "语桐", "若汐", "梓萱", "思彤", "沐晴",
    "佳怡", "芷若", "婉清", "安琪", "悦心", "书瑶", "诗雨", "雪", "琪", "萱", "彤", "妍", "瑶",
)  # fmt: skip
GIVEN_BOY = (
    "浩宇", "子轩", "宇轩", "梓睿", "一鸣", "俊熙", "皓轩", "奕辰", "子墨", "宇航", "沐阳", "浩然", "铭泽",
    "思远", "嘉懿", "承泽", "明哲", "博文", "睿泽", "浩", "轩", "宇", "哲", "睿", "阳",
)  # fmt: skip
MOTHER_GIVEN = tuple("丽娟敏静芳婷雪梅琳颖慧洁燕萍晶佳欣悦怡岚琴月雯倩蓉璐")
FATHER_GIVEN = tuple("伟强军磊勇杰涛明超刚平辉鹏华飞斌波宇浩凯健俊峰亮晨龙林文")
PHONE_PREFIXES = ("130", "131", "133", "135", "136", "137", "138", "139", "150", "151", "152", "158",
                  "159", "177", "180", "181", "186", "187", "188", "189", "199")  # fmt: skip
ISSUERS = ("社区卫生服务中心", "妇幼保健院", "儿童医院儿童保健科")


def _name(rng: random.Random, given: tuple[str, ...], surname: str | None = None) -> str:
    """A surname and a given name: adults' from single characters, children's from whole given names."""
    if len(given[0]) > 1:
        return (surname or rng.choice(SURNAMES)) + rng.choice(given)
    return (surname or rng.choice(SURNAMES)) + "".join(
        rng.choice(given) for _ in range(rng.choice((1, 2, 2)))
    )


def _phone(rng: random.Random) -> str:
    return rng.choice(PHONE_PREFIXES) + f"{rng.randint(0, 99_999_999):08d}"


def _day_between(rng: random.Random, lo: date, hi: date) -> date:
    return lo + timedelta(days=rng.randint(0, max((hi - lo).days, 0)))


def _birth_for(rng: random.Random, kind: str, on: date) -> date:
    """A birth date whose age in whole months on `on` lies in the class type's band."""
    rule = CLASS_RULES[kind]
    months = rng.randint(rule.min_months, rule.max_months - 1)
    return add_months(on, -months) - timedelta(days=rng.randint(0, 27))


def _monthly_fees() -> dict[int, Decimal]:
    """Each institution's monthly fee for full-day care, from its fee catalogue (one query)."""
    fees: dict[int, Decimal] = {}
    for institution_id, amount in (
        FeeItem.objects.filter(unit=FeeUnit.MONTH)
        .order_by("institution_id", "-amount")
        .values_list("institution_id", "amount")
    ):
        fees.setdefault(institution_id, amount)
    return fees


@dataclass
class _Kid:
    """One demo child before it is written (plain values: the ORM is too slow for 150,000 of them)."""

    pk: int
    name: str
    sex: str
    birth_date: date
    id_number: str
    allergies: str


class _Builder:
    def __init__(self, seed: int, today: date) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self.ids: set[str] = set(Child.objects.exclude(id_number="").values_list("id_number", flat=True))

    def id_number(self, county: str, birth: date, girl: bool) -> str:
        rng = self.rng
        for _attempt in range(5):
            sequence = rng.randint(0, 99) * 10 + rng.choice((0, 2, 4, 6, 8) if girl else (1, 3, 5, 7, 9))
            first17 = f"{county[:6]}{birth:%Y%m%d}{sequence:03d}"
            value = first17 + id_check_char(first17)
            if value not in self.ids:
                self.ids.add(value)
                return value
        return ""

    def kid(self, pk: int, kind: str, county: str, on: date | None = None) -> _Kid:
        rng = self.rng
        girl = rng.random() < 0.49
        birth = _birth_for(rng, kind, on or self.today)
        return _Kid(
            pk=pk,
            name=_name(rng, GIVEN_GIRL if girl else GIVEN_BOY),
            sex="F" if girl else "M",
            birth_date=birth,
            id_number=self.id_number(county, birth, girl) if rng.random() < WITH_ID_NUMBER else "",
            allergies=rng.choice(("花生", "鸡蛋", "牛奶", "虾")) if rng.random() < 0.04 else "",
        )

    def guardians(self, kid: _Kid) -> list[tuple[Any, ...]]:
        """(child, position, name, relation, phone, user) rows: a mother, and often a father."""
        rng = self.rng
        rows: list[tuple[Any, ...]] = [
            (kid.pk, 1, _name(rng, MOTHER_GIVEN), Relation.MOTHER.value, _phone(rng), None)
        ]
        if rng.random() < SECOND_GUARDIAN:
            rows.append(
                (kid.pk, 2, _name(rng, FATHER_GIVEN, kid.name[0]), Relation.FATHER.value, _phone(rng), None)
            )
        return rows

    def start(self, kid: _Kid) -> date:
        """A start date in the last two years, once the child was at least six months old."""
        earliest = max(self.today - timedelta(days=730), add_months(kid.birth_date, 6))
        return _day_between(self.rng, min(earliest, self.today), self.today)

    def checks(self, kid: _Kid, institution_id: int, start_on: date) -> list[tuple[Any, ...]]:
        """(child, institution, kind, checked_on, passed, issuer, notes) rows; a few missing or incomplete."""
        rng = self.rng
        rows: list[tuple[Any, ...]] = []
        if rng.random() >= NO_HEALTH_CHECK:
            checked = max(start_on - timedelta(days=rng.randint(3, 60)), kid.birth_date)
            rows.append(
                (kid.pk, institution_id, EntryCheckKind.HEALTH.value, checked, True, rng.choice(ISSUERS), "")
            )
        if rng.random() < NO_VACCINATION_CHECK:
            return rows
        checked = min(start_on + timedelta(days=rng.randint(0, 20)), self.today)
        complete = rng.random() >= INCOMPLETE_CERTIFICATE
        rows.append(
            (
                kid.pk,
                institution_id,
                EntryCheckKind.VACCINATION_CERTIFICATE.value,
                checked,
                complete,
                "",
                "" if complete else "缺种疫苗，已告知监护人补种",
            )
        )
        if not complete and rng.random() < 0.5:
            recheck = _day_between(rng, checked, min(date(checked.year, 12, 31), self.today))
            rows.append(
                (kid.pk, institution_id, EntryCheckKind.VACCINATION_RECHECK.value, recheck, True, "", "")
            )
        return rows


def _plan(classes: list[Any]) -> list[tuple[Any, int]]:
    """(class row, children) per class: min(enrolled, capacity), and never beyond the institution's places."""
    left: dict[int, int] = {}
    planned = []
    for row in classes:
        room = left.setdefault(row["institution_id"], row["institution__places"])
        n = max(min(row["enrolled"], row["capacity"], room), 0)
        left[row["institution_id"]] = room - n
        planned.append((row, n))
    return planned


def _insert(model: Any, fields: list[str], rows: list[tuple[Any, ...]]) -> None:
    """INSERT rows with executemany, values adapted by the backend (the ORM's bulk_create costs ~10x)."""
    if not rows:
        return
    meta = model._meta
    columns = [meta.get_field(name).column for name in fields]
    ops = connection.ops
    adapt: list[Any] = []
    for name in fields:
        field = meta.get_field(name)
        internal = field.get_internal_type()
        if internal == "DateField":
            adapt.append(ops.adapt_datefield_value)
        elif internal == "DateTimeField":
            adapt.append(ops.adapt_datetimefield_value)
        elif internal == "DecimalField":
            digits, places = getattr(field, "max_digits", None), getattr(field, "decimal_places", None)
            adapt.append(lambda v, d=digits, p=places: ops.adapt_decimalfield_value(v, d, p))
        else:
            adapt.append(None)
    # Identifiers come from the model's own metadata, quoted by the backend; values are parameters.
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        ops.quote_name(meta.db_table),
        ", ".join(ops.quote_name(c) for c in columns),
        ", ".join(["%s"] * len(columns)),
    )
    with connection.cursor() as cursor:
        for k in range(0, len(rows), BATCH_SIZE * 5):
            chunk = [
                tuple(v if a is None or v is None else a(v) for v, a in zip(row, adapt, strict=True))
                for row in rows[k : k + BATCH_SIZE * 5]
            ]
            cursor.executemany(sql, chunk)


def _reset_sequences(*models: Any) -> None:
    """After inserting explicit ids, move PostgreSQL's sequences past them (a no-op on SQLite)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def children_reset() -> int:
    """Delete every row of the children register (development databases only); returns the children."""
    with transaction.atomic():
        ApplicationTransition.objects.all().delete()
        EntryCheck.objects.all().delete()
        PickupPerson.objects.all().delete()
        Enrolment.objects.all().delete()
        Application.objects.all().delete()
        Guardian.objects.all().delete()
        deleted, _ = Child.objects.all().delete()
    # Classes keep their `enrolled` counts (the register's last count), so a new run refills them.
    return deleted


def add_demo_children(*, seed: int = 1, stdout: Any = None, today: date | None = None) -> dict[str, Any]:
    """Fill the register (see the module docstring). Returns counts; {"created": False} when skipped."""
    started = time.monotonic()
    today = today or timezone.localdate()
    if Enrolment.objects.filter(agreement_ref__startswith=MARK).exists():
        if stdout:
            stdout.write("Demo children exist already: nothing written (use --reset to start again).\n")
        return {"created": False}
    builder = _Builder(seed, today)
    rng = builder.rng
    fees = _monthly_fees()
    classes = list(
        InstitutionClass.objects.filter(institution__in=Institution.objects.operating())
        .order_by("institution_id", "id")
        .values(
            "id",
            "institution_id",
            "kind",
            "capacity",
            "enrolled",
            "institution__places",
            "institution__county_id",
        )
    )
    totals: dict[str, Any] = {"children": 0, "guardians": 0, "checks": 0, "classes": len(classes)}
    now = timezone.now()
    with transaction.atomic():
        # Children already on the register (enrolled through the services) count against their class.
        existing = dict(
            Child.objects.filter(klass__isnull=False)
            .values("klass")
            .annotate(n=Count("pk"))
            .values_list("klass", "n")
        )
        next_pk = (Child.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        children: list[tuple[Any, ...]] = []
        guardians: list[tuple[Any, ...]] = []
        enrolments: list[tuple[Any, ...]] = []
        checks: list[tuple[Any, ...]] = []
        pickups: list[tuple[Any, ...]] = []

        def flush() -> None:
            _insert(Child, CHILD_COLUMNS, children)
            _insert(Guardian, GUARDIAN_COLUMNS, guardians)
            _insert(Enrolment, ENROLMENT_COLUMNS, enrolments)
            _insert(EntryCheck, CHECK_COLUMNS, checks)
            _insert(PickupPerson, PICKUP_COLUMNS, pickups)
            totals["children"] += len(children)
            totals["guardians"] += len(guardians)
            totals["checks"] += len(checks)
            for rows in (children, guardians, enrolments, checks, pickups):
                rows.clear()

        register: dict[int, int] = {}
        for row, n in _plan(classes):
            have = existing.get(row["id"], 0)
            add = max(n - have, 0)
            register[row["id"]] = have + add
            institution_id, class_id = row["institution_id"], row["id"]
            for _i in range(add):
                kid = builder.kid(next_pk, row["kind"], row["institution__county_id"])
                next_pk += 1
                children.append(
                    (
                        kid.pk,
                        kid.name,
                        kid.sex,
                        kid.birth_date,
                        kid.id_number,
                        kid.allergies,
                        "",
                        institution_id,
                        class_id,
                        now,
                    )
                )
                guardians.extend(builder.guardians(kid))
                start_on = builder.start(kid)
                enrolments.append(
                    (
                        kid.pk,
                        institution_id,
                        class_id,
                        ServiceMode.FULL_DAY.value,
                        start_on,
                        f"{MARK}{institution_id:05d}-{kid.pk:07d}",
                        start_on - timedelta(days=rng.randint(1, 20)),
                        fees.get(institution_id),
                        "",
                    )
                )
                checks.extend(builder.checks(kid, institution_id, start_on))
                if rng.random() < PICKUP_PERSON:
                    pickups.append(
                        (kid.pk, _name(rng, MOTHER_GIVEN), Relation.GRANDPARENT.value, _phone(rng), True, now)
                    )
            if len(children) >= BATCH_SIZE * 5:
                flush()
        flush()
        _reset_sequences(Child, Guardian, Enrolment, EntryCheck, PickupPerson)
        _set_enrolled(register)
        totals["parent_children"] = _link_demo_parent()
        totals["applications"] = _pending_applications(builder, today)
    totals["seconds"] = round(time.monotonic() - started, 1)
    if stdout:
        stdout.write(
            "{children} demo children in {classes} classes, {guardians} guardians, {checks} admission "
            "checks, {applications} pending applications ({seconds} s).\n".format(**totals)
        )
    totals["created"] = True
    return totals


CHILD_COLUMNS = [
    "id", "name", "sex", "birth_date", "id_number", "allergies", "special_needs", "institution", "klass",
    "created_at",
]  # fmt: skip
GUARDIAN_COLUMNS = ["child", "position", "name", "relation", "phone", "user"]
ENROLMENT_COLUMNS = [
    "child", "institution", "klass", "service_mode", "start_on", "agreement_ref", "agreement_signed_on",
    "monthly_fee", "leave_reason",
]  # fmt: skip
CHECK_COLUMNS = ["child", "institution", "kind", "checked_on", "passed", "issuer", "notes"]
PICKUP_COLUMNS = ["child", "name", "relation", "phone", "active", "added_at"]


def _set_enrolled(register: dict[int, int]) -> None:
    """Each class's declared count becomes its register count: one UPDATE per distinct count."""
    by_count: dict[int, list[int]] = defaultdict(list)
    for class_id, n in register.items():
        by_count[n].append(class_id)
    for n, ids in by_count.items():
        for k in range(0, len(ids), 500):
            InstitutionClass.objects.filter(pk__in=ids[k : k + 500]).exclude(enrolled=n).update(enrolled=n)


def _director_institution() -> Institution | None:
    assignment = (
        RoleAssignment.objects.filter(user__username=DEMO_DIRECTOR, role=Role.DIRECTOR, active=True)
        .select_related("institution")
        .first()
    )
    return assignment.institution if assignment else None


def _link_demo_parent() -> int:
    """demo_parent becomes guardian 1 of a child at the director's institution and one elsewhere."""
    parent = User.objects.filter(username=DEMO_PARENT).first()
    if parent is None:
        return 0
    targets: list[Child] = []
    workplace = _director_institution()
    if workplace is not None:
        targets += list(Child.objects.filter(institution=workplace).order_by("id")[:1])
    elsewhere = (
        Child.objects.filter(institution__city_id=NANJING_CODE)
        .exclude(institution=workplace)
        .order_by("id")
        .first()
    )
    if elsewhere is not None:
        targets.append(elsewhere)
    linked = 0
    for child in targets:
        if Guardian.objects.filter(child=child, user=parent).exists():
            continue
        Guardian.objects.filter(child=child, position=1).update(
            user=parent, name=parent.display_name or parent.username, phone=parent.phone or "13900000000"
        )
        linked += 1
    return linked


def _pending_applications(builder: _Builder, today: date) -> int:
    """Five families apply to the demo director's institution for next month (one already health-checked)."""
    institution = _director_institution()
    if institution is None:
        return 0
    kinds = list(institution.classes.values_list("kind", flat=True).distinct()) or ["older"]
    start_month = add_months(today.replace(day=1), 1)
    rng = builder.rng
    made = 0
    for k in range(5):
        username = f"demo_family_{k + 1}"
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, display_name=f"{_name(rng, MOTHER_GIVEN)}（演示家长）")
            user.set_unusable_password()  # an actor of demo records, not a login
            user.save()
            RoleAssignment.objects.create(user=user, role=Role.PARENT)
        if (
            Application.objects.filter(applicant=user, institution=institution)
            .filter(Q(status=ApplicationStatus.SUBMITTED) | Q(status=ApplicationStatus.WAITLISTED))
            .exists()
        ):
            continue
        kind = kinds[k % len(kinds)]
        kid = builder.kid(0, kind, institution.county_id, on=start_month)
        child = Child.objects.create(
            name=kid.name,
            sex=kid.sex,
            birth_date=kid.birth_date,
            id_number=kid.id_number,
            allergies=kid.allergies,
        )
        Guardian.objects.create(
            child=child,
            position=1,
            name=user.display_name.removesuffix("（演示家长）"),
            relation=Relation.MOTHER,
            phone=_phone(rng),
            user=user,
        )
        application = Application.objects.create(
            child=child,
            institution=institution,
            applicant=user,
            service_mode=ServiceMode.FULL_DAY,
            start_month=start_month,
            note="希望尽快入托" if k == 0 else "",
        )
        ApplicationTransition.objects.create(
            application=application, from_status="", to_status=ApplicationStatus.SUBMITTED, actor=user
        )
        if k == 0:
            EntryCheck.objects.create(
                child=child,
                institution=institution,
                kind=EntryCheckKind.HEALTH,
                checked_on=today - timedelta(days=5),
                passed=True,
                issuer=ISSUERS[0],
            )
        made += 1
    return made
