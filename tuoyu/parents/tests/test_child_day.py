"""A child's day for the parent, composed from the attendance, health, care and growth apps."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tuoyu.attendance.models import Absence
from tuoyu.parents.tests.factories import earlier_today as _earlier_today


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_today_shows_check_in_by_whom_and_the_morning_check(world):
    from tuoyu.attendance.services import attendance_event_record
    from tuoyu.health.services import health_check_record

    child = world.children["own_child"]
    caregiver = world.user("caregiver")
    attendance_event_record(
        actor=caregiver,
        child_id=child.pk,
        kind="in",
        at=_earlier_today(5),
        client_ref="t-1",
        person_name="小明妈妈",
    )
    health_check_record(actor=caregiver, child=child, temperature="36.6")
    response = _client(world.user("parent")).get(reverse("parents:child_today", args=[child.pk]))
    html = response.content.decode()
    sections = {s.key: s for s in response.context["sections"]}
    assert all(s.available for s in sections.values()), [(s.key, s.missing) for s in sections.values()]
    assert sections["attendance"].context["day"]["in_at"] is not None
    assert len(sections["health"].context["checks"]) == 1
    assert 'data-testid="parent-check-morning"' in html
    home = _client(world.user("parent")).get(reverse("parents:home"))
    today = home.context["cards"][0]["today"]
    assert today["checked_in_at"] is not None and today["status"] == "present"
    assert today["checks"] == [{"session": "morning", "abnormal": False}]
    assert 'data-testid="morning-check"' in home.content.decode()


def test_parent_reports_an_absence_through_attendance(world):
    child = world.children["own_child"]
    day = timezone.localdate() + timedelta(days=1)
    client = _client(world.user("parent"))
    response = client.post(
        reverse("parents:child_absence", args=[child.pk]),
        {"day": day.isoformat(), "reason": "illness", "note": "发烧"},
    )
    assert response.status_code == 302
    absence = Absence.objects.get(child=child, day=day)
    assert absence.reason == "illness" and absence.reported_via == "parent"


def test_absence_in_the_past_is_refused_with_the_field(world):
    child = world.children["own_child"]
    response = _client(world.user("parent")).post(
        reverse("parents:child_absence", args=[child.pk]),
        {"day": (timezone.localdate() - timedelta(days=3)).isoformat(), "reason": "illness"},
    )
    assert response.status_code == 200
    assert "day" in response.context["form"].errors
    assert not Absence.objects.exists()


def test_absence_for_another_child_is_missing(world):
    response = _client(world.user("parent")).post(
        reverse("parents:child_absence", args=[world.children["other_child"].pk]),
        {"day": timezone.localdate().isoformat(), "reason": "illness"},
    )
    assert response.status_code == 404
    assert not Absence.objects.exists()


def test_attendance_history_lists_days(world):
    child = world.children["own_child"]
    from tuoyu.attendance.services import absence_record

    absence_record(actor=world.user("parent"), child_id=child.pk, day=timezone.localdate(), reason="family")
    response = _client(world.user("parent")).get(reverse("parents:child_attendance", args=[child.pk]))
    assert response.context["available"] is True
    assert len(response.context["history"]) == 1


def test_links_to_the_other_apps_pages_open_for_the_parent(world):
    child = world.children["own_child"]
    client = _client(world.user("parent"))
    response = client.get(reverse("parents:child_today", args=[child.pk]))
    links = [response.context[k] for k in ("growth_url", "immunisations_url", "medication_url")]
    assert all(links), links
    for url in links:
        assert client.get(url).status_code == 200, url
