"""A statistical report as an Excel file (one sheet per table, and the sign-off record), and the
province's figures for the national level (docs/national_export.md).

Everything written here is the report's stored cells, never the live data: a submitted report exports
the same file whenever it is exported. Headers and labels are fixed Chinese (official forms are
Chinese), not UI text, so a file reads the same whatever language the official's screen is in.
"""

from __future__ import annotations

from typing import IO, Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from .models import StatReport, StatReportCell
from .report_tables import ACTION_ZH, PERIOD_ZH, STATUS_ZH, ReportRow
from .selectors_reports import TableView, report_tables

NATIONAL_FORMAT = "tuoyu.stat-report.national"
NATIONAL_VERSION = 1
NO_DATA_ZH = "暂无数据"
LEVEL_ZH = {"province": "省", "city": "设区市", "county": "县（市、区）"}


def _who(user: Any) -> str:
    if user is None:
        return ""
    return str(getattr(user, "display_name", "") or user.get_username())


def _when(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _cell_value(cell: StatReportCell | None, row: ReportRow) -> Any:
    """A number for Excel (whole for counts, two decimals for rates), or 暂无数据."""
    if cell is None or cell.value is None:
        return NO_DATA_ZH
    if row.unit in ("个", "人", "套"):
        return int(round(cell.value))
    return round(cell.value, 2)


def sign_off_lines(report: StatReport) -> list[tuple[str, str]]:
    """填报 / 审核 / 锁定: who and when, as the form's footer writes them."""
    review = "审核（市级）" if report.region.level == "county" else "验收（省级）"
    return [
        ("报表状态", STATUS_ZH[report.status]),
        ("填报人", _who(report.submitted_by)),
        ("上报时间", _when(report.submitted_at)),
        (f"{review}人", _who(report.reviewed_by)),
        (f"{review}时间", _when(report.reviewed_at)),
        ("锁定时间", _when(report.locked_at)),
        ("数据采集时间", _when(report.generated_at)),
    ]


def _header_block(sheet: Any, report: StatReport, view: TableView) -> None:
    sheet.append([f"{view.table.number} {view.table.title}"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(
        [
            "填报单位",
            report.region.name,
            "统计期",
            report.period_label_zh,
            "报表类别",
            PERIOD_ZH[report.period_kind],
        ]
    )
    sheet.append(
        [
            "报表状态",
            STATUS_ZH[report.status],
            "上报时间",
            _when(report.submitted_at),
            "锁定时间",
            _when(report.locked_at),
        ]
    )
    sheet.append([])


def _table_sheet(workbook: Workbook, report: StatReport, view: TableView) -> None:
    sheet = workbook.create_sheet(f"{view.table.number} {view.table.title}"[:31])
    _header_block(sheet, report, view)
    headers = ["序号", "指标名称", "计量单位", "本期数"]
    if view.is_indicators:
        headers += ["分子", "分母", "规划目标", "是否达标"]
    headers += [c.name for c in view.columns]
    sheet.append(headers)
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    for number, line in enumerate(view.rows, start=1):
        own = line.own
        values: list[Any] = [number, line.row.name, line.row.unit, _cell_value(own, line.row)]
        if view.is_indicators:
            values += [
                own.numerator if own is not None and own.numerator is not None else "",
                own.denominator if own is not None and own.denominator is not None else "",
                own.target if own is not None else "",
                {True: "是", False: "否"}.get(own.met, "") if own is not None and own.met is not None else "",
            ]
        values += [_cell_value(c, line.row) for c in line.by_region]
        sheet.append(values)
    sheet.append([])
    if view.table.note:
        sheet.append(["填表说明", view.table.note])
    for label, value in sign_off_lines(report)[1:]:
        sheet.append([label, value])
    widths = [6, 36, 10, 12] + ([12, 12, 26, 9] if view.is_indicators else []) + [11] * len(view.columns)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=3)


def write_report_workbook(report: StatReport, stream: IO[bytes]) -> None:
    """One sheet per table (填报单位, 统计期, 指标名称, 计量单位, 本期数, the units below) and a last sheet
    with the sign-off record (审批记录)."""
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    workbook.remove(first)
    for view in report_tables(report):
        _table_sheet(workbook, report, view)
    record = workbook.create_sheet("审批记录")
    record.append(["审批记录"])
    record["A1"].font = Font(bold=True, size=14)
    record.append(["填报单位", report.region.name, "统计期", report.period_label_zh])
    for label, value in sign_off_lines(report):
        record.append([label, value])
    record.append([])
    record.append(["时间", "操作", "原状态", "新状态", "操作人", "说明"])
    for cell in record[record.max_row]:
        cell.font = Font(bold=True)
    for t in report.transitions.select_related("actor"):
        record.append(
            [_when(t.at), ACTION_ZH.get(t.action, t.action), STATUS_ZH[t.from_status], STATUS_ZH[t.to_status],
             _who(t.actor), t.reason]
        )  # fmt: skip
    for index, width in enumerate([18, 14, 16, 16, 20, 40], start=1):
        record.column_dimensions[get_column_letter(index)].width = width
    workbook.save(stream)


def report_filename(report: StatReport) -> tuple[str, str]:
    """(ASCII fallback, Chinese name) of the Excel file."""
    return (
        f"report_{report.region_id}_{report.period_kind}_{report.period_label}.xlsx",
        f"统计报表_{report.region.name}_{report.period_label_zh}{PERIOD_ZH[report.period_kind]}.xlsx",
    )


# --- national export ----------------------------------------------------------------------------


def _number(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else round(value, 4)


def national_export(report: StatReport) -> dict[str, Any]:
    """The province's report as the national-level JSON document (docs/national_export.md)."""
    views = report_tables(report)
    return {
        "format": NATIONAL_FORMAT,
        "version": NATIONAL_VERSION,
        "province": {"code": report.region_id, "name": report.region.name},
        "period": {
            "kind": report.period_kind,
            "label": report.period_label,
            "start": report.period_start.isoformat(),
            "end": report.period_end.isoformat(),
        },
        "status": report.status,
        "submitted_at": report.submitted_at.isoformat() if report.submitted_at else None,
        "accepted_at": report.reviewed_at.isoformat() if report.reviewed_at else None,
        "locked_at": report.locked_at.isoformat() if report.locked_at else None,
        "captured_at": report.generated_at.isoformat() if report.generated_at else None,
        "tables": [
            {
                "code": view.table.code,
                "number": view.table.number,
                "title": view.table.title,
                "rows": [
                    {
                        "key": line.row.key,
                        "name": line.row.name,
                        "unit": line.row.unit,
                        "value": _number(line.own.value) if line.own else None,
                        "numerator": _number(line.own.numerator) if line.own else None,
                        "denominator": _number(line.own.denominator) if line.own else None,
                        "no_data_reason": (line.own.reason or None) if line.own else "no_records",
                        "target": (line.own.target or None) if line.own else None,
                        "met": line.own.met if line.own else None,
                        "by_region": [
                            {
                                "code": region.code,
                                "name": region.name,
                                "value": _number(cell.value) if cell else None,
                            }
                            for region, cell in zip(view.columns, line.by_region, strict=True)
                        ],
                    }
                    for line in view.rows
                ],
            }
            for view in views
        ],
    }
