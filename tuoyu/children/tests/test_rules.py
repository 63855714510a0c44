from datetime import date
from types import SimpleNamespace

import pytest

from tuoyu.children import rules


@pytest.mark.parametrize(
    ("birth", "on", "months"),
    [
        (date(2025, 3, 15), date(2025, 4, 15), 1),
        (date(2025, 3, 15), date(2025, 4, 14), 0),
        (date(2025, 1, 31), date(2025, 2, 28), 1),  # no 31 February: the month's last day counts
        (date(2024, 2, 29), date(2025, 2, 28), 12),
        (date(2024, 6, 1), date(2026, 5, 31), 23),
    ],
)
def test_age_in_whole_months(birth, on, months):
    assert rules.age_in_months(birth, on) == months


def test_a_child_turning_one_leaves_the_infant_band_and_enters_the_toddler_band():
    birth, start = date(2025, 5, 10), date(2026, 5, 10)  # exactly 12 months on the start date
    assert not rules.class_fits_age("infant", birth, start)
    assert rules.class_fits_age("toddler", birth, start)
    assert rules.fitting_kinds(birth, start) == ["toddler"]


def test_mixed_classes_take_children_from_18_months():
    birth = date(2024, 12, 1)
    assert rules.fitting_kinds(birth, date(2026, 6, 1)) == ["toddler", "mixed"]  # 18 months
    assert rules.fitting_kinds(birth, date(2026, 5, 1)) == ["toddler"]  # 17 months


def test_a_five_month_old_fits_no_class_and_the_refusal_names_the_band(english):
    refusal = rules.age_refusal("infant", date(2026, 1, 1), date(2026, 6, 1))
    assert refusal and "5 months old" in refusal and "6 to under 12 months" in refusal
    assert rules.fitting_kinds(date(2026, 1, 1), date(2026, 6, 1)) == []


def test_capacity_refuses_a_full_class_then_a_full_institution(english):
    ok = {"class_name": "托小一班", "class_capacity": 15, "places": 80}
    assert rules.capacity_refusal(**ok, class_current=14, institution_current=79) is None
    full_class = rules.capacity_refusal(**ok, class_current=15, institution_current=10)
    assert full_class == "托小一班 is full: 15 children for 15 places."
    full_institution = rules.capacity_refusal(**ok, class_current=3, institution_current=80)
    assert full_institution and "80 filed places" in full_institution


def test_vaccination_check_is_due_30_days_after_the_start_and_the_recheck_by_31_december():
    assert rules.vaccination_check_due_on(date(2026, 9, 1)) == date(2026, 10, 1)
    assert rules.recheck_due_on(date(2026, 3, 5)) == date(2026, 12, 31)


def check(kind, on, passed=True):
    return SimpleNamespace(kind=kind, checked_on=on, passed=passed)


def test_return_check_needed_only_after_more_than_three_months_away():
    today = date(2026, 11, 30)
    assert not rules.return_check_due(last_attended_on=None, today=today, checks=[])
    assert not rules.return_check_due(last_attended_on=date(2026, 8, 30), today=today, checks=[])
    assert rules.return_check_due(last_attended_on=date(2026, 8, 29), today=today, checks=[])


def test_a_passed_health_check_after_the_absence_clears_the_return():
    today, last = date(2026, 11, 30), date(2026, 6, 1)
    before = check("health", date(2026, 5, 1))
    failed = check("return_health", date(2026, 11, 20), passed=False)
    assert rules.return_check_due(last_attended_on=last, today=today, checks=[before, failed])
    passed = check("return_health", date(2026, 11, 25))
    assert not rules.return_check_due(last_attended_on=last, today=today, checks=[before, failed, passed])
    vaccination = check("vaccination", date(2026, 11, 25))
    assert rules.return_check_due(last_attended_on=last, today=today, checks=[vaccination])


def test_entry_health_check_must_be_passed_and_not_dated_later():
    checks = [check("health", date(2026, 3, 1), passed=False), check("vaccination", date(2026, 3, 1))]
    assert not rules.has_passed_health_check(checks, on_or_before=date(2026, 4, 1))
    checks.append(check("health", date(2026, 3, 10)))
    assert rules.has_passed_health_check(checks, on_or_before=date(2026, 4, 1))
    assert not rules.has_passed_health_check(checks, on_or_before=date(2026, 3, 9))


def test_every_rule_names_its_source_and_date():
    for rule in (
        rules.ENTRY_HEALTH_CHECK,
        rules.VACCINATION_CHECK,
        rules.VACCINATION_RECHECK,
        rules.RETURN_HEALTH_CHECK,
        rules.CAPACITY,
    ):
        assert rule.source and rule.effective and rule.verified in {"S", "M", "V"}
