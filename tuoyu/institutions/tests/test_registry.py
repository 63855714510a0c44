"""Government register tools: the Excel export and the overview per region."""

from __future__ import annotations

import datetime as dt
import io
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from tuoyu.core.models import AuditLog
from tuoyu.core.tests.factories import InstitutionFactory, RegionFactory
from tuoyu.institutions.choices import FilingStatus, InstitutionType, OperatingStatus, Ownership
from tuoyu.institutions.exports import HEADERS
from tuoyu.institutions.models import Institution

PROVINCE, NANJING, XUANWU = "320000000000", "320100000000", "320102000000"


def _client(world, persona: str) -> Client:
    client = Client()
    client.force_login(world.user(persona))
    return client


def _sheet(response):
    workbook = load_workbook(io.BytesIO(response.content))
    return workbook.worksheets[0]


def _rows(response) -> list[tuple]:
    return list(_sheet(response).iter_rows(values_only=True))


# --- export -------------------------------------------------------------------------------------


def test_export_is_a_real_workbook_with_chinese_headers(world):
    response = _client(world, "county_official").get(reverse("registry:export", args=[XUANWU]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = _sheet(response)
    header = [c.value for c in sheet[1]]
    assert header == HEADERS
    assert header[:3] == ["序号", "机构名称", "统一社会信用代码"]
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.bold


def header_after(header: tuple, title: str) -> list:
    index = header.index(title)
    return list(header[index + 1 : index + 4])


def test_export_rows_use_chinese_labels(world):
    Institution.objects.filter(pk=world.institutions["inst_xuanwu"].pk).update(
        type=InstitutionType.KINDERGARTEN,
        ownership=Ownership.PUBLIC,
        inclusive=True,
        filing_status=FilingStatus.PENDING,
        age_min_months=12,
        service_modes=["full_day"],
        operating_since=dt.date(2020, 5, 6),
    )
    rows = _rows(_client(world, "county_official").get(reverse("registry:export", args=[XUANWU])))
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["机构名称"] == "梅园托育中心"
    assert row["设区市"] == "南京市"
    assert row["县（市、区）"] == "玄武区"
    assert row["乡镇（街道）"] == "梅园新村街道"
    assert row["机构类型"] == "托幼一体（幼儿园托班）"
    assert row["机构性质"] == "公办"
    assert row["普惠"] == "是"
    assert row["运营状态"] == "运营中"
    since = row["开始运营日期"]  # a date cell, which openpyxl reads back as a datetime
    assert isinstance(since, dt.datetime) and since.date() == dt.date(2020, 5, 6)
    assert row["停止运营日期"] is None
    assert header_after(rows[0], "运营状态") == ["开始运营日期", "停止运营日期", "备案状态"]
    assert row["备案状态"] == "备案中"
    assert row["备案托位数"] == 80
    assert row["收托月龄"] == "12-36"
    assert row["序号"] == 1


@pytest.mark.parametrize(
    ("persona", "region", "names"),
    [
        ("county_official", XUANWU, {"梅园托育中心"}),
        ("city_official", NANJING, {"梅园托育中心", "东山托育园"}),
        ("province_official", NANJING, {"梅园托育中心", "东山托育园"}),
        ("national_observer", PROVINCE, {"梅园托育中心", "东山托育园", "东亭托育中心"}),
    ],
)
def test_export_holds_exactly_the_institutions_of_the_region(world, persona, region, names):
    rows = _rows(_client(world, persona).get(reverse("registry:export", args=[region])))
    assert {r[1] for r in rows[1:]} == names
    assert len(rows) - 1 == len(names)


def test_county_official_cannot_export_the_city(world):
    response = _client(world, "county_official").get(reverse("registry:export", args=[NANJING]))
    assert response.status_code == 404


def test_export_names_the_file_in_chinese_and_is_audited(world):
    response = _client(world, "county_official").get(reverse("registry:export", args=[XUANWU]))
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote('托育机构名册_玄武区_')}" in disposition
    assert disposition.endswith(".xlsx")
    log = AuditLog.objects.get(action="registry.export")
    assert log.actor == world.user("county_official")
    assert log.detail == {"region": XUANWU, "rows": 1}


def test_export_runs_in_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    township = world.regions["meiyuan"]
    InstitutionFactory.create_batch(40, township=township)
    client = _client(world, "county_official")
    with django_assert_max_num_queries(6):
        response = client.get(reverse("registry:export", args=[XUANWU]))
    assert len(_rows(response)) == 42


# --- overview -----------------------------------------------------------------------------------


def _world_with_statuses(world):
    Institution.objects.filter(pk=world.institutions["inst_jiangning"].pk).update(
        filing_status=FilingStatus.PENDING, ownership=Ownership.PUBLIC, type=InstitutionType.COMMUNITY
    )
    Institution.objects.filter(pk=world.institutions["inst_wuxi"].pk).update(
        filing_status=FilingStatus.CANCELLED, status=OperatingStatus.CLOSED
    )


def test_overview_counts_the_province(world):
    _world_with_statuses(world)
    response = _client(world, "province_official").get(reverse("registry:overview", args=[PROVINCE]))
    assert response.status_code == 200
    totals = response.context["totals"]
    assert totals["total"] == 3
    assert totals["filing_filed"] == 1
    assert totals["filing_pending"] == 1
    assert totals["filing_cancelled"] == 1
    assert totals["filing_noncompliant"] == 0
    assert totals["filing_not_filed"] == 0
    assert totals["status_operating"] == 2
    assert totals["status_closed"] == 1
    assert totals["type_private_run"] == 2
    assert totals["type_community"] == 1
    assert totals["ownership_public"] == 1
    assert totals["ownership_private"] == 2
    assert totals["designation_inclusive"] == 1
    assert totals["places"] == 130  # operating only: 80 + 50
    children = {row["region"].name: row for row in response.context["children"]}
    assert children["南京市"]["total"] == 2
    assert children["无锡市"]["total"] == 1
    keys = [key for group in response.context["groups"] for key, _label in group["columns"]]
    nanjing = dict(zip(keys, children["南京市"]["values"], strict=True))
    assert nanjing["filing_filed"] == 1
    assert nanjing["filing_pending"] == 1
    assert nanjing["designation_inclusive"] == 1
    wuxi = dict(zip(keys, children["无锡市"]["values"], strict=True))
    assert wuxi["filing_cancelled"] == 1
    content = response.content.decode()
    assert "已注销" in content
    assert "南京市" in content


def test_overview_of_a_county_lists_townships_and_only_what_the_user_sees(world):
    response = _client(world, "county_official").get(reverse("registry:overview", args=[XUANWU]))
    assert response.context["totals"]["total"] == 1
    assert [row["region"].name for row in response.context["children"]] == ["梅园新村街道"]
    assert response.context["children"][0]["total"] == 1
    assert response.context["can_import"] is True


def test_viewer_sees_no_import_link(world):
    response = _client(world, "city_official").get(reverse("registry:overview", args=[NANJING]))
    assert response.context["can_import"] is False
    assert reverse("registry:import", args=[NANJING]) not in response.content.decode()


def test_overview_query_count_does_not_grow_with_institutions(world, django_assert_max_num_queries):
    nanjing, wuxi = world.regions["nanjing"], world.regions["wuxi"]
    extra_county = RegionFactory(
        code="320104000000", name="秦淮区", level="county", kind="district", parent=nanjing
    )
    extra_township = RegionFactory(
        code="320104001000", name="夫子庙街道", level="township", kind="subdistrict", parent=extra_county
    )
    InstitutionFactory.create_batch(25, township=extra_township)
    InstitutionFactory.create_batch(25, township=world.regions["dongting"])
    client = _client(world, "province_official")
    with django_assert_max_num_queries(7):
        response = client.get(reverse("registry:overview", args=[PROVINCE]))
    assert response.context["totals"]["total"] == 53
    children = {row["region"]: row["total"] for row in response.context["children"]}
    assert children == {nanjing: 27, wuxi: 26}


def test_region_page_links_to_the_register(world):
    response = _client(world, "county_official").get(reverse("portal:gov_region", args=[XUANWU]))
    content = response.content.decode()
    assert reverse("registry:overview", args=[XUANWU]) in content
    assert reverse("registry:export", args=[XUANWU]) in content
