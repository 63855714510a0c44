"""Attendance pages: the class list tap (plain form and htmx), follow-up, staff, kiosk, child history."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tuoyu.attendance import services
from tuoyu.attendance.models import Absence, AttendanceDay, AttendanceEvent, StaffAttendance
from tuoyu.children.models import Child, Guardian
from tuoyu.core.models import AuditLog
from tuoyu.workforce.tests.factories import employ

pytestmark = pytest.mark.django_db


def _login(world, persona="caregiver") -> Client:
    client = Client()
    client.force_login(world.user(persona))
    return client


def _roster(world):
    return reverse("attendance:roster", args=[world.classes["xuanwu_toddler"].pk])


def test_home_lists_the_classes_with_live_ratio(world):
    response = _login(world).get(reverse("attendance:home"))
    assert response.status_code == 200
    assert world.classes["xuanwu_toddler"].name in response.content.decode()


def test_roster_page_query_budget(world, django_assert_max_num_queries):
    klass = world.classes["xuanwu_toddler"]
    for i in range(12):
        Child.objects.create(
            name=f"孩子{i}",
            sex="F",
            birth_date=timezone.localdate().replace(year=2025),
            institution=klass.institution,
            klass=klass,
        )
    client = _login(world)
    with django_assert_max_num_queries(14):
        response = client.get(_roster(world))
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="roster-row"') == 14


def test_tap_without_js_and_a_double_submit_count_once(world):
    client = _login(world)
    child = world.children["own_child"]
    page = client.get(_roster(world)).content.decode()
    ref = re.search(
        rf'name="child" value="{child.pk}"><input type="hidden" name="client_ref" value="(\w+)"', page
    )
    assert ref is not None
    form = {"child": child.pk, "kind": "in", "client_ref": ref.group(1)}
    assert client.post(_roster(world), form).status_code == 302
    assert client.post(_roster(world), form).status_code == 302  # the same form sent twice
    assert AttendanceEvent.objects.filter(child=child).count() == 1
    assert AttendanceDay.objects.get(child=child).status == "present"


def test_htmx_tap_returns_the_row_and_the_ratio(world):
    client = _login(world)
    child = world.children["own_child"]
    response = client.post(
        _roster(world), {"child": child.pk, "kind": "in", "client_ref": "h1"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-status="present"' in body and 'hx-swap-oob="true"' in body
    # Check out: only an authorised person; a guardian is offered.
    guardian = Guardian.objects.get(child=child)
    assert f'value="g:{guardian.pk}"' in body
    out = client.post(
        _roster(world),
        {"child": child.pk, "kind": "out", "client_ref": "h2", "person": f"g:{guardian.pk}"},
        HTTP_HX_REQUEST="true",
    )
    assert 'data-status="left"' in out.content.decode()


def test_tap_on_a_child_of_another_class_is_404(world):
    other = world.children["jiangning_child"]
    response = _login(world).post(_roster(world), {"child": other.pk, "kind": "in", "client_ref": "z"})
    assert response.status_code == 404


def test_roster_of_another_institution_is_404(world):
    url = reverse("attendance:roster", args=[world.classes["jiangning_toddler"].pk])
    assert _login(world).get(url).status_code == 404


def test_follow_up_lists_children_not_in_and_records_the_follow_up(world, settings):
    settings.TUOYU_ATTENDANCE_FOLLOW_UP_CUTOFF = "00:00"
    own, other = world.children["own_child"], world.children["other_child"]
    services.attendance_event_record(
        actor=world.user("caregiver"), child_id=own.pk, kind="in", at=timezone.now(), client_ref="f1"
    )
    client = _login(world)
    page = client.get(reverse("attendance:follow_up")).content.decode()
    assert other.name in page and f'value="{own.pk}"' not in page
    response = client.post(
        reverse("attendance:follow_up"), {"child": other.pk, "reason": "illness", "outcome": "电话：感冒"}
    )
    assert response.status_code == 302
    absence = Absence.objects.get(child=other)
    assert absence.followed_up_by == world.user("caregiver") and absence.reason == "illness"
    page = client.get(reverse("attendance:follow_up")).content.decode()
    assert 'data-testid="follow-up-child"' not in page and "电话：感冒" in page


def test_follow_up_list_waits_for_the_cutoff(world, settings):
    settings.TUOYU_ATTENDANCE_FOLLOW_UP_CUTOFF = "23:59"
    page = _login(world).get(reverse("attendance:follow_up")).content.decode()
    if timezone.localtime().strftime("%H:%M") < "23:59":
        assert 'data-testid="before-cutoff"' in page


def test_a_reported_absence_is_not_followed_up(world, settings):
    settings.TUOYU_ATTENDANCE_FOLLOW_UP_CUTOFF = "00:00"
    other = world.children["other_child"]
    services.absence_record(
        actor=world.user("caregiver"), child_id=other.pk, day=timezone.localdate(), reason="illness"
    )
    page = _login(world).get(reverse("attendance:follow_up")).content.decode()
    assert 'data-testid="follow-up-child"' in page  # own_child is still unexplained
    assert f'name="child" value="{other.pk}"' not in page


def test_staff_page_records_arrival(world):
    job = employ(world.institutions["inst_xuanwu"], name="王老师")
    client = _login(world, "director")
    assert "王老师" in client.get(reverse("attendance:staff")).content.decode()
    client.post(reverse("attendance:staff"), {"employment": job.pk, "kind": "in"})
    assert StaffAttendance.objects.get(employment=job).out_at is None


def test_kiosk_code_checks_the_guardians_child_in(world):
    guardian = Guardian.objects.get(child=world.children["own_child"])
    code = services.kiosk_code_issue(actor=world.user("parent"), guardian=guardian)
    client = _login(world)
    url = reverse("attendance:kiosk", args=[world.institutions["inst_xuanwu"].pk])
    assert client.post(url, {"code": "00000000"}).status_code == 422
    page = client.post(url, {"code": code}).content.decode()
    assert world.children["own_child"].name in page
    done = client.post(
        url, {"code": code, "child": world.children["own_child"].pk, "kind": "in", "client_ref": "k1"}
    )
    assert done.status_code == 200 and 'data-testid="kiosk-done"' in done.content.decode()
    event = AttendanceEvent.objects.get()
    assert event.via == "kiosk" and event.guardian == guardian
    assert AttendanceDay.objects.get().dropped_off_by == guardian.name
    # The guardian cannot act on a child who is not theirs.
    other = client.post(url, {"code": code, "child": world.children["other_child"].pk, "kind": "in"})
    assert other.status_code == 404


def test_kiosk_refuses_codes_for_a_while_after_too_many_wrong_ones(world):
    from datetime import timedelta

    from tuoyu.accounts.models import LoginFailure
    from tuoyu.attendance import rules

    guardian = Guardian.objects.get(child=world.children["own_child"])
    code = services.kiosk_code_issue(actor=world.user("parent"), guardian=guardian)
    client = _login(world)
    client.cookies["django_language"] = "en"
    url = reverse("attendance:kiosk", args=[world.institutions["inst_xuanwu"].pk])
    for attempt in range(rules.KIOSK_MAX_WRONG_CODES.value):
        assert client.post(url, {"code": f"{attempt:08d}"}).status_code == 422
    # Now even the right code is refused, with a way out for the morning.
    locked = client.post(url, {"code": code})
    assert locked.status_code == 429 and "class list" in locked.content.decode()
    # Another institution's kiosk is not affected.
    assert not services.kiosk_locked(institution_id=world.institutions["inst_jiangning"].pk)
    # When the window has passed, the right code works again.
    LoginFailure.objects.update(
        at=timezone.now() - rules.KIOSK_WRONG_CODE_WINDOW.value - timedelta(seconds=1)
    )
    assert world.children["own_child"].name in client.post(url, {"code": code}).content.decode()


def test_kiosk_of_another_institution_is_404(world):
    url = reverse("attendance:kiosk", args=[world.institutions["inst_jiangning"].pk])
    assert _login(world).get(url).status_code == 404


def test_parent_sees_own_child_history_audited_and_reports_absence(world):
    client = _login(world, "parent")
    own = world.children["own_child"]
    url = reverse("attendance:child", args=[own.pk])
    assert client.get(url).status_code == 200
    assert AuditLog.objects.filter(action="view", object_id=str(own.pk)).exists()
    tomorrow = timezone.localdate() + timezone.timedelta(days=1)
    response = client.post(url, {"day": tomorrow.isoformat(), "reason": "family", "note": "回老家"})
    assert response.status_code == 302
    assert Absence.objects.get(child=own).reported_via == "parent"
    other_url = reverse("attendance:child", args=[world.children["other_child"].pk])
    assert client.get(other_url).status_code == 404
    assert client.post(other_url, {"day": tomorrow.isoformat(), "reason": "family"}).status_code == 404


def test_kiosk_code_page_issues_a_code_once(world):
    client = _login(world, "parent")
    url = reverse("attendance:kiosk_code", args=[world.children["own_child"].pk])
    page = client.post(url).content.decode()
    code = re.search(r'data-testid="kiosk-code"><strong[^>]*>(\d{8})<', page)
    assert code is not None
    again = client.get(url).content.decode()
    assert code.group(1) not in again
    assert _login(world, "caregiver").post(url).status_code == 403
