"""Reads of attendance: a class's roster, live ratios, the follow-up list, a child's day and history
(for the parent end), staff attendance of the day, and presence counts per institution or region (for
aggregation upward). Every figure is counted in SQL; no function loops over a table's rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from tuoyu.children.models import Child, Guardian, PickupPerson
from tuoyu.institutions.choices import InstitutionType
from tuoyu.institutions.models import Institution, InstitutionClass
from tuoyu.workforce.models import ClassAssignment, Employment
from tuoyu.workforce.ratios import RatioRule, ratio_rule

from . import rules
from .choices import AbsenceReason, DayStatus
from .models import Absence, AttendanceDay, StaffAttendance

# --- Roster ------------------------------------------------------------------------------------------


@dataclass
class RosterRow:
    """One child of a class on a day: attendance, absence and who may collect them."""

    child: Child
    day: AttendanceDay | None
    absence: Absence | None
    pickup_choices: list[tuple[str, str]] = field(default_factory=list)  # ("g:<id>" | "p:<id>", label)
    ref: str = ""  # the client_ref the row's next tap carries (pages draw a fresh one per row)

    @property
    def status(self) -> str:
        if self.day is not None:
            return self.day.status
        return "absent" if self.absence is not None else "not_in"


def class_roster(klass: InstitutionClass, day: date, *, with_pickups: bool = True) -> list[RosterRow]:
    """The children of a class with their day: 3 queries (+2 for who may pick up)."""
    children = Child.objects.filter(klass=klass).order_by("name", "id")
    if with_pickups:
        active = PickupPerson.objects.filter(active=True)
        children = children.prefetch_related(
            "guardians", Prefetch("pickup_people", queryset=active, to_attr="active_pickups")
        )
    child_list = list(children)
    ids = [c.pk for c in child_list]
    days = {d.child_id: d for d in AttendanceDay.objects.filter(child_id__in=ids, day=day)}
    absences = {a.child_id: a for a in Absence.objects.filter(child_id__in=ids, day=day)}
    rows = []
    for child in child_list:
        choices: list[tuple[str, str]] = []
        if with_pickups:
            choices = [
                (f"g:{g.pk}", f"{g.name}（{g.get_relation_display()}）") for g in child.guardians.all()
            ]
            choices += [
                (f"p:{p.pk}", f"{p.name}（{p.get_relation_display()}）")
                for p in getattr(child, "active_pickups", [])
            ]
        rows.append(RosterRow(child, days.get(child.pk), absences.get(child.pk), choices))
    return rows


# --- Live ratio --------------------------------------------------------------------------------------


@dataclass
class LiveRatio:
    """A class's staff-to-child ratio now: children present against caregivers assigned and present."""

    institution_class: InstitutionClass
    present: int
    assigned: int
    caregivers_present: int
    rule: RatioRule

    @property
    def required(self) -> int | None:
        per = self.rule.children_per_caregiver
        return None if per is None else -(-self.present // per)

    @property
    def breach(self) -> bool | None:
        required = self.required
        return None if required is None else self.caregivers_present < required


def institution_live_ratios(
    institution: Institution, day: date | None = None, *, classes: list[InstitutionClass] | None = None
) -> list[LiveRatio]:
    """Every class of the institution (or the given ones) with its live ratio: 3 queries."""
    day = day or timezone.localdate()
    family = institution.type == InstitutionType.FAMILY
    if classes is None:
        classes = list(InstitutionClass.objects.filter(institution=institution).order_by("name", "id"))
    class_ids = [c.pk for c in classes]
    present = dict(
        AttendanceDay.objects.filter(klass_id__in=class_ids, day=day, status=DayStatus.PRESENT)
        .values("klass_id")
        .annotate(n=Count("pk"))
        .values_list("klass_id", "n")
        .order_by()
    )
    at_work = StaffAttendance.objects.filter(
        employment_id=OuterRef("employment_id"), day=day, out_at__isnull=True
    )
    staff = (
        ClassAssignment.objects.counting(day)
        .filter(institution_class_id__in=class_ids)
        .values("institution_class_id")
        .annotate(n=Count("pk"), here=Count("pk", filter=Q(Exists(at_work))))
        .order_by()
    )
    staffed = {row["institution_class_id"]: row for row in staff}
    return [
        LiveRatio(
            institution_class=c,
            present=present.get(c.pk, 0),
            assigned=staffed.get(c.pk, {}).get("n", 0),
            caregivers_present=staffed.get(c.pk, {}).get("here", 0),
            rule=ratio_rule(c.kind, family_point=family),
        )
        for c in classes
    ]


def class_live_ratio(klass: InstitutionClass, day: date | None = None) -> LiveRatio:
    return institution_live_ratios(klass.institution, day, classes=[klass])[0]


# --- Follow-up of absences (缺勤追踪) -----------------------------------------------------------------


def after_cutoff(now: datetime | None = None) -> bool:
    now = timezone.localtime(now or timezone.now())
    return now.time() >= rules.follow_up_cutoff()


def needs_follow_up(institution_ids: Any, day: date) -> QuerySet[Child]:
    """Enrolled children not checked in on `day` with no absence explained or followed up: one query."""
    explained = Absence.objects.filter(child_id=OuterRef("pk"), day=day).filter(
        ~Q(reason=AbsenceReason.UNEXPLAINED) | Q(followed_up_at__isnull=False)
    )
    return (
        Child.objects.filter(institution_id__in=institution_ids)
        .exclude(Exists(AttendanceDay.objects.filter(child_id=OuterRef("pk"), day=day)))
        .exclude(Exists(explained))
        .select_related("klass")
        .order_by("klass__name", "name", "id")
    )


def followed_up(institution_ids: Any, day: date) -> QuerySet[Absence]:
    return (
        Absence.objects.filter(institution_id__in=institution_ids, day=day, followed_up_at__isnull=False)
        .select_related("child", "klass", "followed_up_by")
        .order_by("klass__name", "child__name")
    )


# --- One child (parent end) -------------------------------------------------------------------------


def _absence_dict(absence: Absence | None) -> dict[str, Any] | None:
    if absence is None:
        return None
    return {
        "id": absence.pk,
        "reason": absence.reason,
        "reason_label": str(absence.get_reason_display()),
        "note": absence.note,
        "reported_via": absence.reported_via,
        "followed_up": absence.followed_up_at is not None,
        "outcome": absence.outcome,
    }


def _day_dict(day: date, row: AttendanceDay | None, absence: Absence | None) -> dict[str, Any]:
    status = row.status if row is not None else ("absent" if absence is not None else "not_in")
    return {
        "day": day,
        "status": status,
        "in_at": timezone.localtime(row.in_at) if row is not None else None,
        "out_at": timezone.localtime(row.out_at) if row is not None and row.out_at else None,
        "dropped_off_by": row.dropped_off_by if row is not None else "",
        "picked_up_by": row.picked_up_by if row is not None else "",
        "absence": _absence_dict(absence),
    }


def child_day(child: Child, day: date) -> dict[str, Any]:
    """A child's day: status (present, left, absent, not_in), in/out times, by whom, absence. 2 queries."""
    row = AttendanceDay.objects.filter(child=child, day=day).first()
    absence = Absence.objects.filter(child=child, day=day).first()
    return _day_dict(day, row, absence)


def child_history(child: Child, start: date, end: date) -> list[dict[str, Any]]:
    """The child's days with attendance or an absence between start and end (newest first): 2 queries.

    The span is capped at 366 days."""
    start = max(start, end - timedelta(days=366))
    rows = {r.day: r for r in AttendanceDay.objects.filter(child=child, day__gte=start, day__lte=end)}
    absences = {a.day: a for a in Absence.objects.filter(child=child, day__gte=start, day__lte=end)}
    days = sorted(set(rows) | set(absences), reverse=True)
    return [_day_dict(d, rows.get(d), absences.get(d)) for d in days]


# --- Staff attendance ---------------------------------------------------------------------------------


def staff_day(institution: Institution, day: date) -> list[Employment]:
    """Open jobs of the institution with the day's arrival and departure annotated: one query."""
    row = StaffAttendance.objects.filter(employment_id=OuterRef("pk"), day=day)
    return list(
        Employment.objects.open()
        .filter(institution=institution)
        .select_related("person")
        .annotate(in_at=Subquery(row.values("in_at")[:1]), out_at=Subquery(row.values("out_at")[:1]))
        .order_by("role", "person__name", "id")
    )


# --- Aggregation upward ---------------------------------------------------------------------------------

GROUPS = {
    "institution": "institution_id",
    "township_id": "institution__township_id",
    "county_id": "institution__county_id",
    "city_id": "institution__city_id",
}


def presence_counts(
    day: date, group_by: str = "institution", *, institutions: QuerySet[Institution] | None = None
) -> dict[Any, dict[str, int]]:
    """Children checked in (present now, or picked up), and absent with and without a reason, per
    institution id or region code, on `day`: one aggregate query per table.

    `institutions` (already scoped by the caller) restricts the rows; groups with nothing are absent.
    """
    if group_by not in GROUPS:
        raise ValueError(f"group_by must be one of {', '.join(GROUPS)}")
    key = GROUPS[group_by]
    days = AttendanceDay.objects.filter(day=day)
    absences = Absence.objects.filter(day=day)
    if institutions is not None:
        days = days.filter(institution__in=institutions.values("pk"))
        absences = absences.filter(institution__in=institutions.values("pk"))
    result: dict[Any, dict[str, int]] = {}
    for row in (
        days.values(key)
        .annotate(n=Count("pk"), here=Count("pk", filter=Q(status=DayStatus.PRESENT)))
        .order_by()
    ):
        result[row[key]] = {"checked_in": row["n"], "present_now": row["here"], "absent": 0, "unexplained": 0}
    for row in (
        absences.values(key)
        .annotate(n=Count("pk"), unexplained=Count("pk", filter=Q(reason=AbsenceReason.UNEXPLAINED)))
        .order_by()
    ):
        entry = result.setdefault(
            row[key], {"checked_in": 0, "present_now": 0, "absent": 0, "unexplained": 0}
        )
        entry["absent"], entry["unexplained"] = row["n"], row["unexplained"]
    return result


def kiosk_guardianships(guardian: Guardian) -> list[Guardian]:
    """The guardian rows a guardian at the kiosk acts through at their child's institution: the row the
    code belongs to and the rows of the same account for their other children there (one query)."""
    q = Q(pk=guardian.pk)
    if guardian.user_id is not None:
        q |= Q(user_id=guardian.user_id)
    return list(
        Guardian.objects.filter(q, child__institution_id=guardian.child.institution_id or 0)
        .select_related("child")
        .order_by("child__name", "child_id")
    )
