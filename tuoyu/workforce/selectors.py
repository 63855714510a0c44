"""Reads of the workforce: what each person lacks under rules.py, and an institution's staff list."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoyu.institutions.models import Institution

from .choices import CheckKind, QualificationKind, StaffRole
from .models import BackgroundCheck, Employment, Person, Qualification, StaffAlert
from .rules import (
    BACKGROUND_CHECK_RULE,
    EDUCATION_RANK,
    HEAD_EXPERIENCE,
    QUALIFICATION_RULES,
    WARNING_DAYS,
    QualificationRule,
)

MISSING, EXPIRED, EXPIRING, OVERDUE = "missing", "expired", "expiring", "overdue"


@dataclass(frozen=True)
class Finding:
    """One thing a staff member lacks, or will lack soon."""

    code: str  # the qualification kind, "experience", "pre_hire_check" or "annual_check"
    status: str  # missing / expired / expiring / overdue
    message: str
    source: str
    due_on: date | None = None


def _valid_until(q: Qualification, rule: QualificationRule) -> date | None:
    """The last day a qualification counts (None: no end)."""
    if q.expires_on:
        return q.expires_on
    if rule.valid_days:
        return q.issued_on + timedelta(days=rule.valid_days)
    return None


def _label(kind: str) -> str:
    return str(QualificationKind(kind).label)


def employment_findings(
    employment: Employment,
    qualifications: Iterable[Qualification],
    checks: Iterable[BackgroundCheck],
    today: date | None = None,
) -> list[Finding]:
    """What the person in this job is missing, or will miss within WARNING_DAYS, per rules.py."""
    today = today or timezone.localdate()
    soon = today + timedelta(days=WARNING_DAYS)
    quals = [q for q in qualifications if q.issued_on <= today]
    findings: list[Finding] = []
    for rule in QUALIFICATION_RULES:
        if not rule.applies_to(employment.role, today):
            continue
        held = [q for q in quals if q.kind == rule.kind]
        if rule.min_education:
            need = EDUCATION_RANK[rule.min_education]
            held = [q for q in held if EDUCATION_RANK.get(q.level, 0) >= need]
        if not held:
            message = _("{what} is missing.").format(what=_label(rule.kind))
            if rule.min_education:
                message = _("Education of junior college (大专) or above is missing.")
            findings.append(Finding(rule.kind, MISSING, message, rule.source))
            continue
        ends = [_valid_until(q, rule) for q in held]
        if any(end is None for end in ends):
            continue
        last = max(e for e in ends if e is not None)
        if last < today:
            findings.append(
                Finding(
                    rule.kind,
                    EXPIRED,
                    _("{what} has expired.").format(what=_label(rule.kind)),
                    rule.source,
                    last,
                )
            )
        elif last <= soon:
            findings.append(
                Finding(
                    rule.kind,
                    EXPIRING,
                    _("{what} expires on {date}.").format(what=_label(rule.kind), date=last.isoformat()),
                    rule.source,
                    last,
                )
            )
    if (
        employment.role == HEAD_EXPERIENCE.role
        and HEAD_EXPERIENCE.effective <= today
        and employment.experience_years < HEAD_EXPERIENCE.min_years
    ):
        findings.append(
            Finding(
                "experience",
                MISSING,
                _("A head needs at least {years} years of relevant experience.").format(
                    years=HEAD_EXPERIENCE.min_years
                ),
                HEAD_EXPERIENCE.source,
            )
        )
    check_rule = BACKGROUND_CHECK_RULE
    if check_rule.effective <= today:
        done = [c for c in checks if c.checked_on <= today]
        if not any(c.kind == CheckKind.PRE_HIRE and c.checked_on <= employment.start_on for c in done):
            findings.append(
                Finding("pre_hire_check", MISSING, _("No background check before hiring."), check_rule.source)
            )
        if done:
            due = max(c.checked_on for c in done) + timedelta(days=check_rule.interval_days)
            if due < today:
                findings.append(
                    Finding(
                        "annual_check",
                        OVERDUE,
                        _("The annual background check is overdue."),
                        check_rule.source,
                        due,
                    )
                )
            elif due <= soon:
                findings.append(
                    Finding(
                        "annual_check",
                        EXPIRING,
                        _("The annual background check is due on {date}.").format(date=due.isoformat()),
                        check_rule.source,
                        due,
                    )
                )
    return findings


def _with_records(queryset: Any) -> Any:
    return queryset.select_related("person").prefetch_related(
        Prefetch("person__qualifications", queryset=Qualification.objects.order_by("-issued_on")),
        Prefetch("person__background_checks", queryset=BackgroundCheck.objects.order_by("-checked_on")),
    )


@dataclass
class StaffRow:
    employment: Employment
    findings: list[Finding] = field(default_factory=list)

    @property
    def person(self) -> Person:
        return self.employment.person


def institution_staff(
    institution: Institution, *, include_ended: bool = False, today: date | None = None
) -> list[StaffRow]:
    """The institution's staff (current, or every job ever) with findings for current jobs: 3 queries."""
    queryset = Employment.objects.filter(institution=institution)
    if not include_ended:
        queryset = queryset.open()
    rows = []
    for job in _with_records(queryset.order_by("end_on", "role", "person__name", "id")):
        findings = (
            employment_findings(
                job, job.person.qualifications.all(), job.person.background_checks.all(), today
            )
            if job.end_on is None
            else []
        )
        rows.append(StaffRow(job, findings))
    return rows


def person_jobs(user: Any, person: Person, today: date | None = None) -> list[StaffRow]:
    """The person's jobs the user may see (others stay hidden), with findings for open ones."""
    jobs = (
        Employment.objects.for_user(user, "view")
        .filter(person=person)
        .select_related("institution")
        .order_by("-start_on", "-id")
    )
    quals = list(person.qualifications.all())
    checks = list(person.background_checks.all())
    return [
        StaffRow(j, employment_findings(j, quals, checks, today) if j.end_on is None else []) for j in jobs
    ]


def institution_staff_counts(institution: Institution, today: date | None = None) -> dict[str, int]:
    """Head counts of current staff, by role, and of those without a check in the last year: one query."""
    today = today or timezone.localdate()
    recent = BackgroundCheck.objects.filter(
        person=OuterRef("person"), checked_on__gt=today - timedelta(days=BACKGROUND_CHECK_RULE.interval_days)
    )
    aggregates: dict[str, Any] = {
        "total": Count("id"),
        "full_time": Count("id", filter=Q(full_time=True)),
        "check_overdue": Count("id", filter=Q(has_recent_check=False)),
    }
    for role in StaffRole:
        aggregates[f"role_{role.value}"] = Count("id", filter=Q(role=role))
    result: dict[str, int] = (
        Employment.objects.open()
        .filter(institution=institution)
        .annotate(has_recent_check=Exists(recent))
        .aggregate(**aggregates)
    )
    return result


def open_alerts(user: Any, institution: Institution | None = None) -> Any:
    queryset = StaffAlert.objects.for_user(user, "view").open().select_related("person", "institution", "ban")
    if institution is not None:
        queryset = queryset.filter(institution=institution)
    return queryset
