"""Reads of the children register that other apps and the pages share: counts, vacancies, checks due.

Everything aggregates in SQL (correlated counts and Exists); nothing loops over a register in Python.
- `register_count_expr()`: children in a class now, as an expression on InstitutionClass.
- `class_vacancies(institutions)`: each class of the institutions with `children_now` and
  `vacancies` (capacity − current, never below zero).
- `admission_checks_due(institution, today)`: enrolled children missing the entry health check, the
  vaccination-certificate check (30 days from the start) or the year-end re-check of an incomplete
  certificate; `admission_checks_due_counts(institutions, today)` counts them per institution.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import (
    Count,
    DateField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext as _

from tuoyu.institutions.models import Institution, InstitutionClass

from . import rules
from .choices import ApplicationStatus, EntryCheckKind
from .models import Application, Child, Enrolment, EntryCheck


def register_count_expr(class_ref: str = "pk") -> Any:
    """Children enrolled now in the class `class_ref` points at (a correlated count; 0 when none)."""
    counted = (
        Child.objects.filter(klass=OuterRef(class_ref))
        .order_by()
        .values("klass")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def institution_count_expr(institution_ref: str = "pk") -> Any:
    """Children enrolled now at the institution `institution_ref` points at."""
    counted = (
        Child.objects.filter(institution=OuterRef(institution_ref))
        .order_by()
        .values("institution")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def class_vacancies(institutions: QuerySet[Institution]) -> QuerySet[InstitutionClass]:
    """Every class of `institutions` (already scoped by the caller) with `children_now` (the
    register's count now) and `vacancies` (places in the class − current, at least 0). One query;
    callers may aggregate it further (e.g. `.aggregate(Sum("vacancies"))`)."""
    return (
        InstitutionClass.objects.filter(institution__in=institutions.values("pk"))
        .annotate(children_now=register_count_expr())
        .annotate(vacancies=Greatest(F("capacity") - F("children_now"), Value(0)))
        .order_by("institution_id", "kind", "name", "id")
    )


def institution_free_places(institution: Institution) -> int:
    """Filed places not taken by enrolled children (管理规范: 收托人数不应超过备案人数)."""
    return max(institution.places - Child.objects.filter(institution=institution).count(), 0)


def fitting_classes(
    classes: list[InstitutionClass], *, free_places: int, birth_date: date, start_month: date
) -> list[InstitutionClass]:
    """Of `classes` (from class_vacancies()), those a child may be accepted onto: the age band fits at the
    start month and a place is free in the class and in the institution's filed places."""
    if free_places <= 0:
        return []
    kinds = set(rules.fitting_kinds(birth_date, start_month))
    return [c for c in classes if c.kind in kinds and getattr(c, "vacancies", 0) > 0]


def classes_for_application(application: Application) -> list[InstitutionClass]:
    """The classes the application may be accepted onto (see fitting_classes)."""
    return fitting_classes(
        list(class_vacancies(Institution.objects.filter(pk=application.institution_id))),
        free_places=institution_free_places(application.institution),
        birth_date=application.child.birth_date,
        start_month=application.start_month,
    )


def children_list(
    queryset: QuerySet[Child],
    *,
    institution_id: int | None = None,
    class_id: int | None = None,
    search: str = "",
) -> QuerySet[Child]:
    """Children of an already-scoped queryset, filtered by institution, class and name."""
    if institution_id:
        queryset = queryset.filter(institution_id=institution_id)
    if class_id:
        queryset = queryset.filter(klass_id=class_id)
    if search:
        queryset = queryset.filter(name__icontains=search.strip())
    return queryset.select_related("klass", "institution").order_by("klass__name", "name", "id")


def open_applications(institution: Institution, today: date) -> QuerySet[Application]:
    """Open applications, oldest first, each with `health_ok`: a passed entry health check on record."""
    health = EntryCheck.objects.filter(
        child=OuterRef("child_id"), kind__in=list(rules.HEALTH_KINDS), passed=True, checked_on__lte=today
    )
    return (
        Application.objects.filter(
            institution=institution, status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.WAITLISTED]
        )
        .select_related("child", "applicant")
        .annotate(health_ok=Exists(health))
        .order_by("created_at", "id")
    )


# --- Admission checks due -------------------------------------------------------------------------

MISSING_HEALTH = "missing_health"
VACCINATION_DUE = "vaccination"
RECHECK_DUE = "recheck"


