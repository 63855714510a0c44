"""The morning check in a real browser: a health worker records a fever for a child who is present;
the guardian gets an urgent notification and sees the check on a phone-sized screen; the county
official sees the abnormal check in the daily overview."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tuoyu.accounts.choices import Role
from tuoyu.core.tests.factories import RoleAssignmentFactory, UserFactory
from tuoyu.core.tests.personas import PASSWORD
from tuoyu.health.models import HealthCheck
from tuoyu.health.tests.factories import mark_present
from tuoyu.parents.models import Notification

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _login(page: Page, base: str, username: str, *, phone: bool = False) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})  # the account bar folds away on a phone
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("who")).to_be_visible()
    if phone:
        page.set_viewport_size({"width": 390, "height": 844})


def _logout(page: Page, base: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/")
    page.locator("form[action$='/accounts/logout/'] button").click()


def test_health_worker_records_a_fever_the_parent_is_told_and_the_county_sees_it(
    page: Page, live_server, transactional_world
):
    base = live_server.url
    world = transactional_world
    own, other = world.children["own_child"], world.children["other_child"]
    mark_present(own)
    mark_present(other)
    worker = UserFactory(username="health_worker")
    RoleAssignmentFactory(user=worker, role=Role.HEALTH_WORKER, institution=world.institutions["inst_xuanwu"])
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])

    # The health worker at the door, on a phone: one child has a fever and a rash.
    _login(page, base, "health_worker", phone=True)
    page.goto(f"{base}/health/checks/?session=morning")
    expect(page.get_by_test_id("check-summary")).to_contain_text("2 present")
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    row = page.get_by_test_id(f"child-{own.pk}")
    row.get_by_test_id("abnormal-toggle").click()
    form = row.get_by_test_id("abnormal-form")
    form.get_by_test_id("temperature").fill("38.6")
    form.get_by_test_id("symptom-fever").check()
    form.get_by_test_id("symptom-rash").check()
    form.get_by_test_id("save-abnormal").click()
    expect(page.locator(".messages")).to_contain_text("the guardians have been told")
    expect(page.get_by_test_id(f"child-{own.pk}").get_by_test_id("status")).to_contain_text("sent home")
    # The other child is fine: "all normal" records the rest of the class in one tap.
    page.get_by_test_id("all-normal").click()
    expect(page.get_by_test_id(f"child-{other.pk}").get_by_test_id("status")).to_contain_text("Normal")
    assert HealthCheck.objects.get(child=own).outcome == "sent_home"
    note = Notification.objects.get(user=world.user("parent"), child=own)
    assert note.urgent and note.kind == "health_check"
    _logout(page, base)

    # The parent, on the same phone, sees the check on the child's health page; not another child's.
    _login(page, base, "parent", phone=True)
    page.goto(f"{base}/health/child/{own.pk}/immunisations/")
    expect(page.get_by_test_id("parent-check-morning")).to_contain_text("Kept out, sent home")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, width
    response = page.goto(f"{base}/health/child/{other.pk}/immunisations/")
    assert response is not None and response.status == 404
    _logout(page, base)

    # The county official sees it in the daily overview, down to the institution.
    _login(page, base, "county_official")
    page.goto(f"{base}/health/overview/")
    expect(page.get_by_test_id("total-abnormal")).to_have_text("1")
    expect(page.get_by_test_id("total-present")).to_have_text("2")
    page.get_by_test_id("row-320102002000").get_by_role("link").click()
    expect(page.get_by_test_id(f"row-{world.institutions['inst_xuanwu'].pk}")).to_contain_text("梅园托育中心")
