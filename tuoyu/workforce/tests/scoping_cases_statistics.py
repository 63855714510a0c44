"""Persona expectations for the workforce statistics endpoints and pages (merged by scoping_cases.py).

Statistics are for officials: 玄武区's figures are seen by the officials above it and national
observers; another county's official gets 404; institution staff, parents and outsiders 403.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from tuoyu.core.tests.personas import ALL_PERSONAS, GOV
from tuoyu.core.tests.personas import expect_status as _status

XUANWU = "320102000000"


def _xuanwu(anonymous: int) -> dict[str, int]:
    return {
        p: anonymous
        if p == "anonymous"
        else 404
        if p == "other_county_official"
        else 200
        if p in GOV
        else 403
        for p in ALL_PERSONAS
    }


API_CASES: dict[tuple[str, str], tuple[Any, Any]] = {
    ("get", "/api/v1/workforce/statistics"): (
        lambda w: f"/api/v1/workforce/statistics?region={XUANWU}",
        _status(_xuanwu(401)),
    ),
}
PAGE_CASES: dict[str, tuple[Any, dict[str, int]]] = {
    "workforce_statistics:overview": (
        lambda w: reverse("workforce_statistics:overview") + f"?region={XUANWU}",
        _xuanwu(302),
    ),
    "workforce_statistics:export": (
        lambda w: reverse("workforce_statistics:export") + f"?region={XUANWU}",
        _xuanwu(302),
    ),
}
