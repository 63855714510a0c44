"""Every planning endpoint and page, as every persona (merged into core's persona suite).

Indicators are for officials and national observers: other users 403, anonymous 401 (API) or login
(pages); a region outside the official's grants 404 (江宁区's official asking for 玄武区).
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
    ("get", "/api/v1/indicators"): (
        lambda w: "/api/v1/indicators?region=320102000000",
        _status(_officials(401)),
    ),
}

PAGE_CASES: dict[str, tuple[Any, dict[str, int]]] = {
    "planning:indicators": (
        lambda w: reverse("planning:indicators") + "?region=320102000000",
        _officials(302),
    ),
    "planning:residential": (
        lambda w: reverse("planning:residential", args=["320102000000"]),
        _officials(302),
    ),
}

# The dashboard, scenario and report pages keep their cases beside them.

from . import scoping_cases_dashboard, scoping_cases_reports, scoping_cases_scenarios  # noqa: E402

for _part in (scoping_cases_dashboard, scoping_cases_scenarios, scoping_cases_reports):
    API_CASES.update(_part.API_CASES)
    PAGE_CASES.update(_part.PAGE_CASES)
