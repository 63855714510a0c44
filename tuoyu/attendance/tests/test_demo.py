"""The demo command's logic on the persona world: today's check-ins, absences, and a safe re-run."""

from __future__ import annotations

import pytest

from tuoyu.attendance.demo import add_demo_attendance
from tuoyu.attendance.models import Absence, AttendanceDay, AttendanceEvent

pytestmark = pytest.mark.django_db


def test_demo_checks_children_in_and_a_rerun_adds_no_duplicates(world):
    counts = add_demo_attendance(seed=3)
    assert counts["present"] + counts["absent"] + counts["unexplained"] == 3
    days = AttendanceDay.objects.count()
    assert days == counts["present"] and AttendanceEvent.objects.count() == days
    assert Absence.objects.count() == counts["absent"]
    add_demo_attendance(seed=3)
    assert AttendanceDay.objects.count() == days and AttendanceEvent.objects.count() == days
