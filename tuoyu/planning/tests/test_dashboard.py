"""The planning dashboard on the small hand-built world (tests/factories.py), with known answers.

玄武区 (梅园新村街道: inst_xuanwu 80, demonstration; 玄武科技园 (other): 30 inclusive), 江宁区 (东山街道:
inst_jiangning 50, inclusive), 锡山区 (东亭街道: inst_wuxi 40). Inclusive: 东山 only among the three
subdistricts; demonstration: 玄武区 only.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from tuoyu.planning.dashboard import dashboard_for
from tuoyu.planning.models import IndicatorSnapshot
from tuoyu.planning.services import indicators_recompute
from tuoyu.regions.models import Region, RegionPopulation

from .factories import build_plan_world

DAY = dt.date(2025, 6, 1)
PROVINCE, NANJING, XUANWU, JIANGNING, XISHAN = (
    "320000000000",
    "320100000000",
    "320102000000",
    "320115000000",
    "320205000000",
)
URL = reverse("planning:dashboard")
MAP = "/api/v1/planning/dashboard/map"


def client_for(world, persona: str) -> Client:
    client = Client()
    client.force_login(world.user(persona))
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def plan(world):
    build_plan_world(world)
    RegionPopulation.objects.create(region=world.regions["xishan"], year=2020, population=200_000, source="t")
    return world


def region(code: str) -> Region:
    return Region.objects.get(code=code)


def test_townships_without_an_inclusive_institution_exclude_parks(plan):
    board = dashboard_for(region(PROVINCE), DAY)
    lacking = {t.name for _county, group in board.townships_without_inclusive for t in group}
    # 东山街道 has the inclusive institution; 玄武科技园 (kind other) is not a township for coverage.
    assert lacking == {"梅园新村街道", "东亭街道"}
    assert [county.code for county, _group in board.townships_without_inclusive] == [XUANWU, XISHAN]
    assert board.townships_total == 3


def test_counties_without_a_demonstration_institution(plan):
    board = dashboard_for(region(PROVINCE), DAY)
    assert [c.code for c in board.counties_without_demonstration] == [JIANGNING, XISHAN]
    # Before the designation (2024-01-01) no county had one.
    earlier = dashboard_for(region(PROVINCE), dt.date(2023, 12, 31))
    assert len(earlier.counties_without_demonstration) == 3


def test_scarcity_ranks_counties_by_places_per_1000_with_the_shortfall_to_the_target(plan):
    board = dashboard_for(region(PROVINCE), DAY)
    rows = [(r.region.code, r.places, r.per_1000, r.shortfall) for r in board.scarcity]
    # 锡山区 40 places for 200,000 (0.2‰) is scarcer than 玄武区 110 for 400,000 (0.275‰); 江宁区 has no
    # population figure: last, without a value or a shortfall. Target 4.5‰: 900 − 40 and 1,800 − 110.
    assert rows == [
        (XISHAN, 40, pytest.approx(0.2), 860),
        (XUANWU, 110, pytest.approx(0.275), 1690),
        (JIANGNING, 50, None, None),
    ]
    assert board.scarcity_target is not None and board.scarcity_target.value == 4.5


def test_trend_comes_from_the_snapshots_up_to_the_date(plan):
    for day in (dt.date(2025, 4, 1), dt.date(2025, 5, 1), DAY):
        indicators_recompute(as_of=day)
    IndicatorSnapshot.objects.filter(
        region_id=PROVINCE, key="places_per_1000", as_of=dt.date(2025, 4, 1)
    ).update(value=0.005)
    board = dashboard_for(region(PROVINCE), dt.date(2025, 5, 20))
    assert (board.source, board.as_of) == ("snapshot", dt.date(2025, 5, 1))  # the latest one before
    tile = next(t for t in board.tiles if t.key == "places_per_1000")
    assert [(p.day, p.value) for p in tile.trend] == [
        (dt.date(2025, 4, 1), 0.005),
        (dt.date(2025, 5, 1), pytest.approx(round(200 / 16_776_820 * 1000, 4))),
    ]


def test_without_any_snapshot_the_region_is_computed_once_and_the_page_says_so(plan):
    response = client_for(plan, "province_official").get(f"{URL}?region={PROVINCE}&date=2025-06-01")
    board = response.context["board"]
    assert board.source == "computed" and board.as_of == DAY
    assert not IndicatorSnapshot.objects.exists()  # nothing stored by a page view
    assert "No snapshot of this region yet" in response.content.decode()


def test_subregions_are_ranked_by_the_chosen_indicator(plan):
    indicators_recompute(as_of=DAY)
    board = dashboard_for(region(PROVINCE), DAY, "inclusive_places_share")
    # 南京市: 30 + 50 inclusive of 160 places; 无锡市: 0 of 40.
    assert [(r.region.code, r.value) for r in board.ranking] == [
        (NANJING, pytest.approx(50.0)),
        ("320200000000", 0.0),
    ]


def test_dashboard_page_shows_places_against_target_and_the_gaps(plan):
    indicators_recompute(as_of=DAY)
    response = client_for(plan, "province_official").get(f"{URL}?region={NANJING}&date=2025-06-01")
    assert response.status_code == 200
    text = response.content.decode()
    assert 'data-key="places_per_1000"' in text and "about 4.50 (2021–2025)" in text
    assert "Figures as of 2025-06-01" in text
    assert (
        "梅园新村街道" in text
        and "东山街道" not in text.split('data-testid="townships-without-inclusive"')[1]
    )
    assert f"?region={XUANWU}&amp;indicator=places_per_1000&amp;date=2025-06-01" in text  # drill-down


def test_county_official_sees_only_their_county(plan):
    client = client_for(plan, "county_official")
    response = client.get(URL)
    assert response.context["region"].code == XUANWU  # the default: their own county
    assert client.get(f"{URL}?region={JIANGNING}").status_code == 404
    assert client.get(f"{URL}?region={PROVINCE}").status_code == 404
    assert client.get(f"{MAP}?region={JIANGNING}").status_code == 404


def test_gov_home_leads_to_the_dashboard(plan):
    response = client_for(plan, "county_official").get("/gov/")
    assert response.url == f"{URL}?region={XUANWU}"


def test_map_gives_polygons_for_counties_and_circles_and_institutions_for_a_county(plan):
    indicators_recompute(as_of=DAY)
    client = client_for(plan, "province_official")
    city = client.get(f"{MAP}?region={NANJING}&date=2025-06-01").json()
    counties = {f["properties"]["code"]: f for f in city["features"]}
    assert counties[XUANWU]["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert counties[XUANWU]["properties"]["value"] == pytest.approx(0.275)
    assert (city["target"], city["date"]) == (4.5, "2025-06-01")
    county = client.get(f"{MAP}?region={XUANWU}&date=2025-06-01").json()
    townships = {
        f["properties"]["name"]: f["properties"]
        for f in county["features"]
        if f["properties"]["kind"] == "region"
    }
    assert townships["梅园新村街道"]["has_inclusive"] is False
    assert townships["梅园新村街道"]["places"] == 80
    assert townships["玄武科技园"]["counts_for_coverage"] is False
    assert client.get(f"{MAP}?region={XUANWU}&indicator=nonsense").status_code == 422


def test_province_map_unites_counties_into_cities(plan):
    indicators_recompute(as_of=DAY)
    data = client_for(plan, "province_official").get(f"{MAP}?region={PROVINCE}").json()
    cities = {f["properties"]["code"]: f["geometry"] for f in data["features"]}
    assert cities[NANJING]["type"] in ("Polygon", "MultiPolygon")
    assert data["child_level"] == "city"


def test_dashboard_query_budget(plan, django_assert_max_num_queries):
    indicators_recompute(as_of=DAY)
    client = client_for(plan, "province_official")
    with django_assert_max_num_queries(16):
        assert client.get(f"{URL}?region={PROVINCE}").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(f"{MAP}?region={XUANWU}").status_code == 200
