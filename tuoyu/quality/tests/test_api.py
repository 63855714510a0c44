"""The quality API: the form, assessments, scores and transitions, with the statuses callers see."""

from __future__ import annotations

import pytest
from django.test import Client

from tuoyu.accounts.services import token_issue
from tuoyu.quality.choices import AssessmentStatus

from .factories import assessment, ensure_form

pytestmark = pytest.mark.django_db
BASE = "/api/v1/quality"


def _client(world, persona):
    return Client(headers={"Authorization": f"Bearer {token_issue(user=world.user(persona))}"})


def test_active_form_says_what_is_unverified_and_provisional(world):
    ensure_form()
    body = _client(world, "director").get(f"{BASE}/form").json()
    assert body["standard"] == "WS/T 821—2023" and body["complete"] is False
    assert body["cutoffs"]["provisional"] is True and body["cutoffs"]["a"] == 90
    assert len(body["dimensions"]) == 7
    items = [i for d in body["dimensions"] for i in d["items"]]
    assert {i["verified"] for i in items} == {False} and not any(i["baseline"] for i in items)


def test_director_runs_the_self_assessment_through_the_api(world):
    ensure_form()
    client = _client(world, "director")
    inst = world.institutions["inst_xuanwu"]
    response = client.post(
        f"{BASE}/assessments", {"institution_id": inst.pk}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    a = response.json()
    assert (
        client.post(
            f"{BASE}/assessments", {"institution_id": inst.pk}, content_type="application/json"
        ).status_code
        == 409
    )
    first = a["scores"][0]["item_id"]
    url = f"{BASE}/assessments/{a['id']}/scores/{first}"
    assert client.put(url, {"score": 3}, content_type="application/json").status_code == 422  # yes / no
    assert (
        client.put(url, {"score": 10, "note": "证明齐全"}, content_type="application/json").json()[
            "self_score"
        ]
        == 10
    )
    submit = client.post(
        f"{BASE}/assessments/{a['id']}/transitions",
        {"action": "self_submit"},
        content_type="application/json",
    )
    assert submit.status_code == 422  # 13 items are not scored yet
    for s in a["scores"][1:]:
        client.put(
            f"{BASE}/assessments/{a['id']}/scores/{s['item_id']}",
            {"score": 10},
            content_type="application/json",
        )
    submit = client.post(
        f"{BASE}/assessments/{a['id']}/transitions",
        {"action": "self_submit"},
        content_type="application/json",
    )
    assert submit.status_code == 200 and submit.json()["status"] == "self_submitted"
    # The director may not publish (403), nor submit again (409 for the state, after the grant).
    publish = client.post(
        f"{BASE}/assessments/{a['id']}/transitions", {"action": "publish"}, content_type="application/json"
    )
    assert publish.status_code == 403
    again = client.post(
        f"{BASE}/assessments/{a['id']}/transitions",
        {"action": "self_submit"},
        content_type="application/json",
    )
    assert again.status_code == 409


def test_county_scores_are_hidden_from_the_institution_until_published(world):
    a = assessment(world, AssessmentStatus.COUNTY_SUBMITTED)
    staff = _client(world, "director").get(f"{BASE}/assessments/{a.pk}").json()
    assert staff["grade"] == "" and staff["county_total"] is None
    assert {s["county_score"] for s in staff["scores"]} == {None}
    county = _client(world, "county_official").get(f"{BASE}/assessments/{a.pk}").json()
    assert county["grade"] == "A" and county["county_total"] == 140
    publish = _client(world, "county_official").post(
        f"{BASE}/assessments/{a.pk}/transitions", {"action": "publish"}, content_type="application/json"
    )
    assert publish.status_code == 200
    staff = _client(world, "director").get(f"{BASE}/assessments/{a.pk}").json()
    assert staff["grade"] == "A" and staff["cutoffs_provisional"] is True
    assert [d["county_total"] for d in staff["dimensions"]] == [10, 30, 0, 50, 0, 40, 10]


def test_out_of_scope_assessment_is_missing_and_other_form_items_are_404(world):
    a = assessment(world, AssessmentStatus.SELF_SUBMITTED)
    other = _client(world, "other_county_official")
    assert other.get(f"{BASE}/assessments/{a.pk}").status_code == 404
    put = other.put(
        f"{BASE}/assessments/{a.pk}/scores/{a.scores.first().item_id}",
        {"score": 0},
        content_type="application/json",
    )
    assert put.status_code == 404
    county = _client(world, "county_official")
    assert (
        county.put(
            f"{BASE}/assessments/{a.pk}/scores/999999", {"score": 0}, content_type="application/json"
        ).status_code
        == 404
    )
    city = _client(world, "city_official")  # a viewer sees it but may not score
    assert (
        city.put(
            f"{BASE}/assessments/{a.pk}/scores/{a.scores.first().item_id}",
            {"score": 0},
            content_type="application/json",
        ).status_code
        == 403
    )


def test_list_filters_and_query_budget(world, django_assert_max_num_queries):
    assessment(world, AssessmentStatus.SELF_SUBMITTED)
    client = _client(world, "province_official")
    with django_assert_max_num_queries(8):
        body = client.get(f"{BASE}/assessments?status=self_submitted").json()
    assert body["count"] == 1 and body["items"][0]["institution_name"] == "梅园托育中心"
    assert client.get(f"{BASE}/assessments?status=published").json()["count"] == 0
