"""Rules of daily care, as data with their source and date (tags as in domain_rules.md:
[V] verified against the primary text, [S] secondary sources, [M] our own design, not from a text).

- Who is told of an incident, by severity (`SEVERITY_RULES`), and mandatory reporting
  (`MANDATORY_REPORT`, 未成年人保护法 第11条).
- Allergens and their synonyms (`ALLERGEN_GROUPS`) for the menu's allergy check (WS/T 821—2023 7.3.3).
- The weekly menu (WS/T 821—2023 7.3.1), medication and diary photo limits.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

from .choices import Severity


@dataclass(frozen=True)
class SeverityRule:
    """What follows from an incident of one severity."""

    severity: str
    # Tell the child's guardians at once (urgent) rather than in the daily digest.
    guardian_urgent: bool
    # Shown at once to officials over the institution's county (their reports page), not only to the
    # institution's staff.
    officials_at_once: bool
    source: str
    effective: date
    verified: bool


_SEVERITY_SOURCE = (
    "托育机构管理规范（试行）第24条 (tell the guardian promptly of any abnormality) [S]; "
    "the split by severity is the platform's own [M]"
)
SEVERITY_RULES: dict[str, SeverityRule] = {
    Severity.MINOR: SeverityRule(Severity.MINOR, False, False, _SEVERITY_SOURCE, date(2019, 10, 8), False),
    Severity.MODERATE: SeverityRule(
        Severity.MODERATE, False, False, _SEVERITY_SOURCE, date(2019, 10, 8), False
    ),
    Severity.SERIOUS: SeverityRule(Severity.SERIOUS, True, True, _SEVERITY_SOURCE, date(2019, 10, 8), False),
    Severity.CRITICAL: SeverityRule(
        Severity.CRITICAL, True, True, _SEVERITY_SOURCE, date(2019, 10, 8), False
    ),
}
# Severities officials see at once (one list for scoping and the reports page).
REPORTABLE_SEVERITIES = tuple(s for s, rule in SEVERITY_RULES.items() if rule.officials_at_once)


def severity_rule(severity: str) -> SeverityRule:
    return SEVERITY_RULES[severity]


@dataclass(frozen=True)
class MandatoryReportRule:
    """强制报告: who must be told when a child is harmed, suspected harmed, or in danger."""

    departments: tuple[str, ...]
    first_recipient: str
    # Guardians are NOT told automatically of a suspected-abuse report: the harm may come from home
    # (管理规范 第25条: domestic violence is reported to the police). Staff decide who tells them.
    notify_guardians: bool
    source: str
    effective: date
    verified: bool


MANDATORY_REPORT = MandatoryReportRule(
    departments=("公安机关", "民政部门", "教育部门", "卫生健康部门"),
    first_recipient="县级卫生健康部门",
    notify_guardians=False,
    source=(
        "未成年人保护法（2024修正）第11条: units in close contact with minors report at once to 公安、民政、"
        "教育 or other relevant departments [V]; 第117条 sanctions for not reporting [V]. In this platform "
        "the report goes first to the county health commission [M]."
    ),
    effective=date(2024, 4, 26),
    verified=True,
)


# --- Allergens --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AllergenGroup:
    """One allergen and the words that name it in a child's record or in a menu's ingredients."""

    key: str
    label: str
    synonyms: tuple[str, ...]


# WS/T 821—2023 7.3.3: allergies are recorded, avoided and substituted [S]. The groups follow the
# common food allergens (GB 7718—2011 lists eight classes of allergenic foods [M]); the synonyms are
# ours [M] and are matched as normalised substrings, so a short word like 蛋 also finds 蛋糕
# (on purpose: a warning too many is better than one too few).
ALLERGEN_GROUPS: tuple[AllergenGroup, ...] = (
    AllergenGroup("peanut", "花生", ("花生", "花生酱", "花生油", "peanut")),
    AllergenGroup(
        "milk",
        "牛奶",
        (
            "牛奶",
            "奶",
            "乳",
            "奶酪",
            "芝士",
            "黄油",
            "酸奶",
            "milk",
            "dairy",
            "cheese",
            "butter",
            "yogurt",
            "yoghurt",
        ),
    ),
    AllergenGroup("egg", "鸡蛋", ("鸡蛋", "蛋", "egg")),
    AllergenGroup("fish", "鱼", ("鱼", "海鲜", "fish", "seafood")),
    AllergenGroup(
        "shellfish",
        "虾蟹贝",
        ("虾", "蟹", "贝", "蛤", "海鲜", "shrimp", "prawn", "crab", "shellfish", "seafood"),
    ),
    AllergenGroup("wheat", "小麦", ("小麦", "面粉", "面", "麸", "wheat", "flour", "gluten")),
    AllergenGroup("soy", "大豆", ("大豆", "黄豆", "豆腐", "豆浆", "豆干", "腐竹", "酱油", "soy", "tofu")),
    AllergenGroup(
        "nuts",
        "坚果",
        (
            "坚果",
            "核桃",
            "杏仁",
            "腰果",
            "榛子",
            "开心果",
            "松子",
            "nut",
            "walnut",
            "almond",
            "cashew",
            "hazelnut",
        ),
    ),
    AllergenGroup("sesame", "芝麻", ("芝麻", "麻酱", "sesame")),
)
ALLERGY_SOURCE = "WS/T 821—2023 7.3.3 [S]; synonym list [M]"


def normalise(text: str) -> str:
    """Lower case, full-width folded (NFKC), no spaces: so 'Peanut ' and 'ｐｅａｎｕｔ' match 'peanut'."""
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


def allergy_terms(allergy: str) -> tuple[str, ...]:
    """The words to look for in a menu for one recorded allergy: the allergy itself and, when it names
    an allergen group (花生过敏, 鸡蛋, peanuts), every synonym of that group."""
    token = normalise(allergy)
    if not token:
        return ()
    terms = {token}
    for group in ALLERGEN_GROUPS:
        if any(normalise(word) in token for word in group.synonyms):
            terms.update(normalise(word) for word in group.synonyms)
    # Longest first, so the match reported is the most specific word.
    return tuple(sorted(terms, key=lambda t: (-len(t), t)))


def allergy_match(allergy: str, text: str) -> str | None:
    """The word of `allergy` (or of its group) found in `text` (a dish and its ingredients), or None."""
    haystack = normalise(text)
    return next((term for term in allergy_terms(allergy) if term in haystack), None)


# --- Menus, medication, diary -----------------------------------------------------------------------

MENU_RULE_SOURCE = "WS/T 821—2023 7.3.1: the menu is changed weekly [S]"
# A dose is recorded once given: never in the future beyond this much clock skew between devices [M].
DOSE_FUTURE_TOLERANCE_MINUTES = 5
# Times of day a request may list (a dose schedule of more than six times a day is not for a centre) [M].
MAX_TIMES_PER_DAY = 6
# The longest a single request may run; longer courses are renewed (and re-authorised) [M].
MAX_MEDICATION_DAYS = 31
DIARY_PHOTO_MAX_BYTES = 5 * 2**20
