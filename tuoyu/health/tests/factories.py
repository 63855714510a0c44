"""Helpers for health tests: mark children present, make another institution in a township."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from tuoyu.children.models import Child, Guardian
from tuoyu.core.tests.factories import InstitutionFactory
from tuoyu.institutions.models import InstitutionClass


def mark_present(child: Child, day: date | None = None) -> Any:
    """An attendance day row for the child (written directly; attendance has its own tests)."""
    from tuoyu.attendance.choices import DayStatus
    from tuoyu.attendance.models import AttendanceDay

    day = day or timezone.localdate()
    return AttendanceDay.objects.create(
        child=child,
        institution_id=child.institution_id,
        klass_id=child.klass_id,
        day=day,
        in_at=timezone.now(),
        status=DayStatus.PRESENT,
    )


def centre_with_child(township: Any, name: str, child_name: str = "孩子") -> tuple[Any, Child]:
    """Another institution in `township` with one class and one enrolled child."""
    inst = InstitutionFactory(name=name, township=township)
    klass = InstitutionClass.objects.create(
        institution=inst, name="托小班", kind="toddler", capacity=15, enrolled=1
    )
    child = Child.objects.create(
        name=child_name,
        sex="F",
        birth_date=timezone.localdate().replace(day=1).replace(year=timezone.localdate().year - 2),
        institution=inst,
        klass=klass,
    )
    Guardian.objects.create(child=child, position=1, name="家长", relation="mother", phone="13900000000")
    return inst, child
