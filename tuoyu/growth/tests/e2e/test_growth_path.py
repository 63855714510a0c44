"""The growth path in a real browser (issue #5): a caregiver sees who is due, records a measurement of a
child, and the point appears on the child's growth chart; the parent then sees the chart on a phone."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tuoyu.core.tests.personas import PASSWORD
from tuoyu.growth.models import GrowthMeasurement

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _login(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("who")).to_be_visible()


def _logout(page: Page) -> None:
    page.locator("form[action$='/accounts/logout/'] button").click()


def test_caregiver_records_a_measurement_and_the_chart_shows_the_point(
    page: Page, live_server, transactional_world, tmp_path
):
    base = live_server.url
    child = transactional_world.children["own_child"]
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])

    _login(page, base, "caregiver")
    page.goto(f"{base}/growth/")
    row = page.get_by_test_id("growth-children").locator("tr", has_text=child.name)
    expect(row.get_by_test_id("due")).to_be_visible()  # never measured: due
    row.get_by_role("link", name=child.name).click()
    expect(page.get_by_test_id("growth-point")).to_have_count(0)

    form = page.get_by_test_id("measurement-form")
    form.locator("[name=measured_on]").fill(timezone.localdate().isoformat())
    form.locator("[name=weight_kg]").fill("11.2")
    form.locator("[name=length_cm]").fill("81.0")
    form.locator("[name=position]").select_option("lying")
    form.locator("[name=head_cm]").fill("47.0")
    form.locator("button[type=submit]").click()

    expect(page.locator(".messages")).to_contain_text("recorded")
    m = GrowthMeasurement.objects.get(child=child)
    table = page.get_by_test_id("measurements")
    expect(table.get_by_test_id("measurement-row")).to_have_count(1)
    expect(table).to_contain_text(f"{m.z_wfa:+.2f}".replace("-", "−"))
    # One point on each chart: weight-for-age, length-for-age, weight-for-length.
    for key in ("wfa", "lhfa", "wflh"):
        expect(page.get_by_test_id(f"chart-{key}").get_by_test_id("growth-point")).to_have_count(1)
    expect(page.get_by_test_id("wst-label")).to_contain_text("transcription")
    page.goto(f"{base}/growth/")
    expect(
        page.get_by_test_id("growth-children").locator("tr", has_text=child.name).get_by_test_id("due")
    ).to_have_count(0)
    _logout(page)

    # The parent, on a phone-sized screen, sees the same point; the chart fits the width.
    _login(page, base, "parent")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/growth/child/{child.pk}/")
    chart = page.get_by_test_id("chart-wfa")
    expect(chart.get_by_test_id("growth-point")).to_have_count(1)
    box = chart.bounding_box()
    assert box is not None and box["width"] <= 390
    expect(page.get_by_test_id("measurement-form")).to_have_count(0)
    page.screenshot(path=str(tmp_path / "growth_parent_390.png"), full_page=True)
