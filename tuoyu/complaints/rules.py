"""Complaint rules as data: which categories are serious, handling deadlines per level, what counts
as substantiated for credit, and the submission throttle.

No national or Jiangsu rule fixing handling deadlines for 托育 complaints was found
(../shared/reference/domain_rules.md has none). The deadlines below are THIS DEPLOYMENT'S SETTING,
not an official figure; the UI says so. A province changes them here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext_lazy as _

from .choices import ComplaintCategory, ComplaintOutcome, HandlingLevel

C = ComplaintCategory


@dataclass(frozen=True)
class CategoryRule:
    """A category of complaint: whether it is serious (opens an ad-hoc inspection at once, warns the
    county urgently, and weighs as "serious" in the credit rule), and its name in the Chinese UI."""

    serious: bool
    name_zh: str


# 未成年人保护法 第11条 (any organisation or person who finds a minor being harmed must report at once)
# is why abuse, injury and safety hazards do not wait for the handling queue.
SERIOUS_SOURCE = "未成年人保护法 第11条 (report at once); serious categories: this deployment's setting"
CATEGORY_RULES: dict[str, CategoryRule] = {
    C.ABUSE: CategoryRule(serious=True, name_zh="虐待"),
    C.INJURY: CategoryRule(serious=True, name_zh="伤害"),
    C.SAFETY: CategoryRule(serious=True, name_zh="安全隐患"),
    C.HYGIENE: CategoryRule(serious=False, name_zh="卫生、膳食"),
    C.FEES: CategoryRule(serious=False, name_zh="收费"),
    C.STAFF: CategoryRule(serious=False, name_zh="工作人员言行"),
    C.SERVICE: CategoryRule(serious=False, name_zh="服务质量"),
    C.UNFILED: CategoryRule(serious=False, name_zh="未备案经营"),
    C.OTHER: CategoryRule(serious=False, name_zh="其他"),
}
SERIOUS_CATEGORIES = frozenset(k for k, rule in CATEGORY_RULES.items() if rule.serious)


def is_serious(category: str) -> bool:
    rule = CATEGORY_RULES.get(category)
    return bool(rule and rule.serious)


@dataclass(frozen=True)
class LevelDeadline:
    working_days: int
    source: str
    effective: date


DEPLOYMENT_SETTING = _("This deployment's setting, not an official deadline.")
_SETTING = "deployment setting (no official deadline found)"
_EFFECTIVE = date(2026, 1, 1)
# Working days a level has, from the day the complaint reaches it, before it moves up one level.
LEVEL_DEADLINES: dict[str, LevelDeadline] = {
    HandlingLevel.COUNTY: LevelDeadline(15, _SETTING, _EFFECTIVE),
    HandlingLevel.CITY: LevelDeadline(10, _SETTING, _EFFECTIVE),
    HandlingLevel.PROVINCE: LevelDeadline(10, _SETTING, _EFFECTIVE),
}
# The level above each level (the province has none: an overdue complaint there stays and is flagged).
NEXT_LEVEL: dict[str, str] = {
    HandlingLevel.COUNTY: HandlingLevel.CITY,
    HandlingLevel.CITY: HandlingLevel.PROVINCE,
}

# Outcomes that count as a substantiated complaint: posted to credit, counted on the trust card and
# in the spot-check draw's complaints stratum. A partly substantiated complaint found a real fault.
SUBSTANTIATED_OUTCOMES = frozenset({ComplaintOutcome.SUBSTANTIATED, ComplaintOutcome.PARTLY})
# Outcomes that clear the institution (not counted by `institutions_with_complaints`).
CLEARING_OUTCOMES = frozenset({ComplaintOutcome.NOT_SUBSTANTIATED, ComplaintOutcome.WITHDRAWN})

# Submission throttle per address (like the parents' sign-up): complaints within the window.
SUBMIT_WINDOW = timedelta(hours=1)
SUBMIT_MAX_PER_ADDRESS = 5

# The reference: a prefix with the year and 12 random base32 characters (60 bits; not guessable).
REFERENCE_PREFIX = "TS"
REFERENCE_RANDOM_CHARS = 12
DESCRIPTION_MAX = 2000
REPLY_MAX = 2000
