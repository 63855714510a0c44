"""The planning dashboard in a real browser: a province official opens 管理端, sees places per 1,000
against the 4.5 target and the map of its cities, drills down through the ranking to a county, and
finds the townships without an inclusive institution."""

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
    expect(page.get_by_test_id("who")).to_be_visible()


def test_province_official_drills_down_to_a_county_and_finds_townships_without_inclusive(
    page: Page, live_server, transactional_world
):
    base = live_server.url
    _login(page, base, "province_official")
    page.get_by_role("link", name="管理端").first.click()

    expect(page.get_by_test_id("region-name")).to_contain_text("江苏省")
    tile = page.locator(".dash-tile[data-key=places_per_1000]")
    expect(tile.get_by_test_id("value")).to_be_visible()
    expect(tile.get_by_test_id("target")).to_contain_text("4.50")
    # The map draws the two cities (南京市, 无锡市) from the county boundaries, with no tile server.
    expect(page.get_by_test_id("dashboard-map")).to_have_attribute("data-ready", "2")
    expect(page.locator("#dashboard-map path.leaflet-interactive")).to_have_count(2)

    # Drill down through the ranking: 南京市, then 玄武区.
    page.get_by_test_id("ranking").get_by_role("link", name="南京市").click()
    expect(page.get_by_test_id("region-name")).to_contain_text("南京市")
    expect(page.get_by_test_id("dashboard-map")).to_have_attribute("data-ready", "2")
    page.get_by_test_id("ranking").get_by_role("link", name="玄武区").click()
    expect(page.get_by_test_id("region-name")).to_contain_text("玄武区")

    # The county's map has drawn what has a point; 梅园新村街道 has no inclusive institution.
    expect(page.get_by_test_id("dashboard-map")).to_have_attribute("data-ready", "1")
    lacking = page.get_by_test_id("townships-without-inclusive")
    expect(lacking).to_contain_text("梅园新村街道")
    expect(lacking.get_by_test_id("townships-without-inclusive-count")).to_have_text("1")
