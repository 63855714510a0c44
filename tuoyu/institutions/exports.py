"""The institution register (托育机构名册) as an Excel file, one row per institution.

The column set is a file format shared with the import (`imports.py`): the export of a region can be
edited and imported again. Headers are fixed Chinese strings, not UI text, so they are not passed
through gettext: a file must read the same whatever language the official's screen is in.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.utils import translation
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .choices import FilingStatus, InstitutionType, LegalForm, OperatingStatus, Ownership, ServiceMode
from .models import InstitutionQuerySet

# Excel's own sheet limit is 1,048,576 rows; the register of a whole province is a few thousand.
EXPORT_CHUNK = 2000


@dataclass(frozen=True)
class Column:
    key: str  # the English field name, also accepted as a header on import
    header: str  # the Chinese header written on export and accepted on import
    width: int


COLUMNS: tuple[Column, ...] = (
    Column("number", "序号", 7),
    Column("name", "机构名称", 32),
    Column("uscc", "统一社会信用代码", 22),
    Column("city", "设区市", 10),
    Column("county", "县（市、区）", 12),
    Column("township", "乡镇（街道）", 16),
    Column("address", "地址", 36),
    Column("type", "机构类型", 20),
    Column("ownership", "机构性质", 9),
    Column("inclusive", "普惠", 6),
    Column("places", "备案托位数", 11),
    Column("status", "运营状态", 10),
    Column("operating_since", "开始运营日期", 13),
    Column("closed_on", "停止运营日期", 13),
    Column("filing_status", "备案状态", 10),
    Column("legal_form", "法人类型", 14),
    Column("legal_representative", "法定代表人", 11),
    Column("service_modes", "服务方式", 20),
    Column("ages", "收托月龄", 10),
    Column("phone", "联系电话", 15),
)
HEADERS = [c.header for c in COLUMNS]
SERVICE_MODE_SEPARATOR = "、"
YES, NO = "是", "否"

# The queryset columns behind one row, in one query (the region names come through joins).
_VALUE_FIELDS = (
    "name",
    "uscc",
    "city__name",
    "county__name",
    "township__name",
    "address",
    "type",
    "ownership",
    "inclusive",
    "places",
    "status",
    "operating_since",
    "closed_on",
    "filing_status",
    "legal_form",
    "legal_representative",
    "service_modes",
    "age_min_months",
    "age_max_months",
    "phone",
)


def chinese_labels() -> dict[str, dict[str, str]]:
    """Choice value → Chinese label for each choice set, read from the catalogue."""
    with translation.override("zh-hans"):
        return {
            key: {value: str(label) for value, label in choices.choices}
            for key, choices in (
                ("type", InstitutionType),
                ("ownership", Ownership),
                ("status", OperatingStatus),
                ("filing_status", FilingStatus),
                ("legal_form", LegalForm),
                ("service_modes", ServiceMode),
            )
        }


def format_ages(age_min: int, age_max: int) -> str:
    return f"{age_min}-{age_max}"


def registry_rows(queryset: InstitutionQuerySet) -> Iterator[list[Any]]:
    """One list of cell values per institution, in register order, streamed from the database."""
    labels = chinese_labels()
    rows = (
        queryset.order_by("city_id", "county_id", "township_id", "name", "id")
        .values_list(*_VALUE_FIELDS)
        .iterator(chunk_size=EXPORT_CHUNK)
    )
    for number, row in enumerate(rows, start=1):
        (
            name,
            uscc,
            city,
            county,
            township,
            address,
            kind,
            ownership,
            inclusive,
            places,
            status,
            operating_since,
            closed_on,
            filing_status,
            legal_form,
            representative,
            modes,
            age_min,
            age_max,
            phone,
        ) = row
        yield [
            number,
            name,
            uscc,
            city,
            county,
            township,
            address,
            labels["type"].get(kind, kind),
            labels["ownership"].get(ownership, ownership),
            YES if inclusive else NO,
            places,
            labels["status"].get(status, status),
            operating_since,  # a date cell (yyyy-mm-dd), or an empty cell when unknown
            closed_on,
            labels["filing_status"].get(filing_status, filing_status),
            labels["legal_form"].get(legal_form, legal_form) if legal_form else "",
            representative,
            SERVICE_MODE_SEPARATOR.join(labels["service_modes"].get(m, m) for m in modes or []),
            format_ages(age_min, age_max),
            phone,
        ]


def write_workbook(rows: Iterable[list[Any]], stream: IO[bytes], sheet_title: str = "托育机构名册") -> int:
    """Write the header and `rows` as a write-only workbook (constant memory); return the row count."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    sheet.freeze_panes = "A2"
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    bold = Font(bold=True)
    header = []
    for title in HEADERS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in rows:
        sheet.append(row)
        count += 1
    workbook.save(stream)
    return count


def export_registry(queryset: InstitutionQuerySet, stream: IO[bytes]) -> int:
    """The register of `queryset` as .xlsx into `stream`; returns the number of institutions."""
    return write_workbook(registry_rows(queryset), stream)
