"""The attendance path in a real browser (issue #5): a caregiver opens her class list and taps children
in; a double tap on a child does not count twice; a child who has not come shows on the follow-up list
(缺勤追踪) and is followed up."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tuoyu.attendance.models import Absence, AttendanceDay, AttendanceEvent
from tuoyu.children.models import Child
from tuoyu.core.tests.personas import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _login(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("who")).to_be_visible()


def test_caregiver_taps_children_in_and_follows_up_the_absent_one(
    page: Page, live_server, transactional_world, settings
):
    settings.TUOYU_ATTENDANCE_FOLLOW_UP_CUTOFF = "00:00"  # the follow-up list is drawn up at once
    base = live_server.url
    world = transactional_world
    klass = world.classes["xuanwu_toddler"]
    own, other = world.children["own_child"], world.children["other_child"]
    absent = Child.objects.create(
        name="小亮",
        sex="M",
        birth_date=timezone.localdate() - timedelta(days=500),
        institution=klass.institution,
        klass=klass,
    )

    _login(page, base, "caregiver")
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/attendance/")
    page.get_by_test_id("class-list").get_by_role("link", name=klass.name).click()
    roster = page.get_by_test_id("roster")

    # One tap checks 小明 in; the row turns to "In" and offers check-out with his guardian.
    row = roster.locator(f"tr[data-child='{own.pk}']")
    row.get_by_test_id("tap-in").click()
    expect(roster.locator(f"tr[data-child='{own.pk}']")).to_have_attribute("data-status", "present")
    expect(page.locator("#live-ratio")).to_contain_text("1 children")

    # A double tap on 小红: both taps carry the same client_ref, so she is counted once.
    roster.locator(f"tr[data-child='{other.pk}']").get_by_test_id("tap-in").dblclick()
    expect(roster.locator(f"tr[data-child='{other.pk}']")).to_have_attribute("data-status", "present")
    page.reload()
    expect(page.locator("#live-ratio")).to_contain_text("2 children")
    assert AttendanceEvent.objects.filter(child=other).count() == 1
    assert AttendanceDay.objects.filter(day=timezone.localdate()).count() == 2

    # 小亮 did not come and nobody reported why: he is on the follow-up list.
    page.goto(f"{base}/attendance/follow-up/")
    pending = page.get_by_test_id("follow-up-list")
    expect(pending.get_by_test_id("follow-up-child")).to_have_count(1)
    item = pending.get_by_test_id("follow-up-child").filter(has_text=absent.name)
    item.locator("[name=reason]").select_option("illness")
    item.locator("[name=outcome]").fill("电话联系：发烧在家")
    item.get_by_role("button").click()
    expect(page.get_by_test_id("followed-up")).to_contain_text("电话联系：发烧在家")
    expect(page.get_by_test_id("follow-up-child")).to_have_count(0)
    assert Absence.objects.get(child=absent).reason == "illness"
