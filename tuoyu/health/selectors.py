"""Reads of the health app: a class's check list, a child's checks of a day, immunisations due or
overdue (for one child, for an institution's health worker in one query, and counted per region)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Value

from tuoyu.children.models import Child
from tuoyu.institutions.models import Institution, InstitutionClass

from .choices import Session
from .immunisation import SCHEDULE, DoseRule, born_on_or_before
from .models import HealthCheck, HealthCheckSymptom, VaccineDose

# --- presence (attendance app) ----------------------------------------------------------------------


def present_q(day: date, child_ref: str = "pk") -> Q:
    """Children checked in on `day` and not yet collected (attendance's day record)."""
    from tuoyu.attendance.choices import DayStatus
    from tuoyu.attendance.models import AttendanceDay

    return Q(
        Exists(AttendanceDay.objects.filter(child_id=OuterRef(child_ref), day=day, status=DayStatus.PRESENT))
    )


def present_children(klass: InstitutionClass, day: date) -> QuerySet[Child]:
    return Child.objects.filter(klass=klass, institution_id=klass.institution_id).filter(present_q(day))


# --- checks ------------------------------------------------------------------------------------------


@dataclass
class ClassCheckRow:
    child: Child
    present: bool
    check: HealthCheck | None


def class_check_rows(klass: InstitutionClass, day: date, session: str) -> list[ClassCheckRow]:
    """Every child of the class with whether they are here and their check for the session: 2 queries."""
    children = list(
        Child.objects.filter(klass=klass, institution_id=klass.institution_id)
        .annotate(is_present=present_q(day))
        .order_by("name", "id")
    )
    checks = {
        c.child_id: c
        for c in HealthCheck.objects.filter(klass=klass, day=day, session=session).prefetch_related(
            "symptoms"
        )
    }
    return [ClassCheckRow(c, bool(c.is_present), checks.get(c.pk)) for c in children]  # type: ignore[attr-defined]


def child_checks_on(child: Child, day: date) -> list[HealthCheck]:
    """The child's morning and noon checks of a day, morning first (for the parent's today)."""
    checks = list(
        HealthCheck.objects.filter(child=child, day=day)
        .prefetch_related(Prefetch("symptoms", queryset=HealthCheckSymptom.objects.order_by("symptom")))
        .select_related("checker")
    )
    order: dict[str, int] = {Session.MORNING.value: 0, Session.NOON.value: 1}
    return sorted(checks, key=lambda c: order.get(c.session, 9))


# --- immunisation: one child -------------------------------------------------------------------------


@dataclass(frozen=True)
class DueDose:
    rule: DoseRule
    due_from: date
    overdue_from: date
    overdue: bool

    @property
    def status(self) -> str:
        return "overdue" if self.overdue else "due"


@dataclass
class ScheduleRow:
    rule: DoseRule
    due_from: date
    overdue_from: date
    dose: VaccineDose | None
    status: str  # given | overdue | due | upcoming


def _given_keys(doses: list[VaccineDose]) -> set[tuple[str, int]]:
    return {(d.vaccine, d.dose_no) for d in doses}


def child_schedule(child: Child, as_of: date) -> list[ScheduleRow]:
    """The schedule against the child's doses: given, overdue, due or upcoming for each dose (1 query)."""
    doses = list(VaccineDose.objects.filter(child=child))
    by_key = {(d.vaccine, d.dose_no): d for d in doses}
    rows = []
    for rule in SCHEDULE:
        dose = next((by_key[k] for k in rule.alternatives if k in by_key), None)
        due, overdue = rule.due_from(child.birth_date), rule.overdue_from(child.birth_date)
        if dose is not None:
            status = "given"
        elif overdue <= as_of:
            status = "overdue"
        elif due <= as_of:
            status = "due"
        else:
            status = "upcoming"
        rows.append(ScheduleRow(rule, due, overdue, dose, status))
    return rows


def immunisations_due(child: Child, as_of: date) -> list[DueDose]:
    """Doses the child is old enough for and has not had, overdue ones first (for the parent end)."""
    rows = [r for r in child_schedule(child, as_of) if r.status in {"due", "overdue"}]
    due = [DueDose(r.rule, r.due_from, r.overdue_from, r.status == "overdue") for r in rows]
    return sorted(due, key=lambda d: (not d.overdue, d.due_from))


def extra_doses(child: Child) -> list[VaccineDose]:
    """Doses recorded that are not in the schedule (e.g. JE-I dose 2): shown, never counted."""
    keys = {k for rule in SCHEDULE for k in rule.alternatives}
    return [d for d in VaccineDose.objects.filter(child=child) if (d.vaccine, d.dose_no) not in keys]


# --- immunisation in SQL -------------------------------------------------------------------------------


def _missing(rule: DoseRule) -> Q:
    """No dose (nor an equivalent) recorded for the child: NOT EXISTS over the unique index."""
    alt = Q(pk__in=[])
    for vaccine, dose_no in rule.alternatives:
        alt |= Q(vaccine=vaccine, dose_no=dose_no)
    return ~Q(Exists(VaccineDose.objects.filter(alt, child_id=OuterRef("pk"))))


def _flag(rule: DoseRule, as_of: date) -> Any:
    """2 overdue, 1 due, 0 otherwise — compared on birth_date, so it is one CASE per rule."""
    from django.db.models import Case, When

    due_by = born_on_or_before(rule, as_of, overdue=False)
    overdue_by = born_on_or_before(rule, as_of, overdue=True)
    missing = _missing(rule)
    return Case(
        When(Q(birth_date__lte=overdue_by) & missing, then=Value(2)),
        When(Q(birth_date__lte=due_by) & missing, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )


def any_overdue_q(as_of: date) -> Q:
    """Children with at least one overdue dose (an OR of the rules' conditions)."""
    q = Q(pk__in=[])
    for rule in SCHEDULE:
        q |= Q(birth_date__lte=born_on_or_before(rule, as_of, overdue=True)) & _missing(rule)
    return q


def any_due_q(as_of: date) -> Q:
    q = Q(pk__in=[])
    for rule in SCHEDULE:
        q |= Q(birth_date__lte=born_on_or_before(rule, as_of, overdue=False)) & _missing(rule)
    return q


@dataclass
class ChildDue:
    child: Child
    overdue: list[DoseRule] = field(default_factory=list)
    due: list[DoseRule] = field(default_factory=list)


def institution_due_doses(
    institution: Institution, as_of: date, *, only_overdue: bool = False
) -> list[ChildDue]:
    """The institution's enrolled children with due or overdue doses, for its health worker: one query
    (a CASE per schedule row over birth date and NOT EXISTS dose), overdue children first."""
    flags = {f"r{i}": _flag(rule, as_of) for i, rule in enumerate(SCHEDULE)}
    children = (
        Child.objects.filter(institution=institution)
        .filter(any_overdue_q(as_of) if only_overdue else any_due_q(as_of))
        .annotate(**flags)
        .select_related("klass")
        .order_by("klass__name", "name", "id")
    )
    rows = []
    for child in children:
        row = ChildDue(child)
        for i, rule in enumerate(SCHEDULE):
            value = getattr(child, f"r{i}")
            if value == 2:
                row.overdue.append(rule)
            elif value == 1:
                row.due.append(rule)
        rows.append(row)
    rows.sort(key=lambda r: (not r.overdue,))
    return rows


OVERDUE_GROUPS = {
    "city_id": "institution__city_id",
    "county_id": "institution__county_id",
    "township_id": "institution__township_id",
    "institution": "institution_id",
}


@dataclass(frozen=True)
class ImmunisationCounts:
    overdue: int  # children with a record and at least one overdue dose
    unrecorded: int  # enrolled children with no dose recorded at all


def immunisation_counts(
    institutions: QuerySet[Institution], *, group_by: str = "county_id", as_of: date | None = None
) -> dict[Any, ImmunisationCounts]:
    """Per city/county/township code or institution id, in one GROUP BY (`institutions` already scoped):
    enrolled children with at least one overdue dose among those with any dose recorded, and children
    with no dose recorded at all. A child without any record is not counted as overdue: their
    certificate has not been entered yet, which is its own figure (the centre checks the certificate
    on admission, 76号令 第15条)."""
    from django.utils import timezone

    if group_by not in OVERDUE_GROUPS:
        raise ValueError(f"group_by must be one of {', '.join(OVERDUE_GROUPS)}")
    as_of = as_of or timezone.localdate()
    key = OVERDUE_GROUPS[group_by]
    recorded = Q(Exists(VaccineDose.objects.filter(child_id=OuterRef("pk"))))
    rows = (
        Child.objects.filter(institution__in=institutions.values("pk"))
        .order_by()
        .values(key)
        .annotate(
            overdue=Count("pk", filter=recorded & any_overdue_q(as_of)),
            unrecorded=Count("pk", filter=~recorded),
        )
    )
    return {row[key]: ImmunisationCounts(row["overdue"], row["unrecorded"]) for row in rows}


def overdue_counts(
    institutions: QuerySet[Institution], *, group_by: str = "county_id", as_of: date | None = None
) -> dict[Any, int]:
    """Children with at least one overdue dose (among those with a record), per group; see
    `immunisation_counts`. Groups without such children are absent."""
    counts = immunisation_counts(institutions, group_by=group_by, as_of=as_of)
    return {group: c.overdue for group, c in counts.items() if c.overdue}
