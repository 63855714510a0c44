"""Bulk import of existing institutions from Excel or CSV: every row checked, all or nothing.

The file has the columns of the register export (`exports.COLUMNS`; Chinese headers or the English
field names); only the `REQUIRED` columns must be present, so a file made before a column was added
(such as 开始运营日期 / 停止运营日期) still imports, leaving that field empty. Rows are parsed here
into `Institution` objects and written by the one service that creates many,
`institutions_bulk_create`; its own checks come back keyed by item and are turned into row-level
messages that name the file's row and column ("第 5 行，统一社会信用代码：…").

A dry run goes through exactly the same path, including the service, inside a transaction that is
rolled back, so "the check passed" and "the import succeeds" cannot disagree.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from tuoyu.core.audit import audit
from tuoyu.core.imports import ImportFailed, RowError, read_csv
from tuoyu.core.validators import USCC_CHARSET, uscc_check_char, validate_uscc
from tuoyu.regions.choices import RegionLevel
from tuoyu.regions.models import Region

from .choices import FilingStatus, InstitutionType, LegalForm, OperatingStatus, Ownership, ServiceMode
from .exports import COLUMNS, HEADERS, NO, SERVICE_MODE_SEPARATOR, YES, format_ages
from .models import Institution
from .services import institutions_bulk_create

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
SUFFIXES = (".xlsx", ".csv")
REQUIRED = ("name", "uscc", "type", "ownership", "address", "township")
# A title row above the header is tolerated: the header is the first of these rows naming a column.
HEADER_SEARCH_ROWS = 5

HEADER_BY_KEY = {c.key: c.header for c in COLUMNS}
KEY_BY_HEADER = {c.header: c.key for c in COLUMNS} | {c.key: c.key for c in COLUMNS}
# Model field (as the service names it in errors) → column of the file.
FIELD_COLUMN = {
    "name": "name",
    "uscc": "uscc",
    "type": "type",
    "ownership": "ownership",
    "inclusive": "inclusive",
    "places": "places",
    "status": "status",
    "operating_since": "operating_since",
    "closed_on": "closed_on",
    "filing_status": "filing_status",
    "address": "address",
    "township": "township",
    "legal_form": "legal_form",
    "legal_representative": "legal_representative",
    "service_modes": "service_modes",
    "age_min_months": "ages",
    "age_max_months": "ages",
    "phone": "phone",
}
CHOICE_SETS: dict[str, Any] = {
    "type": InstitutionType,
    "ownership": Ownership,
    "status": OperatingStatus,
    "filing_status": FilingStatus,
    "legal_form": LegalForm,
    "service_modes": ServiceMode,
}
TRUE_WORDS = {YES, "y", "yes", "true", "1", "普惠"}
FALSE_WORDS = {NO, "n", "no", "false", "0", "非普惠", ""}
AGES_PATTERN = re.compile(r"^\s*(\d{1,2})\s*[-–—~～至到]\s*(\d{1,2})\s*(个月|月)?\s*$")
TOWNSHIP_CODE = re.compile(r"^\d{12}$")
# The optional date columns: a date cell, or text 2021-03-01, 2021/3/1, 2021.3.1 or 2021年3月1日. A
# time after the date (Excel saves a date cell to CSV as "2021/3/1 0:00") is ignored.
DATE_COLUMNS = ("operating_since", "closed_on")
DATE_PATTERNS = (
    re.compile(r"^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"),
    re.compile(r"^(\d{4})\s*(年)\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$"),
)
DATE_EXAMPLE = "2021-03-01"


@dataclass(frozen=True)
class ImportResult:
    """What an import did: `count` institutions created (or, for a dry run, found valid)."""

    count: int
    dry_run: bool


class _DryRunDone(Exception):
    def __init__(self, count: int):
        self.count = count


def column_label(key: str) -> str:
    """How messages name a column: its header in the file."""
    return HEADER_BY_KEY.get(key, key)


# --- reading the file ---------------------------------------------------------------------------


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        # openpyxl reads every date cell as a datetime; a date at midnight is just the date.
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def _header_keys(header: list[str]) -> list[str | None]:
    return [KEY_BY_HEADER.get(h.strip()) for h in header]


def _read_xlsx(data: bytes) -> Iterator[tuple[int, list[str]]]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise ImportFailed(
            [RowError(0, "", _("This is not a readable .xlsx file ({error}).").format(error=exc))]
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell_text(v) for v in values]
    finally:
        workbook.close()


def _read_csv(data: bytes) -> Iterator[tuple[int, list[str]]]:
    # tuoyu.core.imports.read_csv decodes UTF-8 or GB18030 and checks the shape of every row.
    rows = read_csv(io.BytesIO(data), required=())
    if rows:
        yield 1, list(rows[0][1].keys())
    for number, values in rows:
        yield number, list(values.values())


def read_table(data: bytes, filename: str) -> list[tuple[int, dict[str, str]]]:
    """The file's data rows as (row number in the file, {column key: text}); ImportFailed if unusable."""
    if len(data) > MAX_BYTES:
        raise ImportFailed(
            [
                RowError(
                    0,
                    "",
                    _("The file is larger than {limit} MB; split it into several files.").format(
                        limit=MAX_BYTES // (1024 * 1024)
                    ),
                )
            ]
        )
    suffix = PurePath(filename).suffix.lower()
    if suffix not in SUFFIXES:
        raise ImportFailed([RowError(0, "", _("Upload an .xlsx or a .csv file."))])
    lines = _read_xlsx(data) if suffix == ".xlsx" else _read_csv(data)
    keys: list[str | None] = []
    header_row = 0
    rows: list[tuple[int, dict[str, str]]] = []
    for number, values in lines:
        if not header_row:
            candidate = _header_keys(values)
            if any(candidate):
                keys, header_row = candidate, number
            elif number >= HEADER_SEARCH_ROWS:
                break
            continue
        if not any(values):
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportFailed(
                [
                    RowError(
                        number,
                        "",
                        _("The file has more than {limit} data rows; split it into several files.").format(
                            limit=f"{MAX_ROWS:,}"
                        ),
                    )
                ]
            )
        rows.append((number, {k: v for k, v in zip(keys, values, strict=False) if k and v}))
    if not header_row:
        raise ImportFailed(
            [RowError(1, "", _("No header row found: use the columns of the import template."))]
        )
    missing = [k for k in REQUIRED if k not in keys]
    if missing:
        raise ImportFailed(
            [RowError(header_row, column_label(k), _("Required column is missing.")) for k in missing]
        )
    if not rows:
        raise ImportFailed([RowError(header_row + 1, "", _("The file has a header but no data rows."))])
    return rows


