"""WS/T 423—2022 《7岁以下儿童生长标准》: the five-level grade (表1) from the percentile tables.

The tables (data/wst423_2022_percentiles.csv) are a TRANSCRIPTION, not checked against the PDF: see
data/SOURCES.md. Every page that shows a grade says so (TRANSCRIPTION_LABEL).

Grades (表1): 上 ≥P97; 中上 P75–<P97; 中 P25–<P75; 中下 P3–<P25; 下 <P3.

Ages between table rows: the tables have a row per month 0–24, then every 3 months (27, 30 … 48 for
weight and length/height as shipped; head circumference to 36 months). The child's age in months is
age_days / 30.4375 (WHO's month); each percentile is interpolated linearly between the two rows around
it, and taken as printed on a row. Between 23 and 24 months of length/height the 23-month row is used
as is: the 24-month row is standing height, and mixing the two would misgrade by ~0.7 cm. Beyond the
last row there is no grade (None) — never extrapolated. Length/height is compared after the same
0.7 cm lying/standing adjustment as for WHO (lying before 731 days, standing after).
"""

from __future__ import annotations

import csv
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from .choices import Grade

DATA_FILE = Path(__file__).resolve().parent / "data" / "wst423_2022_percentiles.csv"
STANDARD_VERSION = "WS/T 423—2022 (transcription)"
TRANSCRIPTION_LABEL = _(
    "WS/T 423—2022 grades use a transcription of the tables, not checked against the PDF."
)
DAYS_PER_MONTH = 30.4375
GRADED = ("wfa", "lhfa", "hcfa")
# First month of standing height in the length/height table.
HEIGHT_FROM_MONTH = 24


@dataclass(frozen=True)
class Row:
    age_months: int
    p3: float
    p10: float
    p25: float
    p50: float
    p75: float
    p90: float
    p97: float


def tables() -> dict[tuple[str, str], tuple[Row, ...]]:
    """(indicator, sex) → rows by age. Empty when the data file is absent (then no grades: "no data")."""
    return _load(DATA_FILE)


@cache
def _load(path: Path) -> dict[tuple[str, str], tuple[Row, ...]]:
    if not path.exists():
        return {}
    out: dict[tuple[str, str], list[Row]] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        for rec in csv.DictReader(handle):
            values = [float(rec[k]) for k in ("p3", "p10", "p25", "p50", "p75", "p90", "p97")]
            out.setdefault((rec["indicator"], rec["sex"]), []).append(Row(int(rec["age_months"]), *values))
    return {key: tuple(sorted(rows, key=lambda r: r.age_months)) for key, rows in out.items()}


def has_data() -> bool:
    return bool(tables())


@cache
def _ages(indicator: str, sex: str) -> tuple[int, ...]:
    return tuple(r.age_months for r in tables().get((indicator, sex), ()))


def percentiles(indicator: str, sex: str, age_days: int) -> Row | None:
    """The row of percentiles at this age (interpolated between rows), or None outside the table."""
    rows = tables().get((indicator, sex))
    if not rows or age_days < 0:
        return None
    months = age_days / DAYS_PER_MONTH
    ages = _ages(indicator, sex)
    i = bisect_right(ages, months) - 1  # the row at or before this age
    if i < 0 or months > ages[-1]:
        return None
    low = rows[i]
    if months == low.age_months or i == len(rows) - 1:
        return low
    high = rows[i + 1]
    if indicator == "lhfa" and high.age_months == HEIGHT_FROM_MONTH:
        return low  # length rows end at 23 months; the 24-month row is standing height
    t = (months - low.age_months) / (high.age_months - low.age_months)
    return Row(
        low.age_months,
        low.p3 + (high.p3 - low.p3) * t,
        low.p10 + (high.p10 - low.p10) * t,
        low.p25 + (high.p25 - low.p25) * t,
        low.p50 + (high.p50 - low.p50) * t,
        low.p75 + (high.p75 - low.p75) * t,
        low.p90 + (high.p90 - low.p90) * t,
        low.p97 + (high.p97 - low.p97) * t,
    )


def grade_value(value: float, row: Row) -> Grade:
    if value >= row.p97:
        return Grade.UPPER
    if value >= row.p75:
        return Grade.UPPER_MIDDLE
    if value >= row.p25:
        return Grade.MIDDLE
    if value >= row.p3:
        return Grade.LOWER_MIDDLE
    return Grade.LOWER


def grade(indicator: str, sex: str, age_days: int, value: float | None) -> Grade | None:
    """The five-level grade of a measurement, or None (no value, no table, or age outside it)."""
    if value is None:
        return None
    row = percentiles(indicator, sex, age_days)
    return grade_value(value, row) if row is not None else None
