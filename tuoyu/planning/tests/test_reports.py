"""Statistical reports (统计调查): the transition table and who may take each step, the way up the
hierarchy (a county submits, the city approves, the province accepts and locks), consolidation,
locking (figures and exports unchanged when the data changes), the Excel file and the national export."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path

import jsonschema_rs
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tuoyu.accounts.choices import Role
from tuoyu.accounts.services import token_issue
from tuoyu.core.tests.factories import InstitutionFactory, RoleAssignmentFactory, UserFactory
from tuoyu.institutions.models import Institution
from tuoyu.planning import services_reports as services
from tuoyu.planning.exports_reports import national_export, write_report_workbook
from tuoyu.planning.models import IndicatorSnapshot, StatReport, StatReportTransition
from tuoyu.planning.report_tables import TABLES
from tuoyu.planning.selectors_reports import last_period, period_bounds
from tuoyu.planning.services import indicators_recompute

from .factories import build_plan_world

DOC = Path(__file__).resolve().parents[3] / "docs" / "national_export.md"
PERIOD = last_period("monthly")
START, END = period_bounds("monthly", PERIOD)
START_AT = timezone.make_aware(dt.datetime.combine(START, dt.time(9)))
XUANWU, JIANGNING, NANJING, WUXI, XISHAN, PROVINCE = (
    "320102000000",
    "320115000000",
    "320100000000",
    "320200000000",
    "320205000000",
    "320000000000",
)


@pytest.fixture
def plan(world):
    build_plan_world(world)
    admin = UserFactory(username="nanjing_admin")
    RoleAssignmentFactory(user=admin, role=Role.OFFICIAL_ADMIN, region=world.regions["nanjing"])
    world.users["nanjing_admin"] = admin
    return world


def create(world, code: str, persona: str = "province_official", kind: str = "monthly") -> StatReport:
    start, end = period_bounds(kind, PERIOD if kind == "monthly" else last_period("annual"))
    return services.stat_report_create(
        actor=world.user(persona),
        region=_region(world, code),
        period_kind=kind,
        period_start=start,
        period_end=end,
    )


def _region(world, code):
    return next(r for r in world.regions.values() if r.code == code)


def step(world, report: StatReport, action: str, persona: str, reason: str = "") -> StatReport:
    return services.stat_report_transition(
        actor=world.user(persona), report=report, action=action, reason=reason
    )


def value(report: StatReport, table: str, row: str, region: str | None = None) -> float | None:
    return report.cells.get(table=table, row=row, region_id=region or report.region_id).value


def nanjing_signed_off(world) -> StatReport:
    """Both 南京 counties submitted and approved; the city's draft made."""
    for code, persona in ((XUANWU, "county_official"), (JIANGNING, "other_county_official")):
        report = create(world, code, persona)
        step(world, report, "submit", persona)
        step(world, report, "approve", "nanjing_admin")
    return create(world, NANJING, "nanjing_admin")


# --- the transition table -------------------------------------------------------------------------


def test_every_transition_has_one_service_and_every_action_one_target():
    assert set(services.TRANSITIONS.values()) == set(services.SERVICES) == set(services.ACTIONS)
    for (from_status, to_status), action in services.TRANSITIONS.items():
        assert services.ACTION_TARGET[action] == to_status, (from_status, action)
    # Locked is final: nothing leaves it.
    assert not [k for k in services.TRANSITIONS if k[0] == "locked"]