# --- turning rows into institutions -------------------------------------------------------------


def _normal(text: str) -> str:
    return re.sub(r"\s+", "", text).casefold()


def _choice_lookup() -> dict[str, dict[str, str]]:
    """For each choice column: value, Chinese label and English label → value."""
    lookup: dict[str, dict[str, str]] = {}
    for key, choices in CHOICE_SETS.items():
        table: dict[str, str] = {}
        for language in ("en", "zh-hans"):
            with translation.override(language):
                table.update({_normal(str(label)): value for value, label in choices.choices})
        table.update({_normal(value): value for value in choices.values})
        lookup[key] = table
    return lookup


def _choices_hint(key: str) -> str:
    with translation.override("zh-hans"):
        return "、".join(str(label) for label in CHOICE_SETS[key].labels)


@dataclass(frozen=True)
class _Township:
    code: str
    name: str
    county: str
    city: str


class _Townships:
    """The township-level units of the import's region (one query), found by code or by name."""

    def __init__(self, region: Region):
        self.region = region
        lo, hi = region.subtree_bounds()
        rows = Region.objects.filter(level=RegionLevel.TOWNSHIP, code__gte=lo, code__lte=hi).values_list(
            "code", "name", "parent__name", "parent__parent__name"
        )
        self.by_code: dict[str, _Township] = {}
        self.by_name: dict[str, list[_Township]] = {}
        for code, name, county, city in rows:
            township = _Township(code, name, county or "", city or "")
            self.by_code[code] = township
            self.by_name.setdefault(name, []).append(township)

    def find(self, value: str, county: str, city: str) -> tuple[_Township | None, str]:
        """The township named by `value`, or None and why not."""
        if TOWNSHIP_CODE.match(value):
            found = self.by_code.get(value)
            if found is None:
                return None, _("{code} is not a township-level unit within {region}.").format(
                    code=value, region=self.region.name
                )
            return found, ""
        candidates = self.by_name.get(value, [])
        if county:
            candidates = [t for t in candidates if t.county == county]
        if city:
            candidates = [t for t in candidates if t.city == city]
        if not candidates:
            return None, _("No township-level unit called “{name}” within {region}.").format(
                name=value, region=self.region.name
            )
        if len(candidates) > 1:
            return None, _(
                "{count} township-level units within {region} are called “{name}”: give the 12-digit "
                "code, or the county."
            ).format(count=len(candidates), region=self.region.name, name=value)
        return candidates[0], ""


