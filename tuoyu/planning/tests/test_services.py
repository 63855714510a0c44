"""Snapshots (replacement, locking), the recompute command and task, targets as data, residential projects."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from tuoyu.core.models import AuditLog
from tuoyu.planning import services
from tuoyu.planning.choices import FacilityStatus
from tuoyu.planning.models import IndicatorSnapshot, PlanTarget, ResidentialProject

from .factories import build_plan_world

DAY = dt.date(2025, 6, 1)


@pytest.fixture
def plan(world):
    build_plan_world(world)
    return world


def test_recompute_stores_one_row_per_region_and_key(plan):
    result = services.indicators_recompute(as_of=DAY)
    rows = IndicatorSnapshot.objects.filter(as_of=DAY)
    assert rows.count() == result.rows > 0
    assert set(rows.values_list("region_id", flat=True)) >= {"320000000000", "320102000000", "320102002000"}
    places = rows.get(region_id="320102000000", key="places_per_1000")
    assert places.value == pytest.approx(0.275)
    assert AuditLog.objects.filter(action="planning.indicators_recompute").exists()


def test_recompute_replaces_the_dates_rows(plan):
    services.indicators_recompute(as_of=DAY)
    before = IndicatorSnapshot.objects.filter(as_of=DAY).count()
    plan.institutions["inst_xuanwu"].__class__.objects.filter(pk=plan.institutions["inst_xuanwu"].pk).update(
        places=190
    )
    services.indicators_recompute(as_of=DAY)
    assert IndicatorSnapshot.objects.filter(as_of=DAY).count() == before
    assert (
        IndicatorSnapshot.objects.get(as_of=DAY, region_id="320102000000", key="places_per_1000").numerator
        == 220
    )


def test_locked_rows_survive_recomputation(plan):
    services.indicators_recompute(as_of=DAY)
    services.indicator_snapshots_lock(actor=None, as_of=DAY, region_codes=["320102000000"])
    plan.institutions["inst_xuanwu"].__class__.objects.filter(pk=plan.institutions["inst_xuanwu"].pk).update(
        places=190
    )
    result = services.indicators_recompute(as_of=DAY)
    assert result.kept_locked > 0
    locked = IndicatorSnapshot.objects.get(as_of=DAY, region_id="320102000000", key="places_per_1000")
    assert (locked.locked, locked.numerator) == (True, 110)
    assert (
        IndicatorSnapshot.objects.get(as_of=DAY, region_id="320100000000", key="places_per_1000").numerator
        == 270
    )


def test_command_prints_what_it_did(plan):
    out = StringIO()
    call_command("recompute_indicators", "--date", "2025-06-01", stdout=out)
    assert "Indicators as of 2025-06-01" in out.getvalue()
    assert f"{IndicatorSnapshot.objects.filter(as_of=DAY).count()} rows for " in out.getvalue()
    with pytest.raises(CommandError):
        call_command("recompute_indicators", "--date", "2025-13-01", stdout=StringIO())


def test_monthly_task_recomputes(plan):
    from tuoyu.planning.tasks import recompute_indicators_monthly

    result = recompute_indicators_monthly.call(as_of="2025-06-01")
    assert result["rows"] == IndicatorSnapshot.objects.filter(as_of=DAY).count() > 0


def test_targets_of_the_14th_plan_are_loaded_as_data(db):
    target = PlanTarget.objects.get(key="places_per_1000", period_start=2021)
    assert (target.value, target.comparison, target.period) == (4.5, "about", "2021–2025")
    assert target.is_met(4.3) and not target.is_met(4.2)


def test_a_new_periods_targets_need_no_code(db, tmp_path):
    csv = tmp_path / "t.csv"
    csv.write_text(
        "period_start,period_end,key,level,comparison,value,text,source\n"
        "2026,2030,places_per_1000,,about,5.5,5.5左右,test\n",
        encoding="utf-8",
    )
    call_command("load_plan_targets", str(csv), "--plan", "十五五", stdout=StringIO())
    chosen = {t.key: t for t in PlanTarget.objects.for_date(dt.date(2027, 1, 1))}
    assert chosen["places_per_1000"].value == 5.5
    assert {t.key: t for t in PlanTarget.objects.for_date(dt.date(2025, 1, 1))}[
        "places_per_1000"
    ].value == 4.5


def test_residential_project_copies_county_and_checks_the_steps(plan):
    meiyuan = plan.regions["meiyuan"]
    project = services.residential_project_create(
        actor=None, township=meiyuan, name="锦绣花园", homes=800, has_childcare_facility=True,
        facility_places=60, facility_status=FacilityStatus.BUILT,
        facility_planned_on=dt.date(2023, 1, 1), facility_built_on=dt.date(2024, 1, 1),
    )  # fmt: skip
    assert project.county_id == "320102000000"
    with pytest.raises(ValidationError) as exc:
        services.residential_project_create(
            actor=None, township=meiyuan, name="缺日期", homes=800, has_childcare_facility=True,
            facility_status=FacilityStatus.ACCEPTED, facility_planned_on=dt.date(2023, 1, 1),
        )  # fmt: skip
    assert "facility_built_on" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.residential_project_create(actor=None, township=meiyuan, name="无设施", homes=10,
                                            facility_status=FacilityStatus.PLANNED)  # fmt: skip
    assert ResidentialProject.objects.count() == 1
