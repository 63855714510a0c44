"""The growth API: the public z-score calculator and a child's measurements."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from tuoyu.accounts.services import token_issue
from tuoyu.core.models import AuditLog
from tuoyu.growth.models import GrowthMeasurement

URL = "/api/v1/growth/zscores"


def _client(world, persona):
    return Client(headers={"Authorization": f"Bearer {token_issue(user=world.user(persona))}"})


@pytest.mark.django_db
def test_zscores_is_public_and_answers_the_section_8_1_check():
    response = Client().get(URL, {"sex": "M", "age_days": 365, "weight_kg": 10.5})
    assert response.status_code == 200
    assert response.json() == {"wfa": 0.78, "lhfa": None, "wflh": None, "bfa": None}


@pytest.mark.django_db
def test_zscores_all_four_with_position():
    response = Client().get(
        URL, {"sex": "F", "age_days": 800, "weight_kg": 11, "length_cm": 85, "position": "lying"}
    )
    body = response.json()
    assert set(body) == {"wfa", "lhfa", "wflh", "bfa"}
    assert body == {"wfa": -0.68, "lhfa": -1.01, "wflh": -0.22, "bfa": -0.11}


@pytest.mark.django_db
def test_zscores_beyond_the_tables_are_null():
    body = Client().get(URL, {"sex": "M", "age_days": 3000, "weight_kg": 20, "length_cm": 115}).json()
    assert body["wfa"] is None and body["lhfa"] is None and body["bfa"] is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params,field",
    [
        ({"sex": "X", "age_days": 10}, "sex"),
        ({"sex": "M", "age_days": 10, "position": "sitting"}, "position"),
        ({"sex": "M", "age_days": -1}, "age_days"),
        ({"sex": "M", "age_days": 10, "weight_kg": -3}, "weight_kg"),
        ({"sex": "M", "age_days": 10, "length_cm": 0}, "length_cm"),
    ],
)
def test_zscores_422_names_the_field(params, field):
    response = Client().get(URL, params)
    assert response.status_code == 422
    assert any(field in err["loc"] for err in response.json()["detail"])


@pytest.mark.django_db
@pytest.mark.parametrize("params", [{"sex": "M"}, {"sex": "M", "age_days": "abc"}, {"age_days": 3}])
def test_zscores_malformed_query_is_422_not_500(params):
    assert Client().get(URL, params).status_code == 422


def test_caregiver_posts_and_lists_a_measurement(world):
    child = world.children["own_child"]
    client = _client(world, "caregiver")
    url = f"/api/v1/growth/children/{child.pk}/measurements"
    body = {
        "measured_on": timezone.localdate().isoformat(),
        "weight_kg": "11.40",
        "length_cm": "81.5",
        "position": "lying",
    }
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["z_wfa"] is not None and created["who_version"].startswith("WHO 2006")
    again = client.post(url, body, content_type="application/json")
    assert again.status_code == 409
    listing = client.get(url)
    assert listing.status_code == 200
    assert [m["id"] for m in listing.json()["items"]] == [created["id"]]
    assert AuditLog.objects.filter(action="view", object_id=str(child.pk)).exists()


def test_post_refuses_implausible_values_with_422_and_the_field(world):
    child = world.children["own_child"]
    url = f"/api/v1/growth/children/{child.pk}/measurements"
    body = {"measured_on": timezone.localdate().isoformat(), "weight_kg": "400", "position": "lying"}
    response = _client(world, "caregiver").post(url, body, content_type="application/json")
    assert response.status_code == 422
    assert any("weight_kg" in err["loc"] for err in response.json()["detail"])
    assert not GrowthMeasurement.objects.exists()


def test_parent_reads_own_child_but_not_another_and_cannot_write(world):
    client = _client(world, "parent")
    own = world.children["own_child"]
    other = world.children["other_child"]
    assert client.get(f"/api/v1/growth/children/{own.pk}/measurements").status_code == 200
    assert client.get(f"/api/v1/growth/children/{other.pk}/measurements").status_code == 404
    body = {"measured_on": (timezone.localdate() - timedelta(days=1)).isoformat(), "weight_kg": "11"}
    assert (
        client.post(
            f"/api/v1/growth/children/{own.pk}/measurements", body, content_type="application/json"
        ).status_code
        == 403
    )


def test_other_county_official_gets_404(world):
    child = world.children["own_child"]
    client = _client(world, "other_county_official")
    assert client.get(f"/api/v1/growth/children/{child.pk}/measurements").status_code == 404
    mine = world.children["jiangning_child"]
    assert client.get(f"/api/v1/growth/children/{mine.pk}/measurements").status_code == 200


def test_list_query_budget(world, django_assert_max_num_queries):
    from tuoyu.growth.services import growth_measurement_record

    child = world.children["own_child"]
    for back in range(1, 8):
        growth_measurement_record(
            actor=world.user("caregiver"),
            child=child,
            measured_on=timezone.localdate() - timedelta(days=30 * back),
            weight_kg=Decimal(f"{10 + back / 10:.1f}"),
        )  # fmt: skip
    client = _client(world, "caregiver")
    with django_assert_max_num_queries(12):
        response = client.get(f"/api/v1/growth/children/{child.pk}/measurements")
    assert response.json()["count"] == 7
