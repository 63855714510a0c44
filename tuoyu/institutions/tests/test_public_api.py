"""The public API: filed institutions near a point, with filters, never anything unfiled or closed."""

from __future__ import annotations

import math
import random

import pytest

from tuoyu.core.tests.factories import InstitutionFactory
from tuoyu.institutions import spatial
from tuoyu.institutions.choices import FilingStatus, InstitutionType, OperatingStatus
from tuoyu.institutions.models import Institution

URL = "/api/v1/public/institutions"
HERE = (32.05, 118.80)  # inst_xuanwu of the persona world stands exactly here
# On a sphere of the haversine radius, 0.01° along a meridian is R·π/180·0.01 metres.
METRES_PER_0_01_DEG_LAT = spatial.EARTH_RADIUS_M * math.pi / 180 * 0.01  # 1111.95 m


def _near(client, lat=HERE[0], lng=HERE[1], **params):
    query = {"near": f"{lat},{lng}", **params}
    response = client.get(URL, query)
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def around(world):
    """Institutions at known offsets from HERE, in 梅园新村街道."""
    township = world.regions["meiyuan"]
    return {
        "north_1112": InstitutionFactory(name="北托育", township=township, lat=HERE[0] + 0.01, lng=HERE[1]),
        "north_556": InstitutionFactory(name="近北托育", township=township, lat=HERE[0] + 0.005, lng=HERE[1]),
        "east_283": InstitutionFactory(name="东托育", township=township, lat=HERE[0], lng=HERE[1] + 0.003),
    }


def test_nearest_first_with_haversine_distance_within_a_metre(client, world, around):
    body = _near(client, radius_m=2000)
    names = [i["name"] for i in body["items"]]
    assert names == ["梅园托育中心", "东托育", "近北托育", "北托育"]
    distances = {i["name"]: i["distance_m"] for i in body["items"]}
    east = METRES_PER_0_01_DEG_LAT * 0.3 * math.cos(math.radians(HERE[0]))  # along the parallel, 282.8 m
    assert distances["梅园托育中心"] == 0
    assert abs(distances["东托育"] - east) <= 1
    assert abs(distances["近北托育"] - METRES_PER_0_01_DEG_LAT / 2) <= 1
    assert abs(distances["北托育"] - METRES_PER_0_01_DEG_LAT) <= 1
    assert body["count"] == 4


def test_items_carry_what_a_parent_needs(client, world, around):
    item = _near(client, radius_m=100)["items"][0]
    assert item["name"] == "梅园托育中心"
    assert item["county_name"] == "玄武区" and item["township_name"] == "梅园新村街道"
    assert {
        "type",
        "inclusive",
        "places",
        "address",
        "lat",
        "lng",
        "age_min_months",
        "age_max_months",
        "service_modes",
        "opening_hours",
    } <= set(item)
    assert "uscc" not in item and "legal_representative" not in item


def test_radius_excludes_institutions_farther_away(client, world, around):
    names = [i["name"] for i in _near(client)["items"]]  # default radius: 1000 m
    assert "北托育" not in names and "近北托育" in names
    assert [i["name"] for i in _near(client, radius_m=400)["items"]] == ["梅园托育中心", "东托育"]


def test_age_filter_keeps_institutions_whose_range_includes_the_age(client, world, around):
    Institution.objects.filter(pk=around["east_283"].pk).update(age_min_months=18, age_max_months=36)
    spatial.reset_grid()
    at_12 = [i["name"] for i in _near(client, radius_m=2000, age_months=12)["items"]]
    at_18 = [i["name"] for i in _near(client, radius_m=2000, age_months=18)["items"]]
    assert "东托育" not in at_12 and "梅园托育中心" in at_12
    assert "东托育" in at_18
    listed = client.get(URL, {"age_months": 12}).json()
    assert "东托育" not in [i["name"] for i in listed["items"]]


def test_inclusive_filter(client, world, around):
    InstitutionFactory(
        name="普惠托育", township=world.regions["meiyuan"], lat=HERE[0], lng=HERE[1] + 0.001, inclusive=True
    )
    only = _near(client, radius_m=2000, inclusive="true")["items"]
    assert [i["name"] for i in only] == ["普惠托育"]
    others = [i["name"] for i in _near(client, radius_m=2000, inclusive="false")["items"]]
    assert "普惠托育" not in others and len(others) == 4


def test_type_filter(client, world, around):
    InstitutionFactory(
        name="家庭点",
        township=world.regions["meiyuan"],
        lat=HERE[0],
        lng=HERE[1] + 0.002,
        type=InstitutionType.FAMILY,
    )
    items = _near(client, radius_m=2000, type="family")["items"]
    assert [i["name"] for i in items] == ["家庭点"]


