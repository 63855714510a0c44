"""The closure path in a real browser (issue #7): a county official opens a closure, places every child
(one into a suggested institution nearby), settles the prepaid fees, hands over the records and closes
the institution; the public trust card then shows the closure."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tuoyu.core.tests.factories import InstitutionFactory
from tuoyu.core.tests.personas import PASSWORD
from tuoyu.institutions.models import InstitutionClass

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _login(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("who")).to_be_attached()


def test_county_official_closes_an_institution_and_places_every_child(
    page: Page, live_server, transactional_world
):
    base = live_server.url
    world = transactional_world
    institution = world.institutions["inst_xuanwu"]
    nearby = InstitutionFactory(
        name="兰园托育中心", township=world.regions["meiyuan"], lat=32.052, lng=118.802
    )
    InstitutionClass.objects.create(institution=nearby, name="托小一班", kind="toddler", capacity=12)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])

    # 1. Open the closure.
    _login(page, base, "county_official")
    page.goto(f"{base}/enforcement/closures/new/?institution={institution.pk}")
    form = page.get_by_test_id("closure-form")
    form.locator("[name=reason]").fill("举办者申请停办，经核查同意退出")
    form.locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("new enrolment has stopped")
    expect(page.get_by_test_id("step-stop_enrolment")).to_have_attribute("data-done", "1")
    expect(page.get_by_test_id("step-notify_parents")).to_have_attribute("data-done", "1")
    expect(page.get_by_test_id("child-row")).to_have_count(2)

    # 2. Place 小明 into the suggested institution, 小红 at home.
    row = page.locator('[data-testid=child-row][data-child="小明"]')
    expect(row.get_by_test_id("suggestions")).to_contain_text("兰园托育中心")
    row.locator("select[name=outcome]").select_option("institution")
    row.get_by_test_id("suggestions").select_option(str(nearby.pk))
    row.get_by_test_id("place-form").locator("button[type=submit]").click()
    expect(
        page.locator('[data-testid=child-row][data-child="小明"]').get_by_test_id("placement")
    ).to_contain_text("兰园托育中心")
    row = page.locator('[data-testid=child-row][data-child="小红"]')
    row.locator("select[name=outcome]").select_option("home")
    row.get_by_test_id("place-form").locator("button[type=submit]").click()
    expect(page.get_by_test_id("step-place_children")).to_have_attribute("data-done", "1")

    # 3. Settle the prepaid fees.
    for name in ("小明", "小红"):
        fee = page.locator(f'[data-testid=child-row][data-child="{name}"]').get_by_test_id("fee-form")
        fee.locator("[name=prepaid]").fill("3000")
        fee.locator("[name=refunded]").fill("1800")
        fee.locator("button[type=submit]").click()
        expect(
            page.locator(f'[data-testid=child-row][data-child="{name}"]').get_by_test_id("fee")
        ).to_contain_text("Settled")
    expect(page.get_by_test_id("step-settle_fees")).to_have_attribute("data-done", "1")

    # 4. Hand over every record; the close button is disabled until the last one.
    expect(page.get_by_test_id("close-form").locator("button[type=submit]")).to_be_disabled()
    while page.get_by_test_id("handover-form").count():
        form = page.get_by_test_id("handover-form").first
        form.locator("[name=received_by]").fill("玄武区卫健委档案室")
        form.locator("button[type=submit]").click()
        expect(page.locator(".messages")).to_contain_text("Saved.")
    expect(page.get_by_test_id("step-hand_over")).to_have_attribute("data-done", "1")

    # 5. Close.
    page.get_by_test_id("close-form").locator("[name=summary]").fill("全部幼儿妥善安置，预收费用已退还")
    page.get_by_test_id("close-form").locator("button[type=submit]").click()
    expect(page.get_by_test_id("case-status")).to_have_text("Closed")
    expect(page.get_by_test_id("step-close")).to_have_attribute("data-done", "1")

    # 6. The public trust card keeps the record, with the closure.
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    page.goto(f"{base}/public/institutions/{institution.pk}/")
    expect(page.get_by_test_id("closed-banner")).to_be_visible()
    expect(page.get_by_test_id("closure-public")).to_contain_text(timezone.localdate().isoformat())
