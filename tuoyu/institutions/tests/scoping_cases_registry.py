"""Scoping cases for the government register tools (overview, export, import, template).

Merged into the persona suite through `scoping_cases.py`. Viewing needs an official whose view
grants cover the region (else 404); importing needs the manage grant (a viewer who can see the
region gets 403). Everything is tried on 玄武区.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from tuoyu.core.tests.personas import ALL_PERSONAS, GOV

XUANWU = "320102000000"
MANAGERS = {"province_official", "county_official"}


def _view_status(persona: str) -> int:
    if persona == "anonymous":
        return 302
    if persona not in GOV:
        return 403
    return 404 if persona == "other_county_official" else 200


def _manage_status(persona: str) -> int:
    status = _view_status(persona)
    return 403 if status == 200 and persona not in MANAGERS else status


_VIEW = {p: _view_status(p) for p in ALL_PERSONAS}
_MANAGE = {p: _manage_status(p) for p in ALL_PERSONAS}

API_CASES: dict[Any, Any] = {}

PAGE_CASES: dict[str, Any] = {
    "registry:overview": (lambda w: reverse("registry:overview", args=[XUANWU]), _VIEW),
    "registry:export": (lambda w: reverse("registry:export", args=[XUANWU]), _VIEW),
    "registry:import": (lambda w: reverse("registry:import", args=[XUANWU]), _MANAGE),
    "registry:import_template": (lambda w: reverse("registry:import_template", args=[XUANWU]), _MANAGE),
}
