"""Daily counts in SQL against a hand count on the persona world, per region and per institution."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tuoyu.health import services
from tuoyu.health.models import DailyCount, SymptomClusterAlert, VaccineDose
from tuoyu.health.statistics import institution_daily_counts, record_daily_counts, region_daily_counts

from .factories import mark_present

pytestmark = pytest.mark.django_db


def _day(world):
    """By hand: own_child present and sent home with fever; other_child absent; jiangning_child present
    and normal. All three are 540 days old; own_child has only the birth dose of HepB recorded (so
    overdue), the other two no dose at all (no record, not overdue). Each toddler class has children
    and no caregiver assigned: one class short of caregivers per institution. One open alert in 梅园."""
    today = timezone.localdate()
    mark_present(world.children["own_child"])
    own = world.children["own_child"]
    VaccineDose.objects.create(
        child=own, vaccine="HepB", dose_no=1, given_on=own.birth_date, source="certificate"
    )
    mark_present(world.children["jiangning_child"])
    services.health_check_record(
        actor=world.user("caregiver"), child=world.children["own_child"], temperature="38.5"
    )
    SymptomClusterAlert.objects.create(
        township=world.regions["meiyuan"], group="fever_rash", window_start=today, window_end=today
    )
    return today


def test_city_rows_are_its_counties_with_hand_counted_figures(world, django_assert_max_num_queries):
    today = _day(world)
    with django_assert_max_num_queries(14):
        counts = region_daily_counts(world.user("city_official"), world.regions["nanjing"], today)
    rows = {r.code: r.figures for r in counts.rows}
    assert set(rows) == {"320102000000", "320115000000"}
    xuanwu, jiangning = rows["320102000000"], rows["320115000000"]
    assert (xuanwu.enrolled, xuanwu.present, xuanwu.abnormal_checks, xuanwu.sent_home) == (2, 1, 1, 1)
    assert (xuanwu.overdue_immunisation, xuanwu.no_immunisation_record) == (1, 1)
    assert (xuanwu.ratio_breaches, xuanwu.open_alerts) == (1, 1)
    assert (jiangning.overdue_immunisation, jiangning.no_immunisation_record) == (0, 1)
    assert (jiangning.enrolled, jiangning.present, jiangning.abnormal_checks, jiangning.open_alerts) == (
        1,
        1,
        0,
        0,
    )
    assert counts.totals.enrolled == 3 and counts.totals.open_alerts == 1
    assert counts.totals.growth_flags == 0


def test_county_official_sees_only_the_county(world):
    today = _day(world)
    counts = region_daily_counts(world.user("other_county_official"), world.regions["jiangning"], today)
    assert (
        counts.totals.enrolled == 1 and counts.totals.abnormal_checks == 0 and counts.totals.open_alerts == 0
    )


def test_below_a_township_rows_are_institutions(world):
    today = _day(world)
    counts = region_daily_counts(world.user("county_official"), world.regions["meiyuan"], today)
    assert counts.rows_are_institutions
    assert [(r.institution_id, r.figures.enrolled) for r in counts.rows] == [
        (world.institutions["inst_xuanwu"].pk, 2)
    ]


def test_a_director_sees_their_own_institution_only(world):
    today = _day(world)
    counts = institution_daily_counts(world.user("director"), today)
    assert [r.institution_id for r in counts.rows] == [world.institutions["inst_xuanwu"].pk]
    assert counts.totals.abnormal_checks == 1


def test_record_daily_counts_stores_one_row_per_operating_institution(world):
    today = _day(world)
    from tuoyu.institutions.models import Institution

    n = record_daily_counts(today)
    assert n == Institution.objects.operating().count()
    row = DailyCount.objects.get(institution=world.institutions["inst_xuanwu"], day=today)
    assert (row.enrolled, row.present, row.abnormal_checks, row.overdue_immunisation) == (2, 1, 1, 1)
    assert row.no_immunisation_record == 1
    assert record_daily_counts(today) == n and DailyCount.objects.filter(day=today).count() == n
