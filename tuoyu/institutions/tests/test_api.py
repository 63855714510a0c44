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
    institution_class_save(actor=None, institution=institution, name="乳儿一班", kind="infant", capacity=10)
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
    assert body["classes"] == [{"name": "乳儿一班", "kind": "infant", "capacity": 10}]
    assert body["fees"][0]["amount"] == "1900.00" and body["inclusive"] is True
    assert body["designations"][0]["granted_by"] == "玄武区卫健委"
