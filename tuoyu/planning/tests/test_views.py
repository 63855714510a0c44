"""The indicators page and a county's residential projects page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tuoyu.planning.models import ResidentialProject

from .factories import build_plan_world


def client_for(world, persona: str) -> Client:
    client = Client()
    client.force_login(world.user(persona))
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def plan(world):
    build_plan_world(world)
    return world


def test_indicators_page_shows_values_targets_no_data_and_child_links(plan):
    response = client_for(plan, "province_official").get(
        reverse("planning:indicators") + "?region=320100000000&date=2025-06-01"
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Childcare places per 1,000 residents" in text
    assert "每千人口拥有3岁以下婴幼儿托位数" in text
    assert "no data yet" in text
    assert "?region=320102000000&amp;date=2025-06-01" in text  # link to a child county
    assert "2021–2025" in text


def test_indicators_page_defaults_to_the_users_region_and_reports_a_bad_date(plan):
    response = client_for(plan, "county_official").get(reverse("planning:indicators") + "?date=2025-99-01")
    assert response.status_code == 200
    assert response.context["region"].code == "320102000000"
    assert "Give the date as YYYY-MM-DD." in response.content.decode()


def test_county_admin_adds_a_residential_project(plan):
    url = reverse("planning:residential", args=["320102000000"])
    response = client_for(plan, "county_official").post(url, {
        "township": "320102002000", "name": "锦绣花园", "homes": "800", "delivered_on": "2025-01-01",
        "has_childcare_facility": "on", "facility_places": "60", "facility_status": "delivered",
        "facility_planned_on": "2022-01-01", "facility_built_on": "2024-01-01",
        "facility_accepted_on": "2024-12-01", "facility_delivered_on": "2025-01-01",
    })  # fmt: skip
    assert response.status_code == 302
    project = ResidentialProject.objects.get()
    assert (project.county_id, project.facility_status) == ("320102000000", "delivered")
    assert "锦绣花园" in client_for(plan, "county_official").get(url).content.decode()


def test_a_bad_step_date_is_shown_on_the_form(plan):
    url = reverse("planning:residential", args=["320102000000"])
    response = client_for(plan, "county_official").post(url, {
        "township": "320102002000", "name": "缺日期", "homes": "800", "has_childcare_facility": "on",
        "facility_places": "60", "facility_status": "built", "facility_planned_on": "2022-01-01",
    })  # fmt: skip
    assert response.status_code == 200
    assert "Give the date of this step." in response.content.decode()
    assert not ResidentialProject.objects.exists()


def test_viewer_sees_projects_but_may_not_add(plan):
    url = reverse("planning:residential", args=["320102000000"])
    client = client_for(plan, "city_official")
    assert 'data-testid="project-form"' not in client.get(url).content.decode()
    assert client.post(url, {"name": "x"}).status_code == 403