def _parse_int(text: str, low: int, high: int) -> int:
    try:
        number = float(text)
    except ValueError:
        raise ValueError(_("Enter a whole number.")) from None
    if not number.is_integer():
        raise ValueError(_("Enter a whole number."))
    if not low <= number <= high:
        raise ValueError(_("Enter a number from {low} to {high}.").format(low=low, high=high))
    return int(number)


def _parse_date(text: str) -> datetime.date:
    for pattern in DATE_PATTERNS:
        if match := pattern.match(text.strip()):
            try:
                return datetime.date(int(match[1]), int(match[3]), int(match[4]))
            except ValueError:
                break
    raise ValueError(
        _("“{value}” is not a date: write it like {example}.").format(value=text, example=DATE_EXAMPLE)
    )


def _parse_row(
    values: dict[str, str], choices: dict[str, dict[str, str]], townships: _Townships
) -> tuple[Institution | None, list[tuple[str, str]]]:
    """One row → an unsaved Institution, or the (column, message) errors found."""
    errors: list[tuple[str, str]] = []
    fields: dict[str, Any] = {}
    for key in REQUIRED:
        if not values.get(key):
            errors.append((key, _("This field is required.")))

    if uscc := values.get("uscc", "").replace(" ", "").upper():
        try:
            validate_uscc(uscc)
        except ValidationError as exc:
            errors.append(("uscc", " ".join(exc.messages)))
        fields["uscc"] = uscc

    for key in ("name", "address", "legal_representative", "phone"):
        if values.get(key):
            fields[key] = values[key]

    for key in ("type", "ownership", "status", "filing_status", "legal_form"):
        if text := values.get(key):
            value = choices[key].get(_normal(text))
            if value is None:
                errors.append(
                    (
                        key,
                        _("Unknown value “{value}”: use one of {choices}.").format(
                            value=text, choices=_choices_hint(key)
                        ),
                    )
                )
            else:
                fields[key] = value

    if text := values.get("service_modes"):
        modes = []
        for part in re.split(r"[、,，;；/／]+", text):
            if not part:
                continue
            value = choices["service_modes"].get(_normal(part))
            if value is None:
                errors.append(
                    (
                        "service_modes",
                        _("Unknown value “{value}”: use one of {choices}.").format(
                            value=part, choices=_choices_hint("service_modes")
                        ),
                    )
                )
            elif value not in modes:
                modes.append(value)
        fields["service_modes"] = modes

    inclusive = _normal(values.get("inclusive", ""))
    if inclusive in TRUE_WORDS:
        fields["inclusive"] = True
    elif inclusive in FALSE_WORDS:
        fields["inclusive"] = False
    else:
        errors.append(("inclusive", _("Write {yes} or {no}.").format(yes=YES, no=NO)))

    if text := values.get("places"):
        try:
            fields["places"] = _parse_int(text, 0, 2000)
        except ValueError as exc:
            errors.append(("places", str(exc)))

    # A row without them leaves them empty, "unknown" (the indicators then count an operating
    # institution from the day it was entered): institutions_bulk_create does not date a status as
    # institution_create does. The model's checks (no future date, not closed before opening) come
    # back from the service keyed by row and field, and name the column.
    for key in DATE_COLUMNS:
        if text := values.get(key):
            try:
                fields[key] = _parse_date(text)
            except ValueError as exc:
                errors.append((key, str(exc)))

    if text := values.get("ages"):
        match = AGES_PATTERN.match(text)
        if match is None:
            errors.append(
                (
                    "ages",
                    _("Write the age range in months like {example}.").format(example=format_ages(6, 36)),
                )
            )
        else:
            age_min, age_max = int(match[1]), int(match[2])
            # Checked here because institutions_bulk_create leaves the age CheckConstraint to the
            # database, where it would fail the whole insert without naming the row.
            if age_min > age_max or age_max > 36:
                errors.append(
                    (
                        "ages",
                        _(
                            "Children under three only: from {low} to {high} months, the younger age first."
                        ).format(low=0, high=36),
                    )
                )
            else:
                fields["age_min_months"], fields["age_max_months"] = age_min, age_max

    if text := values.get("township"):
        county, city = values.get("county", ""), values.get("city", "")
        township, why = townships.find(text, county, city)
        if township is None:
            errors.append(("township", why))
        else:
            fields["township_id"] = township.code
            if county and county != township.county:
                errors.append(
                    (
                        "county",
                        _("{township} lies in {county}.").format(
                            township=township.name, county=township.county
                        ),
                    )
                )
            if city and city != township.city:
                errors.append(
                    (
                        "city",
                        _("{township} lies in {city}.").format(township=township.name, city=township.city),
                    )
                )

    if errors:
        return None, errors
    return Institution(**fields), []