def test_county_submits_city_approves_province_accepts_and_locks(plan):
    report = create(plan, XUANWU, "county_official")
    assert report.status == "draft"
    assert services.allowed_actions(plan.user("county_official"), report) == ["submit"]
    report = step(plan, report, "submit", "county_official")
    assert report.status == "submitted" and report.submitted_by == plan.user("county_official")
    # The county cannot approve its own report; the city's viewer may not; the city's administrator may.
    assert services.allowed_actions(plan.user("county_official"), report) == []
    assert services.allowed_actions(plan.user("city_official"), report) == []
    assert services.allowed_actions(plan.user("nanjing_admin"), report) == ["approve", "return"]
    with pytest.raises(PermissionDenied):
        step(plan, report, "approve", "county_official")
    with pytest.raises(PermissionDenied):
        step(plan, report, "approve", "city_official")
    report = step(plan, report, "approve", "nanjing_admin", "核对无误")
    assert report.status == "approved" and report.reviewed_by == plan.user("nanjing_admin")

    jiangning = create(plan, JIANGNING, "other_county_official")
    step(plan, jiangning, "submit", "other_county_official")
    step(plan, jiangning, "approve", "nanjing_admin")
    city = create(plan, NANJING, "nanjing_admin")
    city = step(plan, city, "submit", "nanjing_admin")
    with pytest.raises(PermissionDenied):  # the city cannot accept its own report
        step(plan, city, "accept", "nanjing_admin")
    with pytest.raises(services.TransitionNotAllowed):  # a city's report is accepted, not approved
        step(plan, city, "approve", "province_official")
    city = step(plan, city, "accept", "province_official")
    assert city.status == "accepted"
    city = step(plan, city, "lock", "province_official")
    assert city.status == "locked" and city.locked_at is not None
    # Locking the city's report locked the county reports it consolidated, each step recorded.
    assert set(
        StatReport.objects.filter(region_id__in=[XUANWU, JIANGNING]).values_list("status", flat=True)
    ) == {"locked"}
    history = list(
        StatReportTransition.objects.filter(report__region_id=XUANWU).values_list("action", "actor__username")
    )
    assert history == [
        ("submit", "county_official"),
        ("approve", "nanjing_admin"),
        ("lock", "province_official"),
    ]


def test_submitting_twice_is_a_conflict_not_a_duplicate(plan):
    report = create(plan, XUANWU, "county_official")
    step(plan, report, "submit", "county_official")
    with pytest.raises(services.TransitionNotAllowed):
        step(plan, report, "submit", "county_official")
    assert StatReportTransition.objects.filter(report=report, action="submit").count() == 1
    with pytest.raises(services.Conflict):
        create(plan, XUANWU, "county_official")
    assert StatReport.objects.filter(region_id=XUANWU).count() == 1


def test_only_the_province_locks_and_only_signed_off_reports(plan):
    report = create(plan, XUANWU, "county_official")
    with pytest.raises(services.TransitionNotAllowed):  # a draft cannot be locked
        step(plan, report, "lock", "province_official")
    step(plan, report, "submit", "county_official")
    step(plan, report, "approve", "nanjing_admin")
    for persona in ("county_official", "nanjing_admin", "city_official", "national_observer"):
        with pytest.raises(PermissionDenied):
            step(plan, report, "lock", persona)
    assert step(plan, report, "lock", "province_official").status == "locked"
    for action in ("return", "submit", "approve"):
        with pytest.raises((services.TransitionNotAllowed, PermissionDenied)):
            step(plan, report, action, "province_official", "x")


def test_a_viewer_or_another_county_cannot_make_a_report(plan):
    with pytest.raises(PermissionDenied):
        create(plan, NANJING, "city_official")
    with pytest.raises(PermissionDenied):
        create(plan, XUANWU, "other_county_official")


def test_return_needs_a_reason_and_the_resubmission_is_captured_again(plan):
    report = create(plan, XUANWU, "county_official")
    step(plan, report, "submit", "county_official")
    assert value(report, "T1", "institutions") == 2
    with pytest.raises(ValidationError):
        step(plan, report, "return", "nanjing_admin", "  ")
    report = step(plan, report, "return", "nanjing_admin", "托位数与备案不符")
    assert report.status == "draft" and report.return_reason == "托位数与备案不符"
    assert not IndicatorSnapshot.objects.filter(as_of=END, region_id=XUANWU, locked=True).exists()
    InstitutionFactory(name="新开托育园", township=plan.regions["meiyuan"], places=20)
    Institution.objects.update(created_at=START_AT)
    report = step(plan, report, "submit", "county_official")
    assert value(report, "T1", "institutions") == 3
    assert value(report, "T1", "places") == 130


