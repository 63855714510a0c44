"""Persona-suite cases of the growth app: each API operation and named page, status per persona."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from tuoyu.core.tests.personas import ALL_PERSONAS, GOV, XUANWU_VIEWERS
from tuoyu.core.tests.personas import expect_status as _status

STAFF = {"director", "caregiver"}
# Who reaches own_child (玄武区, guardian = the parent persona).
_child_readers = {
    p: 200 if p in XUANWU_VIEWERS | {"parent"} else 401 if p == "anonymous" else 404 for p in ALL_PERSONAS
}


def _measurements(w: Any) -> str:
    return f"/api/v1/growth/children/{w.children['own_child'].pk}/measurements"


API_CASES: dict[tuple[str, str], tuple[Any, Any]] = {
    # Public arithmetic: no login, no personal data.
    ("get", "/api/v1/growth/zscores"): (
        lambda w: "/api/v1/growth/zscores?sex=M&age_days=365&weight_kg=10.5",
        _status(dict.fromkeys(ALL_PERSONAS, 200)),
    ),
    ("get", "/api/v1/growth/children/{child_id}/measurements"): (_measurements, _status(_child_readers)),
    # The persona body {"username", "password"} lacks measured_on: 422 for every signed-in caller.
    ("post", "/api/v1/growth/children/{child_id}/measurements"): (
        _measurements,
        _status({p: 401 if p == "anonymous" else 422 for p in ALL_PERSONAS}),
    ),
}

PAGE_CASES: dict[str, tuple[Any, dict[str, int]]] = {
    "growth:home": (
        lambda w: reverse("growth:home"),
        {p: 200 if p in GOV | STAFF else 302 if p == "anonymous" else 403 for p in ALL_PERSONAS},
    ),
    "growth:child": (
        lambda w: reverse("growth:child", args=[w.children["own_child"].pk]),
        {p: 302 if p == "anonymous" else code for p, code in _child_readers.items()},
    ),
    "growth:record": (
        lambda w: reverse("growth:record", args=[w.children["own_child"].pk]),
        {
            p: 200
            if p in STAFF
            else 403
            if p in XUANWU_VIEWERS | {"parent"}
            else 302
            if p == "anonymous"
            else 404
            for p in ALL_PERSONAS
        },
    ),
}
