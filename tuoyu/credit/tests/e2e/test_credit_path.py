"""The credit path in a real browser: an official opens an institution's credit page, a finding is
posted (as the supervision app would), the page shows the tier change with the finding as its
reason; the official revokes it in the page and the tier returns; the public trust card shows it."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tuoyu.core.tests.personas import PASSWORD
from tuoyu.credit.services import credit_recompute, credit_record_add
from tuoyu.institutions.models import Institution

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _login(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("who")).to_be_attached()


def test_official_sees_a_tier_change_with_its_reasons(page: Page, live_server, transactional_world):
    base = live_server.url
    world = transactional_world
    inst = world.institutions["inst_xuanwu"]
    Institution.objects.filter(pk=inst.pk).update(filing_status="filed")
    credit_recompute()
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    _login(page, base, "county_official")
    url = f"{base}/credit/institution/{inst.pk}/"
    page.goto(url)
    expect(page.get_by_test_id("tier")).to_have_text("B")
    expect(page.get_by_test_id("changes")).to_contain_text("The tier has not changed.")

    # Two findings posted by an inspection (outside a transaction: the recompute runs at once).
    for n, points in ((1, -10), (2, -15)):
        credit_record_add(
            institution=inst,
            source="inspection",
            source_ref=f"inspection:e2e:{n}",
            points=points,
            reason=f"检查发现 {n}",
            occurred_on=timezone.localdate(),
        )
    page.reload()
    expect(page.get_by_test_id("tier")).to_have_text("C")
    # 100 → 90 (still B) after the first, → 75 (C) after the second: the change names the second.
    change = page.get_by_test_id("change").first
    expect(change).to_contain_text("检查发现 2")
    expect(change).not_to_contain_text("检查发现 1")

    # The public trust card shows the tier.
    public = page.context.new_page()
    public.goto(f"{base}/public/institutions/{inst.pk}/")
    expect(public.get_by_test_id("credit-tier")).to_have_text("C")
    expect(public.get_by_test_id("credit-reasons")).to_contain_text("Inspection finding")

    # The official revokes the heavier finding in the page: the tier returns to B, with that reason.
    row = page.get_by_test_id("records-counting").get_by_test_id("record-row").filter(has_text="检查发现 2")
    row.locator("[name=reason]").fill("复核后撤销")
    row.get_by_role("button", name="Revoke").click()
    expect(page.locator(".messages")).to_contain_text("The record is revoked")
    expect(page.get_by_test_id("tier")).to_have_text("B")
    latest = page.get_by_test_id("change").first
    expect(latest).to_contain_text("revoked")
    expect(page.get_by_test_id("records-revoked")).to_contain_text("复核后撤销")
