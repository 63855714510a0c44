"""Each end's main path in a real browser (Debian's chromium driven by Playwright)."""

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


def test_county_official_logs_in_and_sees_own_county(page: Page, live_server, transactional_world):
    _login(page, live_server.url, "county_official")
    page.get_by_role("link", name="管理端").first.click()
    # 管理端's home is the planning dashboard of the official's county; its figures are one click on.
    expect(page.get_by_test_id("region-name")).to_contain_text("玄武区")
    page.get_by_test_id("region-figures-link").click()
    expect(page.get_by_test_id("region-name")).to_contain_text("玄武区")
    expect(page.get_by_test_id("subregions")).to_contain_text("梅园新村街道")
    expect(page.locator("#map")).to_have_attribute("data-ready", "1")  # 玄武区's boundary drawn
    page.get_by_role("link", name="查看托育机构列表").click()
    expect(page.get_by_test_id("institutions")).to_contain_text("梅园托育中心")
    expect(page.get_by_test_id("institutions")).not_to_contain_text("东山托育园")


def test_director_logs_in_and_sees_their_institution(page: Page, live_server, transactional_world):
    _login(page, live_server.url, "director")
    page.get_by_role("link", name="机构端").first.click()
    expect(page.get_by_test_id("institution-card")).to_contain_text("梅园托育中心")
    expect(page.get_by_test_id("institution-card")).to_contain_text("玄武区")


def test_parent_on_a_phone_logs_in_and_finds_the_register(browser, live_server, transactional_world):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    _login(page, live_server.url, "parent")
    page.goto(f"{live_server.url}/parent/")
    expect(page.get_by_test_id("child-card")).to_contain_text("小明")
    page.get_by_role("link", name="查询公示名录").click()
    expect(page.get_by_test_id("register")).to_contain_text("梅园托育中心")
    # The page fits the phone: no horizontal scrolling of the whole page.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()


def test_public_map_draws_counties_and_english_switch_works(page: Page, live_server, transactional_world):
    page.goto(f"{live_server.url}/public/map/")
    expect(page.locator("#map")).to_have_attribute("data-ready", "3")  # 玄武区, 江宁区, 锡山区
    expect(page.locator("path.leaflet-interactive")).to_have_count(3)
    page.select_option("select[name=language]", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Filed institutions by county")
