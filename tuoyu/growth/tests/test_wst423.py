"""WS/T 423—2022 five-level grades at the table's boundaries (transcribed tables, see data/SOURCES.md)."""

from __future__ import annotations

import pytest

from tuoyu.growth import wst423
from tuoyu.growth.choices import Grade

# Boys' weight at birth (表A.1 row 0): P3 2.8, P25 3.2, P75 3.7, P97 4.2 — also in domain_rules.md §8.2.
BIRTH = 0


@pytest.mark.parametrize(
    "kg,grade",
    [
        (4.2, Grade.UPPER),  # ≥P97
        (4.19, Grade.UPPER_MIDDLE),
        (3.7, Grade.UPPER_MIDDLE),  # P75 is upper-middle
        (3.69, Grade.MIDDLE),
        (3.2, Grade.MIDDLE),  # P25 is middle
        (3.19, Grade.LOWER_MIDDLE),
        (2.8, Grade.LOWER_MIDDLE),  # P3 is lower-middle
        (2.79, Grade.LOWER),
    ],
)
def test_grades_at_the_percentile_boundaries(kg, grade):
    assert wst423.grade("wfa", "M", BIRTH, kg) == grade


def test_table_rows_match_the_medians_quoted_in_domain_rules():
    # §8.2 medians (SD0 = P50): boys 12 m 10.1 kg, girls 12 m 9.4 kg; boys 24 m height 88.2 cm.
    assert wst423.percentiles("wfa", "M", 365).p50 == pytest.approx(10.1, abs=0.01)
    assert wst423.percentiles("wfa", "F", 365).p50 == pytest.approx(9.4, abs=0.01)
    assert wst423.percentiles("lhfa", "M", 731).p50 == pytest.approx(88.2, abs=0.05)


def test_between_rows_percentiles_are_interpolated():
    # 25.5 months of a boy: halfway between the 24 (P50 12.6) and 27 (P50 13.1) month rows.
    row = wst423.percentiles("wfa", "M", round(25.5 * wst423.DAYS_PER_MONTH))
    assert 12.6 < row.p50 < 13.1
    assert row.p50 == pytest.approx(12.85, abs=0.01)


def test_length_between_23_and_24_months_uses_the_23_month_length_row():
    row = wst423.percentiles("lhfa", "F", 720)  # 23.65 months: still lying length
    assert row.p50 == 86.8


def test_no_grade_beyond_the_table_or_without_a_value():
    assert wst423.grade("hcfa", "M", 37 * 31, 50.0) is None  # head circumference only to 36 months
    assert wst423.grade("wfa", "M", 49 * 31, 17.0) is None  # weight shipped to 48 months
    assert wst423.grade("wfa", "M", 100, None) is None


def test_missing_data_file_means_no_grades(tmp_path, monkeypatch):
    monkeypatch.setattr(wst423, "DATA_FILE", tmp_path / "absent.csv")
    wst423._ages.cache_clear()
    try:
        assert not wst423.has_data()
        assert wst423.grade("wfa", "M", 0, 3.5) is None
    finally:
        wst423._ages.cache_clear()
