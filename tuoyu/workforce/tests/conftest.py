"""Workforce tests count classes and children exactly, so they start from institutions without the
persona world's classes and children (the children register has its own tests)."""

from __future__ import annotations

from typing import Any

import pytest


def _clear_world_classes() -> None:
    from tuoyu.children.models import Child, Enrolment
    from tuoyu.institutions.models import InstitutionClass

    Enrolment.objects.all().delete()
    Child.objects.all().delete()
    InstitutionClass.objects.all().delete()


@pytest.fixture(autouse=True)
def _institutions_without_world_classes(request: Any) -> None:
    for name in ("world", "transactional_world"):
        if name in request.fixturenames:
            request.getfixturevalue(name)
            _clear_world_classes()
            return
