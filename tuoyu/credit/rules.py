"""The credit rule as data: points per kind of record, the window, the tier cut-offs and the
overriding conditions.

**This is the project's own rule, not an official one.** No national or Jiangsu rule for scoring the
credit of childcare institutions (托育机构信用评价) was found (../shared/reference/domain_rules.md,
peer_systems.md §7): every number below is this deployment's setting [M], shown as such in the UI.
A province replaces any part of it in settings::

    TUOYU_CREDIT_RULE = {
        "base": 100,                 # the score of an institution with no record in force
        "window_months": 24,         # records older than this stop counting
        "cutoffs": {"A": 110, "B": 90, "C": 70},   # score >= cut-off → tier; below C's → D
        "override_months": 12,       # how long an overriding record keeps the institution in D
        "overrides": [["complaint", "abuse"], ...],  # (source, severity) pairs that force D
        "points": {"inspection:high": -10, ...},     # merged into POINTS below
    }

How a tier is computed (`credit.services.credit_recompute`, in SQL for all institutions at once):

1. score = base + the sum of the points of the institution's records in force: not revoked, and
   occurred within the last `window_months` before the computation date.
2. tier = the first of A, B, C whose cut-off the score reaches, else D.
3. Overriding: a record in force whose (source, severity) is in `overrides` and which occurred within
   the last `override_months` puts the institution in D whatever its score (a substantiated abuse
   complaint, a suspension or closure order, a critical incident).

Institutions with no record get the base score, hence the base tier (B with the defaults).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings

TIERS = ("A", "B", "C", "D")
SOURCE = "The platform's own credit rule [M]: no official 托育 credit-scoring rule was found."
EFFECTIVE = date(2026, 12, 1)

# Points a record carries, by source and severity. Other apps ask `points_for` rather than choosing
# numbers. Within one source, the overriding severities have points no other severity shares, so a
# record posted without its severity is still recognised (`severity_for`).
POINTS: dict[tuple[str, str], int] = {
    # Inspection findings, weighted by the item's risk (high/medium/low).
    ("inspection", "high"): -10,
    ("inspection", "medium"): -5,
    ("inspection", "low"): -2,
    ("rectification", "late"): -5,
    # Complaints found substantiated; "serious": in a serious category (injury, safety); "abuse":
    # abuse or maltreatment of a child.
    ("complaint", "substantiated"): -5,
    ("complaint", "serious"): -15,
    ("complaint", "abuse"): -40,
    ("incident", "serious"): -10,
    ("incident", "critical"): -20,
    ("enforcement", "warning"): -5,
    ("enforcement", "order"): -8,
    ("enforcement", "fine"): -15,
    ("enforcement", "suspension"): -30,
    ("enforcement", "closure"): -50,
    # A lifetime ban of responsible persons follows abuse of infants (人口与计划生育法 第41条).
    ("enforcement", "ban"): -60,
    # Operating without a confirmed filing past the grace period (人口与计划生育法 第28条: file with the
    # county); a filing found non-compliant.
    ("filing", "overdue"): -15,
    ("filing", "rejected"): -5,
    ("quality", "A"): 10,
    ("quality", "B"): 5,
    ("quality", "D"): -10,
    ("award", "demonstration"): 10,
    ("award", "commendation"): 5,
}

# (source, severity) pairs that put an institution in D regardless of its score.
OVERRIDES: tuple[tuple[str, str], ...] = (
    ("complaint", "abuse"),
    ("complaint", "serious"),
    ("enforcement", "suspension"),
    ("enforcement", "closure"),
    ("enforcement", "ban"),
    ("incident", "critical"),
)

# Days an institution may operate before its filing is confirmed before the sweep posts "overdue".
FILING_GRACE_DAYS = 30


@dataclass(frozen=True)
class CreditRule:
    """The rule in force (defaults above, overridden by settings.TUOYU_CREDIT_RULE)."""

    base: int = 100
    window_months: int = 24
    # Lowest score of each tier above D, best first.
    cutoffs: tuple[tuple[str, int], ...] = (("A", 110), ("B", 90), ("C", 70))
    override_months: int = 12
    overrides: tuple[tuple[str, str], ...] = OVERRIDES
    points: dict[tuple[str, str], int] = field(default_factory=lambda: dict(POINTS))
    filing_grace_days: int = FILING_GRACE_DAYS
    source: str = SOURCE
    effective: date = EFFECTIVE
    verified: bool = False
    configured: bool = False  # True when settings changed any part of it

    def tier_for(self, score: int, overridden: bool = False) -> str:
        if overridden:
            return "D"
        for tier, cutoff in self.cutoffs:
            if score >= cutoff:
                return tier
        return "D"

    @property
    def base_tier(self) -> str:
        return self.tier_for(self.base)

    def is_override(self, source: str, severity: str) -> bool:
        return (source, severity) in self.overrides

    def cutoff_rows(self) -> list[tuple[str, str]]:
        """(tier, "score ≥ n") rows for the UI, D last."""
        rows = [(tier, f"≥ {cutoff}") for tier, cutoff in self.cutoffs]
        rows.append(("D", f"< {self.cutoffs[-1][1]}"))
        return rows


def _points_key(key: Any) -> tuple[str, str]:
    if isinstance(key, str):
        source, _sep, severity = key.partition(":")
        return source, severity
    source, severity = key
    return str(source), str(severity)


def current_rule() -> CreditRule:
    """The rule in force: the defaults with settings.TUOYU_CREDIT_RULE applied (read at each call)."""
    configured: dict[str, Any] = dict(getattr(settings, "TUOYU_CREDIT_RULE", None) or {})
    if not configured:
        return CreditRule()
    points = dict(POINTS)
    points.update({_points_key(k): int(v) for k, v in dict(configured.get("points", {})).items()})
    cutoffs = configured.get("cutoffs")
    if isinstance(cutoffs, dict):
        cutoff_rows = tuple((t, int(cutoffs[t])) for t in TIERS[:-1] if t in cutoffs)
    elif cutoffs:
        cutoff_rows = tuple((str(t), int(c)) for t, c in cutoffs)
    else:
        cutoff_rows = CreditRule.cutoffs
    overrides = configured.get("overrides")
    return CreditRule(
        base=int(configured.get("base", CreditRule.base)),
        window_months=int(configured.get("window_months", CreditRule.window_months)),
        cutoffs=tuple(sorted(cutoff_rows, key=lambda row: -row[1])),
        override_months=int(configured.get("override_months", CreditRule.override_months)),
        overrides=tuple(_points_key(o) for o in overrides) if overrides is not None else OVERRIDES,
        points=points,
        filing_grace_days=int(configured.get("filing_grace_days", FILING_GRACE_DAYS)),
        configured=True,
    )


def points_for(source: str, severity: str) -> int:
    """The points of a record of `source` with `severity` (0 when the rule has no entry)."""
    return current_rule().points.get((source, severity), 0)


def severity_for(source: str, points: int) -> str:
    """The severity a record of `source` with `points` was posted as, when exactly one severity of
    that source carries those points; "" otherwise (for records posted without a severity)."""
    matches = [sev for (src, sev), pts in current_rule().points.items() if src == source and pts == points]
    return matches[0] if len(matches) == 1 else ""


def months_before(day: date, months: int) -> date:
    """The same day `months` earlier (the last day of the month when it has no such day)."""
    import calendar

    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
