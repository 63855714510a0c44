"""The enforcement API: statuses, field errors, the closure and emergency paths."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from tuoyu.accounts.services import token_issue
from tuoyu.children.models import Child

from .factories import action, closure_case, emergency

pytestmark = pytest.mark.usefixtures("english")


def _client(world, persona):
    return Client(headers={"Authorization": f"Bearer {token_issue(user=world.user(persona))}"})


def _fine(world, amount, **kw):
    return {
        "institution_id": world.institutions["inst_xuanwu"].pk,
        "kind": "fine",
        "rule": "ppl41_refuse",
        "decision_number": "玄卫罚〔2026〕7号",
        "decided_on": timezone.localdate().isoformat(),
        "facts": "逾期未整改",
        "amount": amount,
        **kw,
    }


def test_a_fine_outside_the_range_is_refused_with_a_field_error(world):
    client = _client(world, "county_official")
    response = client.post(
        "/api/v1/enforcement/actions", _fine(world, "4000"), content_type="application/json"
    )
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail[0]["loc"] == ["body", "amount"]
    assert "5,000" in detail[0]["msg"]
    response = client.post(
        "/api/v1/enforcement/actions", _fine(world, "8000"), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["basis"].endswith("第四十一条")


def test_unknown_rule_and_other_countys_institution(world):
    client = _client(world, "county_official")
    response = client.post(
        "/api/v1/enforcement/actions", _fine(world, "8000", rule="nope"), content_type="application/json"
    )
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", "rule"]
    other = _client(world, "other_county_official")
    response = other.post(
        "/api/v1/enforcement/actions", _fine(world, "8000"), content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "institution_id"]


def test_a_viewer_may_not_decide(world):
    response = _client(world, "city_official").post(
        "/api/v1/enforcement/actions", _fine(world, "8000"), content_type="application/json"
    )
    assert response.status_code == 403


def test_action_list_is_scoped_and_filtered(world, django_assert_max_num_queries):
    for _ in range(3):
        action(world)
    action(world, institution=world.institutions["inst_jiangning"])
    client = _client(world, "county_official")
    with django_assert_max_num_queries(12):
        response = client.get("/api/v1/enforcement/actions")
    assert response.json()["count"] == 3
    assert (
        _client(world, "province_official").get("/api/v1/enforcement/actions?kind=warning").json()["count"]
        == 4
    )
    assert (
        _client(world, "province_official").get("/api/v1/enforcement/actions?kind=fine").json()["count"] == 0
    )


def test_the_closure_path_through_the_api(world):
    client = _client(world, "county_official")
    response = client.post(
        "/api/v1/enforcement/closures",
        {"institution_id": world.institutions["inst_xuanwu"].pk, "reason": "停办"},
        content_type="application/json",
    )
    assert response.status_code == 201
    case = response.json()
    assert {c["child_name"] for c in case["children"]} == {"小明", "小红"}
    assert (
        client.post(
            f"/api/v1/enforcement/closures/{case['id']}/close", {}, content_type="application/json"
        ).status_code
        == 409
    )
    for row in case["children"]:
        base = f"/api/v1/enforcement/closures/{case['id']}/children/{row['id']}"
        r = client.post(f"{base}/placement", {"outcome": "home"}, content_type="application/json")
        assert r.status_code == 200
        r = client.post(f"{base}/fee", {"prepaid": "100", "refunded": "200"}, content_type="application/json")
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "refunded"]
        r = client.post(
            f"{base}/fee", {"prepaid": "2000", "refunded": "1200"}, content_type="application/json"
        )
        assert r.status_code == 200
    for item in case["handovers"]:
        r = client.post(
            f"/api/v1/enforcement/closures/{case['id']}/handover",
            {"item": item["item"], "received_by": "区卫健委档案室"},
            content_type="application/json",
        )
        assert r.status_code == 200
    r = client.post(
        f"/api/v1/enforcement/closures/{case['id']}/close",
        {"summary": "完成"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "closed"
    assert all(s["done"] for s in r.json()["steps"])
    assert Child.objects.get(name="小明").institution_id is None
    # Closed: the case takes no more steps, and a second closure is refused.
    again = client.post(
        "/api/v1/enforcement/closures",
        {"institution_id": world.institutions["inst_xuanwu"].pk, "reason": "x"},
        content_type="application/json",
    )
    assert again.status_code == 409


def test_a_second_open_closure_conflicts(world):
    closure_case(world)
    response = _client(world, "county_official").post(
        "/api/v1/enforcement/closures",
        {"institution_id": world.institutions["inst_xuanwu"].pk, "reason": "停办"},
        content_type="application/json",
    )
    assert response.status_code == 409


def test_emergency_api(world):
    director = _client(world, "director")
    response = director.post(
        "/api/v1/enforcement/emergencies",
        {
            "institution_id": world.institutions["inst_xuanwu"].pk,
            "kind": "safety",
            "severity": "medium",
            "title": "烫伤",
            "description": "一名幼儿被热水烫伤",
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    pk = response.json()["id"]
    r = director.post(
        f"/api/v1/enforcement/emergencies/{pk}/entries",
        {"text": "已送医", "severity": "high"},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["kind"] == "severity"
    assert (
        director.post(
            f"/api/v1/enforcement/emergencies/{pk}/close", {"summary": "x"}, content_type="application/json"
        ).status_code
        == 403
    )
    county = _client(world, "county_official")
    r = county.post(
        f"/api/v1/enforcement/emergencies/{pk}/close", {"summary": "已处置"}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["status"] == "closed"
    assert [e["kind"] for e in r.json()["entries"]] == ["opened", "severity", "closed"]
    r = county.post(
        f"/api/v1/enforcement/emergencies/{pk}/entries", {"text": "补充"}, content_type="application/json"
    )
    assert r.status_code == 409
    assert (
        _client(world, "other_county_official").get(f"/api/v1/enforcement/emergencies/{pk}").status_code
        == 404
    )


def test_emergency_list_query_budget(world, django_assert_max_num_queries):
    for _ in range(5):
        emergency(world)
    with django_assert_max_num_queries(12):
        response = _client(world, "county_official").get("/api/v1/enforcement/emergencies?open=true")
    assert response.json()["count"] == 5
