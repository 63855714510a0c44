"""Growth rules as data, each with its source: nutrition flags, WHO plausibility limits, the ranges a
measurement must fall in, and when a child is due to be measured again.

Nutrition flags are WHO's under-five cut-offs on the WHO 2006 z-scores. China's 超重/肥胖 cut-offs
(WS/T 423—2022 and 《儿童营养性疾病管理技术规范》) are NOT verified (domain_rules.md §8.2): they are
not used here. A province may override any table below in its own settings module later.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

WHO_CUTOFFS_SOURCE = (
    "WHO (2008) Training Course on Child Growth Assessment, module C; WHO/UNICEF (2019) Recommendations "
    "for data collection, analysis and reporting on anthropometric indicators in children under 5"
)


@dataclass(frozen=True)
class FlagRule:
    """One flag: `indicator` compared with `cutoff` ("lt": z < cutoff, "gt": z > cutoff)."""

    code: str  # also the boolean field name on GrowthMeasurement
    indicator: str
    comparison: str
    cutoff: float
    label: Promise
    plain: Promise  # said to parents
    source: str = WHO_CUTOFFS_SOURCE
    effective: date = date(2006, 4, 27)  # WHO Child Growth Standards released
    verified: bool = True

    def applies(self, z: float | None) -> bool:
        if z is None:
            return False
        return z < self.cutoff if self.comparison == "lt" else z > self.cutoff


# Each flag is its own cut-off test: a severe case carries both flags (underweight and severe
# underweight), so counts per flag are prevalences at that cut-off, as WHO reports them.
FLAG_RULES: tuple[FlagRule, ...] = (
    FlagRule("underweight", "wfa", "lt", -2, _("Underweight"), _("weight low for age")),
    FlagRule("severe_underweight", "wfa", "lt", -3, _("Severely underweight"), _("weight very low for age")),
    FlagRule("stunting", "lhfa", "lt", -2, _("Stunting"), _("short for age")),
    FlagRule("severe_stunting", "lhfa", "lt", -3, _("Severe stunting"), _("very short for age")),
    FlagRule("wasting", "wflh", "lt", -2, _("Wasting"), _("thin for length/height")),
    FlagRule("severe_wasting", "wflh", "lt", -3, _("Severe wasting"), _("very thin for length/height")),
    FlagRule("overweight", "wflh", "gt", 2, _("Overweight"), _("heavy for length/height")),
    FlagRule("obesity", "wflh", "gt", 3, _("Obesity"), _("very heavy for length/height")),
)
FLAG_CODES = tuple(rule.code for rule in FLAG_RULES)
FLAG_BY_CODE = {rule.code: rule for rule in FLAG_RULES}
# The flags shown as "needs attention" on lists (the severe ones imply their milder flag).
HEADLINE_FLAGS = ("underweight", "stunting", "wasting", "overweight")

# WHO's biologically implausible z-scores (WHO Anthro / igrowup flags): outside (low, high) the
# measurement is probably wrong and should be checked, not treated as a finding.
PLAUSIBLE_Z: dict[str, tuple[float, float]] = {
    "wfa": (-6.0, 5.0),
    "lhfa": (-6.0, 6.0),
    "wflh": (-5.0, 5.0),
    "bfa": (-5.0, 5.0),
    "hcfa": (-5.0, 5.0),
}
PLAUSIBLE_Z_SOURCE = "WHO Anthro for personal computers, manual (2011), flags for implausible z-scores"


def implausible(zscores: dict[str, float | None]) -> list[str]:
    """Indicators whose z-score lies outside WHO's plausibility limits."""
    out = []
    for indicator, (low, high) in PLAUSIBLE_Z.items():
        z = zscores.get(indicator)
        if z is not None and not low <= z <= high:
            out.append(indicator)
    return out


# What a centre may record at all (under-sevens; values outside are typing errors): 422 otherwise.
WEIGHT_RANGE_KG = (Decimal("0.5"), Decimal("50"))
LENGTH_RANGE_CM = (Decimal("35"), Decimal("140"))
HEAD_RANGE_CM = (Decimal("20"), Decimal("60"))

# A child is due a measurement when none was taken in the last 90 days. Project rule after the
# issue ("every three months"); 托儿所幼儿园卫生保健工作规范 sets measurement intervals by age —
# not verified, so this is a single configurable number.
DUE_AFTER_DAYS = 90
DUE_RULE_SOURCE = (
    "Project rule (issue #5): measured at least every 3 months; not checked against 卫生保健工作规范"
)
