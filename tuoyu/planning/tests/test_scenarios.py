"""Scenario mode and suggested sites on small hand-built data with known answers.

On top of the plan world (tests/factories.py): 玄武区 (400,000 residents in 2024) has 梅园新村街道 with
inst_xuanwu (80 places, not inclusive, at 32.05, 118.80) and the park 玄武科技园 (kind other, an
inclusive institution of 30 places). Its communities, all in 梅园新村街道:

    C  32.055, 118.800   ~560 m from inst_xuanwu: covered
    U  32.070, 118.820   uncovered, alone
    B1 32.040, 118.850   uncovered ┐ 230 m apart, ~5 km from everything else
    B2 32.042, 118.852   uncovered ┘
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from tuoyu.core.tests.factories import RegionFactory
from tuoyu.planning.scenarios import (
    MAX_ADDITIONS,
    AdditionInput,
    ScenarioInvalid,
    resident_estimates,
    scenario_effect,
    suggest_sites,
)
from tuoyu.regions.models import Region

from .factories import build_plan_world

DAY = dt.date(2025, 6, 1)
XUANWU, MEIYUAN, PARK, NANJING = "320102000000", "320102002000", "320102400000", "320100000000"
B_MIDDLE = {"lat": 32.041, "lng": 118.851}  # within 1 km of B1 and B2 only


def community(code: str, lat: float, lng: float) -> Region:
    return RegionFactory(
        code=code, name=f"社区{code[-3:]}", level="community", kind="residents_committee",
        parent=Region.objects.get(code=MEIYUAN), lat=lat, lng=lng,
    )  # fmt: skip


@pytest.fixture
def plan(world):
    build_plan_world(world)
    Region.objects.filter(code=MEIYUAN).update(lat=32.05, lng=118.80)
    Region.objects.filter(code=PARK).update(lat=32.10, lng=118.88)
    Region.objects.filter(code="320102002001").update(lat=32.055, lng=118.80)  # C
    community("320102002004", 32.070, 118.820)  # U
    community("320102002007", 32.040, 118.850)  # B1
    community("320102002008", 32.042, 118.852)  # B2
    return world


def xuanwu() -> Region:
    return Region.objects.get(code=XUANWU)


def changes(effect, code=None):
    if code is None:
        return {c.key: c for c in effect.indicators}
    region = next(r for r in effect.sub_regions if r.code == code)
    return {c.key: c for c in region.changes}


# -- the effect --------------------------------------------------------------------------------------


def test_a_centre_covering_two_of_three_uncovered_communities_raises_coverage_by_exactly_that(plan):
    effect = scenario_effect(xuanwu(), [AdditionInput(places=50, **B_MIDDLE)], DAY)
    assert (effect.coverage_before.covered, effect.coverage_before.total) == (1, 4)
    assert (effect.coverage_after.covered, effect.coverage_after.total) == (3, 4)
    coverage = changes(effect)["fifteen_minute_coverage"]
    assert (coverage.value_before, coverage.value_after, coverage.delta) == (25, 75, 50)
    assert [c.code for c in effect.newly_covered] == ["320102002007", "320102002008"]
    assert effect.additions[0].township_code == MEIYUAN  # the nearest township point


def test_places_per_1000_changes_by_places_over_population(plan):
    effect = scenario_effect(xuanwu(), [AdditionInput(places=100, **B_MIDDLE)], DAY)
    places = changes(effect)["places_per_1000"]
    assert (places.before.numerator, places.after.numerator) == (110, 210)
    assert places.after.denominator == 400_000
    assert places.delta == pytest.approx(100 / 400_000 * 1000)


def test_an_inclusive_centre_in_a_township_without_one_raises_inclusive_township_coverage(plan):
    inclusive = scenario_effect(xuanwu(), [AdditionInput(places=40, inclusive=True, **B_MIDDLE)], DAY)
    coverage = changes(inclusive)["inclusive_township_coverage"]
    assert (coverage.value_before, coverage.value_after) == (0, 100)
    share = changes(inclusive)["inclusive_places_share"]
    assert (share.before.numerator, share.after.numerator, share.after.denominator) == (30, 70, 150)
    assert changes(inclusive, MEIYUAN)["inclusive_places_share"].value_after == pytest.approx(
        40 / 120 * 100, 1e-3
    )

    not_inclusive = scenario_effect(xuanwu(), [AdditionInput(places=40, inclusive=False, **B_MIDDLE)], DAY)
    assert not changes(not_inclusive)["inclusive_township_coverage"].changed


def test_an_inclusive_centre_in_a_park_does_not_count_for_township_coverage(plan):
    effect = scenario_effect(
        xuanwu(), [AdditionInput(places=40, inclusive=True, lat=32.1, lng=118.879, township=PARK)], DAY
    )
    assert effect.additions[0].township_code == PARK
    assert not changes(effect)["inclusive_township_coverage"].changed
    assert changes(effect)["places_per_1000"].changed


def test_places_at_an_existing_institution_keep_its_inclusive_status(plan):
    inst = plan.institutions["inst_xuanwu"]
    effect = scenario_effect(xuanwu(), [AdditionInput(places=20, institution=inst.pk, inclusive=True)], DAY)
    assert effect.additions[0].institution_name == inst.name
    assert changes(effect)["places_per_1000"].after.numerator == 130
    share = changes(effect)["inclusive_places_share"]  # inst_xuanwu is not inclusive: only the whole grows
    assert (share.after.numerator, share.after.denominator) == (30, 130)
    assert not changes(effect)["inclusive_township_coverage"].changed
    assert not changes(effect)["fifteen_minute_coverage"].changed  # its point already served


def test_a_city_scenario_lists_the_sub_regions_that_change(plan):
    effect = scenario_effect(Region.objects.get(code=NANJING), [AdditionInput(places=100, **B_MIDDLE)], DAY)
    assert [r.code for r in effect.sub_regions] == [XUANWU, MEIYUAN]
    assert changes(effect, XUANWU)["places_per_1000"].after.numerator == 210
    assert changes(effect)["places_per_1000"].after.numerator == 260  # 南京市: 80 + 30 + 50 + 100


def test_no_addition_changes_nothing(plan):
    effect = scenario_effect(xuanwu(), [], DAY)
    assert not any(c.changed for c in effect.indicators)
    assert effect.sub_regions == [] and effect.newly_covered == []


def test_scenario_writes_nothing(plan):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        scenario_effect(xuanwu(), [AdditionInput(places=100, inclusive=True, **B_MIDDLE)], DAY)
    writes = [
        q["sql"] for q in queries.captured_queries if not q["sql"].lstrip().upper().startswith("SELECT")
    ]
    assert writes == []


# -- validation --------------------------------------------------------------------------------------


def problems(region, additions):
    with pytest.raises(ScenarioInvalid) as caught:
        scenario_effect(region, additions, DAY)
    return {p.loc: p.msg for p in caught.value.problems}


def test_validation_names_each_wrong_field(plan, english):
    found = problems(
        xuanwu(),
        [
            AdditionInput(places=10, lat=31.95, lng=118.85),  # 江宁区
            AdditionInput(places=0, **B_MIDDLE),
            AdditionInput(places=2001, lat=32.041),
            AdditionInput(places=10, institution=plan.institutions["inst_jiangning"].pk),
            AdditionInput(places=10, township="320115001000", **B_MIDDLE),
        ],
    )
    assert "outside 玄武区" in found[("additions", 0, "lat")]
    assert "between 1 and 2000" in found[("additions", 1, "places")]
    assert "between 1 and 2000" in found[("additions", 2, "places")]
    assert ("additions", 2, "lng") in found
    assert ("additions", 3, "institution") in found
    assert ("additions", 4, "township") in found


def test_too_many_additions_and_a_township_region_are_refused(plan):
    many = [AdditionInput(places=1, **B_MIDDLE)] * (MAX_ADDITIONS + 1)
    assert ("additions",) in problems(xuanwu(), many)
    assert ("region",) in problems(Region.objects.get(code=MEIYUAN), [])


# -- suggested sites ---------------------------------------------------------------------------------


def test_greedy_picks_the_site_covering_most_first(plan):
    community("320102002005", 32.072, 118.822)  # with U: a cluster of three
    community("320102002006", 32.068, 118.826)
    result = suggest_sites(xuanwu(), 3, as_of=DAY)
    assert (result.communities, result.uncovered_before) == (6, 5)
    first, second = result.sites  # nothing is left to cover after two
    assert first.communities == 3 and first.code == "320102002004"  # ties go to the lowest code
    assert set(first.covered_codes) == {"320102002004", "320102002005", "320102002006"}
    assert second.communities == 2 and set(second.covered_codes) == {"320102002007", "320102002008"}
    # 400,000 residents of 玄武区 split evenly over its 6 communities.
    assert first.residents == round(3 * 400_000 / 6)
    assert result.residents_uncovered_before == round(5 * 400_000 / 6)
    assert result.uncovered_after == 0


def test_suggestions_count_the_scenario_additions_as_places(plan):
    from tuoyu.planning.compute import Addition

    result = suggest_sites(
        xuanwu(), 3, as_of=DAY, additions=[Addition(MEIYUAN, 10, False, B_MIDDLE["lat"], B_MIDDLE["lng"])]
    )
    assert result.uncovered_before == 1
    assert [s.code for s in result.sites] == ["320102002004"]


def test_residents_come_from_the_nearest_region_with_a_figure(plan):
    # 江宁区 has no figure of its own: its community gets an even share of 南京市's 9,314,685 over all of
    # 南京市's communities (the 4 of 玄武区 and this one).
    RegionFactory(code="320115001001", name="东山社区", level="community", kind="residents_committee",
                  parent=Region.objects.get(code="320115001000"), lat=31.95, lng=118.85)  # fmt: skip
    from tuoyu.planning.compute import community_points

    jiangning = Region.objects.get(code="320115000000")
    estimates, basis = resident_estimates(jiangning, community_points(jiangning), DAY)
    assert basis == {"city": 1}
    assert estimates[0] == pytest.approx(9_314_685 / 5)


# -- API ---------------------------------------------------------------------------------------------


def api(world, persona, body=None, query=""):
    client = Client()
    if persona != "anonymous":
        client.force_login(world.user(persona))
    if body is not None:
        return client.post("/api/v1/planning/scenarios", body, content_type="application/json")
    return client.get(f"/api/v1/planning/scenarios/suggestions?{query}")


def test_api_returns_before_and_after(plan):
    response = api(
        plan, "county_official",
        {"region": XUANWU, "additions": [{"places": 100, "inclusive": True, **B_MIDDLE}]},
    )  # fmt: skip
    assert response.status_code == 200, response.content
    body = response.json()
    items = {i["key"]: i for i in body["indicators"]}
    assert items["places_per_1000"]["change"] == pytest.approx(0.25)
    assert body["fifteen_minute"]["before"] == {"covered": 1, "total": 4, "value": 25.0}
    assert body["fifteen_minute"]["after"]["covered"] == 3
    assert [c["code"] for c in body["newly_covered"]] == ["320102002007", "320102002008"]
    assert body["additions"][0]["township"] == MEIYUAN
    assert [r["region"] for r in body["sub_regions"]] == [MEIYUAN]


def test_api_point_outside_region_is_422_naming_the_field(plan):
    response = api(
        plan,
        "county_official",
        {"region": XUANWU, "additions": [{"places": 10, "lat": 31.95, "lng": 118.85}]},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "additions", 0, "lat"]


@pytest.mark.parametrize(
    "body",
    [
        {"region": XUANWU, "additions": [{"places": "many", "lat": 32.0, "lng": 118.8}]},
        {"region": XUANWU, "additions": [{"places": 10}]},
        {"region": XUANWU, "additions": [{"places": 10, "lat": 1e308, "lng": -1e308}]},
        {"region": XUANWU, "date": "2999-01-01", "additions": []},
        {"region": XUANWU, "date": "yesterday"},
        {"region": MEIYUAN, "additions": []},
        {"region": "32", "additions": []},
        {"region": XUANWU, "additions": [{"places": 1, **B_MIDDLE}] * (MAX_ADDITIONS + 1)},
        {"region": XUANWU, "additions": [{"places": 5, "institution": 999999}]},
    ],
)
def test_api_bad_input_is_422_never_500(plan, body):
    assert api(plan, "county_official", body).status_code == 422


def test_api_scoping(plan):
    body = {"region": XUANWU, "additions": []}
    assert api(plan, "other_county_official", body).status_code == 404
    assert api(plan, "county_official", {"region": "320102999000", "additions": []}).status_code == 404
    assert api(plan, "director", body).status_code == 403
    assert api(plan, "anonymous", body).status_code == 401
    assert api(plan, "other_county_official", query=f"region={XUANWU}&n=2").status_code == 404
    assert api(plan, "director", query=f"region={XUANWU}&n=2").status_code == 403
    assert api(plan, "city_official", query=f"region={XUANWU}&n=2").status_code == 200


def test_api_suggestions(plan):
    response = api(plan, "county_official", query=f"region={XUANWU}&n=1")
    assert response.status_code == 200
    body = response.json()
    assert body["uncovered_before"] == 3 and body["uncovered_after"] == 1
    assert body["sites"][0]["covered"] == ["320102002007", "320102002008"]
    assert body["residents_note"]
    for bad in ("n=0", "n=51", "n=x", "radius_m=10", "date=2999-01-01"):
        assert api(plan, "county_official", query=f"region={XUANWU}&{bad}").status_code == 422, bad


# -- the page ----------------------------------------------------------------------------------------


def page(world, persona, query):
    client = Client()
    client.force_login(world.user(persona))
    client.cookies["django_language"] = "en"
    return client.get(f"{reverse('planning:scenario')}?{query}")


def test_page_without_script_shows_before_and_after_for_the_rows(plan):
    response = page(plan, "county_official", f"region={XUANWU}&lat=32.041&lng=118.851&places=100&inclusive=1"
                    "&lat=&lng=&places=&inclusive=1&institution=&institution=")  # fmt: skip
    assert response.status_code == 200
    html = response.content.decode()
    effect = response.context["effect"]
    assert changes(effect)["places_per_1000"].delta == pytest.approx(0.25)
    assert "Communities with a place within 1000 m in a straight line: 1 → 3 of 4." in html
    assert "梅园新村街道" in html  # the row's township
    assert 'data-key="places_per_1000" class="changed"' in html


def test_page_shows_field_errors_on_their_row(plan):
    response = page(plan, "county_official", f"region={XUANWU}&lat=31.95&lng=118.85&places=10&inclusive=0"
                    "&lat=abc&lng=118.8&places=10&inclusive=0")  # fmt: skip
    assert response.status_code == 200
    rows = response.context["rows"]
    assert rows[1]["errors"]["lat"] == ["Enter a number."]
    assert response.context["invalid"]
    response = page(plan, "county_official", f"region={XUANWU}&lat=31.95&lng=118.85&places=10&inclusive=0")
    assert "The point is outside 玄武区." in response.content.decode()


def test_page_suggests_sites_and_links_them_into_the_scenario(plan):
    response = page(plan, "county_official", f"region={XUANWU}&suggest=2")
    sites = response.context["site_rows"]
    assert [s.communities for s, _url in sites] == [2, 1]
    add_url = sites[0][1]
    after = page(plan, "county_official", add_url.split("?", 1)[1])
    assert after.context["effect"].coverage_after.covered == 3
    assert [s.communities for s, _url in after.context["site_rows"]] == [1]  # the next one


def test_page_scoping(plan):
    assert page(plan, "other_county_official", f"region={XUANWU}").status_code == 404
    assert page(plan, "county_official", f"region={MEIYUAN}").status_code == 404
    assert page(plan, "director", f"region={XUANWU}").status_code == 403


def test_indicators_page_links_to_the_scenario(plan):
    client = Client()
    client.force_login(plan.user("county_official"))
    response = client.get(f"{reverse('planning:indicators')}?region={XUANWU}")
    assert f"{reverse('planning:scenario')}?region={XUANWU}" in response.content.decode()
