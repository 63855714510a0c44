"""Supervision pages as officials and directors use them."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tuoyu.credit.models import CreditRecord
from tuoyu.supervision import services

from .factories import inspection

pytestmark = pytest.mark.django_db


def _client(world, persona: str) -> Client:
    client = Client()
    client.force_login(world.user(persona))
    client.cookies["django_language"] = "en"
    return client


def test_director_answers_and_the_trust_card_then_shows_the_finding_corrected(world):
    obj = inspection(world, "rectifying", fail=("F03",))
    official = _client(world, "county_official")
    official.post(reverse("supervision:inspection", args=[obj.pk]), {"action": "publish"})
    card_url = reverse("portal:public_institution", args=[obj.institution_id])
    card = Client()
    card.cookies["django_language"] = "en"
    body = card.get(card_url).content.decode()
    title = obj.entries.get(code="F03").title
    assert title in body and "not yet corrected" in body
    assert "F03 不符合" not in body  # the inspector's note is not public

    director = _client(world, "director")
    home = director.get(reverse("supervision:inst_home")).content.decode()
    assert title in home
    order = obj.orders.get()
    response = director.post(
        reverse("supervision:rectification", args=[order.pk]),
        {"action": "answer", "answer": "食谱已按周更换并公示"},
    )
    assert response.status_code == 302
    official.post(reverse("supervision:rectification", args=[order.pk]), {"action": "accept"})
    body = card.get(card_url).content.decode()
    assert "not yet corrected" not in body and "corrected" in body
    assert "No notice is open." in director.get(reverse("supervision:inst_home")).content.decode()


def test_hub_counts_states_orders_and_publication(world):
    inspection(world, "planned")
    inspection(world, "submitted")
    inspection(world, "rectifying")
    body = _client(world, "county_official").get(reverse("supervision:home")).content.decode()
    assert 'data-testid="count-planned">1<' in body
    assert 'data-testid="count-rectifying">1<' in body
    assert 'data-testid="publication-due">2<' in body
    for name in ("spotchecks:home", "complaints:home", "credit:home", "quality:home", "enforcement:home"):
        assert reverse(name) in body


def test_items_page_marks_unverified_sources(world):
    body = _client(world, "city_official").get(reverse("supervision:items")).content.decode()
    assert "未成年人保护法" in body and "unverified" in body and "not an official rule" in body


def test_checklist_page_carries_the_offline_machinery(world):
    obj = inspection(world, "in_progress")
    response = _client(world, "county_official").get(reverse("supervision:checklist", args=[obj.pk]))
    body = response.content.decode()
    assert f"/api/v1/inspections/{obj.pk}/sync" in body and "checklist.js" in body
    assert body.count('class="entry ') == obj.entries.count()
    sw = Client().get(reverse("supervision:service_worker"))
    assert sw["Content-Type"].startswith("application/javascript")
    assert sw["Service-Worker-Allowed"] == "/supervision/"


def test_checklist_submit_from_the_page_reports_what_is_missing(world):
    obj = inspection(world, "in_progress")
    client = _client(world, "county_official")
    response = client.post(reverse("supervision:checklist", args=[obj.pk]), {"action": "submit"}, follow=True)
    assert "not answered yet" in response.content.decode()


def test_team_assigned_from_the_page(world):
    from .factories import team

    obj = inspection(world, members=[])
    members = team(world)
    client = _client(world, "county_official")
    page = client.get(reverse("supervision:inspection", args=[obj.pk])).content.decode()
    assert "No team yet" in page and members[0].username in page
    client.post(
        reverse("supervision:inspection", args=[obj.pk]),
        {"action": "team", "inspectors": [u.pk for u in members]},
    )
    assert obj.inspectors.count() == 2


def test_inspection_list_query_budget(world, django_assert_max_num_queries):
    for _ in range(4):
        inspection(world, "submitted")
    client = _client(world, "county_official")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("supervision:inspections"))
    assert response.content.decode().count('data-testid="inspection-row"') == 4


def test_sweep_command_marks_overdue(world):
    from datetime import timedelta

    from django.utils import timezone

    obj = inspection(world, "rectifying", fail=("C01",))
    obj.orders.update(deadline=timezone.localdate() - timedelta(days=1))
    call_command("sweep_rectifications")
    call_command("sweep_rectifications")
    assert CreditRecord.objects.filter(source="rectification").count() == 1
    assert obj.orders.get().overdue_on == timezone.localdate()
    assert services.rectification_sweep() == 0
