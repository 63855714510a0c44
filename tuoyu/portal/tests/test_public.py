"""Public pages: the trust card and the register's new filters."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tuoyu.core.tests.factories import InstitutionFactory
from tuoyu.core.tests.personas import ALL_PERSONAS
from tuoyu.institutions.choices import FilingStatus, InstitutionType, OperatingStatus, ServiceMode


@pytest.fixture
def english(client):
    """Pages in English (the UI ignores Accept-Language; the switcher's cookie decides)."""
    client.cookies["django_language"] = "en"


def _card(client, institution):
    return client.get(reverse("portal:public_institution", args=[institution.pk]))


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_trust_card_of_a_filed_institution_is_public(world, persona):
    client = Client()
    if world.user(persona) is not None:
        client.force_login(world.user(persona))
    response = _card(client, world.institutions["inst_xuanwu"])
    assert response.status_code == 200
    assert "梅园托育中心" in response.content.decode()


def test_trust_card_shows_filing_facts_and_no_invented_results(client, world, english):
    institution = InstitutionFactory(
        name="阳光托育",
        township=world.regions["meiyuan"],
        inclusive=True,
        legal_representative="张三",
        phone="025-12345678",
        service_modes=[ServiceMode.FULL_DAY, ServiceMode.HOURLY],
        opening_hours="07:30-17:30",
        age_min_months=12,
        age_max_months=36,
        lat=32.05,
        lng=118.8,
    )
    body = _card(client, institution).content.decode()
    assert "阳光托育" in body and "Filed" in body and "inclusive" in body
    assert "12–36 months" in body and "Full day, Hourly" in body and "07:30-17:30" in body
    assert "025-12345678" in body and "张三" in body
    # Supervision results: nothing is invented for an institution nobody has inspected or assessed.
    assert 'data-testid="published-result"' not in body and 'data-testid="trust-card-quality"' not in body
    assert 'data-testid="penalties"' not in body
    # The page shows the local (China) date, which differs from UTC's for eight hours a day.
    assert timezone.localtime(institution.updated_at).strftime("%Y-%m-%d") in body
    assert 'id="card-map"' in body


@pytest.mark.parametrize(
    ("filing_status", "status"),
    [
        (FilingStatus.PENDING, OperatingStatus.OPERATING),
        (FilingStatus.NOT_FILED, OperatingStatus.PREPARING),
    ],
)
def test_trust_card_is_404_unless_publicly_listed(client, world, filing_status, status):
    institution = InstitutionFactory(
        township=world.regions["meiyuan"], filing_status=filing_status, status=status
    )
    assert _card(client, institution).status_code == 404
    client.force_login(world.user("province_official"))  # officials have their own page for it
    assert _card(client, institution).status_code == 404


def test_a_closed_institution_keeps_its_public_trust_card_with_a_banner_and_no_apply_link(client, world):
    institution = InstitutionFactory(
        township=world.regions["meiyuan"], filing_status=FilingStatus.FILED, status=OperatingStatus.CLOSED
    )
    body = _card(client, institution).content.decode()
    assert 'data-testid="closed-banner"' in body and 'data-testid="apply-link"' not in body
    # It has left the register and the map, though.
    assert institution.name not in client.get(reverse("portal:public_register")).content.decode()


def test_family_point_hides_its_legal_representative(client, world, english):
    family = InstitutionFactory(
        name="小家托育点",
        township=world.regions["meiyuan"],
        type=InstitutionType.FAMILY,
        legal_representative="李四",
    )
    body = _card(client, family).content.decode()
    assert "小家托育点" in body
    assert "李四" not in body and "Legal representative" not in body


def test_register_links_names_to_trust_cards(client, world):
    body = client.get(reverse("portal:public_register")).content.decode()
    assert reverse("portal:public_institution", args=[world.institutions["inst_xuanwu"].pk]) in body


def test_register_filters_by_age_in_months(client, world):
    township = world.regions["meiyuan"]
    InstitutionFactory(name="大龄托育", township=township, age_min_months=24, age_max_months=36)
    InstitutionFactory(name="乳儿托育", township=township, age_min_months=3, age_max_months=18)
    body = client.get(reverse("portal:public_register"), {"age": "12"}).content.decode()
    assert "乳儿托育" in body and "大龄托育" not in body
    body = client.get(reverse("portal:public_register"), {"age": "not-a-number"}).content.decode()
    assert "乳儿托育" in body and "大龄托育" in body  # an unusable age is ignored, not an error


def test_register_filters_by_service_mode(client, world):
    township = world.regions["meiyuan"]
    InstitutionFactory(name="计时托育", township=township, service_modes=[ServiceMode.HOURLY])
    InstitutionFactory(name="全日托育", township=township, service_modes=[ServiceMode.FULL_DAY])
    body = client.get(reverse("portal:public_register"), {"mode": "hourly"}).content.decode()
    assert "计时托育" in body and "全日托育" not in body


def test_register_query_budget(client, world, django_assert_max_num_queries):
    for _ in range(30):
        InstitutionFactory(township=world.regions["meiyuan"], service_modes=[ServiceMode.FULL_DAY])
    with django_assert_max_num_queries(6):
        assert (
            client.get(reverse("portal:public_register"), {"age": "12", "mode": "full_day"}).status_code
            == 200
        )


def test_public_map_page_offers_filters_near_me_and_tiles_when_configured(client, world, settings):
    settings.TUOYU_TILE_URL = "https://tiles.example/{z}/{x}/{y}.png"
    body = client.get(reverse("portal:public_map")).content.decode()
    assert 'id="near-me"' in body and 'name="age_months"' in body and 'name="inclusive"' in body
    assert "https://tiles.example/{z}/{x}/{y}.png" in body
    assert "leaflet.markercluster.js" in body


def test_trust_card_shows_designations_classes_fees_insurance_and_hides_family_phone(client, world):
    from datetime import date
    from decimal import Decimal

    from tuoyu.institutions.services import (
        designation_grant,
        fee_item_save,
        institution_class_save,
        institution_update,
        insurance_policy_save,
    )

    institution = world.institutions["inst_xuanwu"]
    institution_class_save(actor=None, institution=institution, name="托大一班", kind="older", capacity=20)
    fee_item_save(
        actor=None, institution=institution, item="保育费（全日托）", amount=Decimal("2600"), unit="month"
    )
    designation_grant(
        actor=None,
        institution=institution,
        kind="inclusive",
        level="city",
        granted_on=date(2024, 5, 1),
        granted_by="南京市卫生健康委员会",
    )
    insurance_policy_save(
        actor=None,
        institution=institution,
        insurer="中国人保",
        policy_number="P1",
        starts_on=date(2026, 1, 1),
        expires_on=date(2099, 1, 1),
    )
    body = client.get(f"/public/institutions/{institution.pk}/").content.decode()
    for text in (
        "托大一班",
        "保育费（全日托）",
        "2600",
        "南京市卫生健康委员会",
        'data-testid="insurance"><span class="badge">',
    ):
        assert text in body, text
    institution_update(
        actor=None, institution=world.institutions["inst_wuxi"], type="family", places=5, phone="13900000000"
    )
    family = client.get(f"/public/institutions/{world.institutions['inst_wuxi'].pk}/").content.decode()
    assert "13900000000" not in family


def test_register_lists_published_non_compliance_notices(client, world):
    from django.utils import timezone

    from tuoyu.filings.models import Filing

    Filing.objects.create(
        institution=world.institutions["inst_jiangning"],
        status="rejected",
        decision_reason="消防验收材料缺失",
        notice_published_at=timezone.now(),
    )
    body = client.get("/public/?region=320100000000").content.decode()
    assert "消防验收材料缺失" in body and "东山托育园" in body


def test_an_officials_institution_page_shows_its_credit_tier_grade_and_inspections(
    client, world, english, django_capture_on_commit_callbacks
):
    from datetime import date

    from tuoyu.credit.services import credit_record_add
    from tuoyu.supervision.choices import InspectionKind
    from tuoyu.supervision.services import inspection_open

    institution = world.institutions["inst_xuanwu"]
    official = world.user("county_official")
    inspection_open(
        actor=official,
        institution=institution,
        kind=InspectionKind.ADHOC,
        inspectors=[],
        planned_on=date(2026, 3, 2),
    )
    with django_capture_on_commit_callbacks(execute=True):  # the tier is recomputed on commit
        credit_record_add(
            institution=institution,
            source="award",
            source_ref="test:1",
            points=10,
            reason="示范",
            occurred_on=date(2026, 3, 1),
        )
    client.force_login(official)
    body = client.get(reverse("portal:gov_institution", args=[institution.pk])).content.decode()
    assert 'data-testid="institution-supervision"' in body and "2026-03-02" in body
    assert 'data-testid="institution-credit-tier"' in body
