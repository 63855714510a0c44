"""Pages, API and the trust card: what each user sees, exports, query budgets."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from tuoyu.credit.services import credit_recompute
from tuoyu.institutions.models import Institution

from .factories import rated, record

pytestmark = pytest.mark.django_db


def _client(world, persona):
    client = Client()
    client.force_login(world.user(persona))
    client.cookies["django_language"] = "en"
    return client


def test_institution_page_shows_tier_records_and_change_reasons(world):
    rated(world, "high", "medium")
    page = _client(world, "county_official").get(
        reverse("credit:institution", args=[world.institutions["inst_xuanwu"].pk])
    )
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="tier">C<' in body
    assert "inspection high" in body and "王园长" in body  # reasons, and the person for officials
    assert 'data-testid="revoke-form"' in body
    assert "not an official one" in body


def test_staff_see_their_own_credit_without_person_names_or_revoking(world):
    rated(world, "high", "medium")
    body = (
        _client(world, "director")
        .get(reverse("credit:institution", args=[world.institutions["inst_xuanwu"].pk]))
        .content.decode()
    )
    assert "inspection high" in body
    assert "王园长" not in body and 'data-testid="revoke-form"' not in body


def test_revoking_in_the_page_recomputes_and_shows_the_change(world, django_capture_on_commit_callbacks):
    first = rated(world, "high", "medium")
    url = reverse("credit:institution", args=[world.institutions["inst_xuanwu"].pk])
    client = _client(world, "county_official")
    assert client.post(url, {"record": first.pk, "reason": ""}).status_code == 422
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"record": first.pk, "reason": "复核撤销"})
    assert response.status_code == 302
    body = client.get(url).content.decode()
    assert 'data-testid="tier">B<' in body and "复核撤销" in body


def test_home_shows_distribution_and_recent_changes_in_scope(world, django_assert_max_num_queries):
    rated(world, "high", "medium")
    client = _client(world, "province_official")
    with django_assert_max_num_queries(15):
        body = client.get(reverse("credit:home")).content.decode()
    assert "南京市" in body and "梅园托育中心" in body
    other = _client(world, "other_county_official").get(reverse("credit:home")).content.decode()
    assert "梅园托育中心" not in other


def test_penalty_list_and_export_list_low_tiers(world, django_assert_max_num_queries):
    rated(world, "high", "medium")
    client = _client(world, "province_official")
    with django_assert_max_num_queries(15):
        body = client.get(reverse("credit:tiers") + "?list=penalty").content.decode()
    assert "梅园托育中心" in body and "东山托育园" not in body
    response = client.get(reverse("credit:export") + "?list=penalty")
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[2][:3] == ("序号", "机构名称", "统一社会信用代码")
    assert rows[3][1] == "梅园托育中心" and rows[3][6] == "C"
    incentive = client.get(reverse("credit:tiers") + "?list=incentive").content.decode()
    assert "梅园托育中心" not in incentive


def test_person_page_lists_records_across_institutions_in_scope(world):
    record(world.institutions["inst_xuanwu"], person_name="李某")
    record(world.institutions["inst_wuxi"], person_name="李某")
    body = _client(world, "city_official").get(reverse("credit:person") + "?name=李某").content.decode()
    assert "梅园托育中心" in body and "东亭托育中心" not in body  # 无锡 is outside 南京


def test_api_standing_lists_records_and_changes(world):
    rec = rated(world, "high", "medium")
    data = (
        _client(world, "county_official")
        .get(f"/api/v1/credit/institutions/{world.institutions['inst_xuanwu'].pk}")
        .json()
    )
    assert data["tier"] == "C" and data["score"] == 85
    assert data["changes"][0]["to_tier"] == "C" and rec.pk in data["changes"][0]["causes"]
    staff = (
        _client(world, "director")
        .get(f"/api/v1/credit/institutions/{world.institutions['inst_xuanwu'].pk}")
        .json()
    )
    assert {r["person_name"] for r in staff["records"]} == {""}


def test_api_list_filters_by_tier_and_region(world):
    rated(world, "high", "medium")
    client = _client(world, "province_official")
    assert client.get("/api/v1/credit/standings?tier=C").json()["count"] == 1
    assert client.get("/api/v1/credit/standings?region=320200000000").json()["count"] == 1
    assert client.get("/api/v1/credit/standings?region=999999999999").status_code == 422


def test_api_revoke_statuses(world, django_capture_on_commit_callbacks):
    rec = rated(world, "high", "medium")
    url = f"/api/v1/credit/records/{rec.pk}/revoke"
    assert (
        _client(world, "director").post(url, {"reason": "x"}, content_type="application/json").status_code
        == 403
    )
    assert (
        _client(world, "other_county_official")
        .post(url, {"reason": "x"}, content_type="application/json")
        .status_code
        == 404
    )
    client = _client(world, "county_official")
    with django_capture_on_commit_callbacks(execute=True):
        ok = client.post(url, {"reason": "复核撤销"}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["status"] == "revoked"
    assert client.post(url, {"reason": "again"}, content_type="application/json").status_code == 409
    assert client.get(f"/api/v1/credit/institutions/{rec.institution_id}").json()["tier"] == "B"


def test_trust_card_shows_tier_and_public_reasons_without_personal_data(world):
    inst = world.institutions["inst_xuanwu"]
    Institution.objects.filter(pk=inst.pk).update(filing_status="filed")
    record(inst, "inspection", "high", person_name="王园长", reason="张三老师体罚")
    record(inst, "incident", "serious", reason="小明骨折")
    credit_recompute()
    client = Client()
    client.cookies["django_language"] = "en"
    body = client.get(reverse("portal:public_institution", args=[inst.pk])).content.decode()
    assert 'data-testid="credit-tier"' in body and "Inspection finding" in body
    for private in ("王园长", "张三", "小明骨折"):
        assert private not in body
    assert "not an official rating" in body