def parse_rows(
    rows: Iterable[tuple[int, dict[str, str]]], region: Region
) -> tuple[list[tuple[int, Institution]], list[RowError]]:
    """Rows → institutions ready for the service, and row errors (a fixed number of queries)."""
    choices = _choice_lookup()
    townships = _Townships(region)
    parsed: list[tuple[int, Institution]] = []
    errors: list[RowError] = []
    first_row: dict[str, int] = {}
    for number, values in rows:
        institution, row_errors = _parse_row(values, choices, townships)
        uscc = values.get("uscc", "").replace(" ", "").upper()
        if uscc:
            first = first_row.setdefault(uscc, number)
            if first != number:
                row_errors.append(("uscc", _("The same credit code as row {row}.").format(row=first)))
                institution = None
        errors.extend(RowError(number, column_label(k), message) for k, message in row_errors)
        if institution is not None:
            parsed.append((number, institution))
    # Already registered (anywhere, not only within the user's scope: the code is unique nationally).
    taken = set(
        Institution.objects.filter(uscc__in=[i.uscc for _, i in parsed]).values_list("uscc", flat=True)
    )
    if taken:
        message = _("An institution with this unified social credit code already exists.")
        errors.extend(RowError(n, column_label("uscc"), message) for n, i in parsed if i.uscc in taken)
        parsed = [(n, i) for n, i in parsed if i.uscc not in taken]
    return parsed, errors


def _service_errors(exc: ValidationError, parsed: list[tuple[int, Institution]]) -> list[RowError]:
    """The service keys its errors "<index>.<field>"; name the file's row and column instead."""
    result: list[RowError] = []
    for key, messages in exc.message_dict.items():
        index_text, _dot, field = key.partition(".")
        row = parsed[int(index_text)][0] if index_text.isdigit() else 0
        label = column_label(FIELD_COLUMN.get(field, field)) if field != "__all__" else ""
        result.extend(RowError(row, label, message) for message in messages)
    return result


def _order(errors: list[RowError]) -> list[RowError]:
    position = {c.header: i for i, c in enumerate(COLUMNS)}
    return sorted(errors, key=lambda e: (e.row, position.get(e.field, len(position))))


