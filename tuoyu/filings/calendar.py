"""Chinese working days: weekends, statutory holidays and make-up working days (调休上班).

The schedule comes from the `chinese-calendar` package (which carries the State Council's yearly
notices) plus `data/holidays_override.csv`, where a county adds a year the package does not know yet.
A year known to neither raises `CalendarYearUnknown`: a deadline counted as if the year had no
holidays would be wrong by a week around Spring Festival or National Day.
"""

from __future__ import annotations

import csv
import functools
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
from chinese_calendar import constants as cc_constants
from django.utils.translation import gettext as _

OVERRIDE_FILE = Path(__file__).resolve().parent / "data" / "holidays_override.csv"


class CalendarYearUnknown(Exception):
    """The holiday schedule of a year is not known, so working days there cannot be counted."""

    def __init__(self, year: int):
        self.year = year
        super().__init__(
            _(
                "The working-day calendar for {year} is not known yet: add the State Council's holiday "
                "schedule to tuoyu/filings/data/holidays_override.csv."
            ).format(year=year)
        )


@functools.cache
def _package_years() -> frozenset[int]:
    return frozenset(d.year for d in cc_constants.holidays) | frozenset(d.year for d in cc_constants.workdays)


def load_overrides(path: Path | None = None) -> dict[date, bool]:
    """date → True if it is a working day, False if it is a holiday, from the override file."""
    result: dict[date, bool] = {}
    with open(path or OVERRIDE_FILE, encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            kind = (row.get("kind") or "").strip()
            if kind not in {"holiday", "workday"}:
                raise ValueError(f"{path or OVERRIDE_FILE}:{line}: kind must be holiday or workday")
            result[date.fromisoformat(row["date"].strip())] = kind == "workday"
    return result


@functools.cache
def _overrides() -> dict[date, bool]:
    return load_overrides()


def known_years() -> list[int]:
    return sorted(_package_years() | {d.year for d in _overrides()})


def is_working_day(day: date) -> bool:
    overrides = _overrides()
    if day in overrides:
        return overrides[day]
    if day.year in _package_years():
        return bool(chinese_calendar.is_workday(day))
    if any(d.year == day.year for d in overrides):
        # A year given only by the override file: listed days decide, the rest follow the week.
        return day.weekday() < 5
    raise CalendarYearUnknown(day.year)


def add_working_days(start: date, n: int) -> date:
    """The n-th working day after `start` (the start day itself is not counted).

    "Within 5 working days" of a submission on day D means by the end of add_working_days(D, 5).
    """
    if n < 0:
        raise ValueError("n must not be negative")
    day = start
    counted = 0
    while counted < n:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def add_working_days_estimated(start: date, n: int) -> tuple[date, bool]:
    """Like add_working_days, but days of a year the calendar does not know count Monday–Friday.

    Returns (date, provisional): provisional is True when an unknown year was crossed, so the date
    is an estimate to be recomputed (`manage.py recompute_filing_deadlines`) once that year's schedule
    is added. Refusing instead would stop every filing from mid-December until someone adds the data.
    """
    if n < 0:
        raise ValueError("n must not be negative")
    day, counted, provisional = start, 0, False
    while counted < n:
        day += timedelta(days=1)
        try:
            working = is_working_day(day)
        except CalendarYearUnknown:
            working, provisional = day.weekday() < 5, True
        if working:
            counted += 1
    return day, provisional
