"""The admission path in a real browser (issue #5): a parent finds a centre's trust card, is asked to
log in, applies for a place on a phone-sized screen; the director records the entry health check and
accepts the child onto a class whose age band fits; the parent sees the place on the phone."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tuoyu.children.models import Child
from tuoyu.children.tests.factories import months_old, next_month
from tuoyu.core.tests.personas import PASSWORD
from tuoyu.institutions.models import InstitutionClass

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
CHILD = "陈小雨"


def _log_in_here(page: Page, username: str) -> None:
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()


def _logout(page: Page) -> None:
    page.goto(page.url)
    if not page.locator("form[action$='/accounts/logout/'] button").is_visible():
        page.locator("label.navbutton").click()
    page.locator("form[action$='/accounts/logout/'] button").click()


def test_a_parent_applies_from_the_trust_card_and_the_director_accepts(
    page: Page, live_server, transactional_world
):
    base = live_server.url
    world = transactional_world
    institution = world.institutions["inst_xuanwu"]
    toddlers = world.classes["xuanwu_toddler"]
    InstitutionClass.objects.create(institution=institution, name="乳儿班", kind="infant", capacity=10)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    page.set_viewport_size(PHONE)

    # 1. The public trust card links to the application; the visitor logs in first and comes back.
    page.goto(f"{base}/public/institutions/{institution.pk}/")
    page.get_by_test_id("apply-link").click()
    expect(page).to_have_url(f"{base}/accounts/login/?next=/children/apply/{institution.pk}/")
    _log_in_here(page, "parent")
    expect(page.locator("main h1")).to_have_text("Apply for a place")

    # 2. The application, on a phone-sized screen.
    form = page.get_by_test_id("apply-form")
    form.locator("[name=name]").fill(CHILD)
    form.locator("[name=sex]").select_option("F")
    form.locator("[name=birth_date]").fill(months_old(17, next_month()).isoformat())
    form.locator("[name=relation]").select_option("mother")
    form.locator("[name=phone]").fill("13912345678")
    form.locator("[name=service_mode]").select_option("full_day")
    form.locator("[name=start_month]").fill(next_month().strftime("%Y-%m"))
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the form is wider than the phone: {width}px"
    form.locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("Application sent to")
    mine = page.get_by_test_id("my-application").filter(has_text=CHILD)
    expect(mine.get_by_test_id("application-status")).to_have_text("Submitted")
    _logout(page)

    # 3. The director records the entry health check, then accepts onto the fitting class.
    page.set_viewport_size({"width": 1200, "height": 900})
    page.goto(f"{base}/accounts/login/")
    _log_in_here(page, "director")
    page.goto(f"{base}/children/applications/")
    card = page.get_by_test_id("application").filter(has_text=CHILD)
    expect(card.get_by_test_id("health-status")).to_contain_text("not recorded yet")
    options = card.locator("select[name$=class_id] option")
    expect(options).to_have_count(2)  # the empty choice and the toddler class; the infant class does not fit
    card.get_by_role("link", name="Record it").click()
    check = page.get_by_test_id("check-form")
    check.locator("[name=kind]").select_option("health")
    check.locator("[name=checked_on]").fill(timezone.localdate().isoformat())
    check.locator("[name=passed]").select_option("yes")
    check.locator("[name=issuer]").fill("玄武区妇幼保健所")
    check.locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("Saved.")
    expect(page.get_by_test_id("entry-checks")).to_contain_text("Entry health check")

    page.goto(f"{base}/children/applications/")
    card = page.get_by_test_id("application").filter(has_text=CHILD)
    expect(card.get_by_test_id("health-status")).to_contain_text("passed")
    accept = card.get_by_test_id("accept-form")
    accept.locator("select[name$=class_id]").select_option(str(toddlers.pk))
    accept.locator("[name$=agreement_ref]").fill("FW-2026-0001")
    accept.locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text(f"{CHILD} accepted.")
    expect(page.get_by_test_id("no-applications")).to_be_visible()

    page.goto(f"{base}/children/")
    group = page.get_by_test_id("register-class").filter(has_text=toddlers.name)
    expect(group.get_by_test_id("class-counts")).to_contain_text("3 of 15 places taken · 12 free")
    expect(group.get_by_test_id("register-child").filter(has_text=CHILD)).to_have_count(1)
    child = Child.objects.get(name=CHILD)
    assert child.klass_id == toddlers.pk
    assert InstitutionClass.objects.get(pk=toddlers.pk).enrolled == 3
    _logout(page)

    # 4. The parent sees the place on the phone.
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/accounts/login/?next=/children/applications/mine/")
    _log_in_here(page, "parent")
    mine = page.get_by_test_id("my-application").filter(has_text=CHILD)
    expect(mine.get_by_test_id("application-status")).to_have_text("Accepted")
    expect(mine.get_by_test_id("accepted-class")).to_contain_text(toddlers.name)
    expect(mine.get_by_test_id("accepted-class")).to_contain_text("FW-2026-0001")
