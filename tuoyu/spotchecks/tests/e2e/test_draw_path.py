"""The double-random path in a real browser (issue #7): a county official files a plan, adds a batch,
draws it, sees the institutions and their teams, replays the draw and sees "identical"; the public
page then lists the published draw without login."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tuoyu.core.tests.personas import PASSWORD
from tuoyu.spotchecks.tests.factories import more_institutions, xuanwu_inspectors

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _login(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("who")).to_be_attached()


def test_county_plans_draws_replays_and_the_public_sees_it(page: Page, live_server, transactional_world):
    base = live_server.url
    world = transactional_world
    more_institutions(world, 19)
    xuanwu_inspectors(world, 4)
    year = timezone.localdate().year
    page.set_viewport_size({"width": 390, "height": 844})
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])

    # 1. The county files this year's plan.
    _login(page, base, "county_official")
    page.goto(f"{base}/spotchecks/")
    form = page.get_by_test_id("plan-form")
    form.locator("[name=year]").fill(str(year))
    form.locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("Plan filed.")

    # 2. It adds a batch with three inspectors per team.
    page.get_by_test_id("new-batch").click()
    form = page.get_by_test_id("batch-form")
    form.locator("[name=name]").fill("第一批")
    form.locator("[name=window_start]").fill(f"{year}-01-01")
    form.locator("[name=window_end]").fill(f"{year}-12-31")
    form.locator("[name=team_size]").fill("3")
    form.locator("[name=rate_default]").fill("10")
    form.locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("Batch added.")
    expect(page.get_by_test_id("strata")).to_contain_text("10%")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # 3. It draws: two of twenty institutions (10%), each with a team of three.
    page.get_by_test_id("draw-form").locator("[name=seed]").fill("20261130")
    page.get_by_test_id("draw-button").click()
    expect(page.locator(".messages")).to_contain_text("Drawn and published.")
    rows = page.get_by_test_id("drawn-row")
    expect(rows).to_have_count(2)
    for i in range(2):
        expect(rows.nth(i).get_by_test_id("team")).to_contain_text("玄武检查员")
        assert rows.nth(i).get_by_test_id("team").inner_text().count("、") == 2
    expect(page.get_by_test_id("seed")).to_have_text("20261130")

    # 4. The replay from the stored record is identical.
    page.get_by_test_id("replay-button").click()
    expect(page.get_by_test_id("replay-result")).to_contain_text("identical")
    expect(page.get_by_test_id("replay-result")).not_to_contain_text("not identical")
    drawn_names = [rows.nth(i).locator("td").first.inner_text() for i in range(2)]

    # 5. The public, without login, sees the published draw and the institutions drawn.
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    page.goto(f"{base}/spotchecks/public/")
    row = page.get_by_test_id("public-draw-row")
    expect(row).to_contain_text("第一批")
    row.locator("a").click()
    table = page.get_by_test_id("public-institutions")
    for name in drawn_names:
        expect(table).to_contain_text(name)
    expect(table).not_to_contain_text("玄武检查员")
