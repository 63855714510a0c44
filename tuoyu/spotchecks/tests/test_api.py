"""The spot-check API: plans, batches, the register, declarations, draws and replay, with their statuses."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from tuoyu.accounts.services import token_issue
from tuoyu.spotchecks.models import Draw
from tuoyu.supervision.models import Inspection

from .factories import XUANWU_UNIT, batch, inspector, plan, xuanwu_inspectors

pytestmark = pytest.mark.django_db


def _client(world, persona: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {token_issue(user=world.user(persona))}"})


def _batch_body(the_plan, **fields):
    year = the_plan.year
    return {
        "plan_id": the_plan.pk,
        "name": "第一批",
        "scope_region_code": the_plan.region_id,
        "window_start": f"{year}-03-01",
        "window_end": f"{year}-06-30",
        "team_size": 2,
        **fields,
    }


def test_a_county_plans_a_batch_draws_and_replays(world):
    client = _client(world, "county_official")
    year = timezone.localdate().year
    response = client.post(
        "/api/v1/spotchecks/plans",
        {"region_code": "320102000000", "year": year},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    plan_id = response.json()["id"]
    assert response.json()["title"]
    again = client.post(
        "/api/v1/spotchecks/plans",
        {"region_code": "320102000000", "year": year},
        content_type="application/json",
    )
    assert again.status_code == 409
    response = client.post(
        "/api/v1/spotchecks/batches",
        {
            **_batch_body(plan(world)),
            "plan_id": plan_id,
            "strata": [
                {"key": "default", "rate_percent": "10"},
                {"key": "complaints", "rate_percent": "40.5", "lookback_days": 180},
            ],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert [(s["key"], s["rate_percent"]) for s in body["strata"]] == [
        ("complaints", "40.5"),
        ("default", "10"),
    ]
    assert body["draw_id"] is None
    xuanwu_inspectors(world, 3)
    response = client.post(
        "/api/v1/draws", {"batch_id": body["id"], "seed": 123}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    draw = response.json()
    assert draw["seed"] == 123
    assert [i["name"] for i in draw["institutions"]] == ["梅园托育中心"]
    team = draw["institutions"][0]["team"]
    assert len(team) == 2 and all(m["unit"] == XUANWU_UNIT for m in team)
    assert Inspection.objects.get(pk=draw["institutions"][0]["inspection_id"]).origin == f"draw {draw['id']}"
    assert draw["inputs"]["candidates"][0]["name"] == "梅园托育中心"
    assert (
        client.post("/api/v1/draws", {"batch_id": body["id"]}, content_type="application/json").status_code
        == 409
    )
    assert client.get(f"/api/v1/spotchecks/batches/{body['id']}").json()["draw_id"] == draw["id"]
    detail = client.get(f"/api/v1/draws/{draw['id']}")
    assert detail.status_code == 200 and detail.json()["digest"] == draw["digest"]
    replay = client.post(f"/api/v1/draws/{draw['id']}/replay")
    assert replay.status_code == 200
    assert replay.json()["identical"] is True
    assert replay.json()["result"]["institutions"][0]["team"] == [m["id"] for m in team]


def test_a_random_seed_is_stored_when_none_is_given(world):
    xuanwu_inspectors(world)
    response = _client(world, "county_official").post(
        "/api/v1/draws", {"batch_id": batch(world).pk}, content_type="application/json"
    )
    assert response.status_code == 201
    assert Draw.objects.get().seed == response.json()["seed"]


def test_team_size_below_two_is_refused(world):
    response = _client(world, "county_official").post(
        "/api/v1/spotchecks/batches", _batch_body(plan(world), team_size=1), content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "team_size"]


def test_a_default_rate_below_five_percent_is_refused(world):
    response = _client(world, "county_official").post(
        "/api/v1/spotchecks/batches",
        _batch_body(plan(world), strata=[{"key": "default", "rate_percent": "4.99"}]),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "strata"]


def test_a_batch_outside_the_plans_region_or_year_is_refused(world):
    client = _client(world, "county_official")
    the_plan = plan(world)
    outside = client.post(
        "/api/v1/spotchecks/batches",
        _batch_body(the_plan, scope_region_code="320115000000"),
        content_type="application/json",
    )
    assert outside.status_code == 422
    wrong_year = client.post(
        "/api/v1/spotchecks/batches",
        _batch_body(the_plan, window_end=f"{the_plan.year + 1}-01-10"),
        content_type="application/json",
    )
    assert wrong_year.status_code == 422


def test_another_county_cannot_see_or_draw_for_xuanwu(world):
    client = _client(world, "other_county_official")
    the_batch = batch(world)
    xuanwu_inspectors(world)
    assert client.get(f"/api/v1/spotchecks/batches/{the_batch.pk}").status_code == 404
    assert client.get(f"/api/v1/spotchecks/plans/{the_batch.plan_id}").status_code == 404
    response = client.post("/api/v1/draws", {"batch_id": the_batch.pk}, content_type="application/json")
    assert response.status_code == 404
    assert not Draw.objects.exists()
    draw = _client(world, "county_official").post(
        "/api/v1/draws", {"batch_id": the_batch.pk}, content_type="application/json"
    )
    assert client.get(f"/api/v1/draws/{draw.json()['id']}").status_code == 404
    assert client.post(f"/api/v1/draws/{draw.json()['id']}/replay").status_code == 404


def test_a_viewer_sees_but_may_not_plan_or_draw(world):
    client = _client(world, "city_official")
    the_batch = batch(world)
    assert client.get(f"/api/v1/spotchecks/batches/{the_batch.pk}").status_code == 200
    assert (
        client.post("/api/v1/draws", {"batch_id": the_batch.pk}, content_type="application/json").status_code
        == 403
    )
    year = timezone.localdate().year + 1
    response = client.post(
        "/api/v1/spotchecks/plans",
        {"region_code": "320100000000", "year": year},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_a_township_cannot_plan(world):
    response = _client(world, "county_official").post(
        "/api/v1/spotchecks/plans",
        {"region_code": "320102002000", "year": timezone.localdate().year},
        content_type="application/json",
    )
    assert response.status_code == 422


def test_register_and_declarations(world):
    person = inspector(world.regions["xuanwu"], XUANWU_UNIT, name="赵检查员")
    inspector(world.regions["jiangning"], "江宁区卫生健康监督所")
    county = _client(world, "county_official")
    listed = county.get("/api/v1/spotchecks/inspectors").json()
    assert [(i["name"], i["unit"]) for i in listed["items"]] == [("赵检查员", XUANWU_UNIT)]
    assert _client(world, "province_official").get("/api/v1/spotchecks/inspectors").json()["count"] == 2
    centre = world.institutions["inst_xuanwu"]
    # The inspector declares a relative; the office declares the unit's own institution.
    response = Client(headers={"Authorization": f"Bearer {token_issue(user=person)}"}).post(
        "/api/v1/spotchecks/declarations",
        {
            "institution_id": centre.pk,
            "relation": "relative",
            "inspector_id": person.pk,
            "note": "表姐任园长",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    again = county.post(
        "/api/v1/spotchecks/declarations",
        {"institution_id": centre.pk, "relation": "relative", "inspector_id": person.pk},
        content_type="application/json",
    )
    assert again.status_code == 409
    unit = county.post(
        "/api/v1/spotchecks/declarations",
        {"institution_id": centre.pk, "relation": "own_unit", "unit": XUANWU_UNIT},
        content_type="application/json",
    )
    assert unit.status_code == 201, unit.content
    unknown_unit = county.post(
        "/api/v1/spotchecks/declarations",
        {"institution_id": centre.pk, "relation": "own_unit", "unit": "不存在的单位"},
        content_type="application/json",
    )
    assert unknown_unit.status_code == 422
    # Another county's office may not record for 玄武区's inspector or institution: it does not see it.
    other = _client(world, "other_county_official").post(
        "/api/v1/spotchecks/declarations",
        {"institution_id": centre.pk, "relation": "other", "inspector_id": person.pk},
        content_type="application/json",
    )
    assert other.status_code == 404
    # The 南京 viewer sees the institution but may not record for the inspector.
    viewer = _client(world, "city_official").post(
        "/api/v1/spotchecks/declarations",
        {"institution_id": centre.pk, "relation": "other", "inspector_id": person.pk},
        content_type="application/json",
    )
    assert viewer.status_code == 403
    listed = county.get(f"/api/v1/spotchecks/declarations?inspector={person.pk}").json()
    assert [d["note"] for d in listed["items"]] == ["表姐任园长"]
    assert county.get("/api/v1/spotchecks/inspectors").json()["items"][0]["declarations"] == 1


def test_plan_list_query_budget(world, django_assert_max_num_queries):
    for year in range(2020, 2030):
        batch(world, the_plan=plan(world, year=year))
    client = _client(world, "province_official")
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/spotchecks/plans")
    assert response.json()["count"] == 10
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/spotchecks/batches")
    assert response.json()["count"] == 10
