"""The complaint path in a real browser (issue #7): a member of the public files a serious complaint on a
phone-sized screen from the trust card and gets a reference; the county official sees it with the
inspection it opened, handles it and concludes it substantiated; the tracking page shows the outcome."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tuoyu.core.tests.personas import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _login(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("who")).to_be_attached()


def test_public_complaint_to_substantiated_outcome(page: Page, live_server, transactional_world):
    base = live_server.url
    inst = transactional_world.institutions["inst_xuanwu"]
    page.set_viewport_size({"width": 390, "height": 844})
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])

    # 1. A member of the public, not logged in, complains from the trust card on a phone.
    page.goto(f"{base}/public/institutions/{inst.pk}/")
    page.get_by_test_id("complain-link").click()
    form = page.get_by_test_id("complaint-form")
    form.locator("[name=category]").select_option("abuse")
    form.locator("[name=description]").fill("孩子回家后手臂有掐痕，询问说是老师捏的。")
    form.locator("[name=anonymous]").uncheck()
    form.locator("[name=contact_name]").fill("赵女士")
    form.locator("[name=contact_phone]").fill("13912345678")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    form.locator("button[type=submit]").click()
    reference = page.get_by_test_id("reference").inner_text().strip()
    assert reference.startswith("TS-")
    expect(page.get_by_test_id("serious-note")).to_be_visible()
    track_url = page.get_by_test_id("track-link").get_attribute("href")
    assert track_url and reference in track_url
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # 2. The county official finds it in the queue with the inspection it opened.
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    page.set_viewport_size({"width": 1280, "height": 900})
    _login(page, base, "county_official")
    page.goto(f"{base}/complaints/")
    row = page.get_by_test_id("queue-row").filter(has_text=reference)
    expect(row.get_by_test_id("has-inspection")).to_be_visible()
    row.get_by_role("link", name=reference).click()
    expect(page.get_by_test_id("inspection")).to_contain_text(f"complaint {reference}")
    page.get_by_test_id("show-contact").click()
    expect(page.get_by_test_id("contact")).to_contain_text("13912345678")
    page.get_by_test_id("action-accept").locator("button").click()
    expect(page.get_by_test_id("status")).to_contain_text("Accepted")
    page.get_by_test_id("action-investigate").locator("button").click()
    expect(page.get_by_test_id("status")).to_contain_text("Under investigation")
    conclude = page.get_by_test_id("conclude-form")
    conclude.locator("[name=outcome]").select_option("substantiated")
    conclude.locator("[name=reply]").fill("经现场核查，反映问题属实，已责令整改并记入信用档案。")
    conclude.locator("button[type=submit]").click()
    expect(page.get_by_test_id("outcome")).to_have_text("Substantiated")

    # 3. Back on the phone, anyone with the reference sees the outcome and the reply.
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/complaints/track/")
    page.get_by_test_id("track-form").locator("[name=reference]").fill(reference)
    page.get_by_test_id("track-form").locator("button[type=submit]").click()
    expect(page.get_by_test_id("track-status")).to_have_text("Concluded")
    expect(page.get_by_test_id("track-outcome")).to_have_text("Substantiated")
    expect(page.get_by_test_id("track-reply")).to_contain_text("已责令整改")
    expect(page.get_by_test_id("track-result")).not_to_contain_text("13912345678")
