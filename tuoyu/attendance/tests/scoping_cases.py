"""Persona-suite cases of the attendance app: each API operation and named page, status per persona.

The persona suite posts {"username", "password"}: write endpoints answer 422 (missing fields) to every
signed-in caller; their scoping with real bodies is tested in test_api.py.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from tuoyu.core.tests.personas import ALL_PERSONAS, XUANWU_VIEWERS
from tuoyu.core.tests.personas import expect_status as _status

_care = {"director", "caregiver"}
_write = {p: 401 if p == "anonymous" else 422 for p in ALL_PERSONAS}
_class_viewers = {p: 200 if p in XUANWU_VIEWERS else 401 if p == "anonymous" else 404 for p in ALL_PERSONAS}
_care_pages = {p: 200 if p in _care else 302 if p == "anonymous" else 403 for p in ALL_PERSONAS}
_child_page = {
    p: 200 if p in XUANWU_VIEWERS | {"parent"} else 302 if p == "anonymous" else 404 for p in ALL_PERSONAS
}
_code_page = {
    p: 200 if p == "parent" else 403 if p in XUANWU_VIEWERS else 302 if p == "anonymous" else 404
    for p in ALL_PERSONAS
}


def _class(world: Any) -> int:
    return int(world.classes["xuanwu_toddler"].pk)


API_CASES: dict[tuple[str, str], tuple[Any, Any]] = {
    ("post", "/api/v1/attendance/events"): (lambda w: "/api/v1/attendance/events", _status(_write)),
    ("get", "/api/v1/attendance/classes/{class_id}/today"): (
        lambda w: f"/api/v1/attendance/classes/{_class(w)}/today",
        _status(_class_viewers),
    ),
    ("get", "/api/v1/attendance/classes/{class_id}/ratio"): (
        lambda w: f"/api/v1/attendance/classes/{_class(w)}/ratio",
        _status(_class_viewers),
    ),
    ("post", "/api/v1/attendance/absences"): (lambda w: "/api/v1/attendance/absences", _status(_write)),
    ("post", "/api/v1/attendance/absences/{absence_id}/follow-up"): (
        lambda w: "/api/v1/attendance/absences/1/follow-up",
        _status(_write),
    ),
    ("post", "/api/v1/attendance/staff"): (lambda w: "/api/v1/attendance/staff", _status(_write)),
}

PAGE_CASES: dict[str, tuple[Any, dict[str, int]]] = {
    "attendance:home": (lambda w: reverse("attendance:home"), _care_pages),
    "attendance:roster": (lambda w: reverse("attendance:roster", args=[_class(w)]), _care_pages),
    "attendance:follow_up": (lambda w: reverse("attendance:follow_up"), _care_pages),
    "attendance:staff": (lambda w: reverse("attendance:staff"), _care_pages),
    "attendance:kiosk": (
        lambda w: reverse("attendance:kiosk", args=[w.institutions["inst_xuanwu"].pk]),
        _care_pages,
    ),
    "attendance:child": (
        lambda w: reverse("attendance:child", args=[w.children["own_child"].pk]),
        _child_page,
    ),
    "attendance:kiosk_code": (
        lambda w: reverse("attendance:kiosk_code", args=[w.children["own_child"].pk]),
        _code_page,
    ),
}
