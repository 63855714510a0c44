"""Institutions API: scoped list and detail, paging, field-level errors."""

from __future__ import annotations

from tuoyu.accounts.services import token_issue
from tuoyu.core.tests.factories import InstitutionFactory


def _auth(world, persona):
    return {"Authorization": f"Bearer {token_issue(user=world.user(persona))}"}


def test_list_is_scoped_and_filtered_by_region(client, world):
    headers = _auth(world, "province_official")
    body = client.get("/api/v1/institutions?region=320100000000", headers=headers).json()
    assert body["count"] == 2
    assert {i["name"] for i in body["items"]} == {"梅园托育中心", "东山托育园"}
    item = next(i for i in body["items"] if i["name"] == "梅园托育中心")
    assert item["township_code"] == "320102002000" and item["places"] == 80 and item["inclusive"] is False


def test_region_outside_scope_gives_an_empty_list(client, world):
    body = client.get(
        "/api/v1/institutions?region=320200000000", headers=_auth(world, "county_official")
    ).json()
    assert body == {"count": 0, "items": []}


def test_paging_with_limit_and_offset(client, world):
    for _ in range(5):
        InstitutionFactory(township=world.regions["meiyuan"])
    headers = _auth(world, "county_official")
    first = client.get("/api/v1/institutions?limit=4&offset=0", headers=headers).json()
    second = client.get("/api/v1/institutions?limit=4&offset=4", headers=headers).json()
    assert first["count"] == second["count"] == 6
    assert len(first["items"]) == 4 and len(second["items"]) == 2
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}


def test_bad_limit_answers_422_naming_the_field(client, world):
    response = client.get("/api/v1/institutions?limit=0", headers=_auth(world, "county_official"))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "limit"


def test_malformed_region_answers_422_naming_the_field(client, world):
    response = client.get("/api/v1/institutions?region=123", headers=_auth(world, "county_official"))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "region"]


def test_unknown_region_answers_404_with_a_reason(client, world):
    response = client.get("/api/v1/institutions?region=999999999999", headers=_auth(world, "county_official"))
    assert response.status_code == 404 and "999999999999" in response.json()["detail"]


def test_detail_outside_scope_is_404_like_a_missing_one(client, world):
    headers = _auth(world, "county_official")
    outside = client.get(f"/api/v1/institutions/{world.institutions['inst_wuxi'].pk}", headers=headers)
    missing = client.get("/api/v1/institutions/999999", headers=headers)
    assert outside.status_code == missing.status_code == 404
    assert outside.json() == missing.json()


def test_list_endpoint_query_budget(client, world, django_assert_max_num_queries):
    for _ in range(30):
        InstitutionFactory(township=world.regions["dongshan"])
    headers = _auth(world, "province_official")
    # token lookup + its last-used write + role assignments + count + page
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/institutions?limit=50", headers=headers)
    assert response.json()["count"] == 33


def test_detail_shows_classes_fees_insurance_and_designations(client, world):
    from datetime import date
    from decimal import Decimal

    from tuoyu.institutions.services import designation_grant, fee_item_save, institution_class_save

    institution = world.institutions["inst_xuanwu"]
    klass = institution_class_save(
        actor=None, institution=institution, name="乳儿一班", kind="infant", capacity=10, enrolled=8
    )
    fee_item_save(actor=None, institution=institution, item="保育费", amount=Decimal("1900.00"), unit="month")
    designation_grant(
        actor=None,
        institution=institution,
        kind="inclusive",
        level="county",
        granted_on=date(2025, 3, 1),
        granted_by="玄武区卫健委",
    )
    body = client.get(
        f"/api/v1/institutions/{institution.pk}", headers=_auth(world, "county_official")
    ).json()
    assert {"id": klass.pk, "name": "乳儿一班", "kind": "infant", "capacity": 10, "enrolled": 8} in body[
        "classes"
    ]
    assert body["fees"][0]["amount"] == "1900.00" and body["inclusive"] is True
    assert body["designations"][0]["granted_by"] == "玄武区卫健委"


def _json(client, method, url, body, headers):
    import json

    return client.generic(method, url, json.dumps(body), "application/json", headers=headers)


def test_director_keeps_the_record_through_the_api(client, world):
    headers = _auth(world, "director")
    url = f"/api/v1/institutions/{world.institutions['inst_xuanwu'].pk}"
    response = _json(
        client, "PATCH", url, {"opening_hours": "7:30-17:30", "service_modes": ["full_day"]}, headers
    )
    assert response.status_code == 200 and response.json()["opening_hours"] == "7:30-17:30"
    added = _json(
        client, "POST", f"{url}/classes", {"name": "乳儿一班", "kind": "infant", "capacity": 10}, headers
    )
    assert added.status_code == 201
    fee = _json(
        client, "POST", f"{url}/fees", {"item": "保育费", "amount": "2600.00", "unit": "month"}, headers
    )
    assert fee.status_code == 201 and fee.json()["amount"] == "2600.00"


def test_rule_violations_answer_422_naming_the_field(client, world):
    headers = _auth(world, "director")
    url = f"/api/v1/institutions/{world.institutions['inst_xuanwu'].pk}"
    over = _json(
        client, "POST", f"{url}/classes", {"name": "乳儿班", "kind": "infant", "capacity": 11}, headers
    )
    assert over.status_code == 422 and over.json()["detail"][0]["loc"] == ["body", "capacity"]
    lease = _json(client, "PATCH", url, {"premises_tenure": "leased", "lease_start": "2025-01-01",
                                         "lease_end": "2026-01-01"}, headers)  # fmt: skip
    assert lease.status_code == 422 and lease.json()["detail"][0]["loc"] == ["body", "lease_end"]
    underground = _json(client, "PATCH", url, {"children_rooms_floor": -1}, headers)
    assert underground.json()["detail"][0]["loc"] == ["body", "children_rooms_floor"]


def test_caregiver_may_see_but_not_change_and_other_county_gets_404(client, world):
    url = f"/api/v1/institutions/{world.institutions['inst_xuanwu'].pk}/classes"
    body = {"name": "托大一班", "kind": "older", "capacity": 20}
    assert _json(client, "POST", url, body, _auth(world, "caregiver")).status_code == 403
    assert _json(client, "POST", url, body, _auth(world, "other_county_official")).status_code == 404


def test_county_reviewer_grants_a_designation_and_the_director_cannot(client, world):
    url = f"/api/v1/institutions/{world.institutions['inst_xuanwu'].pk}/designations"
    body = {"kind": "inclusive", "level": "county", "granted_on": "2026-06-01", "granted_by": "玄武区卫健委"}
    assert _json(client, "POST", url, body, _auth(world, "director")).status_code == 403
    response = _json(client, "POST", url, body, _auth(world, "county_official"))
    assert response.status_code == 201
    world.institutions["inst_xuanwu"].refresh_from_db()
    assert world.institutions["inst_xuanwu"].inclusive is True
    again = _json(client, "POST", url, body, _auth(world, "county_official"))
    assert again.status_code == 422  # already held at this level
