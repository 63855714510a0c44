"""Helpers for workforce tests: valid ID numbers, people on staff, classes and caregivers in them."""

from __future__ import annotations

from datetime import date
from typing import Any

from tuoyu.institutions.models import InstitutionClass
from tuoyu.workforce.models import ClassAssignment, Employment, Person
from tuoyu.workforce.validators import id_check_char


def make_id(n: int, born: str = "19900101", area: str = "320102") -> str:
    """A valid GB 11643 ID number, distinct for each n (0–999)."""
    first17 = f"{area}{born}{n % 1000:03d}"
    return first17 + id_check_char(first17)


def employ(
    institution: Any,
    n: int = 1,
    *,
    role: str = "caregiver",
    name: str = "",
    start_on: date | None = None,
    full_time: bool = True,
) -> Employment:
    person, _ = Person.objects.get_or_create(id_number=make_id(n), defaults={"name": name or f"员工{n}"})
    return Employment.objects.create(
        person=person,
        institution=institution,
        role=role,
        full_time=full_time,
        start_on=start_on or date(2025, 1, 1),
    )


def make_class(
    institution: Any, name: str = "托小班1", *, kind: str = "toddler", capacity: int = 15, enrolled: int = 0
) -> InstitutionClass:
    return InstitutionClass.objects.create(
        institution=institution, name=name, kind=kind, capacity=capacity, enrolled=enrolled
    )


def assign(
    institution: Any,
    n: int = 1,
    *,
    klass: InstitutionClass | None = None,
    start_on: date | None = None,
) -> ClassAssignment:
    """Caregiver n (employed if needed) in `klass` (or a new toddler class), without the service."""
    job = Employment.objects.filter(institution=institution, person__id_number=make_id(n)).first()
    job = job or employ(institution, n)
    klass = klass or make_class(institution, f"班{n}")
    return ClassAssignment.objects.create(
        employment=job, institution_class=klass, start_on=start_on or job.start_on
    )