def test_an_approved_county_report_cannot_be_returned_once_the_city_submitted(plan):
    city = nanjing_signed_off(plan)
    step(plan, city, "submit", "nanjing_admin")
    xuanwu = StatReport.objects.get(region_id=XUANWU)
    with pytest.raises(services.TransitionNotAllowed, match="南京市"):
        step(plan, xuanwu, "return", "nanjing_admin", "错误")
    step(plan, city, "return", "province_official", "请核对玄武区")
    assert step(plan, xuanwu, "return", "nanjing_admin", "错误").status == "draft"


# --- the hierarchy's figures ----------------------------------------------------------------------


def test_county_figures_come_from_its_records_as_of_the_period_end(plan):
    report = create(plan, XUANWU, "county_official")
    # 梅园托育中心 80 places and 科技园托育 30 (inclusive flag, no designation): 2 institutions.
    assert value(report, "T1", "institutions") == 2
    assert value(report, "T1", "places") == 110
    assert value(report, "T1", "inclusive_places") == 30
    assert value(report, "T1", "inclusive_places_share") == pytest.approx(27.27)
    assert value(report, "T1", "demonstration") == 1
    # No staff recorded anywhere: no data, not zero.
    assert value(report, "T2", "staff") is None
    assert report.cells.get(table="T2", row="staff").reason == "no_records"
    # Plan indicators of the county itself, with the target as written.
    places_per_1000 = report.cells.get(table="T3", row="places_per_1000")
    assert places_per_1000.value == pytest.approx(110 / 400_000 * 1000, abs=1e-4)
    assert places_per_1000.target


def test_city_cannot_submit_until_every_county_is_approved_and_then_adds_them_up(plan):
    xuanwu = create(plan, XUANWU, "county_official")
    step(plan, xuanwu, "submit", "county_official")
    step(plan, xuanwu, "approve", "nanjing_admin")
    city = create(plan, NANJING, "nanjing_admin")
    assert [r.name for r in services.missing_below(city)] == ["江宁区"]
    assert value(city, "T1", "places") == 110  # the draft shows what is signed off so far
    with pytest.raises(services.TransitionNotAllowed, match="江宁区"):
        step(plan, city, "submit", "nanjing_admin")
    jiangning = create(plan, JIANGNING, "other_county_official")
    step(plan, jiangning, "submit", "other_county_official")
    step(plan, jiangning, "approve", "nanjing_admin")
    city = step(plan, city, "submit", "nanjing_admin")
    assert value(city, "T1", "places") == 160
    assert value(city, "T1", "institutions") == 3
    assert value(city, "T1", "places", XUANWU) == 110
    assert value(city, "T1", "places", JIANGNING) == 50
    # Rates are recomputed from the added-up counts: (30 + 50) / 160.
    assert value(city, "T1", "inclusive_places_share") == pytest.approx(50.0)
    # Table 3 is the city's own computation; the counties' figures are theirs as reported.
    assert city.cells.get(table="T3", row="places_per_1000", region_id=NANJING).value == pytest.approx(
        160 / 9_314_685 * 1000, abs=1e-4
    )
    assert city.cells.filter(table="T3", region_id=XUANWU).exists()


def test_consolidated_figures_are_what_the_counties_reported_not_the_data_now(plan):
    city = nanjing_signed_off(plan)
    InstitutionFactory(name="后来的托育园", township=plan.regions["dongshan"], places=99)
    Institution.objects.update(created_at=START_AT)
    city = step(plan, city, "submit", "nanjing_admin")
    assert value(city, "T1", "places") == 160  # 江宁区 reported 50 before the new centre


# --- locking ----------------------------------------------------------------------------------------


