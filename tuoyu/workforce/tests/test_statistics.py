"""Workforce statistics: known answers on hand-built staff, scoping, query budgets, the Excel file."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from openpyxl import load_workbook

from tuoyu.accounts.services import token_issue
from tuoyu.core.models import AuditLog
from tuoyu.training.models import Course, Enrolment, TrainingBase, TrainingSession
from tuoyu.workforce.models import BackgroundCheck, Qualification
from tuoyu.workforce.statistics import (
    NO_WORKFORCE,
    WORKFORCE_PLAN,
    institutions_with_issues,
    workforce_statistics,
    workforce_totals_by_region,
)

from .factories import assign, employ, make_class

TODAY = timezone.localdate()
XUANWU, MEIYUAN, NANJING, PROVINCE = "320102000000", "320102002000", "320100000000", "320000000000"


def _days(n: int) -> date:
    return TODAY + timedelta(days=n)


def _qualify(job, kind, issued=-100, expires=None, level=""):
    Qualification.objects.create(
        person=job.person,
        kind=kind,
        level=level,
        issued_on=_days(issued),
        expires_on=None if expires is None else _days(expires),
    )


def _check(job, days_ago):
    BackgroundCheck.objects.create(
        person=job.person, employment=job, kind="annual", checked_on=_days(-days_ago), result="clear"
    )


def _hours(world, job, hours, target_role=""):
    course = Course.objects.create(
        title=f"课程{job.pk}-{hours}",
        target_role=target_role,
        hours=Decimal(hours),
        mode="offline",
        module="caregiving",
        region=world.regions["province"],
    )
    session = TrainingSession.objects.create(
        course=course, region=world.regions["province"], starts_on=_days(-60), ends_on=_days(-50), capacity=30
    )
    Enrolment.objects.create(
        session=session,
        person=job.person,
        institution=job.institution,
        status="completed",
        hours_credited=Decimal(hours),
        completed_on=_days(-50),
    )


@pytest.fixture
def staff(world):
    """Three current staff at 梅园托育中心 (玄武区) with known answers, plus noise that must not count.

    A: caregiver, 保育师证 (certified), health certificate expiring in 10 days, checked 10 days ago.
    B: caregiver, no certificate but 120 caregiver hours (certified, trained), health certificate
       expired 5 days ago, last check 400 days ago (overdue).
    C: head, no head training (not certified), 60 hours in a course for every role (trained), valid
       documents, last check 350 days ago (due within 30 days).
    """
    inst = world.institutions["inst_xuanwu"]
    a = employ(inst, 1, role="caregiver")
    b = employ(inst, 2, role="caregiver")
    c = employ(inst, 3, role="head")
    _qualify(a, "childcare_certificate", level="level_4")
    _qualify(a, "health_certificate", issued=-355, expires=10)
    _qualify(a, "no_criminal_record")
    _check(a, 10)
    _hours(world, b, 120, target_role="caregiver")
    _qualify(b, "health_certificate", issued=-370, expires=-5)
    _qualify(b, "no_criminal_record")
    _check(b, 400)
    _hours(world, c, 60)
    _qualify(c, "health_certificate", issued=-30, expires=335)
    _qualify(c, "no_criminal_record")
    _qualify(c, "education", level="bachelor")
    _check(c, 350)
    # Noise: a job that ended, and a cook in another county.
    gone = employ(inst, 4, role="caregiver")
    gone.end_on = _days(-1)
    gone.save()
    employ(world.institutions["inst_jiangning"], 5, role="cook")
    return {"a": a, "b": b, "c": c}


def _client(world, persona, language="en"):
    client = Client()
    client.force_login(world.user(persona))
    client.cookies["django_language"] = language
    return client


# --- figures --------------------------------------------------------------------------------------


def test_county_figures_have_the_known_answers(world, staff):
    stats = workforce_statistics(world.user("county_official"), world.regions["xuanwu"], TODAY)
    t = stats.totals
    assert (t.staff, t.caregivers, t.by_role["head"], t.institutions) == (3, 2, 1, 1)
    assert (t.certified, t.certified_base, t.certified_share) == (2, 3, 66.7)
    assert (t.trained, t.trained_base, t.trained_share) == (2, 3, 66.7)
    assert (t.documents_expired, t.documents_expiring) == (1, 1)
    assert (t.checks_overdue, t.checks_due) == (1, 1)
    [meiyuan] = stats.rows
    assert meiyuan.code == MEIYUAN and meiyuan.figures.staff == 3
    assert stats.plan is None


def test_classes_short_of_caregivers_are_counted_for_the_county(world, staff):
    institution = world.institutions["inst_xuanwu"]
    short = make_class(institution, "托小班A", kind="toddler", enrolled=12)  # 1:5 needs 3
    assign(institution, 91, klass=short)
    fine = make_class(institution, "乳儿班A", kind="infant", capacity=6, enrolled=3)  # 1:3 needs 1
    assign(institution, 92, klass=fine)
    stats = workforce_statistics(world.user("county_official"), world.regions["xuanwu"], TODAY)
    assert stats.ratios is not None
    assert (stats.ratios.classes, stats.ratios.classes_in_breach, stats.ratios.institutions_in_breach) == (
        2,
        1,
        1,
    )
    [meiyuan] = stats.rows
    assert meiyuan.ratios is not None and meiyuan.ratios.classes_in_breach == 1
    # Another county's official sees none of it.
    other = workforce_statistics(world.user("other_county_official"), world.regions["jiangning"], TODAY)
    assert other.ratios is not None and other.ratios.classes_in_breach == 0


def test_township_rows_are_institutions(world, staff):
    stats = workforce_statistics(world.user("county_official"), world.regions["meiyuan"], TODAY)
    assert stats.rows_are_institutions
    [row] = stats.rows
    assert (row.name, row.institution_id, row.figures.staff) == ("梅园托育中心", staff["a"].institution_id, 3)


def test_province_rows_are_cities_and_show_the_plan(world, staff):
    stats = workforce_statistics(world.user("province_official"), world.regions["province"], TODAY)
    assert [(r.code, r.figures.staff) for r in stats.rows] == [(NANJING, 4), ("320200000000", 0)]
    assert stats.totals.staff == 4 and stats.totals.by_role["cook"] == 1
    assert stats.plan == WORKFORCE_PLAN and WORKFORCE_PLAN.baseline == 41_300


def test_hours_below_the_requirement_or_for_another_role_do_not_train(world, staff):
    _hours(world, staff["a"], 119, target_role="caregiver")
    _hours(world, staff["a"], 100, target_role="head")  # a course for heads: not a caregiver's hours
    stats = workforce_statistics(world.user("county_official"), world.regions["xuanwu"], TODAY)
    assert stats.totals.trained == 2
    _hours(world, staff["a"], 1)  # a course for every role takes A to 120
    stats = workforce_statistics(world.user("county_official"), world.regions["xuanwu"], TODAY)
    assert stats.totals.trained == 3


def test_an_expired_copy_does_not_count_when_a_renewed_one_is_valid(world, staff):
    _qualify(staff["b"], "health_certificate", issued=-3, expires=362)
    stats = workforce_statistics(world.user("county_official"), world.regions["xuanwu"], TODAY)
    assert (stats.totals.documents_expired, stats.totals.documents_expiring) == (0, 1)


def test_a_certificate_without_expiry_date_lasts_its_validity_period(world, staff):
    # A health certificate has a year's validity: issued 350 days ago, it expires within 30 days.
    _qualify(staff["c"], "security_certificate")  # not required of a head: never counted
    Qualification.objects.filter(person=staff["c"].person, kind="health_certificate").update(
        issued_on=_days(-350), expires_on=None
    )
    stats = workforce_statistics(world.user("county_official"), world.regions["xuanwu"], TODAY)
    assert (stats.totals.documents_expired, stats.totals.documents_expiring) == (1, 2)


def test_institutions_with_issues_lists_counts_without_personal_data(world, staff):
    [item] = institutions_with_issues(world.user("province_official"), world.regions["province"], TODAY)
    assert (item.name, item.county, item.township) == ("梅园托育中心", "玄武区", "梅园新村街道")
    f = item.figures
    assert (f.documents_expired, f.documents_expiring, f.checks_overdue, f.checks_due) == (1, 1, 1, 1)


def test_workforce_totals_by_region_for_the_plan_indicator(world, staff):
    by_county = workforce_totals_by_region("county")
    assert by_county[XUANWU].staff == 3 and by_county[XUANWU].caregivers == 2
    assert by_county["320115000000"].staff == 1 and by_county["320115000000"].caregivers == 0
    assert by_county.get("320205000000", NO_WORKFORCE) == NO_WORKFORCE
    assert workforce_totals_by_region("province")[PROVINCE].staff == 4
    assert workforce_totals_by_region("city")[NANJING].staff == 4
    assert workforce_totals_by_region("township")[MEIYUAN].staff == 3
    scoped = workforce_totals_by_region("county", user=world.user("other_county_official"))
    assert XUANWU not in scoped and scoped["320115000000"].staff == 1
    with pytest.raises(ValueError):
        workforce_totals_by_region("community")


def test_statistics_take_the_same_queries_whatever_the_number_of_staff(world, staff):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            workforce_statistics(world.user("province_official"), world.regions["province"], TODAY)
        return len(ctx.captured_queries)

    queries()  # the first call also reads the user's role assignments (cached on the user)
    before = queries()
    for n in range(10, 40):
        job = employ(world.institutions["inst_wuxi"], n, role="caregiver")
        _qualify(job, "health_certificate", issued=-370, expires=-1)
        _check(job, 400)
    assert queries() == before <= 5
    stats = workforce_statistics(world.user("province_official"), world.regions["province"], TODAY)
    assert stats.totals.staff == 34 and stats.totals.documents_expired == 31


def test_totals_by_region_is_one_query(world, staff, django_assert_num_queries):
    with django_assert_num_queries(1):
        workforce_totals_by_region("county")


# --- page -----------------------------------------------------------------------------------------


def test_county_official_sees_the_county_by_default(world, staff, django_assert_max_num_queries):
    client = _client(world, "county_official")
    with django_assert_max_num_queries(14):
        response = client.get("/workforce/statistics/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Workforce of 玄武区" in html
    assert "梅园新村街道" in html and f"?region={MEIYUAN}" in html
    assert "66.7%" in html
    assert 'data-testid="plan"' not in html


def test_province_page_shows_the_plan_baseline_and_target(world, staff):
    html = (
        _client(world, "province_official").get(f"/workforce/statistics/?region={PROVINCE}").content.decode()
    )
    assert 'data-testid="plan"' in html
    assert "41,300" in html and "70,000" in html and "托育服务从业人员数量" in html


def test_page_is_chinese_by_default(world, staff):
    response = _client(world, "county_official", language="zh-hans").get("/workforce/statistics/")
    with translation.override("zh-hans"):
        assert translation.gettext("Export to Excel") in response.content.decode()


def test_other_county_official_gets_404_and_director_403(world, staff):
    url = f"/workforce/statistics/?region={XUANWU}"
    assert _client(world, "other_county_official").get(url).status_code == 404
    assert (
        _client(world, "county_official").get("/workforce/statistics/?region=320000000000").status_code == 404
    )
    assert _client(world, "county_official").get("/workforce/statistics/?region=bad").status_code == 404
    assert _client(world, "director").get(url).status_code == 403
    assert _client(world, "parent").get(url).status_code == 403


# --- export ---------------------------------------------------------------------------------------


def _workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


def test_export_has_the_figures_per_township_and_the_institutions_to_follow_up(world, staff):
    client = _client(world, "county_official")
    book = _workbook(client.get(f"/workforce/statistics/export.xlsx?region={XUANWU}"))
    first, second = book.worksheets
    rows = list(first.iter_rows(values_only=True))
    header = rows[0]
    assert header[0] == "Region" and "Current staff" in header
    by_name = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:] if r and r[0]}
    meiyuan = by_name["梅园新村街道"]
    assert meiyuan["Current staff"] == 3
    assert meiyuan["Certified share (%)"] == 66.7
    assert meiyuan["Documents expired"] == 1 and meiyuan["Documents expiring within 30 days"] == 1
    assert by_name["Total"]["Background checks overdue"] == 1
    issues = list(second.iter_rows(values_only=True))
    assert issues[1][:4] == ("梅园托育中心", "玄武区", "梅园新村街道", 3)
    text = repr(rows) + repr(issues)
    assert staff["a"].person.id_number not in text and staff["a"].person.name not in text
    assert AuditLog.objects.filter(action="workforce.statistics_export", region_code=XUANWU).count() == 1


def test_export_headers_follow_the_language(world, staff):
    book = _workbook(
        _client(world, "county_official", language="zh-hans").get("/workforce/statistics/export.xlsx")
    )
    header = next(book.worksheets[0].iter_rows(values_only=True))
    with translation.override("zh-hans"):
        assert header[0] == translation.gettext("Region")
    assert header[0] != "Region"


def test_export_is_refused_outside_scope(world, staff):
    assert (
        _client(world, "other_county_official")
        .get(f"/workforce/statistics/export.xlsx?region={XUANWU}")
        .status_code
        == 404
    )
    assert _client(world, "caregiver").get("/workforce/statistics/export.xlsx").status_code == 403
    assert not AuditLog.objects.filter(action="workforce.statistics_export").exists()


# --- API ------------------------------------------------------------------------------------------


def _api(world, persona):
    user = world.user(persona)
    return Client(headers={"Authorization": f"Bearer {token_issue(user=user)}"}) if user else Client()


def test_api_returns_the_same_figures(world, staff):
    response = _api(world, "county_official").get("/api/v1/workforce/statistics")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["region"]["code"] == XUANWU and body["plan"] is None
    t = body["totals"]
    assert (t["staff"], t["caregivers"], t["certified"], t["trained"]) == (3, 2, 2, 2)
    assert (t["documents_expired"], t["documents_expiring"], t["checks_overdue"], t["checks_due"]) == (
        1,
        1,
        1,
        1,
    )
    assert body["rows"][0]["code"] == MEIYUAN and body["rows"][0]["figures"]["staff"] == 3
    province = _api(world, "province_official").get("/api/v1/workforce/statistics").json()
    assert province["plan"]["baseline"] == 41_300 and province["totals"]["staff"] == 4


@pytest.mark.parametrize(
    ("persona", "query", "status"),
    [
        ("anonymous", f"?region={XUANWU}", 401),
        ("director", f"?region={XUANWU}", 403),
        ("parent", "", 403),
        ("other_county_official", f"?region={XUANWU}", 404),
        ("county_official", "?region=329999000000", 404),
        ("county_official", "?region=3201", 422),
    ],
)
def test_api_refusals(world, persona, query, status):
    response = _api(world, persona).get(f"/api/v1/workforce/statistics{query}")
    assert response.status_code == status, response.content
    assert "detail" in response.json()


def test_training_base_coverage_counts_units_with_an_active_base(world):
    TrainingBase.objects.create(
        name="南京市托育实训基地",
        level="city",
        region=world.regions["nanjing"],
        capacity=50,
        accredited_by="南京市卫生健康委员会",
        accredited_on=_days(-100),
    )
    stats = workforce_statistics(world.user("province_official"), world.regions["province"], TODAY)
    # Units: the province, 2 cities, 3 counties; covered: 南京市.
    assert (stats.base_coverage.covered, stats.base_coverage.units) == (1, 6)
    assert [r.training_bases for r in stats.rows] == [1, 0]
