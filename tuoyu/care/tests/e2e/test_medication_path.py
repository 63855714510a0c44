"""The medication path in a real browser on a phone-sized screen (issue #5): a parent asks the centre
to give a medicine; a caregiver accepts it (the signed authorisation on file) and records a dose; the
parent sees the dose."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tuoyu.core.tests.personas import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _login(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("who")).to_be_attached()


def _logout(page: Page, base: str) -> None:
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])


def test_parent_requests_medication_and_the_caregiver_gives_it(page: Page, live_server, transactional_world):
    base = live_server.url
    world = transactional_world
    child = world.children["own_child"]
    today = timezone.localdate().isoformat()
    page.set_viewport_size({"width": 390, "height": 844})
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])

    # 1. The parent asks, on a phone.
    _login(page, base, "parent")
    page.goto(f"{base}/care/child/{child.pk}/medication/")
    form = page.get_by_test_id("medication-form")
    form.locator("[name=medicine]").fill("布洛芬混悬液")
    form.locator("[name=dose]").fill("5 ml")
    form.locator("[name=times]").fill("12:00")
    form.locator("[name=start_on]").fill(today)
    form.locator("[name=end_on]").fill(today)
    form.locator("[name=parent_consent]").check()
    form.locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("Request sent to the centre.")
    expect(page.get_by_test_id("request-status")).to_have_text("Requested")
    # Nothing wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # 2. The caregiver accepts it with the signed authorisation on file, then gives a dose.
    _logout(page, base)
    _login(page, base, "caregiver")
    page.goto(f"{base}/care/medication/")
    pending = page.get_by_test_id("pending-request")
    expect(pending).to_contain_text("布洛芬混悬液")
    accept = pending.get_by_test_id("accept-form")
    accept.locator("[name=authorisation_on_file]").check()
    accept.locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("Saved.")
    row = page.get_by_test_id("due-row")
    expect(row).to_contain_text(child.name)
    row.get_by_test_id("dose-form").locator("button[type=submit]").click()
    expect(page.get_by_test_id("due-row")).not_to_contain_text("to give")

    # 3. The parent sees the dose given.
    _logout(page, base)
    _login(page, base, "parent")
    page.goto(f"{base}/care/child/{child.pk}/medication/")
    expect(page.get_by_test_id("request-status")).to_have_text("Accepted")
    expect(page.get_by_test_id("doses")).to_contain_text("5 ml")
