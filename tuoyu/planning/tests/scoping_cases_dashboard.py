"""Persona expectations for the planning dashboard endpoints and pages (merged by scoping_cases.py).

Like the indicators: officials and national observers 200 for 玄武区, 江宁区's official 404 (outside
their grants), other users 403, anonymous 401 (API) or the login page (302).
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from tuoyu.core.tests.personas import ALL_PERSONAS, GOV
from tuoyu.core.tests.personas import expect_status as _status


def _officials(anonymous: int) -> dict[str, int]:
    return {
        p: (404 if p == "other_county_official" else 200)
        if p in GOV
        else anonymous
        if p == "anonymous"
        else 403
        for p in ALL_PERSONAS
    }


API_CASES: dict[tuple[str, str], tuple[Any, Any]] = {
    ("get", "/api/v1/planning/dashboard/map"): (
        lambda w: "/api/v1/planning/dashboard/map?region=320102000000",
        _status(_officials(401)),
    ),
}
PAGE_CASES: dict[str, tuple[Any, dict[str, int]]] = {
    "planning:dashboard": (
        lambda w: reverse("planning:dashboard") + "?region=320102000000",
        _officials(302),
    ),
}
