"""The spot-check pages: plans, batch form, draw and replay, the register, and the public draws."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tuoyu.spotchecks.models import Batch, ConflictDeclaration, Draw, InspectionPlan

from .factories import XUANWU_UNIT, batch, drawn, inspector, more_institutions, plan, xuanwu_inspectors

pytestmark = pytest.mark.django_db


def _client(world, persona: str) -> Client:
    client = Client()
    client.force_login(world.user(persona))
    client.cookies["django_language"] = "en"
    return client


def test_a_county_files_a_plan_and_adds_a_batch_on_the_pages(world):
    client = _client(world, "county_official")
    year = timezone.localdate().year
    response = client.post(reverse("spotchecks:home"), {"region": "320102000000", "year": year, "title": ""})
    the_plan = InspectionPlan.objects.get()
    assert response.status_code == 302 and response.url == reverse("spotchecks:plan", args=[the_plan.pk])
    page = client.get(reverse("spotchecks:home"))
    assert the_plan.title in page.content.decode()
    form = {
        "name": "第一批",
        "scope_region": "320102000000",
        "window_start": f"{year}-04-01",
        "window_end": f"{year}-05-31",
        "team_size": 1,
        "operating_only": "on",
        "rate_serious_findings": "50",
        "lookback_serious_findings": "730",
        "rate_complaints": "30",
        "lookback_complaints": "365",
        "rate_credit_low": "30",
        "rate_credit_high": "3",
        "rate_default": "5",
    }
    refused = client.post(reverse("spotchecks:batch_create", args=[the_plan.pk]), form)
    assert refused.status_code == 422
    assert "A team has between 2 and 6 inspectors." in refused.content.decode()
    response = client.post(reverse("spotchecks:batch_create", args=[the_plan.pk]), {**form, "team_size": 3})
    created = Batch.objects.get()
    assert response.status_code == 302 and created.team_size == 3
    page = client.get(reverse("spotchecks:batch", args=[created.pk])).content.decode()
    assert 'data-testid="draw-button"' in page


def test_draw_from_the_batch_page_then_replay_identical(world):
    more_institutions(world, 25)
    xuanwu_inspectors(world, 4)
    the_batch = batch(world)
    client = _client(world, "county_official")
    response = client.post(reverse("spotchecks:batch", args=[the_batch.pk]), {"seed": "2026"})
    draw = Draw.objects.get()
    assert response.status_code == 302 and response.url == reverse("spotchecks:draw", args=[draw.pk])
    page = client.get(response.url).content.decode()
    assert page.count('data-testid="drawn-row"') == 2  # ⌈5% × 26⌉
    assert "玄武检查员" in page and "2026" in page
    replayed = client.post(response.url).content.decode()
    assert "The replay gives exactly the stored result." in replayed
    # A second draw of the batch is refused; the page no longer offers it.
    assert (
        'data-testid="draw-button"'
        not in client.get(reverse("spotchecks:batch", args=[the_batch.pk])).content.decode()
    )
    assert client.post(reverse("spotchecks:batch", args=[the_batch.pk]), {}).status_code == 409


def test_a_tampered_draw_shows_the_differences(world):
    draw = drawn(world)
    result = draw.result
    result["institutions"][0]["team"] = []
    Draw.objects.filter(pk=draw.pk).update(result=result)
    page = _client(world, "city_official").post(reverse("spotchecks:draw", args=[draw.pk])).content.decode()
    assert "not identical" in page
    assert 'data-testid="replay-differences"' in page
    assert "梅园托育中心" in page


def test_another_county_gets_404_and_a_viewer_cannot_draw(world):
    the_batch = batch(world)
    other = _client(world, "other_county_official")
    assert other.get(reverse("spotchecks:batch", args=[the_batch.pk])).status_code == 404
    assert other.post(reverse("spotchecks:batch", args=[the_batch.pk]), {}).status_code == 404
    assert other.get(reverse("spotchecks:plan", args=[the_batch.plan_id])).status_code == 404
    assert "第一批" not in other.get(reverse("spotchecks:home")).content.decode()
    viewer = _client(world, "city_official")
    assert viewer.post(reverse("spotchecks:batch", args=[the_batch.pk]), {}).status_code == 403
    assert not Draw.objects.exists()


def test_register_page_and_declarations(world):
    person = inspector(world.regions["xuanwu"], XUANWU_UNIT, name="钱检查员")
    county = _client(world, "county_official")
    page = county.get(reverse("spotchecks:inspectors")).content.decode()
    assert "钱检查员" in page and XUANWU_UNIT in page
    response = county.post(
        reverse("spotchecks:inspectors") + "?region=320102000000",
        {"unit": XUANWU_UNIT, "institution": "梅园托育中心", "declared_on": "", "note": ""},
    )
    assert response.status_code == 302
    assert ConflictDeclaration.objects.get().unit == XUANWU_UNIT
    response = county.post(
        reverse("spotchecks:inspector", args=[person.pk]),
        {"institution": "梅园托育中心", "relation": "relative", "declared_on": "", "note": "配偶任职"},
    )
    assert response.status_code == 302
    page = county.get(reverse("spotchecks:inspector", args=[person.pk])).content.decode()
    assert "配偶任职" in page and "Relative" in page and "Own unit" in page
    unknown = county.post(
        reverse("spotchecks:inspector", args=[person.pk]),
        {"institution": "东山托育园", "relation": "other"},  # 江宁区: not in the county's scope
    )
    assert unknown.status_code == 422
    assert "No single institution in your scope" in unknown.content.decode()
    assert (
        _client(world, "other_county_official")
        .get(reverse("spotchecks:inspector", args=[person.pk]))
        .status_code
        == 404
    )


def test_public_pages_show_published_draws_without_inspectors(world):
    draw = drawn(world)
    client = Client()
    client.cookies["django_language"] = "en"
    listing = client.get(reverse("spotchecks:public_draws")).content.decode()
    assert draw.batch.plan.title in listing
    page = client.get(reverse("spotchecks:public_draw", args=[draw.pk])).content.decode()
    centre = world.institutions["inst_xuanwu"]
    assert reverse("portal:public_institution", args=[centre.pk]) in page
    assert "玄武检查员" not in page
    Draw.objects.filter(pk=draw.pk).update(published=False)
    assert client.get(reverse("spotchecks:public_draw", args=[draw.pk])).status_code == 404


def test_page_query_budgets(world, django_assert_max_num_queries):
    for year in range(2020, 2028):
        the_plan = plan(world, year=year)
        batch(world, the_plan=the_plan)
        batch(world, the_plan=the_plan, name="第二批")
    for i in range(20):
        inspector(world.regions["xuanwu"], XUANWU_UNIT, name=f"检查员{i}")
    drawn(world)
    client = _client(world, "province_official")
    with django_assert_max_num_queries(14):
        assert client.get(reverse("spotchecks:home")).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("spotchecks:inspectors")).status_code == 200
    anonymous = Client()
    with django_assert_max_num_queries(6):
        assert anonymous.get(reverse("spotchecks:public_draws")).status_code == 200
