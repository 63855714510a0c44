"""The credit rule: score, window, cut-offs, overriding records, settings."""

from __future__ import annotations

from datetime import date

import pytest

from tuoyu.credit.rules import OVERRIDES, POINTS, current_rule, months_before, points_for, severity_for


def test_default_cutoffs_give_each_tier():
    rule = current_rule()
    assert [rule.tier_for(s) for s in (130, 110, 109, 90, 89, 70, 69, 0)] == list("AABBCCDD")
    assert rule.base_tier == "B"  # an institution with no record


def test_overriding_record_forces_d_whatever_the_score():
    assert current_rule().tier_for(150, overridden=True) == "D"


def test_settings_override_the_rule(settings):
    settings.TUOYU_CREDIT_RULE = {
        "base": 80,
        "cutoffs": {"A": 100, "B": 80, "C": 60},
        "points": {"award:demonstration": 25},
    }
    rule = current_rule()
    assert rule.configured
    assert rule.base_tier == "B"
    assert rule.tier_for(100) == "A"
    assert points_for("award", "demonstration") == 25
    assert points_for("inspection", "high") == POINTS[("inspection", "high")]


def test_unknown_severity_has_no_points():
    assert points_for("inspection", "catastrophic") == 0


@pytest.mark.parametrize(("source", "severity"), OVERRIDES)
def test_overriding_severities_are_recognised_from_their_points(source, severity):
    # Other apps post points_for(source, severity) without the severity: it must still force D.
    assert severity_for(source, points_for(source, severity)) == severity


def test_months_before_keeps_month_ends():
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert months_before(date(2026, 1, 15), 24) == date(2024, 1, 15)
    assert months_before(date(2026, 1, 15), -12) == date(2027, 1, 15)
