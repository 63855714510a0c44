"""Issue #5's "done when", tried as a new user would, across the apps: a parent signs up and applies
from the public trust card; the director records the entry health check and accepts onto a class; a
caregiver checks the child in on the class roster, records the morning check and a measurement; the
parent, on a phone-sized screen, sees the check-in, the morning check and the growth point."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from tuoyu.attendance.models import AttendanceDay
from tuoyu.children.models import Child
from tuoyu.core.tests.personas import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
NEW_PARENT = "13955550001"
NEW_PASSWORD = "Tuoyu-家长-2026!"
CHILD = "林小果"


def _needs(*names: str) -> None:
    """Skip (naming what is missing) when another app's page does not exist yet."""
    for name in names:
        try:
            reverse(name, args=[1])
        except NoReverseMatch:
            try:
                reverse(name)
            except NoReverseMatch:
                pytest.skip(f"the page {name} does not exist yet")


def _login(page: Page, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("main form button[type=submit]").click()
    # On a phone the account menu is folded away: being logged in shows as leaving the login page.
    expect(page.get_by_test_id("who")).to_have_count(1)


def test_a_new_parent_applies_and_sees_the_centres_day_on_a_phone(browser, live_server, transactional_world):
    _needs(
        "portal:public_institution",
        "children:apply",
        "children:applications",
        "children:child",
        "attendance:roster",
        "health:checks",
        "growth:child",
    )
    world = transactional_world
    base = live_server.url
    institution = world.institutions["inst_xuanwu"]
    klass = world.classes["xuanwu_toddler"]
    today = timezone.localdate()

    # 1. A parent on a phone signs up, finds the centre's public trust card and applies.
    phone = browser.new_context(**PHONE)
    page = phone.new_page()
    page.goto(f"{base}/parents/signup/")
    form = page.get_by_test_id("signup-form")
    form.locator("[name=name]").fill("林女士")
    form.locator("[name=phone]").fill(NEW_PARENT)
    form.locator("[name=password]").fill(NEW_PASSWORD)
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("no-children")).to_be_visible()
    page.goto(f"{base}{reverse('portal:public_institution', args=[institution.pk])}")
    page.get_by_test_id("apply-link").click()
    apply = page.get_by_test_id("apply-form")
    apply.locator("[name=name]").fill(CHILD)
    apply.locator("[name=sex]").select_option("F")
    apply.locator("[name=birth_date]").fill((today - timedelta(days=540)).isoformat())
    apply.locator("[name=relation]").select_option("mother")
    apply.locator("[name=service_mode]").select_option(index=0)
    apply.locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_be_visible()
    child = Child.objects.get(name=CHILD)
    assert child.guardians.get().user.username == NEW_PARENT
    phone.close()

    # 2. The director records the entry health check and accepts the child onto 托小一班.
    desk = browser.new_context()
    page = desk.new_page()
    _login(page, base, "director")
    page.goto(f"{base}{reverse('children:child', args=[child.pk])}")
    check = page.get_by_test_id("check-form")
    check.locator("[name=kind]").select_option("health")
    check.locator("[name=checked_on]").fill(today.isoformat())
    check.locator("[name=passed]").select_option(index=0)
    check.locator("button[type=submit]").click()
    expect(page.get_by_test_id("entry-checks")).not_to_contain_text("None recorded")
    page.goto(f"{base}{reverse('children:applications')}?institution={institution.pk}")
    card = page.locator(f"[data-testid=application][data-child='{CHILD}']")
    accept = card.get_by_test_id("accept-form")
    accept.locator("select[name$=class_id]").select_option(str(klass.pk))
    accept.locator("button[type=submit]").click()
    expect(page.locator(f"[data-testid=application][data-child='{CHILD}']")).to_have_count(0)
    child.refresh_from_db()
    assert child.klass_id == klass.pk
    desk.close()

    # 3. A caregiver checks the child in on the class roster, records the morning check and a
    # measurement.
    desk = browser.new_context()
    page = desk.new_page()
    _login(page, base, "caregiver")
    page.goto(f"{base}{reverse('attendance:roster', args=[klass.pk])}")
    row = page.locator(f"[data-testid=roster-row][data-child='{child.pk}']")
    row.get_by_test_id("tap-in").click()
    expect(page.locator(f"[data-testid=roster-row][data-child='{child.pk}']")).to_have_attribute(
        "data-status", "present"
    )
    page.goto(f"{base}{reverse('health:checks')}?class={klass.pk}&session=morning")
    page.get_by_test_id(f"child-{child.pk}").get_by_test_id("normal").click()
    expect(page.get_by_test_id(f"child-{child.pk}").get_by_test_id("status")).to_be_visible()
    page.goto(f"{base}{reverse('growth:child', args=[child.pk])}")
    measure = page.get_by_test_id("measurement-form")
    measure.locator("[name=measured_on]").fill(today.isoformat())
    measure.locator("[name=weight_kg]").fill("10.6")
    measure.locator("[name=length_cm]").fill("80.2")
    if measure.locator("[name=position]").count():
        measure.locator("[name=position]").select_option("lying")
    measure.locator("button[type=submit]").click()
    expect(page.get_by_test_id("measurement-row")).to_have_count(1)
    desk.close()

    # 4. The parent, on the phone, sees the check-in, the morning check and the growth point.
    phone = browser.new_context(**PHONE)
    page = phone.new_page()
    _login(page, base, NEW_PARENT, NEW_PASSWORD)
    page.goto(f"{base}/parent/")
    card = page.get_by_test_id("child-card")
    expect(card).to_contain_text(CHILD)
    expect(card.get_by_test_id("checked-in")).to_be_visible()
    card.click()
    expect(page.get_by_test_id("attendance-today")).to_be_visible()
    checked_in = timezone.localtime(AttendanceDay.objects.get(child=child, day=today).in_at)
    expect(page.get_by_test_id("attendance-today")).to_contain_text(checked_in.strftime("%H:%M"))
    expect(page.get_by_test_id("parent-check-morning")).to_be_visible()
    expect(page.get_by_test_id("growth-summary")).to_contain_text("10.6")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_test_id("growth-chart-link").click()
    expect(page.get_by_test_id("measurement-row")).to_have_count(1)
    phone.close()
