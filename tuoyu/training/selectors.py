"""Reads of the training records: a person's ledger of hours, hours in SQL for any Employment queryset,
completion rates by region or institution, and the coverage of training bases.

Hours (学时) are the person's, wherever earned: the sum of `hours_credited` of their completed
enrolments (completed on or before `today`) in courses for the job's role or for every role
(`Course.target_role` blank). `rules.hours_rule` says how many each role needs; roles without a rule
have no requirement (`training_required` is NULL, `training_met` NULL).

Other apps (workforce statistics, planning indicators) use `annotate_training_hours` and
`completion_rates`; both are plain QuerySet expressions, one SQL query whatever the number of rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from tuoyu.institutions.models import Institution
from tuoyu.regions.constants import ancestor_codes
from tuoyu.regions.models import Region
from tuoyu.workforce.choices import StaffRole
from tuoyu.workforce.models import Employment, Person

from .choices import HOLDS_PLACE, BaseLevel, EnrolmentStatus
from .models import Enrolment, TrainingBase, TrainingSession
from .rules import PROVINCE_OVERRIDES, TRAINING_HOURS_RULES, HoursRule, hours_rule

HOURS: Any = DecimalField(max_digits=7, decimal_places=1)
ZERO = Decimal("0")


def _province_prefix(region_code: str) -> str:
    return str(region_code)[:2]


# --- One person -----------------------------------------------------------------------------------


@dataclass
class LedgerLine:
    """One role the person holds now: what it needs, what they have, and the enrolments that count."""

    role: str
    rule: HoursRule | None
    credited: Decimal
    enrolments: list[Enrolment] = field(default_factory=list)

    @property
    def role_label(self) -> str:
        return str(StaffRole(self.role).label)

    @property
    def required(self) -> Decimal | None:
        return self.rule.min_hours if self.rule else None

    @property
    def remaining(self) -> Decimal | None:
        return None if self.rule is None else max(self.rule.min_hours - self.credited, ZERO)

    @property
    def met(self) -> bool | None:
        return None if self.rule is None else self.credited >= self.rule.min_hours

    @property
    def percent(self) -> int | None:
        """Share of the required hours credited, capped at 100 (for a progress bar)."""
        if self.rule is None or not self.rule.min_hours:
            return None
        return min(100, int(self.credited * 100 / self.rule.min_hours))


@dataclass
class Ledger:
    person: Person
    today: date
    lines: list[LedgerLine]
    enrolments: list[Enrolment]  # every enrolment, newest session first (in progress, absent ...)

    @property
    def certificates(self) -> list[Enrolment]:
        return [e for e in self.enrolments if e.status == EnrolmentStatus.COMPLETED and e.certificate_no]

    @property
    def short(self) -> bool:
        return any(line.met is False for line in self.lines)


def _counts_for(enrolment: Enrolment, role: str, today: date) -> bool:
    target = enrolment.session.course.target_role
    return (
        enrolment.status == EnrolmentStatus.COMPLETED
        and enrolment.completed_on is not None
        and enrolment.completed_on <= today
        and target in ("", role)
    )


def person_ledger(person: Person, today: date | None = None) -> Ledger:
    """The person's training hours against each role they hold now (2 queries).

    The person comes from `Person.objects.for_user(...)`: the ledger is theirs, so it lists every
    enrolment they have, without the institutions they were enrolled from.
    """
    today = today or timezone.localdate()
    jobs = list(
        Employment.objects.open()
        .filter(person=person)
        .values_list("role", "institution__township_id")
        .order_by("-full_time", "start_on", "id")
    )
    enrolments = list(
        Enrolment.objects.filter(person=person)
        .select_related("session__course", "session__region", "session__base")
        .order_by("-session__starts_on", "-id")
    )
    lines: list[LedgerLine] = []
    for role, township in jobs:
        if any(line.role == role for line in lines):
            continue
        counting = [e for e in enrolments if _counts_for(e, role, today)]
        credited = sum((e.hours_credited for e in counting), ZERO)
        rule = hours_rule(role, _province_prefix(township), today)
        lines.append(LedgerLine(role, rule, credited, counting))
    return Ledger(person=person, today=today, lines=lines, enrolments=enrolments)


# --- Hours in SQL, for any Employment queryset ----------------------------------------------------


def credited_hours_subquery(
    today: date | None = None, person_ref: str = "person_id", role_ref: str = "role"
) -> Any:
    """A scalar subquery: hours credited to OuterRef(person_ref) for a job of role OuterRef(role_ref)
    (NULL without any; wrap in Coalesce). Usable from any queryset with a person and a role column."""
    today = today or timezone.localdate()
    rows = (
        Enrolment.objects.filter(
            person_id=OuterRef(person_ref),
            status=EnrolmentStatus.COMPLETED,
            completed_on__lte=today,
        )
        .filter(Q(session__course__target_role=OuterRef(role_ref)) | Q(session__course__target_role=""))
        .order_by()
        .values("person_id")
        .annotate(total=Sum("hours_credited"))
        .values("total")
    )
    return Subquery(rows, output_field=HOURS)


def required_hours_case(today: date | None = None, role_field: str = "role",
                        region_field: str = "institution__township_id") -> Case:  # fmt: skip
    """rules.TRAINING_HOURS_RULES as SQL: the hours a job's role needs (NULL: no requirement).

    Province overrides come first, matched on the institution's region code prefix."""
    whens: list[When] = []
    for prefix, roles in PROVINCE_OVERRIDES.items():
        for role, hours in roles.items():
            rule = TRAINING_HOURS_RULES.get(role)
            if rule is None or (today is not None and rule.effective > today):
                continue
            whens.append(
                When(Q(**{role_field: role, f"{region_field}__startswith": prefix}), then=Value(hours))
            )
    for role, rule in TRAINING_HOURS_RULES.items():
        if today is not None and rule.effective > today:
            continue
        whens.append(When(Q(**{role_field: role}), then=Value(rule.min_hours)))
    return Case(*whens, default=Value(None), output_field=HOURS)


