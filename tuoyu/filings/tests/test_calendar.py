"""Working days across Chinese holidays and make-up working days (调休上班)."""

from __future__ import annotations

from datetime import date

import pytest

from tuoyu.filings import calendar
from tuoyu.filings.calendar import CalendarYearUnknown, add_working_days, is_working_day, known_years


def test_package_knows_2025_and_2026():
    assert {2025, 2026} <= set(known_years())


def test_national_day_2026_is_a_holiday_and_its_make_up_saturday_a_working_day():
    assert all(not is_working_day(date(2026, 10, d)) for d in range(1, 8))
    assert is_working_day(date(2026, 10, 10))  # Saturday, 调休上班
    assert is_working_day(date(2026, 9, 20))  # Sunday, 调休上班
    assert not is_working_day(date(2026, 10, 11))  # ordinary Sunday


def test_receipt_for_a_filing_submitted_before_national_day_skips_the_holiday():
    # 30 Sep (Wed) + 5 working days: 8, 9, 10 (make-up Saturday), 12, 13 Oct.
    assert add_working_days(date(2026, 9, 30), 5) == date(2026, 10, 13)


def test_spring_festival_2026():
    assert all(not is_working_day(date(2026, 2, d)) for d in range(15, 24))
    assert is_working_day(date(2026, 2, 14)) and is_working_day(date(2026, 2, 28))  # make-up Saturdays
    # Fri 13 Feb + 5: 14 (Sat, make-up), then holidays to the 23rd, then 24, 25, 26, 27 Feb.
    assert add_working_days(date(2026, 2, 13), 5) == date(2026, 2, 27)


def test_ordinary_week_counts_weekdays_only():
    assert add_working_days(date(2026, 11, 27), 1) == date(2026, 11, 30)  # Fri → Mon
    assert add_working_days(date(2026, 11, 30), 15) == date(2026, 12, 21)


def test_a_year_the_calendar_does_not_know_raises_a_clear_error(monkeypatch):
    monkeypatch.setattr(calendar, "_overrides", lambda: {})
    with pytest.raises(CalendarYearUnknown, match="2099"):
        is_working_day(date(2099, 3, 2))


def test_override_file_adds_a_year(tmp_path, monkeypatch):
    override = tmp_path / "holidays.csv"
    override.write_text(
        "date,kind,note,source\n2099-01-01,holiday,New Year,test\n2099-01-03,workday,make-up Saturday,test\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(calendar, "_overrides", lambda: calendar.load_overrides(override))
    assert not is_working_day(date(2099, 1, 1))  # a Thursday, but a holiday
    assert is_working_day(date(2099, 1, 3))  # a Saturday, but a working day
    assert add_working_days(date(2098, 12, 31), 2) == date(2099, 1, 3)


def test_override_file_rejects_an_unknown_kind(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("date,kind,note,source\n2099-01-01,party,,\n", encoding="utf-8")
    with pytest.raises(ValueError, match="holiday or workday"):
        calendar.load_overrides(bad)


def test_shipped_override_file_is_readable():
    calendar.load_overrides()
