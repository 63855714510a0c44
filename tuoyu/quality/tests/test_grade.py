"""The grade: a failed baseline item fails whatever the total; otherwise the total against the cut-offs."""

from __future__ import annotations

import pytest

from tuoyu.quality.services import Cutoffs, compute_grade

CUT = Cutoffs(a=90, b=75, c=60)


@pytest.mark.parametrize(
    ("total", "grade"),
    [(140, "A"), (126, "A"), (125, "B"), (105, "B"), (104, "C"), (84, "C"), (83, "D"), (0, "D")],
)
def test_total_against_cutoffs_with_exact_boundaries(total, grade):
    # 140 points at most: A from 126 (90 %), B from 105 (75 %), C from 84 (60 %).
    assert compute_grade(total=total, max_total=140, baseline_failed=False, cutoffs=CUT) == grade


def test_failed_baseline_item_fails_even_with_full_marks():
    assert compute_grade(total=140, max_total=140, baseline_failed=True, cutoffs=CUT) == "fail"


def test_no_cutoffs_means_no_grade():
    assert compute_grade(total=140, max_total=140, baseline_failed=False, cutoffs=None) == "none"


def test_a_form_without_points_gives_no_grade():
    assert compute_grade(total=0, max_total=0, baseline_failed=False, cutoffs=CUT) == "none"
