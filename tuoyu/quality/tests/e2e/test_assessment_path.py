"""The quality assessment path in a real browser: the director self-assesses on a phone-sized screen and
submits; the county official assesses and publishes; the public trust card shows the grade with the
note that the cut-offs are provisional."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tuoyu.core.tests.personas import PASSWORD
from tuoyu.quality.tests.factories import ensure_form

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _login(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("who")).to_be_attached()


def _logout(page: Page, base: str) -> None:
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])


def _score_every_item(page: Page, not_met: set[str] = frozenset()) -> None:  # type: ignore[assignment]
    items = page.get_by_test_id("item")
    for index in range(items.count()):
        item = page.get_by_test_id("item").nth(index)
        clause = item.get_attribute("data-clause") or ""
        form = item.get_by_test_id("score-form")
        form.locator("input[type=radio]").nth(1 if clause in not_met else 0).check()
        form.locator("textarea[name=note]").fill("现场查看" if clause in not_met else "资料齐全")
        form.locator("button[type=submit]").click()
        expect(page.locator(".messages")).to_contain_text(f"Saved: {clause}.")


def test_director_self_assesses_county_publishes_and_the_trust_card_shows_the_grade(
    page: Page, live_server, transactional_world
):
    base = live_server.url
    world = transactional_world
    ensure_form()
    institution = world.institutions["inst_xuanwu"]
    page.set_viewport_size({"width": 390, "height": 844})
    _logout(page, base)

    # 1. The director starts and fills the self-assessment on a phone, then submits it.
    _login(page, base, "director")
    page.goto(f"{base}/quality/institution/")
    expect(page.get_by_test_id("open-assessment")).to_contain_text("The form is incomplete")
    page.get_by_test_id("start-form").locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("Self-assessment started.")
    expect(page.get_by_test_id("status")).to_have_text("Self-assessment in progress")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    _score_every_item(page)
    page.get_by_test_id("action-self_submit").locator("button[type=submit]").click()
    expect(page.get_by_test_id("status")).to_have_text("Awaiting county assessment")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # 2. The county official sees it waiting, scores each item beside the self scores, submits, publishes.
    _logout(page, base)
    page.set_viewport_size({"width": 1200, "height": 900})
    _login(page, base, "county_official")
    page.goto(f"{base}/quality/?status=self_submitted")
    page.get_by_test_id("assessments").get_by_role("link", name=institution.name).click()
    expect(page.get_by_test_id("item").first.get_by_test_id("self-score")).to_contain_text("met")
    _score_every_item(page, not_met={"7.3.1"})
    page.get_by_test_id("action-county_submit").locator("input[name=reason]").fill("总体良好")
    page.get_by_test_id("action-county_submit").locator("button[type=submit]").click()
    expect(page.get_by_test_id("status")).to_have_text("Assessed, awaiting publication")
    # 130 of 140 points (92.9 %): A by the provisional cut-offs, said so beside the grade.
    expect(page.get_by_test_id("county-total")).to_have_text("130 / 140")
    expect(page.get_by_test_id("grade").first).to_have_text("A")
    expect(page.get_by_test_id("grade-provisional")).to_contain_text("provisional cut-offs")
    page.get_by_test_id("action-publish").locator("button[type=submit]").click()
    expect(page.get_by_test_id("status")).to_have_text("Published")

    # 3. Anyone sees the grade on the public trust card, with the provisional note.
    _logout(page, base)
    page.goto(f"{base}/public/institutions/{institution.pk}/")
    card = page.get_by_test_id("trust-card-quality")
    expect(card.get_by_test_id("grade")).to_have_text("A")
    expect(card).to_contain_text("form version 1")
    expect(card.get_by_test_id("trust-card-provisional")).to_contain_text("not from the standard")