def _lock_all(plan) -> StatReport:
    city = nanjing_signed_off(plan)
    step(plan, city, "submit", "nanjing_admin")
    step(plan, city, "accept", "province_official")
    for code, persona in ((XISHAN, "province_official"),):
        report = create(plan, code, persona)
        step(plan, report, "submit", persona)
        step(plan, report, "approve", persona)
    wuxi = create(plan, WUXI)
    step(plan, wuxi, "submit", "province_official")
    step(plan, wuxi, "accept", "province_official")
    province = create(plan, PROVINCE)
    step(plan, province, "submit", "province_official")
    step(plan, province, "accept", "province_official")
    return step(plan, province, "lock", "province_official")


def _workbook_values(report: StatReport) -> dict[str, list[tuple]]:
    buffer = io.BytesIO()
    write_report_workbook(StatReport.objects.get(pk=report.pk), buffer)
    buffer.seek(0)
    book = load_workbook(buffer, read_only=True)
    return {name: [tuple(r) for r in book[name].iter_rows(values_only=True)] for name in book.sheetnames}


def test_a_locked_report_and_its_exports_do_not_change_when_the_data_changes(plan):
    province = _lock_all(plan)
    assert set(StatReport.objects.values_list("status", flat=True)) == {"locked"}
    xuanwu = StatReport.objects.get(region_id=XUANWU)
    cells_before = list(province.cells.values_list("table", "row", "region_id", "value").order_by("id"))
    county_before = list(xuanwu.cells.values_list("table", "row", "value").order_by("id"))
    excel_before = _workbook_values(province)
    national_before = national_export(StatReport.objects.get(pk=province.pk))
    snapshot_before = dict(
        IndicatorSnapshot.objects.filter(as_of=END, region_id=XUANWU).values_list("key", "value")
    )
    assert IndicatorSnapshot.objects.filter(as_of=END, region_id=XUANWU, locked=True).exists()

    # The data changes: a new centre, more places, and the date's indicators recomputed.
    InstitutionFactory(name="锁定后新开", township=plan.regions["meiyuan"], places=300)
    Institution.objects.update(created_at=START_AT, places=500)
    indicators_recompute(as_of=END)

    assert (
        list(province.cells.values_list("table", "row", "region_id", "value").order_by("id")) == cells_before
    )
    assert list(xuanwu.cells.values_list("table", "row", "value").order_by("id")) == county_before
    assert _workbook_values(province) == excel_before
    assert national_export(StatReport.objects.get(pk=province.pk)) == national_before
    # The county's snapshot rows of the day are locked: the recomputation kept them.
    after = dict(IndicatorSnapshot.objects.filter(as_of=END, region_id=XUANWU).values_list("key", "value"))
    assert after == snapshot_before
    # Nothing can move a locked report.
    with pytest.raises((services.TransitionNotAllowed, PermissionDenied)):
        step(plan, province, "return", "province_official", "x")


# --- exports --------------------------------------------------------------------------------------


def test_the_excel_file_has_one_sheet_per_table_with_chinese_headers_and_the_figures(plan, english):
    xuanwu = create(plan, XUANWU, "county_official")
    step(plan, xuanwu, "submit", "county_official")
    step(plan, xuanwu, "approve", "nanjing_admin")
    sheets = _workbook_values(xuanwu)
    assert list(sheets) == [
        "表1 托育机构与托位情况",
        "表2 托育从业人员情况",
        "表3 托育服务发展规划主要指标",
        "审批记录",
    ]
    t1 = sheets["表1 托育机构与托位情况"]
    assert t1[0][0] == "表1 托育机构与托位情况"
    assert t1[1][:4] == ("填报单位", "玄武区", "统计期", f"{START.year}年{START.month}月")
    assert t1[2][:2] == ("报表状态", "市级已审核")
    headers = t1[4]
    assert headers[:4] == ("序号", "指标名称", "计量单位", "本期数")
    rows = {r[1]: r for r in t1[5:] if r and r[1]}
    assert rows["托育机构数"][2:4] == ("个", 2)
    assert rows["托位数"][3] == 110
    assert rows["普惠托位占比"][2:4] == ("%", 27.27)
    t2 = {r[1]: r for r in sheets["表2 托育从业人员情况"][5:] if r and r[1]}
    assert t2["从业人员数"][3] == "暂无数据"
    t3 = {r[1]: r for r in sheets["表3 托育服务发展规划主要指标"][5:] if r and r[1]}
    assert sheets["表3 托育服务发展规划主要指标"][4][:8] == (
        "序号", "指标名称", "计量单位", "本期数", "分子", "分母", "规划目标", "是否达标",
    )  # fmt: skip
    assert t3["每千人口拥有3岁以下婴幼儿托位数"][2] == "个/千人"
    record = sheets["审批记录"]
    flat = [c for row in record for c in row if c]
    assert "上报" in flat and "审核通过" in flat and "nanjing_admin" in flat


