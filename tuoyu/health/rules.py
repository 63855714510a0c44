"""Rules of the daily health checks (晨午检) as data: what is checked, temperature thresholds, which
symptoms keep a child out, and when several centres of a township reporting the same symptom group
raise an alert. Each rule carries its source, effective date and a tag:

[S] from a secondary source on a national document (domain_rules.md §2); [M] our choice or unverified
general knowledge, to be confirmed by the province — such rules can be overridden without code through
the setting `TUOYU_HEALTH_RULES` (a dict; see `_overrides`), also per institution.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .choices import Symptom

REGULATION_76 = "托儿所幼儿园卫生保健管理办法（卫生部、教育部令第76号）"
MANAGEMENT_NORM = "托育机构管理规范（试行）（国卫人口发〔2019〕58号）"


@dataclass(frozen=True)
class CheckItem:
    """One thing looked at in the morning or noon check (一摸二看三问四查)."""

    key: str
    label: Any
    how: Any
    source: str
    tag: str = "S"


# 晨检 content: "一摸二看三问四查" (domain_rules.md §2, TotSafe) and the fields an existing government
# platform records per child and morning (体温, 口腔, 手部, 身体/皮肤, 精神状态) [S].
CHECK_ITEMS: tuple[CheckItem, ...] = (
    CheckItem(
        "temperature",
        _("Temperature"),
        _("Touch the forehead; take the temperature (一摸)."),
        f"{MANAGEMENT_NORM} 第24条; 一摸二看三问四查",
    ),
    CheckItem(
        "mouth",
        _("Mouth and throat"),
        _("Look at the mouth and throat for ulcers or blisters (二看)."),
        f"{MANAGEMENT_NORM} 第24条; 一摸二看三问四查",
    ),
    CheckItem(
        "hands",
        _("Hands"),
        _("Look at the palms and fingers for blisters or rash (二看)."),
        f"{MANAGEMENT_NORM} 第24条; 一摸二看三问四查",
    ),
    CheckItem(
        "skin",
        _("Skin"),
        _("Look at the face, neck and skin for rash or injury (二看)."),
        f"{MANAGEMENT_NORM} 第24条; 一摸二看三问四查",
    ),
    CheckItem(
        "mood",
        _("Mood"),
        _("Ask the guardian about sleep, eating, stools and illness at home (三问)."),
        f"{MANAGEMENT_NORM} 第24条; 一摸二看三问四查",
    ),
    CheckItem(
        "objects",
        _("Unsafe objects"),
        _("Check pockets and hands for unsafe objects (四查)."),
        "一摸二看三问四查 (domain_rules.md §2)",
    ),
)


@dataclass(frozen=True)
class TemperatureRule:
    """Body temperature (°C, axillary) at or above `abnormal_c` is abnormal: the guardian is told
    (管理规范 第24条). At or above `keep_out_c` the child is kept out and goes home."""

    abnormal_c: Decimal
    keep_out_c: Decimal
    lowest_plausible_c: Decimal
    highest_plausible_c: Decimal
    source: str
    effective: date
    tag: str


# The figures are common practice in childcare health care, not a national number we could verify [M].
TEMPERATURE_RULE = TemperatureRule(
    abnormal_c=Decimal("37.3"),
    keep_out_c=Decimal("37.5"),
    lowest_plausible_c=Decimal("34.0"),
    highest_plausible_c=Decimal("43.0"),
    source=f"{MANAGEMENT_NORM} 第24条 (inform the guardian); thresholds: common practice, not verified",
    effective=date(2019, 10, 1),
    tag="M",
)


@dataclass(frozen=True)
class SymptomRule:
    """A symptom noticed at a check; `keep_out` symptoms suggest an infectious disease: the guardian
    takes the child home and the child returns only with a medical clearance (76号令 第18条)."""

    symptom: str
    keep_out: bool
    source: str
    tag: str


_ART18 = f"{REGULATION_76} 第18条: suspected infectious disease → home; return with a medical clearance"
_KEEP_OUT_JUDGEMENT = f"{_ART18}; which symptoms count as suspected infection: our reading"

SYMPTOM_RULES: dict[str, SymptomRule] = {
    rule.symptom: rule
    for rule in (
        SymptomRule(Symptom.FEVER, True, _KEEP_OUT_JUDGEMENT, "M"),
        SymptomRule(Symptom.RASH, True, _KEEP_OUT_JUDGEMENT, "M"),
        SymptomRule(Symptom.DIARRHOEA, True, _KEEP_OUT_JUDGEMENT, "M"),
        SymptomRule(Symptom.VOMITING, True, _KEEP_OUT_JUDGEMENT, "M"),
        SymptomRule(Symptom.RED_EYES, True, _KEEP_OUT_JUDGEMENT, "M"),
        SymptomRule(Symptom.MOUTH_ULCERS, True, _KEEP_OUT_JUDGEMENT, "M"),
        SymptomRule(Symptom.HAND_FOOT_BLISTERS, True, _KEEP_OUT_JUDGEMENT, "M"),
        SymptomRule(Symptom.JAUNDICE, True, _KEEP_OUT_JUDGEMENT, "M"),
        SymptomRule(Symptom.SWOLLEN_CHEEKS, True, _KEEP_OUT_JUDGEMENT, "M"),
        SymptomRule(Symptom.LICE_SCABIES, True, _KEEP_OUT_JUDGEMENT, "M"),
        # Observed and told to the guardian, but no reason by itself to send the child home.
        SymptomRule(Symptom.COUGH, False, f"{MANAGEMENT_NORM} 第24条 (inform the guardian)", "M"),
        SymptomRule(Symptom.RUNNY_NOSE, False, f"{MANAGEMENT_NORM} 第24条 (inform the guardian)", "M"),
        SymptomRule(Symptom.INJURY, False, f"{MANAGEMENT_NORM} 第24条 (inform the guardian)", "M"),
    )
}


@dataclass(frozen=True)
class SymptomGroup:
    """A pattern counted for township alerts: a check belongs to the group when it records every
    symptom of `all_of` and (if given) at least one of `any_of`."""

    key: str
    label: Any
    all_of: tuple[str, ...]
    any_of: tuple[str, ...] = ()


SYMPTOM_GROUPS: tuple[SymptomGroup, ...] = (
    # Hand, foot and mouth disease, measles, rubella, chickenpox present as fever with rash.
    SymptomGroup("fever_rash", _("Fever with rash"), (Symptom.FEVER, Symptom.RASH)),
    SymptomGroup(
        "hfmd_signs",
        _("Mouth ulcers with blisters or fever (HFMD / herpangina signs)"),
        (Symptom.MOUTH_ULCERS,),
        (Symptom.HAND_FOOT_BLISTERS, Symptom.FEVER),
    ),
    SymptomGroup("gastro", _("Diarrhoea or vomiting"), (), (Symptom.DIARRHOEA, Symptom.VOMITING)),
    SymptomGroup("fever_cough", _("Fever with cough"), (Symptom.FEVER, Symptom.COUGH)),
    SymptomGroup("red_eyes", _("Red or sticky eyes"), (Symptom.RED_EYES,)),
)
GROUPS_BY_KEY = {g.key: g for g in SYMPTOM_GROUPS}


@dataclass(frozen=True)
class ClusterRule:
    """Alert the township's officials when at least `min_institutions` institutions of one township
    record checks of the same symptom group within `window_days` days (the day itself included)."""

    min_institutions: int
    window_days: int
    source: str
    effective: date
    tag: str


# No national threshold for a childcare "symptom cluster" was found; these figures are ours [M].
# (Infectious-disease reporting itself follows 传染病防治法 and the local CDC: domain_rules.md §2.)
CLUSTER_RULE = ClusterRule(
    min_institutions=3,
    window_days=3,
    source="Our choice for early warning (no national figure found); 传染病防治法 reporting is separate",
    effective=date(2026, 1, 1),
    tag="M",
)


# --- overrides --------------------------------------------------------------------------------------


def _overrides(institution_id: int | None = None) -> dict[str, Any]:
    """`settings.TUOYU_HEALTH_RULES`, e.g.
    {"temperature": {"abnormal_c": "37.2", "keep_out_c": "37.5"}, "cluster": {"min_institutions": 2},
     "institutions": {42: {"temperature": {"keep_out_c": "37.3"}}}} — an institution's entry wins."""
    config: dict[str, Any] = dict(getattr(settings, "TUOYU_HEALTH_RULES", {}) or {})
    merged = {k: dict(v) for k, v in config.items() if k != "institutions" and isinstance(v, dict)}
    if institution_id is not None:
        own = (config.get("institutions") or {}).get(institution_id) or {}
        for key, values in own.items():
            merged.setdefault(key, {}).update(values)
    return merged