@dataclass(frozen=True)
class CheckDue:
    """One admission check an enrolled child is missing, with its deadline."""

    child: Child
    what: str  # MISSING_HEALTH, VACCINATION_DUE or RECHECK_DUE
    due_on: date | None
    overdue: bool
    source: str

    @property
    def message(self) -> str:
        if self.what == MISSING_HEALTH:
            return _("No passed entry health check on record.")
        if self.what == VACCINATION_DUE:
            return _("Vaccination certificate check due by {date}.").format(date=self.due_on)
        return _("Incomplete vaccination certificate: re-check due by {date}.").format(date=self.due_on)


def _with_check_flags(children: QuerySet[Child]) -> QuerySet[Child]:
    """Annotate enrolled children with what their admission checks lack (all in SQL)."""
    health = EntryCheck.objects.filter(child=OuterRef("pk"), kind__in=list(rules.HEALTH_KINDS), passed=True)
    vaccination = EntryCheck.objects.filter(
        child=OuterRef("pk"),
        institution=OuterRef("institution_id"),
        kind=EntryCheckKind.VACCINATION_CERTIFICATE,
    )
    certificate_kinds = [EntryCheckKind.VACCINATION_CERTIFICATE, EntryCheckKind.VACCINATION_RECHECK]
    last_incomplete = (
        EntryCheck.objects.filter(
            child=OuterRef("pk"),
            institution=OuterRef("institution_id"),
            kind__in=certificate_kinds,
            passed=False,
        )
        .order_by("-checked_on", "-id")
        .values("checked_on")[:1]
    )
    completed_after = EntryCheck.objects.filter(
        child=OuterRef("pk"),
        kind__in=certificate_kinds,
        passed=True,
        checked_on__gte=OuterRef("incomplete_on"),
    )
    start = Enrolment.objects.filter(child=OuterRef("pk"), left_on__isnull=True).values("start_on")[:1]
    return children.annotate(
        has_health=Exists(health),
        has_vaccination=Exists(vaccination),
        incomplete_on=Subquery(last_incomplete, output_field=DateField()),
        start_on=Subquery(start, output_field=DateField()),
    ).annotate(completed_after=Exists(completed_after))


def _due_filter() -> Q:
    return (
        Q(has_health=False) | Q(has_vaccination=False) | Q(incomplete_on__isnull=False, completed_after=False)
    )


def admission_checks_due(institution: Institution, today: date) -> list[CheckDue]:
    """Admission checks missing for the institution's enrolled children, most urgent first."""
    rows = (
        _with_check_flags(Child.objects.filter(institution=institution))
        .filter(_due_filter())
        .select_related("klass")
        .order_by("klass__name", "name", "id")
    )
    found: list[CheckDue] = []
    for child in rows:
        row: Any = child  # carries the annotations of _with_check_flags
        if not row.has_health:
            found.append(CheckDue(child, MISSING_HEALTH, row.start_on, True, rules.ENTRY_HEALTH_CHECK.source))
        if not row.has_vaccination:
            due = rules.vaccination_check_due_on(row.start_on or today)
            found.append(CheckDue(child, VACCINATION_DUE, due, today > due, rules.VACCINATION_CHECK.source))
        if row.incomplete_on is not None and not row.completed_after:
            due = rules.recheck_due_on(row.incomplete_on)
            found.append(CheckDue(child, RECHECK_DUE, due, today > due, rules.VACCINATION_RECHECK.source))
    found.sort(key=lambda c: (not c.overdue, c.due_on or date.min, c.child.name))
    return found


def admission_checks_due_counts(
    institutions: QuerySet[Institution], today: date
) -> dict[int, dict[str, int]]:
    """Per institution: enrolled children missing the entry health check, the vaccination check (and of
    those, overdue: started more than 30 days ago), and a pending re-check. One aggregate query."""
    assert rules.VACCINATION_CHECK.days is not None
    overdue_start = today - timedelta(days=rules.VACCINATION_CHECK.days)
    rows = (
        _with_check_flags(Child.objects.filter(institution__in=institutions.values("pk")))
        .values("institution_id")
        .annotate(
            missing_health=Count("pk", filter=Q(has_health=False)),
            vaccination_missing=Count("pk", filter=Q(has_vaccination=False)),
            vaccination_overdue=Count(
                "pk",
                filter=Q(has_vaccination=False, start_on__lt=overdue_start),  # type: ignore[misc]
            ),
            recheck_pending=Count("pk", filter=Q(incomplete_on__isnull=False, completed_after=False)),
        )
        .order_by()
    )
    return {row.pop("institution_id"): row for row in rows}
