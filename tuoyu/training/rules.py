"""Training-hour requirements by role, as data with source and effective date (domain_rules.md §5.1).

Hours are cumulative (学时 credited by completed sessions of courses for the role, or for every role).
A province may override them in PROVINCE_OVERRIDES.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from tuoyu.workforce.choices import StaffRole


@dataclass(frozen=True)
class HoursRule:
    role: str
    min_hours: Decimal
    source: str
    verified: bool  # False: the figure is not confirmed against a published text (shown as such)
    effective: date


TRAINING_HOURS_RULES: dict[str, HoursRule] = {
    # WS/T 821—2023 5.2.1: 负责人 job training ≥60 学时 [S].
    StaffRole.HEAD: HoursRule(StaffRole.HEAD, Decimal("60"), "WS/T 821—2023 5.2.1", True, date(2024, 4, 1)),
    # 保育人员 ≥120 学时: the plan's requirement as filed; not found in a published outline [M].
    StaffRole.CAREGIVER: HoursRule(
        StaffRole.CAREGIVER,
        Decimal("120"),
        "托育机构保育人员培训大纲（试行）（2021）",
        False,
        date(2021, 1, 1),
    ),
}

# Province code prefix → role → minimum hours.
PROVINCE_OVERRIDES: dict[str, dict[str, Decimal]] = {}


def hours_rule(role: str, province_prefix: str = "32", today: date | None = None) -> HoursRule | None:
    """The hours a role must have, or None when no rule applies (yet) to the role."""
    rule = TRAINING_HOURS_RULES.get(role)
    if rule is None or (today is not None and rule.effective > today):
        return None
    override = PROVINCE_OVERRIDES.get(province_prefix, {}).get(role)
    if override is not None:
        rule = HoursRule(rule.role, override, f"{province_prefix} override", True, rule.effective)
    return rule