def test_an_annual_report_has_the_residential_table(plan):
    report = create(plan, XUANWU, "county_official", kind="annual")
    assert set(report.cells.values_list("table", flat=True)) == {"T1", "T2", "T3", "T4"}
    assert [t.code for t in TABLES if "annual" in t.periods] == ["T1", "T2", "T3", "T4"]


def _documented_schema() -> dict:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## JSON Schema", 1)[1]
    return json.loads(re.search(r"```json\n(.*?)\n```", section, re.S).group(1))


def test_the_national_export_matches_the_documented_format(plan):
    province = _lock_all(plan)
    document = national_export(StatReport.objects.get(pk=province.pk))
    validator = jsonschema_rs.validator_for(_documented_schema())
    errors = [e.message for e in validator.iter_errors(document)]
    assert errors == []
    t1 = next(t for t in document["tables"] if t["code"] == "T1")
    places = next(r for r in t1["rows"] if r["key"] == "places")
    assert places["value"] == 200  # 南京 160 + 无锡 40
    assert {r["code"]: r["value"] for r in places["by_region"]} == {NANJING: 160, WUXI: 40}
    assert document["status"] == "locked" and document["period"]["label"] == PERIOD


# --- API --------------------------------------------------------------------------------------------


def api(world, persona: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {token_issue(user=world.user(persona))}"})


def test_api_county_creates_and_submits_the_city_approves_other_county_404(plan):
    county = api(plan, "county_official")
    response = county.post(
        "/api/v1/planning/reports",
        {"region": XUANWU, "period_kind": "monthly", "period": PERIOD},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft" and body["actions"] == ["submit"]
    t1 = next(t for t in body["tables"] if t["code"] == "T1")
    assert next(r for r in t1["rows"] if r["key"] == "places")["value"]["value"] == 110
    report_id = body["id"]
    again = county.post(
        "/api/v1/planning/reports",
        {"region": XUANWU, "period_kind": "monthly", "period": PERIOD},
        content_type="application/json",
    )
    assert again.status_code == 409
    assert api(plan, "other_county_official").get(f"/api/v1/planning/reports/{report_id}").status_code == 404
    submitted = county.post(
        f"/api/v1/planning/reports/{report_id}/submit", {}, content_type="application/json"
    )
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    twice = county.post(f"/api/v1/planning/reports/{report_id}/submit", {}, content_type="application/json")
    assert twice.status_code == 409
    assert twice.json()["detail"]
    viewer = api(plan, "city_official").post(
        f"/api/v1/planning/reports/{report_id}/approve", {}, content_type="application/json"
    )
    assert viewer.status_code == 403
    approved = api(plan, "nanjing_admin").post(
        f"/api/v1/planning/reports/{report_id}/approve", {"reason": "ok"}, content_type="application/json"
    )
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert [t["action"] for t in approved.json()["transitions"]] == ["submit", "approve"]
    no_reason = api(plan, "province_official").post(
        f"/api/v1/planning/reports/{report_id}/return", {}, content_type="application/json"
    )
    assert no_reason.status_code == 422


def test_api_refuses_a_period_that_has_not_ended_and_a_bad_period(plan):
    county = api(plan, "county_official")
    today = timezone.localdate()
    for period, status in ((today.strftime("%Y-%m"), 422), ("2026-13", 422), ("abc", 422)):
        response = county.post(
            "/api/v1/planning/reports",
            {"region": XUANWU, "period_kind": "monthly", "period": period},
            content_type="application/json",
        )
        assert response.status_code == status, (period, response.content)


def test_api_list_is_scoped_and_within_a_query_budget(plan, django_assert_max_num_queries):
    nanjing_signed_off(plan)
    create(plan, XISHAN)
    with django_assert_max_num_queries(10):  # token, user, grants, count, page: not per report
        response = api(plan, "county_official").get("/api/v1/planning/reports")
    assert [i["region"] for i in response.json()["items"]] == [XUANWU]
    response = api(plan, "nanjing_admin").get(f"/api/v1/planning/reports?period_kind=monthly&period={PERIOD}")
    assert sorted(i["region"] for i in response.json()["items"]) == [NANJING, XUANWU, JIANGNING]
    assert api(plan, "province_official").get("/api/v1/planning/reports").json()["count"] == 4


def test_national_export_is_only_for_the_provinces_signed_off_report(plan):
    report = create(plan, XUANWU, "county_official")
    response = api(plan, "province_official").get(f"/api/v1/planning/reports/{report.pk}/national")
    assert response.status_code == 409


# --- pages ------------------------------------------------------------------------------------------


def page(world, persona: str) -> Client:
    client = Client()
    client.force_login(world.user(persona))
    client.cookies["django_language"] = "en"
    return client


def test_list_page_shows_what_is_due_and_what_waits_for_the_city(plan):
    xuanwu = create(plan, XUANWU, "county_official")
    step(plan, xuanwu, "submit", "county_official")
    response = page(plan, "nanjing_admin").get(reverse("planning:reports") + f"?kind=monthly&period={PERIOD}")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Waiting for you" in text and "Approve" in text
    assert "玄武区" in text and "江宁区" in text and "not started" in text
    assert 'data-testid="create-320115000000"' in text  # the city may make 江宁区's draft for it
    county_page = page(plan, "county_official").get(reverse("planning:reports"))
    assert "Waiting for you" not in county_page.content.decode()


def test_report_page_buttons_and_steps(plan):
    county = page(plan, "county_official")
    response = county.post(
        reverse("planning:reports"), {"region": XUANWU, "kind": "monthly", "period": PERIOD}
    )
    report = StatReport.objects.get(region_id=XUANWU)
    assert response.status_code == 302 and response["Location"] == reverse(
        "planning:report", args=[report.pk]
    )
    text = county.get(response["Location"]).content.decode()
    assert 'value="submit"' in text and 'value="approve"' not in text
    assert county.post(response["Location"], {"action": "submit"}).status_code == 302
    city = page(plan, "nanjing_admin")
    text = city.get(response["Location"]).content.decode()
    assert 'value="approve"' in text and 'value="return"' in text
    city.post(response["Location"], {"action": "return", "reason": ""})
    report.refresh_from_db()
    assert report.status == "submitted"  # a return without a reason is refused
    city.post(response["Location"], {"action": "approve"})
    report.refresh_from_db()
    assert report.status == "approved"
    viewer = page(plan, "city_official").get(response["Location"]).content.decode()
    assert 'value="approve"' not in viewer and "Export to Excel" in viewer
    assert page(plan, "other_county_official").get(response["Location"]).status_code == 404


def test_excel_download_is_a_workbook_named_in_chinese(plan):
    report = create(plan, XUANWU, "county_official")
    response = page(plan, "city_official").get(reverse("planning:report_xlsx", args=[report.pk]))
    assert response.status_code == 200
    assert "%E7%BB%9F%E8%AE%A1%E6%8A%A5%E8%A1%A8" in response["Content-Disposition"]  # 统计报表
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames[0].startswith("表1")
