"""The monthly report in a real browser: 玄武区 makes and submits last month's report, 南京市's
administrator finds it waiting and approves it, and the report exports to Excel."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from tuoyu.accounts.choices import Role
from tuoyu.core.tests.factories import RoleAssignmentFactory, UserFactory
from tuoyu.core.tests.personas import PASSWORD
from tuoyu.institutions.models import Institution

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _login(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("who")).to_be_visible()


def _logout(page: Page) -> None:
    page.locator("form[action$='/accounts/logout/'] button").click()


def test_county_submits_the_monthly_report_the_city_approves_it_and_it_exports(
    page: Page, live_server, transactional_world, tmp_path
):
    # The persona city official only views; the city's approval needs an administrator.
    admin = UserFactory(username="nanjing_admin")
    RoleAssignmentFactory(user=admin, role=Role.OFFICIAL_ADMIN, region=transactional_world.regions["nanjing"])
    # Entered in the register long ago, so that last month's figures count them (compute.py's as-of rule).
    Institution.objects.update(created_at=dt.datetime(2020, 1, 1, 9, tzinfo=dt.UTC))
    base = live_server.url

    # 玄武区: make last month's draft from the data and submit it.
    _login(page, base, "county_official")
    page.goto(f"{base}/gov/planning/reports/")
    page.get_by_test_id("create-320102000000").click()
    expect(page.get_by_test_id("table-T1")).to_be_visible()
    expect(page.get_by_test_id("value-T1-places")).to_have_text("80")
    page.locator("button[value=submit]").click()
    expect(page.get_by_test_id("report-status")).to_have_attribute("data-status", "submitted")
    expect(page.locator("button[value=approve]")).to_have_count(0)
    report_url = page.url
    _logout(page)

    # 南京市: the report waits for the city's approval.
    _login(page, base, "nanjing_admin")
    page.goto(f"{base}/gov/planning/reports/")
    waiting = page.get_by_test_id("awaiting")
    expect(waiting).to_contain_text("玄武区")
    waiting.get_by_role("link", name="玄武区").click()
    expect(page).to_have_url(report_url)
    page.locator("button[value=approve]").click()
    expect(page.get_by_test_id("report-status")).to_have_attribute("data-status", "approved")
    expect(page.get_by_test_id("timeline").locator("li")).to_have_count(2)

    # The approved report exports with its figures and Chinese headers.
    with page.expect_download() as info:
        page.get_by_test_id("export-xlsx").click()
    path = tmp_path / "report.xlsx"
    info.value.save_as(path)
    book = load_workbook(path, read_only=True)
    first = [tuple(r) for r in book[book.sheetnames[0]].iter_rows(values_only=True)]
    assert first[1][:2] == ("填报单位", "玄武区")
    assert first[2][:2] == ("报表状态", "市级已审核")
    rows = {r[1]: r for r in first[5:] if r and r[1]}
    assert rows["托位数"][3] == 80