def import_institutions(
    *, actor: Any, region: Region, data: bytes, filename: str, dry_run: bool = False
) -> ImportResult:
    """Check every row of the file and create all its institutions, or none (ImportFailed lists why).

    The caller has checked that `actor` may manage `region`; every township must lie within it.
    """
    rows = read_table(data, filename)
    parsed, errors = parse_rows(rows, region)
    try:
        with transaction.atomic():
            created: list[Institution] = []
            if parsed:
                try:
                    created = institutions_bulk_create(actor=actor, institutions=[i for _n, i in parsed])
                except ValidationError as exc:
                    errors.extend(_service_errors(exc, parsed))
            if errors:
                raise ImportFailed(_order(errors))
            if dry_run:
                raise _DryRunDone(len(created))
            audit(
                actor=actor,
                action="registry.import",
                region_code=region.code,
                detail={"region": region.code, "rows": len(created), "file": filename[:200]},
            )
    except _DryRunDone as done:
        return ImportResult(count=done.count, dry_run=True)
    except IntegrityError as exc:
        # Another import registered one of these codes between our check and our insert.
        raise ImportFailed([RowError(0, "", _("This conflicts with an existing record."))]) from exc
    return ImportResult(count=len(created), dry_run=False)


# --- the template -------------------------------------------------------------------------------


def example_uscc(region: Region) -> str:
    first17 = "52" + region.code[:6] + "MJ0000001"
    assert all(c in USCC_CHARSET for c in first17)
    return first17 + uscc_check_char(first17)


def write_template(region: Region, stream: Any) -> None:
    """An .xlsx with the register's header, one example row, and a sheet listing allowed values.

    Like the headers, the example and the notes are part of a Chinese file format, not UI text.
    """
    township = (
        Region.objects.filter(level=RegionLevel.TOWNSHIP)
        .within(region)
        .select_related("parent__parent")
        .order_by("code")
        .first()
    )
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "托育机构名册"
    sheet.append(HEADERS)
    with translation.override("zh-hans"):
        example: dict[str, Any] = {
            "number": 1,
            "name": "示例托育中心（导入前请删除此行）",
            "uscc": example_uscc(region),
            "city": township.parent.parent.name
            if township and township.parent and township.parent.parent
            else "",
            "county": township.parent.name if township and township.parent else "",
            "township": township.name if township else "",
            "address": "示例路1号",
            "type": str(InstitutionType.PRIVATE_RUN.label),
            "ownership": str(Ownership.PRIVATE.label),
            "inclusive": YES,
            "places": 60,
            "status": str(OperatingStatus.OPERATING.label),
            "operating_since": datetime.date.fromisoformat(DATE_EXAMPLE),  # a date cell, as exported
            "closed_on": None,
            "filing_status": str(FilingStatus.FILED.label),
            "legal_form": str(LegalForm.ENTERPRISE.label),
            "legal_representative": "张三",
            "service_modes": SERVICE_MODE_SEPARATOR.join(
                [str(ServiceMode.FULL_DAY.label), str(ServiceMode.HALF_DAY.label)]
            ),
            "ages": format_ages(6, 36),
            "phone": "025-00000000",
        }
        sheet.append([example.get(column.key) for column in COLUMNS])
        sheet.freeze_panes = "A2"
        for index, column in enumerate(COLUMNS, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = column.width
            sheet.cell(row=1, column=index).font = Font(bold=True)
        notes = workbook.create_sheet("填写说明")
        notes.append(["列", "必填", "可填写的值"])
        hints = {key: _choices_hint(key) for key in CHOICE_SETS}
        hints.update(
            township="12 位区划代码，或本辖区内的乡镇（街道）名称（重名时请同时填写县（市、区））",
            inclusive=f"{YES} / {NO}",
            places="0–2000 的整数",
            ages=f"如 {format_ages(6, 36)}",
            service_modes=hints["service_modes"] + f"（多个用“{SERVICE_MODE_SEPARATOR}”分隔）",
            number="可不填，导入时忽略",
            operating_since=f"开始运营的日期，如 {DATE_EXAMPLE}（也可写 2021/3/1 或 2021年3月1日），"
            "不晚于今天；不详可不填",
            closed_on=f"运营状态为“{OperatingStatus.CLOSED.label}”的机构填写，格式同上，"
            "不早于开始运营日期、不晚于今天",
        )
        for column in COLUMNS:
            notes.append([column.header, YES if column.key in REQUIRED else "", hints.get(column.key, "")])
        notes.column_dimensions["A"].width = 18
        notes.column_dimensions["C"].width = 80
    workbook.save(stream)
