"""The whole filing path in a real browser: a director registers and files a new centre with its
documents, the county issues the receipt and confirms it, and the centre appears on the public
register with its trust card."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tuoyu.core.tests.factories import make_uscc
from tuoyu.core.tests.personas import PASSWORD
from tuoyu.filings.choices import DocumentKind
from tuoyu.filings.tests.factories import PDF

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NEW_CENTRE = "梅园新苗托育中心"
# An enterprise that serves no meals: licence, site, staff qualifications and health, health
# evaluation and fire safety (filings/rules.py: required_documents).
DOCUMENTS = [
    DocumentKind.BUSINESS_LICENCE,
    DocumentKind.SITE_PROOF,
    DocumentKind.STAFF_QUALIFICATIONS,
    DocumentKind.STAFF_HEALTH,
    DocumentKind.HEALTH_EVALUATION,
    DocumentKind.FIRE_SAFETY,
]


def _login(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("who")).to_be_visible()


def _logout(page: Page) -> None:
    page.locator("form[action$='/accounts/logout/'] button").click()


def test_director_files_a_new_centre_and_the_county_confirms_it(
    page: Page, live_server, transactional_world, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    base = live_server.url
    _login(page, base, "director")

    # 机构端: register the new centre.
    page.goto(f"{base}/inst/new/")
    form = page.get_by_test_id("new-centre")
    form.locator("[name=name]").fill(NEW_CENTRE)
    form.locator("[name=uscc]").fill(make_uscc(424242))
    form.locator("[name=type]").select_option("private_run")
    form.locator("[name=ownership]").select_option("private")
    form.locator("[name=legal_form]").select_option("enterprise")
    form.locator("[name=township]").select_option("320102002000")
    form.locator("[name=address]").fill("北京东路9号")
    form.locator("[name=places]").fill("40")
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(f"{base}/filings/start/")

    # The 备案书 and 承诺书.
    page.locator("[name=institution]").select_option(label=NEW_CENTRE)
    page.locator("[name=kind]").select_option("initial")
    page.locator("[name=legal_representative]").fill("张三")
    page.locator("[name=service_modes][value=full_day]").check()
    page.locator("[name=places]").fill("40")
    page.locator("[name=commitment_accepted]").check()
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("missing")).to_be_visible()

    # Documents, one by one; a file that is not what it claims to be is refused and nothing is lost.
    fake = tmp_path / "licence.pdf"
    fake.write_bytes(b"this is not a pdf")
    page.locator("[name=kind]").select_option(DocumentKind.BUSINESS_LICENCE)
    page.locator("[name=file]").set_input_files(str(fake))
    page.locator("button[value=upload]").click()
    expect(page.get_by_test_id("documents")).not_to_contain_text("licence.pdf")
    for index, kind in enumerate(DOCUMENTS):
        path = tmp_path / f"doc{index}.pdf"
        path.write_bytes(PDF)
        page.locator("[name=kind]").select_option(kind)
        page.locator("[name=file]").set_input_files(str(path))
        page.locator("button[value=upload]").click()
        expect(page.get_by_test_id("documents")).to_contain_text(f"doc{index}.pdf")
    expect(page.get_by_test_id("missing")).to_have_count(0)
    page.locator("button[value=submit]").click()
    expect(page.get_by_test_id("filing-status")).to_contain_text("已提交")
    filing_url = page.url
    _logout(page)

    # 管理端: the county official issues the receipt from the queue, then confirms.
    _login(page, base, "county_official")
    page.goto(f"{base}/filings/")
    expect(page.locator("main")).to_contain_text(NEW_CENTRE)
    page.goto(filing_url)
    page.locator("button[value=receipt]").click()
    expect(page.get_by_test_id("filing-status")).to_contain_text("已出具备案回执")
    page.locator("button[value=confirm]").click()
    expect(page.get_by_test_id("filing-status")).to_contain_text("核实通过")
    _logout(page)

    # 公众: the centre is on the register with its trust card and filing date.
    page.goto(f"{base}/public/?region=320102000000")
    page.get_by_role("link", name=NEW_CENTRE).click()
    expect(page.get_by_test_id("trust-card-name")).to_have_text(NEW_CENTRE)
    expect(page.get_by_test_id("filing-date")).not_to_contain_text("—")
