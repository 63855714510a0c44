"""GET /api/v1/indicators: values against targets, snapshot or on the fly, scoping and field errors."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from tuoyu.planning import services
from tuoyu.planning.models import IndicatorSnapshot

from .factories import build_plan_world


def client_for(world, persona: str) -> Client:
    client = Client()
    client.force_login(world.user(persona))
    return client


@pytest.fixture
def plan(world):
    build_plan_world(world)
    return world


def test_province_official_gets_every_indicator_with_target(plan):
    response = client_for(plan, "province_official").get(
        "/api/v1/indicators?region=320000000000&date=2025-06-01"
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["region"], body["date"], body["source"]) == ("320000000000", "2025-06-01", "computed")
    items = {i["key"]: i for i in body["indicators"]}
    assert {"places_per_1000", "inclusive_township_coverage", "demonstration_county_coverage",
            "new_residential_coverage", "service_centres", "workforce",
            "training_base_coverage"} <= set(items)  # fmt: skip
    places = items["places_per_1000"]
    assert places["numerator"] == 200 and places["unit"] == "per_1000"
    assert places["target"]["value"] == 4.5 and places["target"]["comparison"] == "about"
    assert places["met"] is False
    assert items["enrolment_rate"]["value"] is None and items["enrolment_rate"]["reason"] == "no_source"
    assert not IndicatorSnapshot.objects.exists()  # computed on the fly, not stored


def test_snapshot_is_used_when_the_date_has_one(plan):
    services.indicators_recompute(as_of=dt.date(2025, 6, 1))
    IndicatorSnapshot.objects.filter(region_id="320102000000", key="places_per_1000").update(value=9.99)
    body = (
        client_for(plan, "county_official")
        .get("/api/v1/indicators?region=320102000000&date=2025-06-01")
        .json()
    )
    assert body["source"] == "snapshot"
    assert {i["key"]: i["value"] for i in body["indicators"]}["places_per_1000"] == 9.99


def test_other_county_official_gets_404_for_a_county_they_do_not_cover(plan):
    response = client_for(plan, "other_county_official").get("/api/v1/indicators?region=320102000000")
    assert response.status_code == 404
    assert (
        client_for(plan, "other_county_official").get("/api/v1/indicators?region=320115000000").status_code
        == 200
    )


@pytest.mark.parametrize(
    ("query", "field"),
    [("region=320000000000&date=2025-02-30", "date"), ("region=320000000000&date=2999-01-01", "date"),
     ("region=3200&date=2025-01-01", "region"), ("date=2025-01-01", "region"),
     ("region=320102002001", "region")],
)  # fmt: skip
def test_bad_code_or_date_answers_422_naming_the_field(plan, query, field):
    response = client_for(plan, "province_official").get(f"/api/v1/indicators?{query}")
    assert response.status_code == 422
    assert field in response.json()["detail"][0]["loc"]


def test_non_officials_403_and_anonymous_401(plan):
    assert client_for(plan, "parent").get("/api/v1/indicators?region=320000000000").status_code == 403
    assert client_for(plan, "director").get("/api/v1/indicators?region=320000000000").status_code == 403
    assert Client().get("/api/v1/indicators?region=320000000000").status_code == 401