@pytest.mark.parametrize(
    ("filing_status", "status"),
    [
        (FilingStatus.PENDING, OperatingStatus.OPERATING),
        (FilingStatus.NOT_FILED, OperatingStatus.PREPARING),
        (FilingStatus.CANCELLED, OperatingStatus.CLOSED),
        (FilingStatus.NONCOMPLIANT, OperatingStatus.OPERATING),
        (FilingStatus.FILED, OperatingStatus.CLOSED),
    ],
)
def test_unfiled_and_closed_institutions_never_appear(client, world, filing_status, status):
    InstitutionFactory(
        name="不公开托育",
        township=world.regions["meiyuan"],
        lat=HERE[0],
        lng=HERE[1],
        filing_status=filing_status,
        status=status,
    )
    near = _near(client, radius_m=50_000)
    listed = client.get(URL, {"limit": 500}).json()
    points = client.get(f"{URL}/points").json()
    assert "不公开托育" not in [i["name"] for i in near["items"] + listed["items"]]
    assert "不公开托育" not in [p[4] for p in points["items"]]


def test_an_institution_leaving_the_register_drops_out_of_the_next_answer(client, world, around):
    assert "东托育" in [i["name"] for i in _near(client)["items"]]
    institution = around["east_283"]
    institution.status = OperatingStatus.CLOSED
    institution.save()
    assert "东托育" not in [i["name"] for i in _near(client)["items"]]


@pytest.mark.parametrize(
    "near", ["abc", "32.05", "32.05,118.80,1", "118.80,32.05", "nan,nan", "0,0", "32.05,"]
)
def test_bad_near_is_422_naming_near(client, world, near):
    response = client.get(URL, {"near": near})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "near"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"near": "32.05,118.80", "radius_m": 99}, "radius_m"),
        ({"near": "32.05,118.80", "radius_m": 50_001}, "radius_m"),
        ({"age_months": 37}, "age_months"),
        ({"age_months": -1}, "age_months"),
        ({"type": "castle"}, "type"),
        ({"limit": 501}, "limit"),
    ],
)
def test_out_of_range_parameters_are_422_naming_the_field(client, world, params, field):
    response = client.get(URL, params)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", field]


def test_without_near_ordered_by_township_and_name_and_paged(client, world, around):
    body = client.get(URL, {"limit": 2}).json()
    assert body["count"] == 6  # the persona world's three and the three around HERE
    everything = client.get(URL, {"limit": 10}).json()["items"]
    keys = [(i["township_name"], i["name"]) for i in everything]
    by_township = {"东山街道": "320115001000", "东亭街道": "320205001000", "梅园新村街道": "320102002000"}
    assert keys == sorted(keys, key=lambda k: (by_township[k[0]], k[1]))
    assert [i["id"] for i in body["items"]] == [i["id"] for i in everything[:2]]
    second = client.get(URL, {"limit": 2, "offset": 2}).json()["items"]
    assert [i["id"] for i in second] == [i["id"] for i in everything[2:4]]
    assert all(i["distance_m"] is None for i in everything)


def test_points_are_compact_and_cacheable(client, world, around):
    response = client.get(f"{URL}/points")
    assert response.status_code == 200
    assert "max-age" in response["Cache-Control"]
    body = response.json()
    assert body["fields"] == ["id", "lat", "lng", "inclusive", "name"]
    # Institutions without a point cannot be drawn: the world's two without coordinates are left out.
    assert sorted(p[4] for p in body["items"]) == sorted(["梅园托育中心", "北托育", "近北托育", "东托育"])


def test_public_api_needs_no_login(client, world):
    assert client.get(URL).status_code == 200
    assert client.get(f"{URL}/points").status_code == 200


def test_query_budget(client, world, django_assert_max_num_queries):
    township = world.regions["meiyuan"]
    rng = random.Random(7)
    for n in range(40):
        InstitutionFactory(
            name=f"托育{n}",
            township=township,
            lat=HERE[0] + rng.uniform(-0.01, 0.01),
            lng=HERE[1] + rng.uniform(-0.01, 0.01),
        )
    _near(client)  # builds the grid
    with django_assert_max_num_queries(2):  # the data-version check, the page's rows
        assert len(_near(client, radius_m=5000, limit=50)["items"]) == 41
    with django_assert_max_num_queries(2):  # count, page
        assert client.get(URL, {"limit": 50}).status_code == 200
    with django_assert_max_num_queries(1):
        assert client.get(f"{URL}/points").status_code == 200


def test_grid_and_bounding_box_agree(world):
    township = world.regions["meiyuan"]
    rng = random.Random(11)
    for n in range(150):
        InstitutionFactory(
            name=f"随机{n}",
            township=township,
            lat=HERE[0] + rng.uniform(-0.1, 0.1),
            lng=HERE[1] + rng.uniform(-0.1, 0.1),
        )
    listed = Institution.objects.publicly_listed()
    for _ in range(20):
        lat, lng = HERE[0] + rng.uniform(-0.08, 0.08), HERE[1] + rng.uniform(-0.08, 0.08)
        for radius in (500, 3000, 10_000):
            grid = spatial.nearby_grid(lat, lng, radius)
            bbox = spatial.nearby_bbox(listed, lat, lng, radius)
            assert [pk for _d, pk in grid] == [pk for _d, pk in bbox]
            brute = sorted(
                (spatial.haversine_m(lat, lng, i.lat, i.lng), i.pk)
                for i in listed.exclude(lat=None)
                if spatial.haversine_m(lat, lng, i.lat, i.lng) <= radius
            )
            assert [pk for _d, pk in grid] == [pk for _d, pk in brute]