def annotate_training_hours(
    employments: QuerySet[Employment], today: date | None = None
) -> QuerySet[Employment]:
    """Add to each job `training_hours` (credited for its role, 0 if none), `training_required` (NULL when
    the role has no rule) and `training_met` (NULL / True / False), all in SQL."""
    today = today or timezone.localdate()
    return employments.annotate(
        training_hours=Coalesce(credited_hours_subquery(today), Value(ZERO), output_field=HOURS),
        training_required=required_hours_case(today),
    ).annotate(
        training_met=Case(
            When(training_required__isnull=True, then=Value(None)),
            When(training_hours__gte=F("training_required"), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(null=True),
        )
    )


# --- Completion rates -----------------------------------------------------------------------------

GROUPS = {
    "city": ("institution__city_id", "institution__city__name"),
    "county": ("institution__county_id", "institution__county__name"),
    "township": ("institution__township_id", "institution__township__name"),
    "institution": ("institution_id", "institution__name"),
}
RATED_ROLES = (StaffRole.HEAD, StaffRole.CAREGIVER)


@dataclass
class CompletionRow:
    key: Any  # a region code, or an institution id
    name: str
    heads: int
    heads_met: int
    caregivers: int
    caregivers_met: int

    @staticmethod
    def _share(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def staff(self) -> int:
        return self.heads + self.caregivers

    @property
    def met(self) -> int:
        return self.heads_met + self.caregivers_met

    @property
    def heads_share(self) -> float | None:
        return self._share(self.heads_met, self.heads)

    @property
    def caregivers_share(self) -> float | None:
        return self._share(self.caregivers_met, self.caregivers)

    @property
    def share(self) -> float | None:
        return self._share(self.met, self.staff)

    @classmethod
    def total(cls, rows: list[CompletionRow]) -> CompletionRow:
        """The sum of group rows (e.g. the sub-regions of a region: all of its staff)."""
        return cls(
            None,
            "",
            sum(r.heads for r in rows),
            sum(r.heads_met for r in rows),
            sum(r.caregivers for r in rows),
            sum(r.caregivers_met for r in rows),
        )


def completion_rates(
    employments: QuerySet[Employment],
    group_by: str,
    today: date | None = None,
    order: str = "key",
    limit: int | None = None,
) -> list[CompletionRow]:
    """Heads and caregivers in `employments` (pass open jobs), and how many meet their hours, per city,
    county, township (the institution's copied columns) or institution: one aggregate query.

    Jobs are counted (a person with a part-time job besides counts in both places). `order`:
    "key" (code or id) or "share" (lowest share of staff meeting their hours first); `limit` cuts the
    list in SQL.
    """
    if group_by not in GROUPS:
        raise ValueError(f"group_by must be one of {sorted(GROUPS)}")
    key, name = GROUPS[group_by]
    met = Q(training_met=True)
    head, carer = Q(role=StaffRole.HEAD), Q(role=StaffRole.CAREGIVER)
    rows = (
        annotate_training_hours(employments.filter(role__in=RATED_ROLES), today)
        .order_by()
        .values(key, name)
        .annotate(
            heads=Count("id", filter=head),
            heads_met=Count("id", filter=head & met),
            caregivers=Count("id", filter=carer),
            caregivers_met=Count("id", filter=carer & met),
            staff=Count("id"),
        )
    )
    if order == "share":
        # Fewest meeting first, as a share. Built from the two counts above: the databases re-evaluate the
        # hours subquery for every aggregate that mentions it, so a third "met" count would cost a pass.
        rows = rows.annotate(
            rate=Case(
                When(staff=0, then=Value(None)),
                default=(F("heads_met") + F("caregivers_met")) * Value(1.0) / F("staff"),
                output_field=DecimalField(max_digits=12, decimal_places=6),
            )
        ).order_by("rate", key)
    else:
        rows = rows.order_by(key)
    if limit is not None:
        rows = rows[:limit]
    return [
        CompletionRow(r[key], r[name] or "", r["heads"], r["heads_met"], r["caregivers"], r["caregivers_met"])
        for r in rows
    ]


def completion_totals(employments: QuerySet[Employment], today: date | None = None) -> CompletionRow:
    """The same figures over the whole queryset (one query)."""
    met = Q(training_met=True)
    head, carer = Q(role=StaffRole.HEAD), Q(role=StaffRole.CAREGIVER)
    totals = annotate_training_hours(employments.filter(role__in=RATED_ROLES), today).aggregate(
        heads=Count("id", filter=head),
        heads_met=Count("id", filter=head & met),
        caregivers=Count("id", filter=carer),
        caregivers_met=Count("id", filter=carer & met),
    )
    return CompletionRow(
        None, "", totals["heads"], totals["heads_met"], totals["caregivers"], totals["caregivers_met"]
    )


# --- Coverage of training bases -------------------------------------------------------------------


def active_bases(today: date | None = None) -> QuerySet[TrainingBase]:
    """Bases in service today: active, accredited, accreditation not ended."""
    today = today or timezone.localdate()
    return TrainingBase.objects.filter(
        Q(accreditation_ends_on__isnull=True) | Q(accreditation_ends_on__gte=today),
        active=True,
        accredited_on__lte=today,
    )


@dataclass
class CoverageRow:
    level: str
    regions: int
    covered: int

    @property
    def level_label(self) -> str:
        return str(BaseLevel(self.level).label)

    @property
    def share(self) -> float | None:
        return self.covered / self.regions if self.regions else None


def base_coverage(within: Region | None = None, today: date | None = None) -> list[CoverageRow]:
    """For the province, its cities and its counties (within `within`, at its level and below): how many
    regions have an active accredited base at their own level (省市县实训基地, 专栏3). One query."""
    levels = [choice.value for choice in BaseLevel]
    regions = Region.objects.filter(level__in=levels)
    if within is not None:
        lo, hi = within.subtree_bounds()
        regions = regions.filter(code__gte=lo, code__lte=hi)
    has_base = Exists(active_bases(today).filter(region_id=OuterRef("code"), level=OuterRef("level")))
    rows = {
        r["level"]: r
        for r in regions.annotate(has_base=has_base)
        .order_by()
        .values("level")
        .annotate(regions=Count("code"), covered=Count("code", filter=Q(has_base=True)))
    }
    return [
        CoverageRow(level, rows[level]["regions"], rows[level]["covered"])
        for level in levels
        if level in rows
    ]


def subregions_with_base(region: Region, today: date | None = None) -> list[tuple[Region, bool]]:
    """The region's children (cities of the province, counties of a city) and whether each has an active
    base at its own level (one query)."""
    has_base = Exists(active_bases(today).filter(region_id=OuterRef("code"), level=OuterRef("level")))
    children = region.children.filter(level__in=[c.value for c in BaseLevel]).annotate(has_base=has_base)
    return [(child, bool(child.has_base)) for child in children.order_by("code")]  # type: ignore[attr-defined]


# --- Sessions -------------------------------------------------------------------------------------


def sessions_open_to(institution: Institution, today: date | None = None) -> QuerySet[TrainingSession]:
    """Sessions the institution's staff may join: organised by its township, county, city or province,
    not yet over, with the places taken counted (`taken`)."""
    today = today or timezone.localdate()
    township = str(institution.township_id)
    organisers = [*ancestor_codes(township, "township"), township]
    return with_places_taken(
        TrainingSession.objects.filter(region_id__in=organisers, ends_on__gte=today)
    ).order_by("starts_on", "id")


def with_places_taken(sessions: QuerySet[TrainingSession]) -> QuerySet[TrainingSession]:
    """Sessions with `taken` (places held by enrolled, completed or absent people) and `places_left`."""
    return (
        sessions.select_related("course", "base", "region")
        .annotate(taken=Count("enrolments", filter=Q(enrolments__status__in=HOLDS_PLACE)))
        .annotate(places_left=F("capacity") - F("taken"))
    )