def temperature_rule(institution_id: int | None = None) -> TemperatureRule:
    values = _overrides(institution_id).get("temperature")
    if not values:
        return TEMPERATURE_RULE
    return replace(
        TEMPERATURE_RULE,
        abnormal_c=Decimal(str(values.get("abnormal_c", TEMPERATURE_RULE.abnormal_c))),
        keep_out_c=Decimal(str(values.get("keep_out_c", TEMPERATURE_RULE.keep_out_c))),
        source=f"{TEMPERATURE_RULE.source}; overridden by TUOYU_HEALTH_RULES",
    )


def cluster_rule() -> ClusterRule:
    values = _overrides().get("cluster")
    if not values:
        return CLUSTER_RULE
    return replace(
        CLUSTER_RULE,
        min_institutions=int(values.get("min_institutions", CLUSTER_RULE.min_institutions)),
        window_days=int(values.get("window_days", CLUSTER_RULE.window_days)),
        source=f"{CLUSTER_RULE.source}; overridden by TUOYU_HEALTH_RULES",
    )


# --- applying the rules -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Assessment:
    """What the rules make of one check: abnormal (tell the guardian), keep out (send home), why."""

    abnormal: bool
    keep_out: bool
    reasons: tuple[str, ...]


def assess(
    *,
    temperature: Decimal | None,
    mouth: str = "normal",
    hands: str = "normal",
    skin: str = "normal",
    mood: str = "good",
    symptoms: tuple[str, ...] | list[str] = (),
    institution_id: int | None = None,
) -> Assessment:
    """Apply the temperature and symptom rules to one check's findings."""
    rule = temperature_rule(institution_id)
    reasons: list[str] = []
    abnormal = keep_out = False
    if temperature is not None and temperature >= rule.abnormal_c:
        abnormal = True
        reasons.append(str(_("temperature {t} °C").format(t=temperature)))
        if temperature >= rule.keep_out_c:
            keep_out = True
    for item, value in (("mouth", mouth), ("hands", hands), ("skin", skin)):
        if value != "normal":
            abnormal = True
            reasons.append(str(next(i.label for i in CHECK_ITEMS if i.key == item)))
    if mood != "good":
        abnormal = True
        reasons.append(str(_("mood")))
    for symptom in symptoms:
        abnormal = True
        reasons.append(str(Symptom(symptom).label))
        if SYMPTOM_RULES[symptom].keep_out:
            keep_out = True
    return Assessment(abnormal=abnormal, keep_out=keep_out, reasons=tuple(reasons))


def groups_of(symptoms: set[str] | frozenset[str]) -> list[SymptomGroup]:
    """The symptom groups a check with these symptoms belongs to."""
    return [
        g
        for g in SYMPTOM_GROUPS
        if all(s in symptoms for s in g.all_of) and (not g.any_of or any(s in symptoms for s in g.any_of))
    ]
