"""The schedule: due and overdue doses at chosen ages, and the SQL thresholds agreeing with Python."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tuoyu.children.models import Child
from tuoyu.health.choices import DoseSource
from tuoyu.health.immunisation import GRACE_MONTHS, RULES_BY_KEY, SCHEDULE, add_months, born_on_or_before
from tuoyu.health.models import VaccineDose
from tuoyu.health.selectors import (
    child_schedule,
    immunisation_counts,
    immunisations_due,
    institution_due_doses,
    overdue_counts,
)
from tuoyu.institutions.models import Institution

AS_OF = date(2026, 11, 30)


def _give(child, *keys, on=None):
    for key in keys:
        vaccine, n = key.split("#")
        VaccineDose.objects.create(
            child=child,
            vaccine=vaccine,
            dose_no=int(n),
            given_on=on or child.birth_date,
            source=DoseSource.CERTIFICATE,
        )


def test_schedule_is_the_2026_edition_with_sources():
    assert len(SCHEDULE) == 19
    assert all("国疾控卫免发〔2026〕16号" in r.source for r in SCHEDULE)
    # DTaP at 2, 4, 6, 18 months since 2025.
    assert [r.min_months for r in SCHEDULE if r.vaccine == "DTaP"] == [2, 4, 6, 18]
    assert RULES_BY_KEY["MPSV-A#2"].before_months == 24


def test_add_months_clamps_to_month_end():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2025, 11, 15), 3) == date(2026, 2, 15)


@pytest.mark.parametrize("days_back", range(0, 800, 7))
def test_sql_thresholds_match_the_python_rule(days_back):
    as_of = AS_OF - timedelta(days=days_back)
    for rule in SCHEDULE:
        for overdue in (False, True):
            limit = born_on_or_before(rule, as_of, overdue=overdue)
            fn = rule.overdue_from if overdue else rule.due_from
            assert fn(limit) <= as_of < fn(limit + timedelta(days=1)), (rule.key, overdue, as_of)


@pytest.mark.django_db
def test_a_seven_month_old_with_birth_doses_only_is_overdue_for_nothing_but_due_for_the_rest(world):
    child = world.children["own_child"]
    Child.objects.filter(pk=child.pk).update(birth_date=add_months(AS_OF, -7))
    child.refresh_from_db()
    _give(child, "HepB#1", "BCG#1")
    due = {d.rule.key: d.status for d in immunisations_due(child, AS_OF)}
    # HepB 2 (1 m), IPV 1 and DTaP 1 (2 m), IPV 2 (3 m): past minimum + 1 month grace → overdue.
    assert due["HepB#2"] == "overdue" and due["IPV#1"] == "overdue" and due["IPV#2"] == "overdue"
    # bOPV 3 (4 m, before 12 m), HepB 3 / DTaP 3 / MPSV-A 1 (6 m, before 12 m): due, not overdue.
    assert due["bOPV#3"] == "due" and due["HepB#3"] == "due" and due["MPSV-A#1"] == "due"
    assert "MMR#1" not in due  # 8 months
    assert "HepB#1" not in due


@pytest.mark.django_db
def test_an_inactivated_dose_counts_for_the_live_row(world):
    child = world.children["own_child"]
    Child.objects.filter(pk=child.pk).update(birth_date=add_months(AS_OF, -13))
    child.refresh_from_db()
    _give(child, "JE-I#1")
    rows = {r.rule.key: r.status for r in child_schedule(child, AS_OF)}
    assert rows["JE-L#1"] == "given"
    assert rows["MMR#1"] == "overdue"  # 8 m, before 12 m; the child is 13 months


@pytest.mark.django_db
def test_institution_list_in_sql_agrees_with_each_childs_schedule(world, django_assert_num_queries):
    inst = world.institutions["inst_xuanwu"]
    own, other = world.children["own_child"], world.children["other_child"]
    Child.objects.filter(pk=own.pk).update(birth_date=add_months(AS_OF, -20))
    Child.objects.filter(pk=other.pk).update(birth_date=add_months(AS_OF, -20))
    own.refresh_from_db()
    other.refresh_from_db()
    # `other` has every dose up to 18 months; `own` only the birth doses.
    _give(other, *[r.key for r in SCHEDULE if r.min_months <= 18])
    _give(own, "HepB#1", "BCG#1")
    with django_assert_num_queries(1):
        rows = institution_due_doses(inst, AS_OF)
    assert [r.child.pk for r in rows] == [own.pk]
    expected = {d.rule.key for d in immunisations_due(own, AS_OF) if d.overdue}
    assert {r.key for r in rows[0].overdue} == expected
    # jiangning_child (540 days old) has no dose recorded at all: "no record", not overdue.
    jiangning = world.institutions["inst_jiangning"]
    assert overdue_counts(Institution.objects.all(), group_by="institution", as_of=AS_OF) == {inst.pk: 1}
    counts = immunisation_counts(Institution.objects.all(), group_by="institution", as_of=AS_OF)
    assert (counts[inst.pk].overdue, counts[inst.pk].unrecorded) == (1, 0)
    assert (counts[jiangning.pk].overdue, counts[jiangning.pk].unrecorded) == (0, 1)
    assert overdue_counts(Institution.objects.filter(pk=inst.pk), group_by="county_id", as_of=AS_OF) == {
        "320102000000": 1
    }


def test_grace_period_is_documented_as_our_choice():
    assert GRACE_MONTHS == 1
    assert RULES_BY_KEY["HepB#1"].verify
