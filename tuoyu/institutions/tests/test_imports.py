"""Bulk import of institutions from Excel/CSV: row-level checks, all or nothing, page and command."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from tuoyu.core.imports import ImportFailed
from tuoyu.core.models import AuditLog
from tuoyu.core.tests.factories import RegionFactory, make_uscc
from tuoyu.institutions import imports
from tuoyu.institutions.choices import OperatingStatus
from tuoyu.institutions.exports import HEADERS
from tuoyu.institutions.imports import import_institutions
from tuoyu.institutions.models import Institution
from tuoyu.planning.compute import operating_on

XUANWU = "320102000000"
MEIYUAN = "320102002000"


def good_row(n: int, **changes: object) -> dict[str, object]:
    row: dict[str, object] = {
        "序号": n,
        "机构名称": f"导入托育中心{n}",
        "统一社会信用代码": make_uscc(5000 + n),
        "设区市": "南京市",
        "县（市、区）": "玄武区",
        "乡镇（街道）": "梅园新村街道",
        "地址": f"长江路{n}号",
        "机构类型": "社会举办",
        "机构性质": "民办",
        "普惠": "否",
        "备案托位数": 40,
        "运营状态": "运营中",
        "备案状态": "已备案",
        "法人类型": "enterprise",
        "法定代表人": "王五",
        "服务方式": "full_day、Half day",
        "收托月龄": "12-36",
        "联系电话": "025-84000000",
    }
    row.update(changes)
    return row


def xlsx(rows: list[dict[str, object]], headers: list[str] = HEADERS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h, "") for h in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[dict[str, object]], encoding: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    for row in rows:
        writer.writerow([row.get(h, "") for h in HEADERS])
    return buffer.getvalue().encode(encoding)


def _errors(caught: pytest.ExceptionInfo[ImportFailed]) -> list[str]:
    return [str(e) for e in caught.value.errors]


def _import(world, data: bytes, name: str = "register.xlsx", region: str = XUANWU, **kwargs):
    return import_institutions(
        actor=world.user("county_official"),
        region=world.regions["xuanwu"] if region == XUANWU else world.regions[region],
        data=data,
        filename=name,
        **kwargs,
    )


# --- the service-level import -------------------------------------------------------------------


def test_good_file_creates_every_institution_with_mapped_labels(world):
    result = _import(
        world, xlsx([good_row(1), good_row(2, 机构类型="托幼一体（幼儿园托班）", 机构性质="公办", 普惠="是")])
    )
    assert result.count == 2 and not result.dry_run
    second = Institution.objects.get(name="导入托育中心2")
    assert (second.type, second.ownership, second.inclusive) == ("kindergarten", "public", True)
    assert second.township_id == MEIYUAN
    assert (second.county_id, second.city_id) == (XUANWU, "320100000000")
    assert second.service_modes == ["full_day", "half_day"]
    assert (second.age_min_months, second.age_max_months) == (12, 36)
    assert second.legal_form == "enterprise"
    assert AuditLog.objects.filter(action="registry.import", region_code=XUANWU).get().detail["rows"] == 2


def test_one_bad_check_character_writes_nothing_and_names_row_and_field(world):
    bad = make_uscc(5002)
    bad = bad[:17] + ("0" if bad[17] != "0" else "1")
    data = xlsx([good_row(1), good_row(2, 统一社会信用代码=bad), good_row(3)])
    with pytest.raises(ImportFailed) as caught:
        _import(world, data)
    assert Institution.objects.count() == 3  # the world's three, none imported
    messages = _errors(caught)
    assert len(messages) == 1
    assert messages[0].startswith("第 3 行，统一社会信用代码：校验码有误")


def test_every_wrong_row_is_reported_at_once(world, english):
    data = xlsx(
        [
            good_row(1, 机构名称=""),
            good_row(2, 机构类型="幼儿园"),
            good_row(3, 备案托位数="many"),
            good_row(4, 备案托位数=3000),
            good_row(5, 普惠="maybe"),
            good_row(6, 收托月龄="6 to 36"),
            good_row(7, 收托月龄="30-12"),
            good_row(8, 机构名称="托" * 201),  # found by the service's full_clean, mapped back to the row
        ]
    )
    with pytest.raises(ImportFailed) as caught:
        _import(world, data)
    by_row = {e.row: e for e in caught.value.errors}
    assert by_row[2].field == "机构名称" and "required" in by_row[2].message
    assert by_row[3].field == "机构类型" and "幼儿园" in by_row[3].message
    assert by_row[4].field == "备案托位数"
    assert by_row[5].field == "备案托位数" and "2000" in by_row[5].message
    assert by_row[6].field == "普惠"
    assert by_row[7].field == "收托月龄"
    assert by_row[8].field == "收托月龄"
    assert by_row[9].field == "机构名称" and "200" in by_row[9].message
    assert Institution.objects.count() == 3


def test_csv_in_gb18030_with_the_township_given_by_name(world):
    rows = [good_row(1), good_row(2, **{"乡镇（街道）": MEIYUAN}, **{"县（市、区）": ""})]
    result = _import(world, csv_bytes(rows, "gb18030"), name="名册.csv")
    assert result.count == 2
    assert Institution.objects.filter(name__startswith="导入托育中心", township_id=MEIYUAN).count() == 2


def test_csv_in_utf8_with_english_field_names(world):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["name", "uscc", "township", "address", "type", "ownership", "places"])
    writer.writerow(
        ["English Nursery", make_uscc(5100), MEIYUAN, "1 Yangtze Rd", "private_run", "private", "30"]
    )
    result = _import(world, buffer.getvalue().encode("utf-8-sig"), name="register.csv")
    assert result.count == 1
    assert Institution.objects.get(name="English Nursery").places == 30


def test_townships_outside_the_region_unknown_or_ambiguous_are_row_errors(world, english):
    # A second 梅园新村街道 in another county of the province makes the bare name ambiguous there.
    other = RegionFactory(
        code="320115009000",
        name="梅园新村街道",
        level="township",
        kind="subdistrict",
        parent=world.regions["jiangning"],
    )
    data = xlsx(
        [
            good_row(1, **{"乡镇（街道）": "320115001000"}),  # 东山街道: in 江宁区, not in 玄武区
            good_row(2, **{"乡镇（街道）": "不存在街道"}),
            good_row(3, **{"县（市、区）": "江宁区"}),  # the named township is in 玄武区
        ]
    )
    with pytest.raises(ImportFailed) as caught:
        _import(world, data)
    by_row = {e.row: e for e in caught.value.errors}
    assert (
        by_row[2].field == "乡镇（街道）" and "not a township-level unit within 玄武区" in by_row[2].message
    )
    assert by_row[3].field == "乡镇（街道）"
    assert by_row[4].field == "乡镇（街道）"  # no 梅园新村街道 in 江宁区 within 玄武区

    ambiguous = xlsx([good_row(1, **{"县（市、区）": ""}, 设区市="")])
    with pytest.raises(ImportFailed) as caught:
        _import(world, ambiguous, region="province")
    assert "2 township-level units" in caught.value.errors[0].message
    # Naming the county settles it.
    result = _import(world, xlsx([good_row(1, **{"县（市、区）": "江宁区"})]), region="province")
    assert result.count == 1
    assert Institution.objects.get(name="导入托育中心1").township_id == other.code


def test_duplicate_credit_codes_within_the_file_name_the_first_row(world, english):
    data = xlsx([good_row(1), good_row(2, 统一社会信用代码=make_uscc(5001))])
    with pytest.raises(ImportFailed) as caught:
        _import(world, data)
    assert [(e.row, e.field) for e in caught.value.errors] == [(3, "统一社会信用代码")]
    assert "row 2" in caught.value.errors[0].message


def test_importing_the_same_file_again_is_refused_naming_every_duplicate(world):
    data = xlsx([good_row(1), good_row(2)])
    assert _import(world, data).count == 2
    with pytest.raises(ImportFailed) as caught:
        _import(world, data)
    assert _errors(caught) == [
        "第 2 行，统一社会信用代码：使用该统一社会信用代码的托育机构已存在。",
        "第 3 行，统一社会信用代码：使用该统一社会信用代码的托育机构已存在。",
    ]
    assert Institution.objects.count() == 5


def test_dry_run_checks_everything_and_writes_nothing(world):
    result = _import(world, xlsx([good_row(1), good_row(2)]), dry_run=True)
    assert result.count == 2 and result.dry_run
    assert Institution.objects.count() == 3
    assert not AuditLog.objects.filter(action__in=["registry.import", "institution.bulk_create"]).exists()


def test_file_without_required_columns_is_refused(world, english):
    data = xlsx([{"机构名称": "x"}], headers=["机构名称", "地址"])
    with pytest.raises(ImportFailed) as caught:
        _import(world, data)
    fields = {e.field for e in caught.value.errors}
    assert {"统一社会信用代码", "乡镇（街道）", "机构类型", "机构性质"} <= fields


def test_size_and_row_limits(world, monkeypatch, english):
    monkeypatch.setattr(imports, "MAX_ROWS", 2)
    with pytest.raises(ImportFailed) as caught:
        _import(world, xlsx([good_row(1), good_row(2), good_row(3)]))
    assert "more than 2 data rows" in caught.value.errors[0].message
    monkeypatch.setattr(imports, "MAX_BYTES", 100)
    with pytest.raises(ImportFailed) as caught:
        _import(world, xlsx([good_row(1)]))
    assert "larger than" in caught.value.errors[0].message


def test_not_a_spreadsheet_is_refused(world, english):
    with pytest.raises(ImportFailed) as caught:
        _import(world, b"not a zip", name="x.xlsx")
    assert "not a readable .xlsx" in caught.value.errors[0].message
    with pytest.raises(ImportFailed):
        _import(world, b"whatever", name="x.pdf")


def test_export_then_import_round_trips(world):
    # The operating dates travel too: one institution operating since a past date, one closed.
    Institution.objects.filter(pk=world.institutions["inst_xuanwu"].pk).update(
        operating_since=dt.date(2019, 9, 1)
    )
    Institution.objects.create(
        name="梅园已停办托育园",
        uscc=make_uscc(5200),
        type="private_run",
        ownership="private",
        address="长江路9号",
        status=OperatingStatus.CLOSED,
        operating_since=dt.date(2018, 3, 1),
        closed_on=dt.date(2023, 6, 30),
        township=world.regions["meiyuan"],
        county=world.regions["xuanwu"],
        city=world.regions["nanjing"],
    )
    client = Client()
    client.force_login(world.user("county_official"))
    data = client.get(reverse("registry:export", args=[XUANWU])).content
    fields = ("name", "uscc", "type", "places", "status", "operating_since", "closed_on")
    before = list(Institution.objects.filter(township_id=MEIYUAN).order_by("name").values(*fields))
    from tuoyu.children.models import Child, Enrolment
    from tuoyu.institutions.models import InstitutionClass

    Enrolment.objects.all().delete()  # the persona world's children hold places there
    Child.objects.all().delete()
    InstitutionClass.objects.all().delete()
    Institution.objects.filter(township_id=MEIYUAN).delete()
    assert _import(world, data).count == 2
    after = list(Institution.objects.filter(township_id=MEIYUAN).order_by("name").values(*fields))
    assert after == before
    assert {(r["operating_since"], r["closed_on"]) for r in after} == {
        (dt.date(2019, 9, 1), None),
        (dt.date(2018, 3, 1), dt.date(2023, 6, 30)),
    }


# --- the operating dates ------------------------------------------------------------------------


def test_the_import_takes_operating_since_from_the_file_not_today(world):
    day = dt.date(2019, 9, 1)
    rows = [
        good_row(1, 开始运营日期=day),  # a real Excel date cell
        good_row(2, 开始运营日期="2019/9/1"),
        good_row(3, 开始运营日期="2019年9月1日"),
        good_row(4, 开始运营日期=" 2019-09-01 "),
        good_row(5, 运营状态="已关闭", 开始运营日期="2019.9.1", 停止运营日期="2023-06-30"),
    ]
    assert _import(world, xlsx(rows)).count == 5
    imported = Institution.objects.filter(name__startswith="导入托育中心")
    assert {i.operating_since for i in imported} == {day}
    assert timezone.localdate() != day
    assert imported.get(name="导入托育中心5").closed_on == dt.date(2023, 6, 30)
    # …so the indicators count them at a past date, though they were entered today.
    operating_then = Institution.objects.filter(operating_on(dt.date(2020, 1, 1)))
    assert set(operating_then.filter(name__startswith="导入托育中心").values_list("name", flat=True)) == {
        "导入托育中心1",
        "导入托育中心2",
        "导入托育中心3",
        "导入托育中心4",
        "导入托育中心5",
    }


def test_csv_dates_as_excel_saves_them(world):
    rows = [good_row(1, 开始运营日期="2019/9/1 0:00"), good_row(2, 开始运营日期="")]
    assert _import(world, csv_bytes(rows, "gb18030"), name="名册.csv").count == 2
    assert Institution.objects.get(name="导入托育中心1").operating_since == dt.date(2019, 9, 1)
    assert Institution.objects.get(name="导入托育中心2").operating_since is None


def test_bad_dates_name_the_row_and_column_and_write_nothing(world, english):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    data = xlsx(
        [
            good_row(1),
            good_row(2, 开始运营日期="去年"),
            good_row(3, 开始运营日期="2021-02-30"),
            good_row(4, 停止运营日期="30/06/2023"),
            good_row(5, 开始运营日期=tomorrow.isoformat()),
            good_row(6, 运营状态="已关闭", 开始运营日期="2022-01-01", 停止运营日期="2021-12-31"),
        ]
    )
    with pytest.raises(ImportFailed) as caught:
        _import(world, data, dry_run=True)
    errors = [(e.row, e.field, e.message) for e in caught.value.errors]
    assert errors == [
        (3, "开始运营日期", "“去年” is not a date: write it like 2021-03-01."),
        (4, "开始运营日期", "“2021-02-30” is not a date: write it like 2021-03-01."),
        (5, "停止运营日期", "“30/06/2023” is not a date: write it like 2021-03-01."),
        (6, "开始运营日期", "This date is in the future."),
        (7, "停止运营日期", "An institution cannot close before it starts operating."),
    ]
    with pytest.raises(ImportFailed):
        _import(world, data)
    assert Institution.objects.count() == 3


def test_a_bad_date_is_reported_in_chinese_naming_the_column(world):
    with pytest.raises(ImportFailed) as caught:
        _import(world, xlsx([good_row(1, 停止运营日期="2023-13-01")]))
    assert _errors(caught)[0].startswith("第 2 行，停止运营日期：")
    assert Institution.objects.count() == 3


def test_an_older_file_without_the_date_columns_still_imports(world):
    old_headers = [h for h in HEADERS if h not in ("开始运营日期", "停止运营日期")]
    assert len(old_headers) == len(HEADERS) - 2
    assert _import(world, xlsx([good_row(1), good_row(2)], headers=old_headers)).count == 2
    imported = Institution.objects.filter(name__startswith="导入托育中心")
    # Unknown dates stay empty, as for any institution entered before the dates were kept.
    assert {(i.operating_since, i.closed_on) for i in imported} == {(None, None)}


# --- the pages ----------------------------------------------------------------------------------


def _page_client(world, persona: str = "county_official") -> Client:
    client = Client()
    client.force_login(world.user(persona))
    return client


def _post(client: Client, data: bytes, name: str = "register.xlsx", button: str = "import"):
    upload = SimpleUploadedFile(name, data)
    return client.post(reverse("registry:import", args=[XUANWU]), {"file": upload, button: "1"})


def test_import_page_shows_row_messages_and_writes_nothing(world):
    bad = make_uscc(5002)
    bad = bad[:17] + ("0" if bad[17] != "0" else "1")
    response = _post(_page_client(world), xlsx([good_row(1), good_row(2), good_row(3, 统一社会信用代码=bad)]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "第 4 行，统一社会信用代码：校验码有误" in content
    assert Institution.objects.count() == 3


def test_import_page_dry_run_then_import(world):
    client = _page_client(world)
    data = xlsx([good_row(1), good_row(2)])
    response = _post(client, data, button="dry_run")
    assert response.status_code == 200
    assert response.context["checked"] == 2
    assert Institution.objects.count() == 3
    response = _post(client, data)
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:overview", args=[XUANWU])
    assert Institution.objects.count() == 5
    page = client.get(response["Location"])
    assert "2" in str(list(page.context["messages"])[0])


def test_import_page_refuses_a_too_large_upload(world, monkeypatch):
    from tuoyu.institutions import forms

    monkeypatch.setattr(forms, "MAX_BYTES", 100)
    response = _post(_page_client(world), xlsx([good_row(1)]))
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert Institution.objects.count() == 3


def test_viewer_cannot_post_an_import(world):
    response = _post(_page_client(world, "city_official"), xlsx([good_row(1)]))
    assert response.status_code == 403
    assert Institution.objects.count() == 3


def test_template_has_the_headers_and_its_example_passes_the_check(world):
    response = _page_client(world).get(reverse("registry:import_template", args=[XUANWU]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [c.value for c in sheet[1]] == HEADERS
    assert sheet.max_row == 2
    example = dict(zip(HEADERS, [c.value for c in sheet[2]], strict=True))
    since = example["开始运营日期"]
    assert isinstance(since, dt.datetime) and since.date() == dt.date(2021, 3, 1)  # a date cell
    assert example["停止运营日期"] is None
    notes = {row[0]: row[2] for row in load_workbook(io.BytesIO(response.content))["填写说明"].values}
    assert "2021年3月1日" in notes["开始运营日期"]
    assert "不早于开始运营日期" in notes["停止运营日期"]
    result = _import(world, response.content, dry_run=True)
    assert result.count == 1


# --- the command --------------------------------------------------------------------------------


def test_command_imports_and_dry_runs(world, tmp_path):
    path = tmp_path / "register.xlsx"
    path.write_bytes(xlsx([good_row(1), good_row(2)]))
    out = io.StringIO()
    call_command("import_institutions", str(path), "--region", XUANWU, "--dry-run", stdout=out)
    assert "2 row(s) checked" in out.getvalue()
    assert Institution.objects.count() == 3
    call_command(
        "import_institutions", str(path), "--region", XUANWU, "--actor", "province_official", stdout=out
    )
    assert Institution.objects.count() == 5
    assert AuditLog.objects.get(action="registry.import").actor == world.user("province_official")


def test_command_prints_row_errors_and_fails(world, tmp_path):
    path = tmp_path / "register.csv"
    path.write_bytes(csv_bytes([good_row(1), good_row(2, **{"乡镇（街道）": "320205001000"})], "gb18030"))
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 error"):
        call_command("import_institutions", str(path), "--region", XUANWU, stderr=err)
    assert "第 3 行，乡镇（街道）" in err.getvalue()
    assert Institution.objects.count() == 3
