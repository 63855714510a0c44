"""The public map (一张图) and the trust card in a real browser."""

from __future__ import annotations

import random

import pytest
from playwright.sync_api import expect

from tuoyu.core.tests.factories import InstitutionFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

HOME = {"latitude": 32.051, "longitude": 118.80}  # about 110 m north of 梅园托育中心


def _crowd(world, n=30):
    """Filed institutions a few hundred metres to a few kilometres from 梅园托育中心."""
    rng = random.Random(3)
    for i in range(n):
        InstitutionFactory(
            name=f"附近托育{i}",
            township=world.regions["meiyuan"],
            lat=32.05 + rng.uniform(0.005, 0.03) * rng.choice([-1, 1]),
            lng=118.80 + rng.uniform(0.005, 0.03) * rng.choice([-1, 1]),
        )


def test_map_draws_clustered_markers_and_boundaries(page, live_server, transactional_world):
    _crowd(transactional_world)
    page.goto(f"{live_server.url}/public/map/")
    expect(page.locator("#map")).to_have_attribute("data-ready", "3")
    expect(page.locator("#map")).to_have_attribute("data-markers", "31")
    expect(page.locator(".marker-cluster").first).to_be_visible()


def test_near_me_lists_the_nearest_first_and_draws_the_walking_circle(
    browser, live_server, transactional_world
):
    _crowd(transactional_world)
    context = browser.new_context(geolocation=HOME, permissions=["geolocation"])
    page = context.new_page()
    page.goto(f"{live_server.url}/public/map/")
    expect(page.locator("#map")).to_have_attribute("data-markers", "31")
    page.locator("#near-me").click()
    first = page.get_by_test_id("near-list").locator("li").first
    expect(first).to_contain_text("梅园托育中心")
    distance = int(first.get_attribute("data-distance"))
    assert 100 <= distance <= 125  # 0.001° of latitude ≈ 111 m
    expect(page.locator("path.walk-circle")).to_have_count(1)
    # Following the nearest institution leads to its trust card.
    first.get_by_role("link").click()
    expect(page.get_by_test_id("trust-card-name")).to_have_text("梅园托育中心")
    context.close()


def test_a_linked_or_clicked_point_lists_institutions_near_it(page, live_server, transactional_world):
    page.goto(f"{live_server.url}/public/map/")
    expect(page.locator("#map")).to_have_attribute("data-ready", "3")
    page.goto(f"{live_server.url}/public/map/#32.0501,118.8001")  # the trust card's "show on the map" link
    page.reload()
    expect(page.get_by_test_id("near-list").locator("li").first).to_contain_text("梅园托育中心")
    expect(page.locator("path.walk-circle")).to_have_count(1)
    first = page.get_by_test_id("near-list").locator("li").first
    before = first.get_attribute("data-distance")
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + box["width"] - 40, box["y"] + 60)  # top right, clear of the controls
    expect(first).not_to_have_attribute("data-distance", before)  # listed again from the clicked point
    expect(page.locator("path.walk-circle")).to_have_count(1)  # one circle, moved


def test_map_and_trust_card_fit_a_phone(browser, live_server, transactional_world):
    _crowd(transactional_world, n=5)
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        geolocation=HOME,
        permissions=["geolocation"],
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/public/map/")
    expect(page.locator("#map")).to_have_attribute("data-markers", "6")
    page.locator("#near-me").click()
    expect(page.get_by_test_id("near-list").locator("li").first).to_contain_text("梅园托育中心")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.goto(f"{live_server.url}/public/institutions/{transactional_world.institutions['inst_xuanwu'].pk}/")
    expect(page.locator("#card-map")).to_have_attribute("data-ready", "1")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()
