"""Reading CSV files for all-or-nothing imports with row-level messages."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class RowError:
    """What is wrong with one row (row 1 is the header, so data starts at row 2)."""

    row: int
    field: str
    message: str

    def __str__(self) -> str:
        return _("row {row}, {field}: {message}").format(
            row=self.row, field=self.field or "-", message=self.message
        )


class ImportFailed(Exception):
    """An import found errors; nothing was written."""

    def __init__(self, errors: Iterable[RowError]):
        self.errors = list(errors)
        super().__init__("; ".join(str(e) for e in self.errors[:20]))


def _decode(raw: bytes) -> str:
    # Excel in China often saves CSV as GB18030/GBK; UTF-8 (with or without BOM) is tried first.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFailed([RowError(0, "", _("The file is neither UTF-8 nor GB18030 text."))])


def read_csv(source: str | Path | IO[bytes], required: Iterable[str]) -> list[tuple[int, dict[str, str]]]:
    """Rows as (row number, {column: stripped value}); raises ImportFailed on a bad header or shape."""
    if isinstance(source, str | Path):
        try:
            raw = Path(source).read_bytes()
        except OSError as exc:
            raise ImportFailed(
                [RowError(0, "", _("Cannot read the file: {error}").format(error=exc))]
            ) from exc
    else:
        raw = source.read()
    text = _decode(raw)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ImportFailed([RowError(1, "", _("The file is empty."))]) from None
    missing = [c for c in required if c not in header]
    if missing:
        raise ImportFailed(
            [
                RowError(
                    1,
                    c,
                    _("Required column is missing (columns found: {found}).").format(found=", ".join(header)),
                )
                for c in missing
            ]
        )
    rows: list[tuple[int, dict[str, str]]] = []
    errors: list[RowError] = []
    for number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            errors.append(
                RowError(
                    number,
                    "",
                    _("Expected {expected} columns, found {found}.").format(
                        expected=len(header), found=len(values)
                    ),
                )
            )
            continue
        rows.append((number, {h: v.strip() for h, v in zip(header, values, strict=True)}))
    if errors:
        raise ImportFailed(errors)
    if not rows:
        raise ImportFailed([RowError(2, "", _("The file has a header but no data rows."))])
    return rows
