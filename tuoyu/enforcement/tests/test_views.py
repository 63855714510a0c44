"""Enforcement pages as officials, staff and the public see them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tuoyu.core.tests.factories import InstitutionFactory
from tuoyu.enforcement import services
from tuoyu.enforcement.models import EnforcementAction
from tuoyu.institutions.models import Institution, InstitutionClass

from .factories import action, closure_case, emergency


def _client(world, persona):
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(world.user(persona))
    return client


def test_home_lists_actions_closures_and_emergencies_in_scope(world, django_assert_max_num_queries):
    for _ in range(5):
        action(world)
    action(world, institution=world.institutions["inst_jiangning"], facts="江宁的")
    closure_case(world)
    emergency(world)
    client = _client(world, "county_official")
    with django_assert_max_num_queries(14):
        page = client.get(reverse("enforcement:home")).content.decode()
    assert page.count("梅园托育中心") >= 7 and "东山托育园" not in page
    assert "手足口病聚集" in page


def test_a_fine_outside_the_range_is_refused_on_the_form(world):
    client = _client(world, "county_official")
    url = reverse("enforcement:action_new") + f"?institution={world.institutions['inst_xuanwu'].pk}"
    data = {
        "kind": "fine",
        "rule": "ppl41_refuse",
        "decision_number": "玄卫罚〔2026〕9号",
        "decided_on": timezone.localdate().isoformat(),
        "facts": "逾期未整改",
        "amount": "60000",
        "published": "on",
    }
    response = client.post(url, data)
    assert response.status_code == 422
    assert "allows a fine from 5,000 to 50,000 yuan" in response.content.decode()
    response = client.post(url, {**data, "amount": "30000"})
    assert response.status_code == 302
    item = EnforcementAction.objects.get()
    assert item.amount == Decimal(30000)


def test_the_director_sees_and_acknowledges_a_decision(world):
    item = action(world)
    client = _client(world, "director")
    page = client.get(reverse("enforcement:inst_home")).content.decode()
    assert item.decision_number in page and 'data-testid="to-acknowledge"' in page
    client.post(reverse("enforcement:action", args=[item.pk]))
    assert EnforcementAction.objects.get(pk=item.pk).acknowledged_by == world.user("director")
    assert 'data-testid="to-acknowledge"' not in client.get(reverse("enforcement:inst_home")).content.decode()


def test_the_case_page_shows_each_child_with_suggested_places(world):
    near = InstitutionFactory(name="附近托育园", township=world.regions["meiyuan"], lat=32.051, lng=118.801)
    InstitutionClass.objects.create(institution=near, name="托小班", kind="toddler", capacity=5)
    case = closure_case(world)
    page = (
        _client(world, "county_official").get(reverse("enforcement:closure", args=[case.pk])).content.decode()
    )
    assert page.count('data-testid="child-row"') == 2
    assert "附近托育园" in page and "5 places" in page
    assert "17 months" in page


def test_a_placement_error_stays_beside_the_child(world):
    case = closure_case(world)
    row = case.children.first()
    response = _client(world, "county_official").post(
        reverse("enforcement:closure", args=[case.pk]),
        {"form": "place", "row": row.pk, "outcome": "institution"},
    )
    assert response.status_code == 422
    assert "Choose the institution the child went to." in response.content.decode()


def test_the_public_trust_card_shows_penalties_and_the_closure(world):
    action(world, kind="fine", rule="ppl41_refuse", amount=Decimal(8000))
    case = closure_case(world)
    official = world.user("county_official")
    for row in case.children.all():
        services.closure_child_place(actor=official, row=row, outcome="home")
        services.closure_child_settle_fee(actor=official, row=row, prepaid=Decimal(0), refunded=Decimal(0))
    for item in case.handovers.all():
        services.closure_handover_record(actor=official, item=item, received_by="区卫健委")
    services.closure_case_close(actor=official, case=case)
    assert Institution.objects.get(pk=case.institution_id).status == "closed"
    client = Client()
    client.cookies["django_language"] = "en"
    page = client.get(reverse("portal:public_institution", args=[case.institution_id])).content.decode()
    assert 'data-testid="closed-banner"' in page
    assert 'data-testid="closure-public"' in page and timezone.localdate().isoformat() in page
    assert "8000" in page and "第四十一条" in page


def test_while_an_institution_closes_the_trust_card_offers_no_application_and_the_form_says_why(world):
    inst = world.institutions["inst_xuanwu"]
    public = Client()
    public.cookies["django_language"] = "en"
    card = reverse("portal:public_institution", args=[inst.pk])
    assert 'data-testid="apply-link"' in public.get(card).content.decode()
    closure_case(world)
    assert 'data-testid="apply-link"' not in public.get(card).content.decode()
    page = _client(world, "parent").get(reverse("children:apply", args=[inst.pk])).content.decode()
    assert 'data-testid="apply-stopped"' in page and "closing" in page
    assert 'data-testid="apply-form"' not in page


@pytest.mark.parametrize("persona", ["director", "county_official"])
def test_the_emergency_timeline_takes_updates(world, persona):
    item = emergency(world)
    client = _client(world, persona)
    response = client.post(
        reverse("enforcement:emergency", args=[item.pk]),
        {"form": "entry", "text": "已通知疾控", "severity": "high"},
    )
    assert response.status_code == 302
    page = client.get(reverse("enforcement:emergency", args=[item.pk])).content.decode()
    assert "已通知疾控" in page and page.count('data-testid="entry"') == 2
