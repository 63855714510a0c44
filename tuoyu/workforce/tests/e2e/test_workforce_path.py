"""The workforce path in a real browser (issue #4): a director hires a caregiver and is told what is
missing, records the background check and a health certificate, enrols her in training that the county
then completes; hiring a banned person is refused; a class short of caregivers shows; the county
official sees the county's figures and exports them to Excel."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from tuoyu.core.tests.personas import PASSWORD
from tuoyu.training.tests.factories import CourseFactory, TrainingSessionFactory
from tuoyu.workforce.choices import BanKind
from tuoyu.workforce.models import BanRecord, Person
from tuoyu.workforce.tests.factories import make_class, make_id

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NEW_CAREGIVER = "李晓梅"
BANNED = "王某"
COURSE = "保育人员岗前培训"


def _login(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("who")).to_be_visible()


def _logout(page: Page) -> None:
    page.locator("form[action$='/accounts/logout/'] button").click()


def _hire(page: Page, name: str, id_number: str, start_on: date) -> None:
    form = page.get_by_test_id("hire-form")
    form.locator("[name=name]").fill(name)
    form.locator("[name=id_number]").fill(id_number)
    form.locator("[name=role]").select_option("caregiver")
    form.locator("[name=start_on]").fill(start_on.isoformat())
    form.locator("button[type=submit]").click()


def test_director_staffs_a_centre_and_the_county_sees_the_figures(
    page: Page, live_server, transactional_world, tmp_path
):
    base = live_server.url
    world = transactional_world
    today = timezone.localdate()
    start_on = today - timedelta(days=3)
    inst = world.institutions["inst_xuanwu"]
    staff_url = f"{base}/workforce/institutions/{inst.pk}/staff/"
    # By ORM: a caregiver course with an under-way session organised by 玄武区 (completion can be
    # recorded only once a session has started), a lifetime ban, and a 托小班 with 12 children.
    course = CourseFactory(
        title=COURSE, region=world.regions["province"], target_role="caregiver", hours=Decimal("120")
    )
    session = TrainingSessionFactory(course=course, region=world.regions["xuanwu"])
    banned_id = make_id(77, born="19850505")
    BanRecord.objects.create(
        id_number=banned_id,
        name=BANNED,
        kind=BanKind.LIFETIME,
        decision="虐待婴幼儿，终身禁止从事密切接触未成年人的工作。",
        decided_on=date(2024, 6, 1),
        decided_by="南京市玄武区人民法院",
    )
    make_class(inst, "托小班1", kind="toddler", capacity=15, enrolled=12)

    # The UI is Chinese by default; the rest of the path runs in English.
    _login(page, base, "director")
    page.goto(staff_url)
    expect(page.locator("main h1")).to_contain_text("工作人员")
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    page.goto(staff_url)
    expect(page.locator("main h1")).to_contain_text("Staff")

    # 1. Hire a caregiver; the staff list says what is missing for her.
    _hire(page, NEW_CAREGIVER, make_id(42, born="19960312"), start_on)
    expect(page.locator(".messages")).to_contain_text("Staff member added.")
    row = page.get_by_test_id("staff-list").locator("tr", has_text=NEW_CAREGIVER)
    expect(row).to_contain_text("Health certificate (健康证明) is missing.")
    expect(row).to_contain_text("No-criminal-record certificate (无犯罪记录证明) is missing.")
    expect(row).to_contain_text("No background check before hiring.")

    # 2. On her page: the pre-hire check and a health certificate (expiring within 30 days).
    row.get_by_role("link", name=NEW_CAREGIVER).click()
    expect(page.locator("main h1")).to_have_text(NEW_CAREGIVER)
    person_url = page.url
    findings = page.get_by_test_id("findings")
    expect(findings).to_contain_text("No background check before hiring.")
    ledger = page.get_by_test_id("training-ledger")
    expect(ledger.get_by_test_id("ledger-line")).to_contain_text("0 of 120 hours")
    expect(ledger.get_by_test_id("ledger-short")).to_contain_text("120 hours to go")

    check = page.get_by_test_id("check-form")
    check.locator("[name=kind]").select_option("pre_hire")
    check.locator("[name=checked_on]").fill((start_on - timedelta(days=2)).isoformat())
    check.locator("[name=result]").select_option("clear")
    check.locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("Saved.")
    expect(page.get_by_test_id("checks")).to_contain_text("Before hiring")
    expect(findings).not_to_contain_text("No background check before hiring.")

    expires_on = today + timedelta(days=20)
    qualification = page.get_by_test_id("qualification-form")
    qualification.locator("[name=kind]").select_option("health_certificate")
    qualification.locator("[name=issued_on]").fill((today - timedelta(days=340)).isoformat())
    qualification.locator("[name=expires_on]").fill(expires_on.isoformat())
    qualification.locator("button[type=submit]").click()
    expect(page.get_by_test_id("qualifications")).to_contain_text("Health certificate (健康证明)")
    expect(findings).not_to_contain_text("Health certificate (健康证明) is missing.")
    expect(findings).to_contain_text(f"Health certificate (健康证明) expires on {expires_on.isoformat()}.")
    expect(findings).to_contain_text("No-criminal-record certificate (无犯罪记录证明) is missing.")

    # 3. The director enrols her in the county's session; the county records her completion.
    session_url = f"{base}/training/sessions/{session.pk}/"
    page.goto(session_url)
    enrol = page.get_by_test_id("enrol-form")
    enrol.locator("[name=employment]").select_option(
        label=f"{NEW_CAREGIVER} · Caregiver (保育人员) · {inst.name}"
    )
    enrol.locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("Enrolled.")
    enrolment = page.get_by_test_id("enrolment").filter(has_text=NEW_CAREGIVER)
    expect(enrolment).to_contain_text("Enrolled")
    _logout(page)

    _login(page, base, "county_official")
    page.goto(session_url)
    enrolment = page.get_by_test_id("enrolment").filter(has_text=NEW_CAREGIVER)
    complete = enrolment.locator("form", has=page.locator("input[name=action][value=complete]"))
    complete.locator("[name=hours_credited]").fill("120")
    complete.locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("Completion recorded.")
    expect(enrolment).to_contain_text("Completed")
    expect(enrolment.locator("td.num")).to_have_text("120")
    expect(page.get_by_test_id("certificates")).to_contain_text(NEW_CAREGIVER)
    page.goto(person_url)
    ledger = page.get_by_test_id("training-ledger")
    expect(ledger.get_by_test_id("ledger-line")).to_contain_text("120 of 120 hours")
    expect(ledger.get_by_test_id("ledger-met")).to_be_visible()
    expect(ledger.get_by_test_id("ledger-enrolments")).to_contain_text(COURSE)
    _logout(page)

    # 4. Hiring a banned person is refused, naming the ban; nobody is added.
    _login(page, base, "director")
    page.goto(staff_url)
    _hire(page, BANNED, banned_id, today)
    form = page.get_by_test_id("hire-form")
    expect(form).to_contain_text("This person is banned from childcare work (lifetime ban (终身禁业))")
    expect(form).to_contain_text("南京市玄武区人民法院")
    page.goto(staff_url)
    expect(page.get_by_test_id("staff-list")).not_to_contain_text(BANNED)
    expect(page.get_by_test_id("staff-list").locator("tbody tr")).to_have_count(1)
    assert not Person.objects.filter(id_number=banned_id).exists()

    # 5. The 托小班 with 12 children and no caregiver is in breach; one caregiver is not enough.
    ratio = page.get_by_test_id("class-ratio").filter(has_text="托小班1")
    expect(ratio).to_have_class("breach")
    expect(ratio.get_by_test_id("ratio-message")).to_contain_text(
        "needs 3 caregivers for 12 children (1:5), has 0"
    )
    expect(page.get_by_test_id("ratio-breach-count")).to_contain_text("1 class has too few caregivers.")
    assign = page.get_by_test_id("assign-form")
    assign.locator("[name=assign-employment]").select_option(label=NEW_CAREGIVER)
    assign.locator("[name=assign-institution_class]").select_option(label="托小班1")
    assign.locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("Caregiver assigned.")
    ratio = page.get_by_test_id("class-ratio").filter(has_text="托小班1")
    expect(ratio).to_contain_text(NEW_CAREGIVER)
    expect(ratio.get_by_test_id("ratio-message")).to_contain_text(
        "needs 3 caregivers for 12 children (1:5), has 1"
    )
    _logout(page)

    # 6. The county official sees the county's figures and exports them.
    _login(page, base, "county_official")
    page.goto(f"{base}/workforce/statistics/")
    expect(page.locator("main h1")).to_contain_text("玄武区")
    expect(page.get_by_test_id("total-staff")).to_have_text("1")
    expect(page.get_by_test_id("total-trained")).to_have_text("100.0%")
    expect(page.get_by_test_id("total-expiring")).to_have_text("1")
    expect(page.get_by_test_id("total-ratio-breaches")).to_have_text("1")
    with page.expect_download() as info:
        page.get_by_test_id("export-link").click()
    download = info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    assert path.suffix == ".xlsx"
    sheet = load_workbook(path).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    total = next(r for r in rows if r and r[0] == "Total")
    assert total[header.index("Current staff")] == 1
    assert total[header.index("Documents expiring within 30 days")] == 1
    assert total[header.index("Trained (hours met)")] == 1
