"""Regions API: public reference data with population."""

from __future__ import annotations

import pytest


@pytest.mark.django_db
def test_region_detail_gives_code_name_level_kind_parent_and_population(client, world):
    body = client.get("/api/v1/regions/320100000000").json()
    assert body | {"lat": None, "lng": None} == {
        "code": "320100000000",
        "name": "南京市",
        "level": "city",
        "kind": "prefecture_city",
        "parent_code": "320000000000",
        "population": 9314685,
        "lat": None,
        "lng": None,
    }


@pytest.mark.django_db
def test_province_population_is_the_sum_of_its_cities(client, world):
    assert client.get("/api/v1/regions/320000000000").json()["population"] == 9314685 + 7462135


@pytest.mark.django_db
def test_children_are_listed_in_code_order(client, world):
    body = client.get("/api/v1/regions/320100000000/children").json()
    assert [r["name"] for r in body] == ["玄武区", "江宁区"]
    assert body[0]["population"] is None  # no county figure: unknown, not zero


@pytest.mark.django_db
def test_unknown_region_answers_404_with_detail(client, world):
    response = client.get("/api/v1/regions/999999999999")
    assert response.status_code == 404 and "detail" in response.json()


def test_boundaries_are_served_as_geojson(client):
    response = client.get("/api/v1/regions/boundaries")
    assert response["Content-Type"] == "application/geo+json"
    assert len(response.json()["features"]) == 95
