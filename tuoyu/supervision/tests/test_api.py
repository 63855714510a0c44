"""The inspections API as a phone and a director use it."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.utils import timezone

from tuoyu.supervision.models import ChecklistEntry, Inspection

from .factories import JPEG_B64, PNG_B64, inspection

pytestmark = pytest.mark.django_db


def _client(world, persona: str) -> Client:
    client = Client()
    client.force_login(world.user(persona))
    client.cookies["django_language"] = "en"
    return client


def _post(client: Client, url: str, body: dict) -> object:
    return client.post(url, json.dumps(body), content_type="application/json")


def _payload(obj: Inspection) -> dict:
    at = timezone.now().isoformat()
    answers = [
        {
            "client_ref": f"ref-{e.code}",
            "item_id": e.item_id,
            "result": "fail" if e.code == "C01" else "pass",
            "note": "监控录像仅保存30天" if e.code == "C01" else "",
            "answered_at": at,
            "photos": [{"client_ref": f"photo-{e.code}", "data_base64": JPEG_B64, "taken_at": at}]
            if e.code == "C01"
            else [],
        }
        for e in obj.entries.all()
    ]
    signatures = [
        {
            "client_ref": f"sig-{role}",
            "role": role,
            "signer_name": "张三",
            "png_base64": PNG_B64,
            "signed_at": at,
        }
        for role in ("inspector", "institution")
    ]
    return {"answers": answers, "signatures": signatures}


def test_sync_over_the_api_is_idempotent_and_conflicts_answer_409(world):
    obj = inspection(world, "in_progress")
    client = _client(world, "county_official")
    url = f"/api/v1/inspections/{obj.pk}/sync"
    payload = _payload(obj)
    first = _post(client, url, payload)
    assert first.status_code == 200 and first.json()["applied"] == len(payload["answers"]) + 2
    second = _post(client, url, payload)
    assert second.json() == {"applied": 0, "duplicates": len(payload["answers"]) + 2, "unanswered": 0}
    assert ChecklistEntry.objects.filter(inspection=obj, result="fail").count() == 1
    assert obj.photos.count() == 1
    changed = {"answers": [dict(payload["answers"][0], result="fail", note="x")], "signatures": []}
    conflict = _post(client, url, changed)
    assert conflict.status_code == 409
    assert "already received with different content" in conflict.json()["detail"]


def test_sync_refuses_a_picture_that_is_not_one(world):
    obj = inspection(world, "in_progress")
    payload = _payload(obj)
    payload["signatures"][0]["png_base64"] = JPEG_B64  # a JPEG is not a PNG signature
    response = _post(_client(world, "county_official"), f"/api/v1/inspections/{obj.pk}/sync", payload)
    assert response.status_code == 422
    assert obj.receipts.count() == 0


def test_the_whole_flow_over_the_api(world):
    obj = inspection(world, "in_progress")
    official = _client(world, "county_official")
    base = f"/api/v1/inspections/{obj.pk}"
    assert _post(official, f"{base}/sync", _payload(obj)).status_code == 200
    submitted = _post(official, f"{base}/submit", {"internal_note": "负责人态度配合"})
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    issued = _post(official, f"{base}/issue", {})
    order = issued.json()["rectifications"][0]
    assert order["status"] == "open" and order["risk"] == "high"
    director = _client(world, "director")
    staff_view = director.get(base).json()
    assert staff_view["internal_note"] is None  # officials only
    assert all(not e["photo_urls"] for e in staff_view["entries"])  # photos may show children
    assert official.get(base).json()["internal_note"] == "负责人态度配合"
    answered = _post(
        director,
        f"/api/v1/inspections/rectifications/{order['id']}/answer",
        {"answer": "已延长录像保存至90天", "files": [{"name": "设置截图.png", "data_base64": PNG_B64}]},
    )
    assert answered.status_code == 200 and answered.json()["status"] == "answered"
    verified = _post(official, f"/api/v1/inspections/rectifications/{order['id']}/verify", {"accept": True})
    assert verified.json()["status"] == "closed"
    detail = official.get(base).json()
    assert detail["status"] == "closed"
    assert _post(official, f"{base}/publish", {}).json()["published_at"] is not None
    # C01 is high risk: a follow-up inspection was opened.
    follow_up = official.get("/api/v1/inspections?kind=follow_up").json()
    assert follow_up["count"] == 1 and follow_up["items"][0]["status"] == "planned"


def test_a_planned_inspection_is_hidden_from_the_institution(world):
    obj = inspection(world, "planned")
    director = _client(world, "director")
    assert director.get(f"/api/v1/inspections/{obj.pk}").status_code == 404
    assert director.get("/api/v1/inspections").json()["count"] == 0


def test_other_county_sees_nothing(world):
    obj = inspection(world, "submitted")
    other = _client(world, "other_county_official")
    assert other.get(f"/api/v1/inspections/{obj.pk}").status_code == 404
    assert _post(other, f"/api/v1/inspections/{obj.pk}/publish", {}).status_code == 404


def test_an_adhoc_inspection_is_opened_without_a_team_then_assigned(world):
    from .factories import team

    admin = _client(world, "county_official")
    response = _post(
        admin,
        "/api/v1/inspections",
        {
            "institution_id": world.institutions["inst_xuanwu"].pk,
            "kind": "adhoc",
            "planned_on": timezone.localdate().isoformat(),
            "reason": "专项检查：消防安全",
        },
    )
    assert response.status_code == 201 and response.json()["inspectors"] == []
    pk = response.json()["id"]
    assert _post(admin, f"/api/v1/inspections/{pk}/start", {}).status_code == 409  # no team yet
    members = team(world)
    assigned = _post(admin, f"/api/v1/inspections/{pk}/team", {"inspector_ids": [u.pk for u in members]})
    assert assigned.status_code == 200 and len(assigned.json()["inspectors"]) == 2
    other = _post(
        _client(world, "other_county_official"),
        "/api/v1/inspections",
        {
            "institution_id": world.institutions["inst_xuanwu"].pk,
            "kind": "adhoc",
            "planned_on": timezone.localdate().isoformat(),
            "reason": "x",
        },
    )
    assert other.status_code == 422  # not in their scope


def test_items_say_which_are_verified(world):
    items = _client(world, "county_official").get("/api/v1/inspections/items").json()
    by_code = {i["code"]: i for i in items}
    assert by_code["S01"]["verified"] is True  # 未成年人保护法 第62条 [V]
    assert by_code["C01"]["verified"] is False  # 管理规范 第32条 [S]
    assert len(items) >= 20 and {i["kind"] for i in items} == {"key", "general"}


def test_list_query_budget(world, django_assert_max_num_queries):
    for _ in range(3):
        inspection(world, "submitted")
    client = _client(world, "county_official")
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/inspections")
    assert response.json()["count"] == 3
