"""Persona expectations for the planning scenarios endpoints and pages (merged by scoping_cases.py).

Scenarios are for officials and national observers, for regions their grants cover: other users 403,
anonymous 401 (API) or login (page); 江宁区's official asking for 玄武区 404. The persona body
{"username", "password"} has no region: 422 for every authenticated caller (the body is checked first).
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


_bad_body = {p: 401 if p == "anonymous" else 422 for p in ALL_PERSONAS}

API_CASES: dict[tuple[str, str], tuple[Any, Any]] = {
    ("post", "/api/v1/planning/scenarios"): (lambda w: "/api/v1/planning/scenarios", _status(_bad_body)),
    ("get", "/api/v1/planning/scenarios/suggestions"): (
        lambda w: "/api/v1/planning/scenarios/suggestions?region=320102000000&n=3",
        _status(_officials(401)),
    ),
}

PAGE_CASES: dict[str, tuple[Any, dict[str, int]]] = {
    "planning:scenario": (
        lambda w: reverse("planning:scenario") + "?region=320102000000",
        _officials(302),
    ),
}
