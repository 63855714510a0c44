"""The health API: recording checks and doses, reading a class's checks, alerts, scoping."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from tuoyu.accounts.services import token_issue
from tuoyu.health.models import HealthCheck, SymptomClusterAlert
from tuoyu.parents.models import Notification

pytestmark = pytest.mark.django_db


def _client(world, persona):
    return Client(headers={"Authorization": f"Bearer {token_issue(user=world.user(persona))}"})


def _post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_caregiver_records_a_fever_and_the_guardian_is_told_urgently(world):
    child = world.children["own_child"]
    r = _post(
        _client(world, "caregiver"),
        "/api/v1/health/checks",
        {"child_id": child.pk, "temperature": 38.4, "symptoms": ["fever"], "notes": "精神差"},
    )
    assert r.status_code == 201, r.content
    assert r.json()["outcome"] == "sent_home" and r.json()["symptoms"] == ["fever"]
    assert Notification.objects.get(user=world.user("parent")).urgent
    again = _post(_client(world, "caregiver"), "/api/v1/health/checks", {"child_id": child.pk})
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"temperature": 80}, "temperature"),
        ({"symptoms": ["plague"]}, "symptoms"),
        ({"session": "night"}, "session"),
    ],
)
def test_bad_check_input_is_422_naming_the_field(world, body, field):
    r = _post(
        _client(world, "caregiver"),
        "/api/v1/health/checks",
        {"child_id": world.children["own_child"].pk, **body},
    )
    assert r.status_code == 422
    assert field in str(r.json()["detail"])


def test_a_parent_or_official_may_not_record_a_check(world):
    child = world.children["own_child"]
    assert _post(_client(world, "parent"), "/api/v1/health/checks", {"child_id": child.pk}).status_code == 403
    assert (
        _post(_client(world, "county_official"), "/api/v1/health/checks", {"child_id": child.pk}).status_code
        == 403
    )
    other = world.children["jiangning_child"]
    assert (
        _post(_client(world, "caregiver"), "/api/v1/health/checks", {"child_id": other.pk}).status_code == 404
    )
    assert _post(_client(world, "parent"), "/api/v1/health/checks", {"child_id": other.pk}).status_code == 404


def test_class_checks_list_and_its_query_budget(world, django_assert_max_num_queries):
    client = _client(world, "caregiver")
    for key in ("own_child", "other_child"):
        _post(client, "/api/v1/health/checks", {"child_id": world.children[key].pk, "symptoms": ["cough"]})
    url = f"/api/v1/health/checks?class={world.classes['xuanwu_toddler'].pk}&day={timezone.localdate()}"
    with django_assert_max_num_queries(10):
        r = client.get(url)
    assert r.status_code == 200 and r.json()["count"] == 2
    assert _client(world, "other_county_official").get(url).status_code == 404


def test_doses_and_immunisations_of_a_child(world):
    child = world.children["own_child"]
    url = f"/api/v1/health/children/{child.pk}/doses"
    r = _post(
        _client(world, "caregiver"), url, {"vaccine": "HepB", "dose_no": 1, "given_on": str(child.birth_date)}
    )
    assert r.status_code == 201
    assert (
        _post(
            _client(world, "caregiver"),
            url,
            {"vaccine": "HepB", "dose_no": 1, "given_on": str(child.birth_date)},
        ).status_code
        == 409
    )
    assert (
        _post(
            _client(world, "caregiver"),
            url,
            {"vaccine": "XYZ", "dose_no": 1, "given_on": str(child.birth_date)},
        ).status_code
        == 422
    )
    parent = _client(world, "parent")
    assert parent.get(url).json()["count"] == 1
    imm = parent.get(f"/api/v1/health/children/{child.pk}/immunisations").json()
    statuses = {(i["vaccine"], i["dose_no"]): i["status"] for i in imm["items"]}
    assert statuses[("HepB", 1)] == "given" and statuses[("BCG", 1)] == "overdue"
    other = world.children["other_child"]
    assert parent.get(f"/api/v1/health/children/{other.pk}/immunisations").status_code == 404


def test_alerts_are_acknowledged_by_the_county(world):
    today = timezone.localdate()
    alert = SymptomClusterAlert.objects.create(
        township=world.regions["meiyuan"], group="fever_rash", window_start=today, window_end=today
    )
    r = _post(
        _client(world, "county_official"), f"/api/v1/health/alerts/{alert.pk}/acknowledge", {"note": "已处置"}
    )
    assert r.status_code == 200 and r.json()["acknowledged_by"] == "county_official"
    assert _client(world, "county_official").get("/api/v1/health/alerts?open=true").json()["count"] == 0
    assert _client(world, "other_county_official").get(
        f"/api/v1/health/alerts/{alert.pk}/acknowledge"
    ).status_code in {404, 405}


def test_daily_counts_region_must_be_in_scope(world):
    client = _client(world, "other_county_official")
    assert client.get("/api/v1/health/daily-counts?region=320102000000").status_code == 404
    assert client.get("/api/v1/health/daily-counts?region=abc").status_code == 404
    assert client.get("/api/v1/health/daily-counts?date=2999-01-01").status_code == 422
    assert _client(world, "parent").get("/api/v1/health/daily-counts").status_code == 403


def test_check_row_is_unique_even_when_two_requests_race(world):
    child = world.children["own_child"]
    HealthCheck.objects.create(
        child=child,
        institution=child.institution,
        day=timezone.localdate(),
        session="morning",
        at=timezone.now(),
    )
    r = _post(_client(world, "caregiver"), "/api/v1/health/checks", {"child_id": child.pk})
    assert r.status_code == 409
