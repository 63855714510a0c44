"""The parent's path on a phone (issue #5, 家长端): a parent at 390×844 logs in, sees the child's day
(checked in and by whom, the morning check), reports an absence for tomorrow, then reads the teacher's
message and answers it; the teacher sees the answer in the staff inbox."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tuoyu.attendance.models import Absence
from tuoyu.core.tests.personas import PASSWORD
from tuoyu.parents.models import Message
from tuoyu.parents.tests.factories import earlier_today as _earlier_today

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def _login(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url


def test_parent_sees_the_day_reports_an_absence_and_answers_the_teacher(
    browser, live_server, transactional_world
):
    from tuoyu.attendance.services import attendance_event_record
    from tuoyu.health.services import health_check_record
    from tuoyu.parents.services import message_post

    world = transactional_world
    base = live_server.url
    child = world.children["own_child"]
    caregiver = world.user("caregiver")
    # The centre's morning, by the services: check-in (brought by the mother), the morning check,
    # and a message from the teacher.
    attendance_event_record(
        actor=caregiver,
        child_id=child.pk,
        kind="in",
        at=_earlier_today(10),
        client_ref="e2e-in",
        person_name="小明妈妈",
    )
    health_check_record(actor=caregiver, child=child, temperature="36.5")
    message_post(actor=caregiver, child=child, body="小明今天午饭吃得很好。", from_staff=True)

    context = browser.new_context(**PHONE)
    page = context.new_page()
    _login(page, base, "parent")
    page.goto(f"{base}/parent/")
    card = page.get_by_test_id("child-card")
    expect(card).to_contain_text("小明")
    expect(card.get_by_test_id("checked-in")).to_be_visible()
    _fits(page)

    # The child's day.
    card.click()
    expect(page.get_by_test_id("child-name")).to_contain_text("小明")
    expect(page.get_by_test_id("section-attendance")).to_contain_text("小明妈妈")
    expect(page.get_by_test_id("parent-check-morning")).to_be_visible()
    expect(page.get_by_test_id("unread-messages")).to_have_text("1")
    _fits(page)

    # Report an absence for tomorrow.
    page.get_by_test_id("report-absence").click()
    tomorrow = timezone.localdate() + timedelta(days=1)
    form = page.get_by_test_id("absence-form")
    form.locator("[name=day]").fill(tomorrow.isoformat())
    form.locator("[name=reason]").select_option("illness")
    form.locator("[name=note]").fill("有点发烧，在家休息")
    form.locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_be_visible()
    _fits(page)
    assert Absence.objects.get(child=child, day=tomorrow).reported_via == "parent"

    # Read the teacher's message and answer it.
    page.get_by_test_id("messages-link").click()
    expect(page.get_by_test_id("thread")).to_contain_text("小明今天午饭吃得很好。")
    page.get_by_test_id("message-form").locator("textarea").fill("谢谢老师！明天他在家休息。")
    page.get_by_test_id("message-form").locator("button[type=submit]").click()
    expect(page.get_by_test_id("message")).to_have_count(2)
    expect(page.get_by_test_id("message").last).to_contain_text("谢谢老师")
    _fits(page)
    page.goto(f"{base}/parents/")
    expect(page.get_by_test_id("child-card")).not_to_contain_text("新消息")
    context.close()
    assert Message.objects.filter(from_staff=False, author=world.user("parent")).count() == 1

    # The teacher sees the answer, unread, in the staff inbox.
    staff = browser.new_context()
    page = staff.new_page()
    _login(page, base, "caregiver")
    page.goto(f"{base}/parents/messages/")
    expect(page.get_by_test_id("inbox-unread")).to_have_text("1")
    page.get_by_test_id("inbox-thread").get_by_role("link").click()
    expect(page.get_by_test_id("thread")).to_contain_text("明天他在家休息")
    staff.close()
