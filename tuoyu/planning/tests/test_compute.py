"""Each indicator's formula on the small hand-built world (tests/factories.py), with known answers."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tuoyu.core.tests.factories import InstitutionFactory, RegionFactory
from tuoyu.institutions.choices import DesignationKind, OperatingStatus
from tuoyu.institutions.models import Institution
from tuoyu.planning.choices import FacilityStatus, NoDataReason
from tuoyu.planning.compute import IndicatorValue, compute_indicators
from tuoyu.planning.models import ResidentialProject
from tuoyu.training.models import TrainingBase
from tuoyu.workforce.tests.factories import employ

from .factories import build_plan_world, designate

PROVINCE, NANJING, WUXI = "320000000000", "320100000000", "320200000000"
XUANWU, JIANGNING, XISHAN = "320102000000", "320115000000", "320205000000"
MEIYUAN = "320102002000"
DAY = dt.date(2025, 6, 1)
ZONE = zoneinfo.ZoneInfo("Asia/Shanghai")


def values(as_of: dt.date = DAY, root=None) -> dict[tuple[str, str], IndicatorValue]:
    return {(v.region_code, v.key): v for v in compute_indicators(as_of, root=root)}


@pytest.fixture
def plan(world):
    build_plan_world(world)
    return world


def test_places_per_1000_uses_latest_population_of_a_year_up_to_the_date(plan):
    v = values()
    assert v[(XUANWU, "places_per_1000")].value == pytest.approx(110 / 400_000 * 1000)
    assert values(dt.date(2023, 6, 1))[(XUANWU, "places_per_1000")].value == pytest.approx(0.22)
    # The province has no figure of its own: the sum of its cities' census figures.
    province = v[(PROVINCE, "places_per_1000")]
    assert (province.numerator, province.denominator) == (200, 9_314_685 + 7_462_135)
    assert province.value == pytest.approx(round(200 / 16_776_820 * 1000, 4))


def test_places_per_1000_without_population_is_no_data_not_zero(plan):
    jiangning = values()[(JIANGNING, "places_per_1000")]
    assert jiangning.value is None
    assert jiangning.reason == NoDataReason.NO_POPULATION
    assert jiangning.numerator == 50


def test_inclusive_township_coverage_counts_subdistricts_towns_and_townships_only(plan):
    v = values()
    # 3 subdistricts; the park (kind other) with an inclusive institution is left out of both sides.
    assert (
        v[(PROVINCE, "inclusive_township_coverage")].numerator,
        v[(PROVINCE, "inclusive_township_coverage")].denominator,
    ) == (1, 3)
    assert v[(NANJING, "inclusive_township_coverage")].value == 50
    assert v[(XUANWU, "inclusive_township_coverage")].value == 0
    assert v[(JIANGNING, "inclusive_township_coverage")].value == 100


def test_inclusive_follows_designation_dates(plan):
    jiangning_inst = plan.institutions["inst_jiangning"]
    designate(jiangning_inst, DesignationKind.INCLUSIVE, dt.date(2024, 3, 1), revoked_on=dt.date(2025, 3, 1))
    # With a designation on record, the dates decide (the flag alone no longer counts).
    assert values(dt.date(2024, 6, 1))[(JIANGNING, "inclusive_township_coverage")].value == 100
    assert values(dt.date(2025, 6, 1))[(JIANGNING, "inclusive_township_coverage")].value == 0


def test_demonstration_county_coverage_as_of_date(plan):
    assert values()[(PROVINCE, "demonstration_county_coverage")].value == pytest.approx(33.3333)
    assert values()[(NANJING, "demonstration_county_coverage")].value == 50
    assert values(dt.date(2023, 12, 31))[(PROVINCE, "demonstration_county_coverage")].value == 0


def test_public_county_coverage_and_service_centres(plan):
    v = values()
    assert v[(PROVINCE, "public_county_coverage")].value == pytest.approx(33.3333)
    assert v[(XISHAN, "public_county_coverage")].value == 100
    assert v[(PROVINCE, "service_centres")].value == 1
    assert v[(WUXI, "service_centres")].value == 1
    assert v[(NANJING, "service_centres")].value == 0
    assert v[(PROVINCE, "service_centre_city_coverage")].value == 50


def test_no_designation_of_a_kind_on_record_is_no_data(world):
    v = values()
    assert v[(PROVINCE, "demonstration_county_coverage")].reason == NoDataReason.NO_RECORDS
    assert v[(PROVINCE, "service_centres")].value is None


def test_inclusive_places_share(plan):
    v = values()
    assert v[(PROVINCE, "inclusive_places_share")].value == 40
    assert v[(XUANWU, "inclusive_places_share")].value == pytest.approx(27.2727)


def test_undated_institutions_count_when_operating_and_registered_by_the_date(plan):
    wuxi = plan.institutions["inst_wuxi"]
    Institution.objects.filter(pk=wuxi.pk).update(created_at=dt.datetime(2025, 6, 2, 9, tzinfo=ZONE))
    assert values()[(WUXI, "places_per_1000")].numerator == 0
    assert values(dt.date(2025, 6, 2))[(WUXI, "places_per_1000")].numerator == 40
    Institution.objects.filter(pk=wuxi.pk).update(status=OperatingStatus.CLOSED)
    assert values(dt.date(2025, 6, 2))[(WUXI, "places_per_1000")].numerator == 0


def test_operating_dates_decide_when_present(plan):
    wuxi = plan.institutions["inst_wuxi"]
    Institution.objects.filter(pk=wuxi.pk).update(operating_since=dt.date(2025, 6, 2))
    assert values()[(WUXI, "places_per_1000")].numerator == 0  # entered in 2020, but opened later
    assert values(dt.date(2025, 6, 2))[(WUXI, "places_per_1000")].numerator == 40


def test_a_closed_institution_counts_between_its_dates(plan):
    wuxi = plan.institutions["inst_wuxi"]
    Institution.objects.filter(pk=wuxi.pk).update(
        status=OperatingStatus.CLOSED, operating_since=dt.date(2024, 1, 1), closed_on=dt.date(2025, 6, 2)
    )
    assert values(dt.date(2023, 12, 31))[(WUXI, "places_per_1000")].numerator == 0
    assert values()[(WUXI, "places_per_1000")].numerator == 40  # 2025-06-01: still open
    assert values(dt.date(2025, 6, 2))[(WUXI, "places_per_1000")].numerator == 0  # closed that day
    # Closed without a start date (never operated, or unknown): on no day.
    Institution.objects.filter(pk=wuxi.pk).update(operating_since=None)
    assert values()[(WUXI, "places_per_1000")].numerator == 0


def test_a_suspended_institution_counts_on_no_day(plan):
    wuxi = plan.institutions["inst_wuxi"]
    Institution.objects.filter(pk=wuxi.pk).update(
        status=OperatingStatus.SUSPENDED, operating_since=dt.date(2024, 1, 1)
    )
    assert values()[(WUXI, "places_per_1000")].numerator == 0


def test_workforce_counts_people_with_a_job_open_on_the_date(plan):
    inst = plan.institutions["inst_xuanwu"]
    employ(inst, 1, role="caregiver", start_on=dt.date(2024, 1, 1))
    employ(inst, 2, role="head", start_on=dt.date(2024, 1, 1))
    ended = employ(inst, 3, role="caregiver", start_on=dt.date(2024, 1, 1))
    ended.end_on = dt.date(2025, 6, 1)  # ended on the date: not counted that day
    ended.save()
    employ(plan.institutions["inst_wuxi"], 4, role="caregiver", start_on=dt.date(2025, 6, 2))
    v = values()
    assert v[(PROVINCE, "workforce")].value == 2
    assert v[(PROVINCE, "caregivers")].value == 1
    assert v[(MEIYUAN, "workforce")].value == 2
    assert v[(WUXI, "workforce")].value == 0
    assert values(dt.date(2025, 5, 31))[(XUANWU, "workforce")].value == 3


def test_workforce_without_any_record_is_no_data(plan):
    assert values()[(PROVINCE, "workforce")].reason == NoDataReason.NO_RECORDS


def _base(region, level, accredited_on=dt.date(2024, 1, 1), **extra):
    return TrainingBase.objects.create(
        name=f"{region.name}实训基地", level=level, region=region, capacity=50,
        accredited_by="卫健委", accredited_on=accredited_on, **extra,
    )  # fmt: skip


def test_training_base_coverage_counts_province_cities_and_counties_at_their_own_level(plan):
    r = plan.regions
    _base(r["province"], "province")
    _base(r["nanjing"], "city")
    _base(r["wuxi"], "city", active=False)
    _base(r["xuanwu"], "county", accreditation_ends_on=dt.date(2025, 1, 1))
    v = values()
    # Province: itself, 2 cities, 3 counties = 6 units; covered: the province and 南京市.
    assert (
        v[(PROVINCE, "training_base_coverage")].numerator,
        v[(PROVINCE, "training_base_coverage")].denominator,
    ) == (2, 6)
    assert v[(NANJING, "training_base_coverage")].value == pytest.approx(33.3333)
    assert v[(WUXI, "training_base_coverage")].value == 0
    assert values(dt.date(2024, 6, 1))[(XUANWU, "training_base_coverage")].value == 100


def _project(township, name, **fields):
    return ResidentialProject.objects.create(
        county_id=township.parent_id, township=township, name=name, homes=500, **fields
    )


def test_new_residential_coverage(plan):
    meiyuan = plan.regions["meiyuan"]
    _project(meiyuan, "甲", delivered_on=dt.date(2024, 1, 1), has_childcare_facility=True,
             facility_status=FacilityStatus.ACCEPTED, facility_planned_on=dt.date(2021, 1, 1),
             facility_built_on=dt.date(2023, 1, 1), facility_accepted_on=dt.date(2023, 12, 1))  # fmt: skip
    _project(meiyuan, "乙", delivered_on=dt.date(2024, 6, 1))
    _project(meiyuan, "丙", has_childcare_facility=True, facility_status=FacilityStatus.PLANNED,
             facility_planned_on=dt.date(2024, 1, 1))  # fmt: skip
    v = values()
    assert (
        v[(XUANWU, "new_residential_coverage")].numerator,
        v[(XUANWU, "new_residential_coverage")].denominator,
    ) == (1, 2)
    assert v[(PROVINCE, "new_residential_coverage")].value == 50
    assert v[(MEIYUAN, "new_residential_coverage")].value == 50
    early = values(dt.date(2023, 6, 1))[(XUANWU, "new_residential_coverage")]
    assert early.value is None and early.reason == NoDataReason.EMPTY


def test_fifteen_minute_coverage_excludes_and_counts_communities_without_a_point(plan):
    from tuoyu.regions.models import Region

    meiyuan = plan.regions["meiyuan"]
    Region.objects.filter(code="320102002001").update(lat=32.055, lng=118.80)  # ~560 m from inst_xuanwu
    RegionFactory(code="320102002002", name="远处社区", level="community", kind="residents_committee",
                  parent=meiyuan, lat=32.10, lng=118.80)  # ~5.6 km  # fmt: skip
    RegionFactory(
        code="320102002003", name="无点社区", level="community", kind="residents_committee", parent=meiyuan
    )
    value = values()[(MEIYUAN, "fifteen_minute_coverage")]
    assert (value.numerator, value.denominator, value.excluded) == (1, 2, 1)
    assert values()[(PROVINCE, "fifteen_minute_coverage")].value == 50


def test_indicators_without_a_data_source_are_no_data(plan):
    for key in ("community_facility_coverage", "enrolment_rate"):
        value = values()[(PROVINCE, key)]
        assert value.value is None and value.reason == NoDataReason.NO_SOURCE


def test_occupancy_counts_children_holding_a_place_on_the_date(plan):
    from tuoyu.children.models import Enrolment

    children = plan.children
    Enrolment.objects.filter(child=children["own_child"]).update(start_on=dt.date(2025, 1, 1))
    Enrolment.objects.filter(child=children["other_child"]).update(
        start_on=dt.date(2025, 1, 1), left_on=dt.date(2025, 5, 31)
    )
    Enrolment.objects.filter(child=children["jiangning_child"]).update(start_on=dt.date(2025, 6, 2))
    v = values()
    xuanwu = v[(XUANWU, "occupancy_rate")]
    assert (xuanwu.numerator, xuanwu.denominator) == (1, 110)
    assert xuanwu.value == pytest.approx(round(1 / 110 * 100, 4))
    assert v[(JIANGNING, "occupancy_rate")].value == 0
    assert values(dt.date(2025, 6, 2))[(JIANGNING, "occupancy_rate")].numerator == 1


def test_occupancy_without_any_enrolment_is_no_data(plan):
    from tuoyu.children.models import Enrolment

    Enrolment.objects.all().delete()
    assert values()[(PROVINCE, "occupancy_rate")].reason == NoDataReason.NO_RECORDS


def test_subtree_computation_matches_the_full_one(plan):
    from tuoyu.regions.models import Region

    full = values()
    part = values(root=Region.objects.get(code=NANJING))
    assert {code for code, _key in part} == {
        NANJING,
        XUANWU,
        JIANGNING,
        MEIYUAN,
        "320115001000",
        "320102400000",
    }
    for key, value in part.items():
        assert full[key] == value, key


def test_query_count_does_not_grow_with_regions_or_institutions(plan):
    employ(plan.institutions["inst_xuanwu"], 1)
    with CaptureQueriesContext(connection) as small:
        compute_indicators(DAY)
    county = RegionFactory(
        code="320113000000", name="栖霞区", level="county", kind="district", parent=plan.regions["nanjing"]
    )
    for n in range(1, 6):
        township = RegionFactory(
            code=f"320113{n:03d}000", name=f"街道{n}", level="township", kind="subdistrict", parent=county
        )
        for _ in range(3):
            InstitutionFactory(township=township, places=20)
    with CaptureQueriesContext(connection) as large:
        compute_indicators(DAY)
    assert len(large.captured_queries) == len(small.captured_queries) <= 25
