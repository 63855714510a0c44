"""The care API: flows, scoping beyond the persona suite, and query budgets."""

import base64
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tuoyu.accounts.services import token_issue

from .factories import PNG, diary_entry, incident, medication_request, menu

pytestmark = pytest.mark.django_db


def _client(world, persona):
    return Client(headers={"Authorization": f"Bearer {token_issue(user=world.user(persona))}"})


def test_parent_asks_staff_accept_and_give_a_dose(world):
    today = timezone.localdate()
    parent = _client(world, "parent")
    response = parent.post(
        "/api/v1/care/medication-requests",
        {
            "child_id": world.children["own_child"].pk,
            "medicine": "益生菌",
            "dose": "1袋",
            "times": ["10:00"],
            "start_on": today.isoformat(),
            "end_on": today.isoformat(),
            "parent_consent": True,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    caregiver = _client(world, "caregiver")
    response = caregiver.post(
        f"/api/v1/care/medication-requests/{pk}/accept",
        {"authorisation_on_file": True},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    response = caregiver.post(
        f"/api/v1/care/medication-requests/{pk}/doses", {}, content_type="application/json"
    )
    assert response.status_code == 201
    listed = parent.get(f"/api/v1/care/medication-requests?child={world.children['own_child'].pk}").json()
    assert listed["items"][0]["doses"][0]["dose"] == "1袋"


def test_parent_cannot_ask_for_another_child(world):
    today = timezone.localdate().isoformat()
    body = {
        "medicine": "x",
        "dose": "1",
        "times": ["10:00"],
        "start_on": today,
        "end_on": today,
        "parent_consent": True,
    }
    parent = _client(world, "parent")
    other = parent.post(
        "/api/v1/care/medication-requests",
        {**body, "child_id": world.children["other_child"].pk},
        content_type="application/json",
    )
    assert other.status_code == 404


def test_dose_for_declined_request_is_409(world):
    item = medication_request(world, "declined")
    response = _client(world, "caregiver").post(
        f"/api/v1/care/medication-requests/{item.pk}/doses", {}, content_type="application/json"
    )
    assert response.status_code == 409


def test_incident_with_mandatory_report_and_acknowledgement(world):
    response = _client(world, "caregiver").post(
        "/api/v1/care/incidents",
        {
            "institution_id": world.institutions["inst_xuanwu"].pk,
            "child_id": world.children["own_child"].pk,
            "occurred_at": (timezone.now() - timedelta(hours=1)).isoformat(),
            "kind": "injury",
            "severity": "moderate",
            "description": "手臂多处淤青，原因不明",
            "suspected_abuse_or_harm": True,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["mandatory_report"]["reported_by"] == "caregiver"
    county = _client(world, "county_official")
    seen = county.get("/api/v1/care/incidents?suspected=true").json()
    assert seen["count"] == 1 and seen["items"][0]["reported_by"] == "caregiver"
    assert _client(world, "other_county_official").get("/api/v1/care/incidents").json()["count"] == 0
    ack = county.post(
        f"/api/v1/care/incidents/{body['id']}/acknowledge", {"note": "收到"}, content_type="application/json"
    )
    assert ack.status_code == 200 and ack.json()["mandatory_report"]["acknowledged_by"] == "county_official"
    again = county.post(
        f"/api/v1/care/incidents/{body['id']}/acknowledge", {}, content_type="application/json"
    )
    assert again.status_code == 409


def test_menu_create_check_and_publish(world):
    director = _client(world, "director")
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
    response = director.post(
        "/api/v1/care/menus",
        {
            "institution_id": world.institutions["inst_xuanwu"].pk,
            "week_start": monday.isoformat(),
            "items": [
                {"day": 0, "meal": "lunch", "dish": "花生炖猪蹄", "ingredients": "花生, 猪蹄"},
                {"day": 0, "meal": "breakfast", "dish": "小米粥", "ingredients": "小米"},
            ],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    check = director.get(f"/api/v1/care/menus/{pk}/allergy-check").json()
    assert check["open"] == 1 and check["warnings"][0]["child_name"] == "小明"
    assert director.post(f"/api/v1/care/menus/{pk}/publish").status_code == 409
    duplicate = director.post(
        "/api/v1/care/menus",
        {"institution_id": world.institutions["inst_xuanwu"].pk, "week_start": monday.isoformat()},
        content_type="application/json",
    )
    assert duplicate.status_code == 409
    tuesday = director.post(
        "/api/v1/care/menus",
        {
            "institution_id": world.institutions["inst_xuanwu"].pk,
            "week_start": (monday + timedelta(days=1)).isoformat(),
        },
        content_type="application/json",
    )
    assert tuesday.status_code == 422


def test_allergy_check_shows_a_parent_only_their_own_child(world):
    from tuoyu.children.models import Child

    Child.objects.filter(pk=world.children["other_child"].pk).update(allergies="花生")
    item = menu(world, published=True, dishes=(("花生酥", "花生"),))
    parent = _client(world, "parent").get(f"/api/v1/care/menus/{item.pk}/allergy-check").json()
    assert [w["child_name"] for w in parent["warnings"]] == ["小明"]
    staff = _client(world, "director").get(f"/api/v1/care/menus/{item.pk}/allergy-check").json()
    assert sorted(w["child_name"] for w in staff["warnings"]) == ["小明", "小红"]


def test_diary_post_with_photo_and_bad_base64(world):
    caregiver = _client(world, "caregiver")
    body = {
        "klass_id": world.classes["xuanwu_toddler"].pk,
        "day": timezone.localdate().isoformat(),
        "kind": "photo",
    }
    ok = caregiver.post(
        "/api/v1/care/diary",
        {**body, "photo_base64": base64.b64encode(PNG).decode()},
        content_type="application/json",
    )
    assert ok.status_code == 201 and ok.json()["photo_url"]
    bad = caregiver.post(
        "/api/v1/care/diary", {**body, "photo_base64": "!!"}, content_type="application/json"
    )
    assert bad.status_code == 422
    nul = caregiver.post(
        "/api/v1/care/diary", {**body, "kind": "note", "text": "a\x00b"}, content_type="application/json"
    )
    assert nul.status_code == 422


def test_list_endpoints_keep_their_query_budget(world, django_assert_max_num_queries):
    for _ in range(5):
        medication_request(world, "accepted")
        incident(world)
        diary_entry(world)
    for week in range(3):
        menu(
            world, week_start=timezone.localdate() - timedelta(days=timezone.localdate().weekday() + 7 * week)
        )
    client = _client(world, "director")
    for url in (
        "/api/v1/care/medication-requests",
        "/api/v1/care/incidents",
        "/api/v1/care/menus",
        "/api/v1/care/diary",
    ):
        with django_assert_max_num_queries(10):
            assert client.get(url).status_code == 200
