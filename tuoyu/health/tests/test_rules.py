"""The check rules: temperature thresholds, keep-out symptoms, symptom groups, overrides."""

from __future__ import annotations

from decimal import Decimal

from tuoyu.health.choices import Symptom
from tuoyu.health.rules import (
    CHECK_ITEMS,
    CLUSTER_RULE,
    SYMPTOM_RULES,
    TEMPERATURE_RULE,
    assess,
    cluster_rule,
    groups_of,
    temperature_rule,
)


def test_every_rule_carries_its_source_and_tag():
    assert {i.key for i in CHECK_ITEMS} >= {"temperature", "mouth", "hands", "skin", "mood"}
    assert set(SYMPTOM_RULES) == set(Symptom.values)
    for rule in (TEMPERATURE_RULE, CLUSTER_RULE, *SYMPTOM_RULES.values()):
        assert rule.source and rule.tag in {"S", "M"}


def test_temperature_below_threshold_is_normal():
    assert assess(temperature=Decimal("37.2")) == assess(temperature=None)
    assert not assess(temperature=Decimal("37.2")).abnormal


def test_temperature_at_abnormal_threshold_tells_but_does_not_keep_out():
    found = assess(temperature=Decimal("37.3"))
    assert found.abnormal and not found.keep_out


def test_temperature_at_keep_out_threshold_keeps_the_child_out():
    assert assess(temperature=Decimal("37.5")).keep_out
    assert not assess(temperature=Decimal("37.4")).keep_out


def test_suspected_infection_keeps_out_but_a_cough_alone_does_not():
    assert assess(temperature=None, symptoms=[Symptom.RASH]).keep_out
    assert assess(temperature=None, symptoms=[Symptom.MOUTH_ULCERS]).keep_out
    cough = assess(temperature=None, symptoms=[Symptom.COUGH])
    assert cough.abnormal and not cough.keep_out


def test_abnormal_skin_or_mood_is_abnormal_without_keeping_out():
    assert assess(temperature=None, skin="abnormal").abnormal
    assert assess(temperature=None, mood="tired").abnormal
    assert not assess(temperature=None, skin="abnormal").keep_out


def test_symptom_groups_need_all_of_and_any_of():
    keys = lambda symptoms: {g.key for g in groups_of(frozenset(symptoms))}  # noqa: E731
    assert keys({"fever", "rash"}) == {"fever_rash"}
    assert keys({"fever"}) == set()
    assert keys({"vomiting"}) == {"gastro"}
    assert keys({"mouth_ulcers"}) == set()
    assert keys({"mouth_ulcers", "fever"}) == {"hfmd_signs"}


def test_thresholds_can_be_overridden_per_institution(settings):
    settings.TUOYU_HEALTH_RULES = {
        "temperature": {"keep_out_c": "37.3"},
        "institutions": {7: {"temperature": {"keep_out_c": "38.0"}}},
        "cluster": {"min_institutions": 2},
    }
    assert temperature_rule().keep_out_c == Decimal("37.3")
    assert temperature_rule(7).keep_out_c == Decimal("38.0")
    assert assess(temperature=Decimal("37.3")).keep_out
    assert not assess(temperature=Decimal("37.5"), institution_id=7).keep_out
    assert cluster_rule().min_institutions == 2
    assert "TUOYU_HEALTH_RULES" in cluster_rule().source
