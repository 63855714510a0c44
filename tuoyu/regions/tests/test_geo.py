"""Tests of the shipped county boundaries and the point -> county lookup (no database)."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import pytest

from tuoyu.regions.geo import DEFAULT_BOUNDARIES_FILE, CountyBoundaries

DIVISIONS_CSV = Path(__file__).resolve().parents[1] / "data" / "jiangsu_divisions.csv"
XUANWU = "320102000000"  # 南京市玄武区


@pytest.fixture(scope="module")
def boundaries() -> CountyBoundaries:
    # The shipped file directly, so the tests do not depend on Django settings.
    return CountyBoundaries.from_file(DEFAULT_BOUNDARIES_FILE)


def test_point_in_nanjing_is_in_xuanwu(boundaries: CountyBoundaries) -> None:
    assert boundaries.county_at(118.797, 32.058) == XUANWU
    assert boundaries.name(XUANWU) == "玄武区"
    assert boundaries.distance_deg(XUANWU, 118.797, 32.058) == 0


def test_point_in_the_yellow_sea_is_in_no_county(boundaries: CountyBoundaries) -> None:
    assert boundaries.county_at(123.0, 33.0) is None
    assert boundaries.counties_at([(123.0, 33.0)]) == [None]
    assert boundaries.distance_deg(XUANWU, 123.0, 33.0) > 1


def test_bulk_lookup_agrees_with_single_lookups(boundaries: CountyBoundaries) -> None:
    rng = random.Random(20240601)
    # Jiangsu's bounding box, so both inside and outside points are tried.
    points = [(rng.uniform(116.3, 122.0), rng.uniform(30.7, 35.2)) for _ in range(3000)]

    bulk = boundaries.counties_at(points)

    assert bulk == [boundaries.county_at(lng, lat) for lng, lat in points]
    found = {code for code in bulk if code is not None}
    assert len(found) > 50  # the points really landed in many counties
    assert None in bulk


def test_random_points_in_a_county_map_back_to_it(boundaries: CountyBoundaries) -> None:
    for code in (XUANWU, "320282000000", "320904000000"):  # 玄武区, 宜兴市, 大丰区
        points = boundaries.random_points_in(code, 200, random.Random(7))
        assert len(points) == 200
        assert boundaries.counties_at(points) == [code] * 200


def test_random_points_are_deterministic_for_a_seed(boundaries: CountyBoundaries) -> None:
    first = boundaries.random_points_in(XUANWU, 50, random.Random(42))
    assert boundaries.random_points_in(XUANWU, 50, random.Random(42)) == first
    assert boundaries.random_points_in(XUANWU, 50, random.Random(43)) != first


def test_random_points_in_a_given_geometry_stay_inside_it(boundaries: CountyBoundaries) -> None:
    geom = boundaries.geometry(XUANWU)
    assert geom is not None
    points = boundaries.random_points_in(geom, 100, random.Random(1))
    assert all(boundaries.distance_deg(XUANWU, lng, lat) == 0 for lng, lat in points)


def test_unknown_code_has_no_geometry(boundaries: CountyBoundaries) -> None:
    # 苏州工业园区 is an economic zone in the statistical codes, without a boundary of its own.
    assert boundaries.geometry("320576000000") is None
    with pytest.raises(KeyError):
        boundaries.distance_deg("320576000000", 120.7, 31.3)


def test_shipped_file_has_95_counties_all_in_the_divisions_table(boundaries: CountyBoundaries) -> None:
    data = json.loads(boundaries.geojson_text())
    with DIVISIONS_CSV.open(encoding="utf-8") as f:
        counties = {row["code"]: row["name"] for row in csv.DictReader(f) if row["level"] == "county"}

    codes = [feature["properties"]["code"] for feature in data["features"]]

    assert len(codes) == 95
    assert len(set(codes)) == 95
    assert sorted(codes) == boundaries.codes()
    assert set(codes) <= counties.keys()
    for feature in data["features"]:
        assert feature["properties"]["name"] == counties[feature["properties"]["code"]]
    assert "审图号" in data["source"]["notice"]
