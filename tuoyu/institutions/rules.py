"""Rules from national standards for institution records, as data with their source and effective date.

Each rule set can be overridden per province (`PROVINCE_OVERRIDES`), e.g. when Jiangsu defines a ratio for
mixed classes, which the national standard leaves open. Source tags follow shared/reference/domain_rules.md:
[S] = secondary sources agree; not yet checked against the official PDF.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _

SETTING_STANDARD = "托育机构设置标准（试行）（国卫人口发〔2019〕58号）"
FAMILY_POINT_RULES = "家庭托育点管理办法（试行）（2023-11-14）"
QUALITY_STANDARD = "WS/T 821—2023 托育机构质量评估标准"


class ClassKind(models.TextChoices):
    INFANT = "infant", _("Infant class (6–12 months)")  # 乳儿班
    TODDLER = "toddler", _("Toddler class (12–24 months)")  # 托小班
    OLDER = "older", _("Older toddler class (24–36 months)")  # 托大班
    MIXED = "mixed", _("Mixed-age class (18 months and over)")  # 混合班


@dataclass(frozen=True)
class ClassRule:
    """Age band, maximum size and minimum caregiver ratio of one class type."""

    kind: str
    min_months: int
    max_months: int  # exclusive upper bound: [6, 12) months
    max_children: int
    children_per_caregiver: int | None  # None: the standard sets no ratio
    source: str
    effective: date


CLASS_RULES: dict[str, ClassRule] = {
    # 设置标准 第19条: 乳儿班（6-12个月，10人以下）、托小班（12-24个月，15人以下）、
    # 托大班（24-36个月，20人以下）;
    # 18个月以上可混合编班，每班不超过18人. 第20条: ratios 1:3, 1:5, 1:7. [S×4]
    ClassKind.INFANT: ClassRule(
        ClassKind.INFANT, 6, 12, 10, 3, f"{SETTING_STANDARD} 第19、20条", date(2019, 10, 8)
    ),
    ClassKind.TODDLER: ClassRule(
        ClassKind.TODDLER, 12, 24, 15, 5, f"{SETTING_STANDARD} 第19、20条", date(2019, 10, 8)
    ),
    ClassKind.OLDER: ClassRule(
        ClassKind.OLDER, 24, 36, 20, 7, f"{SETTING_STANDARD} 第19、20条", date(2019, 10, 8)
    ),
    # The mixed-class ratio is not set nationally; a province may set it in PROVINCE_OVERRIDES.
    ClassKind.MIXED: ClassRule(
        ClassKind.MIXED, 18, 36, 18, None, f"{SETTING_STANDARD} 第19条", date(2019, 10, 8)
    ),
}


@dataclass(frozen=True)
class PremisesRule:
    min_lease_years: int
    max_children_floor: int  # children's rooms on this floor or lower
    underground_allowed: bool
    source: str
    effective: date


PREMISES_RULE = PremisesRule(
    min_lease_years=3,  # 设置标准 第11条: 租赁期不少于3年 [S×3]
    max_children_floor=3,  # WS/T 821: 婴幼儿生活用房 3 层及以下, 不得设在地下或半地下 [S×4]
    underground_allowed=False,
    source=f"{SETTING_STANDARD} 第11条; {QUALITY_STANDARD}",
    effective=date(2019, 10, 8),
)


@dataclass(frozen=True)
class FamilyPointRule:
    max_children: int
    children_per_carer: int
    min_lease_years: int
    source: str
    effective: date


# 家庭托育点: 收托不超过5人, 照护人员与婴幼儿比例不低于1:3, 自有或租期不少于3年 [S: news]
FAMILY_POINT_RULE = FamilyPointRule(5, 3, 3, FAMILY_POINT_RULES, date(2023, 11, 14))

# Province code → replacements, e.g. {"32": {"mixed_children_per_caregiver": 5}} once Jiangsu sets one.
PROVINCE_OVERRIDES: dict[str, dict[str, int]] = {}
# Where a mixed-class ratio set by the deployment (settings.TUOYU_MIXED_CLASS_RATIO) says it comes from.
MIXED_RATIO_SETTING_SOURCE = "TUOYU_MIXED_CLASS_RATIO"


def class_rule(kind: str, province_prefix: str = "32") -> ClassRule:
    """The rule for a class type, with the province's override applied.

    The mixed-class ratio, which the national standard leaves open, comes from the deployment's
    `TUOYU_MIXED_CLASS_RATIO` setting when set, else from `PROVINCE_OVERRIDES`, else stays None.
    """
    from django.conf import settings

    rule = CLASS_RULES[kind]
    if kind != ClassKind.MIXED:
        return rule
    configured = getattr(settings, "TUOYU_MIXED_CLASS_RATIO", None)
    override = PROVINCE_OVERRIDES.get(province_prefix, {})
    if configured:
        rule = replace(
            rule,
            children_per_caregiver=int(configured),
            source=f"{rule.source}; {MIXED_RATIO_SETTING_SOURCE}",
        )
    elif "mixed_children_per_caregiver" in override:
        rule = replace(rule, children_per_caregiver=override["mixed_children_per_caregiver"])
    return rule
