"""The health pages: the check list (one tap normal, all normal, an abnormal finding), immunisations,
alerts and the overview; scoping and query budgets."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tuoyu.children.models import Child
from tuoyu.health.models import HealthCheck, SymptomClusterAlert
from tuoyu.parents.models import Notification

from .factories import mark_present

pytestmark = pytest.mark.django_db


def _login(world, persona):
    client = Client()
    client.force_login(world.user(persona))
    return client


def test_check_list_shows_the_class_and_taps_normal(world, django_assert_max_num_queries):
    own = world.children["own_child"]
    mark_present(own)
    client = _login(world, "caregiver")
    url = reverse("health:checks") + "?session=morning"
    with django_assert_max_num_queries(14):
        page = client.get(url)
    assert page.status_code == 200
    assert own.name in page.content.decode() and world.children["other_child"].name in page.content.decode()
    klass = world.classes["xuanwu_toddler"].pk
    r = client.post(reverse("health:checks"), {"class": klass, "session": "morning", "action": "all_normal"})
    assert r.status_code == 302
    assert list(HealthCheck.objects.values_list("child_id", "abnormal")) == [(own.pk, False)]
    # The child turns out to have a fever: the abnormal form replaces the quick "normal".
    r = client.post(
        reverse("health:checks"),
        {
            "class": klass,
            "session": "morning",
            "action": "abnormal",
            "child": own.pk,
            "temperature": "38.1",
            "mouth": "normal",
            "hands": "normal",
            "skin": "abnormal",
            "mood": "tired",
            "symptoms": ["fever", "rash"],
        },
    )
    assert r.status_code == 302
    check = HealthCheck.objects.get(child=own)
    assert check.outcome == "sent_home" and check.skin == "abnormal"
    assert Notification.objects.get(user=world.user("parent")).urgent


def test_check_list_page_cost_does_not_grow_with_the_class(world, django_assert_max_num_queries):
    klass = world.classes["xuanwu_toddler"]
    for n in range(20):
        child = Child.objects.create(
            name=f"孩子{n}",
            sex="M",
            birth_date=world.children["own_child"].birth_date,
            institution=klass.institution,
            klass=klass,
        )
        mark_present(child)
    client = _login(world, "caregiver")
    client.post(reverse("health:checks"), {"class": klass.pk, "session": "morning", "action": "all_normal"})
    with django_assert_max_num_queries(14):
        assert client.get(reverse("health:checks") + "?session=morning").status_code == 200


def test_a_class_of_another_institution_is_404(world):
    client = _login(world, "caregiver")
    other = world.classes["jiangning_toddler"].pk
    assert client.get(reverse("health:checks") + f"?class={other}").status_code == 404
    assert client.get(reverse("health:checks") + "?class=x").status_code == 404
    r = client.post(reverse("health:checks"), {"class": other, "action": "all_normal"})
    assert r.status_code == 404


def test_health_worker_list_of_due_and_overdue(world, django_assert_max_num_queries):
    client = _login(world, "director")
    with django_assert_max_num_queries(12):
        page = client.get(reverse("health:immunisations"))
    body = page.content.decode()
    assert world.children["own_child"].name in body
    assert world.children["jiangning_child"].name not in body
    inst = world.institutions["inst_jiangning"].pk
    assert client.get(reverse("health:immunisations") + f"?institution={inst}").status_code == 404


def test_parent_sees_and_records_their_childs_doses_only(world):
    client = _login(world, "parent")
    own = world.children["own_child"]
    page = client.get(reverse("health:child_immunisations", args=[own.pk]))
    assert page.status_code == 200 and "dose-form" in page.content.decode()
    r = client.post(
        reverse("health:child_immunisations", args=[own.pk]),
        {"vaccine": "HepB", "dose_no": 1, "given_on": own.birth_date.isoformat(), "source": "certificate"},
    )
    assert r.status_code == 302
    assert own.vaccine_doses.get().source == "parent"
    other = world.children["other_child"]
    assert client.get(reverse("health:child_immunisations", args=[other.pk])).status_code == 404
    assert client.post(reverse("health:child_immunisations", args=[other.pk]), {}).status_code == 404


def test_county_official_sees_and_acknowledges_its_alerts_only(world):
    today = timezone.localdate()
    alert = SymptomClusterAlert.objects.create(
        township=world.regions["meiyuan"],
        group="fever_rash",
        window_start=today,
        window_end=today,
        institution_count=3,
        cases=4,
    )
    other = _login(world, "other_county_official")
    assert f"alert-{alert.pk}" not in other.get(reverse("health:alerts")).content.decode()
    assert other.post(reverse("health:alerts"), {"alert": alert.pk}).status_code == 404
    county = _login(world, "county_official")
    assert f"alert-{alert.pk}" in county.get(reverse("health:alerts")).content.decode()
    assert county.post(reverse("health:alerts"), {"alert": alert.pk, "note": "已通知疾控"}).status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_by == world.user("county_official")
    city = _login(world, "city_official")
    assert city.post(reverse("health:alerts"), {"alert": alert.pk}).status_code == 403


def test_overview_drills_down_and_stays_in_scope(world, django_assert_max_num_queries):
    client = _login(world, "city_official")
    with django_assert_max_num_queries(25):
        page = client.get(reverse("health:overview"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "row-320102000000" in body and "row-320115000000" in body
    assert client.get(reverse("health:overview") + "?region=320102000000").status_code == 200
    assert client.get(reverse("health:overview") + "?region=320205000000").status_code == 404
    county = _login(world, "county_official")
    assert county.get(reverse("health:overview") + "?region=320115000000").status_code == 404
    director = _login(world, "director")
    page = director.get(reverse("health:overview"))
    assert f"row-{world.institutions['inst_xuanwu'].pk}" in page.content.decode()
    assert f"row-{world.institutions['inst_jiangning'].pk}" not in page.content.decode()
