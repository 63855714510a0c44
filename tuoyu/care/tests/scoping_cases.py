"""Persona-suite cases of the care app: each API operation and named page, status per persona."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from tuoyu.core.tests.personas import ALL_PERSONAS, GOV, XUANWU_VIEWERS
from tuoyu.core.tests.personas import expect_status as _status

from .factories import diary_entry, incident, medication_request, menu

STAFF = {"director", "caregiver"}
PEANUT = (("花生酥", "花生, 面粉"),)
XUANWU_GOV = XUANWU_VIEWERS - STAFF


def _by(groups: list[tuple[set[str], int]], anonymous: int = 401, default: int = 404) -> dict[str, int]:
    result = {}
    for persona in ALL_PERSONAS:
        result[persona] = anonymous if persona == "anonymous" else default
        for members, status in groups:
            if persona in members:
                result[persona] = status
                break
    return result


def _count(visible: set[str]) -> Any:
    def check(persona: str, response: Any) -> None:
        if persona == "anonymous":
            assert response.status_code == 401
            return
        assert response.status_code == 200, (persona, response.content[:300])
        assert response.json()["count"] == (1 if persona in visible else 0), persona

    return check


_all_422 = {p: 401 if p == "anonymous" else 422 for p in ALL_PERSONAS}
# Medication writes: care staff act (status given), the child's other viewers 403, the rest 404.
_medication_write = lambda staff_status: _by(  # noqa: E731
    [(STAFF, staff_status), (XUANWU_GOV | {"parent"}, 403)]
)

API_CASES: dict[tuple[str, str], tuple[Any, Any]] = {
    ("get", "/api/v1/care/medication-requests"): (
        lambda w: (medication_request(w), "/api/v1/care/medication-requests")[1],
        _count(XUANWU_VIEWERS | {"parent"}),
    ),
    ("post", "/api/v1/care/medication-requests"): (
        lambda w: "/api/v1/care/medication-requests",
        _status(_all_422),
    ),
    # The persona body does not confirm the signed authorisation: staff get 422, the others 403/404.
    ("post", "/api/v1/care/medication-requests/{request_id}/accept"): (
        lambda w: f"/api/v1/care/medication-requests/{medication_request(w).pk}/accept",
        _status(_medication_write(422)),
    ),
    # The persona body has no reason: staff get 422.
    ("post", "/api/v1/care/medication-requests/{request_id}/decline"): (
        lambda w: f"/api/v1/care/medication-requests/{medication_request(w).pk}/decline",
        _status(_medication_write(422)),
    ),
    ("post", "/api/v1/care/medication-requests/{request_id}/doses"): (
        lambda w: f"/api/v1/care/medication-requests/{medication_request(w, 'accepted').pk}/doses",
        _status(_medication_write(201)),
    ),
    ("get", "/api/v1/care/incidents"): (
        lambda w: (incident(w), "/api/v1/care/incidents")[1],
        _count(XUANWU_VIEWERS | {"parent"}),
    ),
    ("post", "/api/v1/care/incidents"): (lambda w: "/api/v1/care/incidents", _status(_all_422)),
    # A suspected-abuse report: never shown to the guardians.
    ("get", "/api/v1/care/incidents/{incident_id}"): (
        lambda w: f"/api/v1/care/incidents/{incident(w, suspected=True).pk}",
        _status(_by([(XUANWU_VIEWERS, 200)])),
    ),
    ("post", "/api/v1/care/incidents/{incident_id}/acknowledge"): (
        lambda w: f"/api/v1/care/incidents/{incident(w, suspected=True).pk}/acknowledge",
        _status(_by([({"province_official", "county_official"}, 200), (XUANWU_VIEWERS, 403)])),
    ),
    ("get", "/api/v1/care/menus"): (
        lambda w: (menu(w, published=True), "/api/v1/care/menus")[1],
        _count(XUANWU_VIEWERS | {"parent"}),
    ),
    ("post", "/api/v1/care/menus"): (lambda w: "/api/v1/care/menus", _status(_all_422)),
    ("post", "/api/v1/care/menus/{menu_id}/publish"): (
        lambda w: f"/api/v1/care/menus/{menu(w).pk}/publish",
        _status(_by([(STAFF, 200), (XUANWU_GOV, 403)])),
    ),
    ("get", "/api/v1/care/menus/{menu_id}/allergy-check"): (
        lambda w: f"/api/v1/care/menus/{menu(w, published=True, dishes=PEANUT).pk}/allergy-check",
        _status(_by([(XUANWU_VIEWERS | {"parent"}, 200)])),
    ),
    ("get", "/api/v1/care/diary"): (
        lambda w: (diary_entry(w), "/api/v1/care/diary")[1],
        _count(STAFF | {"parent"}),
    ),
    ("post", "/api/v1/care/diary"): (lambda w: "/api/v1/care/diary", _status(_all_422)),
}

_staff_page = _by([(STAFF, 200)], anonymous=302, default=403)
_staff_or_xuanwu_gov = _by(
    [(XUANWU_VIEWERS, 200), ({"other_county_official"}, 404)], anonymous=302, default=403
)

PAGE_CASES: dict[str, tuple[Any, dict[str, int]]] = {
    "care:medication": (lambda w: reverse("care:medication"), _staff_page),
    "care:child_medication": (
        lambda w: reverse("care:child_medication", args=[w.children["own_child"].pk]),
        _by([({"parent"}, 200)], anonymous=302, default=403),
    ),
    "care:incidents": (lambda w: reverse("care:incidents"), _staff_page),
    "care:incident": (lambda w: reverse("care:incident", args=[incident(w).pk]), _staff_or_xuanwu_gov),
    "care:reports": (lambda w: reverse("care:reports"), _by([(GOV, 200)], anonymous=302, default=403)),
    "care:menus": (lambda w: reverse("care:menus"), _staff_page),
    "care:menu": (lambda w: reverse("care:menu", args=[menu(w).pk]), _staff_or_xuanwu_gov),
    "care:class_day": (lambda w: reverse("care:class_day"), _staff_page),
    # Photos of children: the class's staff and guardians only; everyone else (anonymous too) 404.
    "care:diary_photo": (
        lambda w: reverse("care:diary_photo", args=[diary_entry(w, photo=True).pk]),
        _by([(STAFF | {"parent"}, 200)], anonymous=404),
    ),
}
