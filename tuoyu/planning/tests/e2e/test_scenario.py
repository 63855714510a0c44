"""Scenario mode in a real browser: an official clicks the map to add a hypothetical centre and sees the
indicators change, then takes a suggested site into the scenario."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tuoyu.core.tests.personas import PASSWORD
from tuoyu.planning.tests.factories import build_plan_world
from tuoyu.regions.models import Region

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

XUANWU = "320102000000"


def _login(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("who")).to_be_attached()  # hidden in the menu on a phone


def _plan(world) -> None:
    build_plan_world(world)
    Region.objects.filter(code="320102002000").update(lat=32.05, lng=118.80)
    Region.objects.filter(code="320102002001").update(lat=32.055, lng=118.80)  # near inst_xuanwu: covered


def test_official_adds_a_centre_on_the_map_and_sees_the_indicators_change(
    page: Page, live_server, transactional_world
):
    _plan(transactional_world)
    base = live_server.url
    _login(page, base, "county_official")
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])

    # From the indicators page to the scenario of the same county.
    page.goto(f"{base}/gov/planning/indicators/?region={XUANWU}")
    page.get_by_test_id("scenario-link").click()
    expect(page.get_by_test_id("region-name")).to_contain_text("玄武区")
    expect(page.locator("#map")).to_have_attribute("data-ready", "1")  # 玄武区's boundary is drawn
    places = page.get_by_test_id("scenario-indicators").locator("tr[data-key=places_per_1000]")
    expect(places.get_by_test_id("change")).to_have_text("0")

    # Click the middle of the county (the map is fitted to its boundary), add 100 inclusive places.
    box = page.locator("#map").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    popup = page.locator("form.add-popup")
    popup.locator("[name=places]").fill("100")
    popup.locator("button[type=submit]").click()

    # The table is recomputed in place: 100 places over 400,000 residents is +0.25 per 1,000.
    expect(page.locator("#map")).to_have_attribute("data-additions", "1")
    expect(places.get_by_test_id("change")).to_have_text("+0.25")
    expect(places.get_by_test_id("after")).to_have_text("0.53")
    inclusive = page.get_by_test_id("scenario-indicators").locator("tr[data-key=inclusive_township_coverage]")
    expect(inclusive.get_by_test_id("after")).to_have_text("100.0%")
    expect(page.get_by_test_id("additions").locator("tr.addition:not(.blank)")).to_have_count(1)
    assert "lat=" in page.url  # the scenario is in the address: it can be shared or reloaded

    # The row can be removed again.
    page.get_by_test_id("remove-row").click()
    expect(page.locator("#map")).to_have_attribute("data-additions", "0")
    expect(places.get_by_test_id("change")).to_have_text("0")


def test_suggested_sites_are_drawn_and_can_be_added(browser, live_server, transactional_world):
    _plan(transactional_world)
    from tuoyu.core.tests.factories import RegionFactory

    meiyuan = Region.objects.get(code="320102002000")
    for n, (lat, lng) in enumerate([(32.040, 118.850), (32.042, 118.852), (32.070, 118.820)], start=4):
        RegionFactory(code=f"32010200200{n}", name=f"社区{n}", level="community", kind="residents_committee",
                      parent=meiyuan, lat=lat, lng=lng)  # fmt: skip
    # A phone-sized screen: the page must still work.
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    base = live_server.url
    _login(page, base, "county_official")
    page.goto(f"{base}/gov/planning/scenarios/?region={XUANWU}")
    page.get_by_test_id("suggest-count").fill("2")
    page.get_by_test_id("show-effect").click()
    expect(page.locator("#map")).to_have_attribute("data-sites", "2")
    expect(page.get_by_test_id("suggestions").locator("tbody tr")).to_have_count(2)
    expect(page.locator(".site-pin")).to_have_count(2)
    coverage = page.get_by_test_id("scenario-indicators").locator("tr[data-key=fifteen_minute_coverage]")
    expect(coverage.get_by_test_id("before")).to_have_text("25.0%")
    page.get_by_test_id("add-all-sites").click()
    expect(page.locator("#map")).to_have_attribute("data-additions", "2")
    expect(coverage.get_by_test_id("after")).to_have_text("100.0%")
    context.close()
