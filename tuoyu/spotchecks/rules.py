"""Rules of the double-random spot checks (双随机、一公开), as data with their source and date.

Tags as in domain_rules.md §7: [V] verified against the primary text, [S] secondary sources, [M] this
deployment's own setting (not from a text). The mechanism (random entities, random inspectors,
published results) is 优化营商环境条例 第54条 [V]; the numbers below (≥5%, ≥2 inspectors, higher
intensity for risky entities) come from a local example in another sector [S] and are this
deployment's settings: each batch copies the defaults and may change them within the limits here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext_lazy as _

from tuoyu.accounts.choices import Role

from .choices import StratumKey

MECHANISM_SOURCE = "优化营商环境条例 第54条 (random entities, random inspectors, published results) [V]"
LOCAL_EXAMPLE = "local spot-check rulebook (legal-services sector), domain_rules.md §7 [S]"

# Rates are stored in basis points (1/100 of a percent) so that ceil(rate × size) is exact integer
# arithmetic and a replay on any machine gives the same count.
BP = 10_000


@dataclass(frozen=True)
class StratumRule:
    """One stratum of a batch: which institutions fall in it and the default sampling rate."""

    key: str
    rate_bp: int
    # Look-back window for the stratum's facts (complaints, serious findings); 0 when not used.
    lookback_days: int
    source: str
    verified: bool
    effective: date


# In this order: an institution falls in the first stratum that matches.
STRATA: tuple[StratumRule, ...] = (
    StratumRule(
        StratumKey.SERIOUS_FINDINGS, 5000, 730, f"higher intensity: {LOCAL_EXAMPLE}", False, date(2026, 1, 1)
    ),
    StratumRule(
        StratumKey.COMPLAINTS, 3000, 365, f"higher intensity: {LOCAL_EXAMPLE}", False, date(2026, 1, 1)
    ),
    StratumRule(
        StratumKey.CREDIT_LOW,
        3000,
        0,
        "credit-based supervision, this deployment's setting [M]",
        False,
        date(2026, 1, 1),
    ),
    StratumRule(
        StratumKey.CREDIT_HIGH,
        300,
        0,
        "守信激励 (lighter checks), this deployment's setting [M]",
        False,
        date(2026, 1, 1),
    ),
    StratumRule(
        StratumKey.DEFAULT, 500, 0, f"at least 5% of entities: {LOCAL_EXAMPLE}", False, date(2026, 1, 1)
    ),
)
STRATA_BY_KEY = {s.key: s for s in STRATA}
STRATA_ORDER = tuple(s.key for s in STRATA)
# Strata whose facts have a look-back window the batch may set.
LOOKBACK_STRATA = frozenset({StratumKey.SERIOUS_FINDINGS, StratumKey.COMPLAINTS})
# The credit tiers each credit stratum matches (credit.selectors.current_tiers answers "A".."D").
CREDIT_TIERS: dict[str, frozenset[str]] = {
    StratumKey.CREDIT_LOW: frozenset({"C", "D"}),
    StratumKey.CREDIT_HIGH: frozenset({"A"}),
}

# The default stratum's rate may not go below this ("at least 5%") [S]; risk strata may not go below
# the default rate, and the tier-A stratum not above it.
MIN_DEFAULT_RATE_BP = 500
MIN_TEAM_SIZE = 2  # at least two inspectors per task [S]
MAX_TEAM_SIZE = 6  # this deployment's setting [M]
MAX_LOOKBACK_DAYS = 3650

# Who is in the inspectors register (执法检查人员名录库) and may be drawn: officials holding one of
# these roles. Administrators are left out by default (they plan and draw); add Role.OFFICIAL_ADMIN
# here to put them in the pool too.
INSPECTOR_ROLES: tuple[str, ...] = (Role.OFFICIAL_INSPECTOR,)

# Offices that may plan (a county or higher office files an annual plan) [S].
PLAN_LEVELS = ("province", "city", "county")

# The version of draw.py's algorithm a draw was made with (stored, so an old draw replays the same).
ALGORITHM = "tuoyu-draw-1"
MAX_SEED = 2**53 - 1  # a seed JavaScript clients can hold exactly

RULES_NOTE = _(
    "Sampling rates, strata and team size are this deployment's settings (the ≥5% and ≥2 inspectors "
    "come from a local rulebook, not verified for childcare)."
)


def default_strata() -> list[dict[str, int | str]]:
    """A new batch's strata: the rules' defaults, as the batch stores them."""
    return [{"key": s.key, "rate_bp": s.rate_bp, "lookback_days": s.lookback_days} for s in STRATA]


def rate_percent(rate_bp: int) -> str:
    """500 → "5", 1250 → "12.5"."""
    whole, rest = divmod(rate_bp, 100)
    return f"{whole}" if rest == 0 else f"{whole}.{rest:02d}".rstrip("0")
