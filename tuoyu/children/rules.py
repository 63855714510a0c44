"""Admission rules of the children register, as data with their source and effective date.

Tags follow shared/reference/domain_rules.md: [S] secondary sources agree, not checked against the
official PDF; [M] general knowledge, not verified. Everything here is pure (no database): services,
selectors and the attendance app call these functions.

- Age band: a class takes a child whose age in whole months at the start date lies in the class type's
  band of `tuoyu.institutions.rules.CLASS_RULES` (设置标准 第19条; upper bound exclusive).
- Entry health check: before admission the child has passed a health check (管理规范 第11条;
  托儿所幼儿园卫生保健管理办法（76号令）第15条).
- Vaccination certificate: checked within 30 days of admission; a certificate found incomplete is
  re-checked (after catch-up doses) by 31 December of the year (儿童入托、入学预防接种证查验办法, 2021).
- Return after absence: a child away for more than three months needs a new health check before
  returning (管理规范 第11条; 76号令 第18条).
- Capacity: enrolment never exceeds a class's places nor the institution's filed places (管理规范,
  收托人数不应超过备案人数).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from django.utils.translation import gettext as _

from tuoyu.institutions.rules import CLASS_RULES, ClassRule

from .choices import EntryCheckKind

MANAGEMENT_NORM = "托育机构管理规范（试行）（国卫人口发〔2019〕58号）"
HEALTH_CARE_ORDER = "托儿所幼儿园卫生保健管理办法（卫生部、教育部令第76号）"
VACCINATION_CHECK_RULES = "儿童入托、入学预防接种证查验办法（国卫疾控发〔2021〕4号）"


@dataclass(frozen=True)
class AdmissionRule:
    """One admission rule: what it asks, where it comes from, since when, and how sure we are."""

    key: str
    source: str
    effective: date
    verified: str  # the domain_rules.md tag: "S" (secondary sources agree) or "M" (not verified)
    days: int | None = None
    months: int | None = None


ENTRY_HEALTH_CHECK = AdmissionRule(
    "entry_health_check", f"{MANAGEMENT_NORM} 第11条; {HEALTH_CARE_ORDER} 第15条", date(2019, 10, 8), "S"
)
# Within 30 days of admission (the 办法 says of the start of term; a 托育机构 admits all year round,
# so we count from each child's start date).
VACCINATION_CHECK = AdmissionRule(
    "vaccination_check", VACCINATION_CHECK_RULES, date(2021, 1, 1), "S", days=30
)
# Our reading: the re-check concerns certificates found incomplete (doses to catch up), by 31 December
# of the year of the check. [S: one transcription]
VACCINATION_RECHECK = AdmissionRule("vaccination_recheck", VACCINATION_CHECK_RULES, date(2021, 1, 1), "S")
RETURN_HEALTH_CHECK = AdmissionRule(
    "return_health_check",
    f"{MANAGEMENT_NORM} 第11条; {HEALTH_CARE_ORDER} 第18条",
    date(2019, 10, 8),
    "S",
    months=3,
)
CAPACITY = AdmissionRule("capacity", f"{MANAGEMENT_NORM}（收托人数不应超过备案人数）", date(2019, 10, 8), "S")

# Checks that count as a passed health check before admission or return.
HEALTH_KINDS = frozenset({EntryCheckKind.HEALTH, EntryCheckKind.RETURN_HEALTH})


# --- Age bands ------------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it has no such day)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


def age_in_months(birth_date: date, on: date) -> int:
    """Completed months of age on a date (a child born on 15 March is 1 month old on 15 April)."""
    months = (on.year - birth_date.year) * 12 + on.month - birth_date.month
    if on.day < birth_date.day and add_months(birth_date, months) > on:
        months -= 1
    return months


def class_fits_age(kind: str, birth_date: date, start_on: date) -> bool:
    """Whether a child of this birth date belongs in a class of `kind` at `start_on` (设置标准 第19条)."""
    rule: ClassRule = CLASS_RULES[kind]
    return rule.min_months <= age_in_months(birth_date, start_on) < rule.max_months


def fitting_kinds(birth_date: date, start_on: date) -> list[str]:
    """Class types whose age band takes the child at `start_on`."""
    return [kind for kind in CLASS_RULES if class_fits_age(kind, birth_date, start_on)]


def age_refusal(kind: str, birth_date: date, start_on: date) -> str | None:
    """Why a class of `kind` does not take the child at `start_on`, or None when it does."""
    if class_fits_age(kind, birth_date, start_on):
        return None
    rule = CLASS_RULES[kind]
    return _(
        "The child will be {age} months old on {date}; this class type takes children of {lo} to under "
        "{hi} months ({source})."
    ).format(
        age=age_in_months(birth_date, start_on),
        date=start_on.isoformat(),
        lo=rule.min_months,
        hi=rule.max_months,
        source=rule.source,
    )


# --- Capacity -------------------------------------------------------------------------------------


def capacity_refusal(
    *, class_name: str, class_capacity: int, class_current: int, places: int, institution_current: int
) -> str | None:
    """Why one more child may not be enrolled, or None: the class is full, or the institution has as
    many children as its filed places (管理规范: 收托人数不应超过备案人数)."""
    if class_current >= class_capacity:
        return _("{name} is full: {current} children for {capacity} places.").format(
            name=class_name, current=class_current, capacity=class_capacity
        )
    if institution_current >= places:
        return _(
            "The institution is full: {current} children enrolled for {places} filed places ({source})."
        ).format(current=institution_current, places=places, source=CAPACITY.source)
    return None


# --- Checks ---------------------------------------------------------------------------------------


class CheckLike(Protocol):
    """An EntryCheck, or anything with its three fields (the attendance app may pass plain rows)."""

    kind: str
    checked_on: date
    passed: bool


def has_passed_health_check(checks: Iterable[CheckLike], *, on_or_before: date) -> bool:
    """A passed entry or return health check dated no later than `on_or_before` (管理规范 第11条)."""
    return any(c.kind in HEALTH_KINDS and c.passed and c.checked_on <= on_or_before for c in checks)


def vaccination_check_due_on(start_on: date) -> date:
    """The last day for the vaccination-certificate check of a child admitted on `start_on`."""
    assert VACCINATION_CHECK.days is not None
    return start_on + timedelta(days=VACCINATION_CHECK.days)


def recheck_due_on(checked_on: date) -> date:
    """The last day for re-checking a certificate found incomplete on `checked_on`: 31 December."""
    return date(checked_on.year, 12, 31)


def return_check_due(*, last_attended_on: date | None, today: date, checks: Iterable[CheckLike]) -> bool:
    """Whether a child coming back today needs a new health check first.

    True when the child was last present more than three months ago (76号令 第18条; 管理规范 第11条) and
    no passed health check (entry or return) is dated after that last day. A child never present yet
    (None) is covered by the entry check instead: False.
    """
    if last_attended_on is None:
        return False
    assert RETURN_HEALTH_CHECK.months is not None
    if today <= add_months(last_attended_on, RETURN_HEALTH_CHECK.months):
        return False
    return not any(
        c.kind in HEALTH_KINDS and c.passed and last_attended_on < c.checked_on <= today for c in checks
    )
