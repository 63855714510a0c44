"""The national immunisation schedule for children under four (国家免疫规划儿童免疫程序) as data.

Source: 国家免疫规划疫苗儿童免疫程序及说明（2026年版）, 国疾控卫免发〔2026〕16号 (2026-06-17), as
transcribed in domain_rules.md §8.3 [S×3 transcriptions, not checked against the official text]. The DTaP
changes (doses at 2, 4, 6, 18 months) are in force since 2025-01-01 (国疾控卫免发〔2024〕20号).

- `min_months`/`min_days`: the minimum age of the dose ("vaccinate as soon as it is reached").
- `before_months`/`before_days`: the "complete before" age from the 一般原则, where the schedule gives one.
- Overdue: past "complete before" where one is given; otherwise past the minimum age plus
  `GRACE_MONTHS` — a grace period that is OUR choice [M], not the schedule's.
- Where the schedule offers an inactivated alternative (乙脑灭活 JE-I, 甲肝灭活 HepA-I), a dose of it
  with the listed number counts for the live row (`satisfied_by`); the extra doses only the
  inactivated series has (JE-I dose 2 at 8 months, HepA-I dose 2 at 2 years) are not tracked [M].

Verify items (domain_rules.md §8.3): HepB dose 1 "within 24 h" (one transcription says 12 h for every
birth); MPSV-A dose 2 "before 24 months" (the 2021 edition said 18); the inactivated JE and HepA series.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from .choices import Vaccine

SCHEDULE_SOURCE = "国家免疫规划疫苗儿童免疫程序及说明（2026年版）国疾控卫免发〔2026〕16号"
SCHEDULE_EFFECTIVE = date(2026, 6, 17)
# Our choice [M]: a dose without a "complete before" age is overdue a month after its minimum age.
GRACE_MONTHS = 1


@dataclass(frozen=True)
class DoseRule:
    """One dose of the schedule."""

    vaccine: str
    dose_no: int
    min_months: int
    min_days: int = 0
    before_months: int | None = None
    before_days: int | None = None
    satisfied_by: tuple[tuple[str, int], ...] = ()
    note: str = ""
    verify: bool = False
    source: str = SCHEDULE_SOURCE
    effective: date = SCHEDULE_EFFECTIVE
    alternatives: tuple[tuple[str, int], ...] = field(init=False)

    def __post_init__(self) -> None:
        # Doses that count for this row: its own and any equivalent.
        object.__setattr__(self, "alternatives", ((self.vaccine, self.dose_no), *self.satisfied_by))

    @property
    def key(self) -> str:
        return f"{self.vaccine}#{self.dose_no}"

    def due_from(self, birth: date) -> date:
        """The first day the child is old enough for the dose."""
        return add_months(birth, self.min_months) + timedelta(days=self.min_days)

    def overdue_from(self, birth: date) -> date:
        """The first day the dose counts as overdue."""
        if self.before_months is not None or self.before_days is not None:
            return add_months(birth, self.before_months or 0) + timedelta(days=self.before_days or 0)
        return add_months(self.due_from(birth), GRACE_MONTHS)


SCHEDULE: tuple[DoseRule, ...] = (
    DoseRule(Vaccine.HEPB, 1, 0, before_days=1, note="within 24 h of birth", verify=True),
    DoseRule(Vaccine.BCG, 1, 0, before_months=3, note="3 months–3 years only after a negative PPD"),
    DoseRule(Vaccine.HEPB, 2, 1),
    DoseRule(Vaccine.IPV, 1, 2),
    DoseRule(Vaccine.DTAP, 1, 2, note="at 3 months before 2025"),
    DoseRule(Vaccine.IPV, 2, 3),
    DoseRule(Vaccine.BOPV, 3, 4, before_months=12, note="polio dose 3"),
    DoseRule(Vaccine.DTAP, 2, 4),
    DoseRule(Vaccine.HEPB, 3, 6, before_months=12),
    DoseRule(Vaccine.DTAP, 3, 6, before_months=12),
    DoseRule(Vaccine.MPSV_A, 1, 6, before_months=12),
    DoseRule(Vaccine.MMR, 1, 8, before_months=12),
    DoseRule(Vaccine.JE_L, 1, 8, before_months=12, satisfied_by=((Vaccine.JE_I, 1),), verify=True),
    DoseRule(Vaccine.MPSV_A, 2, 9, before_months=24, note="2021 edition: before 18 months", verify=True),
    DoseRule(Vaccine.DTAP, 4, 18, before_months=24),
    DoseRule(Vaccine.MMR, 2, 18, before_months=24),
    DoseRule(Vaccine.HEPA_L, 1, 18, before_months=24, satisfied_by=((Vaccine.HEPA_I, 1),), verify=True),
    DoseRule(Vaccine.JE_L, 2, 24, before_months=36, satisfied_by=((Vaccine.JE_I, 3),), verify=True),
    DoseRule(Vaccine.MPSV_AC, 1, 36, before_months=48),
)
RULES_BY_KEY = {r.key: r for r in SCHEDULE}


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it is shorter)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


def sub_months(day: date, months: int) -> date:
    """The latest birth date for which `day` is at least `months` old (inverse of add_months)."""
    return add_months(day, -months)


def born_on_or_before(rule: DoseRule, as_of: date, *, overdue: bool) -> date:
    """Children born on or before this date have reached the dose's minimum age (or its overdue age)
    on `as_of`: the threshold the SQL selectors compare birth_date with."""
    # Search back from the naive inverse: add_months clamps month ends, so check a few days around it.
    if overdue:
        if rule.before_months is not None or rule.before_days is not None:
            months, days = rule.before_months or 0, rule.before_days or 0
        else:
            months, days = rule.min_months + GRACE_MONTHS, rule.min_days
    else:
        months, days = rule.min_months, rule.min_days
    candidate = sub_months(as_of - timedelta(days=days), months) + timedelta(days=3)
    fn = rule.overdue_from if overdue else rule.due_from
    while fn(candidate) > as_of:
        candidate -= timedelta(days=1)
    return candidate
