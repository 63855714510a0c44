"""Persona-suite cases of the enforcement app: each API operation and named page, status per persona."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from tuoyu.core.tests.personas import ALL_PERSONAS, GOV, XUANWU_VIEWERS
from tuoyu.core.tests.personas import expect_status as _status

from .factories import action, closure_case, emergency

STAFF = {"director", "caregiver"}
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


def _case_child(w: Any) -> str:
    case = closure_case(w)
    row = case.children.order_by("pk").first()
    assert row is not None
    return f"/api/v1/enforcement/closures/{case.pk}/children/{row.pk}"


# The persona body ({"username", "password"}) lacks every required field: 422 for anyone signed in.
_all_422 = {p: 401 if p == "anonymous" else 422 for p in ALL_PERSONAS}

API_CASES: dict[tuple[str, str], tuple[Any, Any]] = {
    ("get", "/api/v1/enforcement/rules"): (
        lambda w: "/api/v1/enforcement/rules",
        _status(_by([], default=200)),
    ),
    ("get", "/api/v1/enforcement/actions"): (
        lambda w: (action(w), "/api/v1/enforcement/actions")[1],
        _count(XUANWU_VIEWERS),
    ),
    ("post", "/api/v1/enforcement/actions"): (lambda w: "/api/v1/enforcement/actions", _status(_all_422)),
    ("get", "/api/v1/enforcement/actions/{action_id}"): (
        lambda w: f"/api/v1/enforcement/actions/{action(w).pk}",
        _status(_by([(XUANWU_VIEWERS, 200)])),
    ),
    # Only the director acknowledges; everyone else who sees the decision gets 403.
    ("post", "/api/v1/enforcement/actions/{action_id}/acknowledge"): (
        lambda w: f"/api/v1/enforcement/actions/{action(w).pk}/acknowledge",
        _status(_by([({"director"}, 200), (XUANWU_VIEWERS, 403)])),
    ),
    ("post", "/api/v1/enforcement/closures"): (lambda w: "/api/v1/enforcement/closures", _status(_all_422)),
    ("get", "/api/v1/enforcement/closures/{case_id}"): (
        lambda w: f"/api/v1/enforcement/closures/{closure_case(w).pk}",
        _status(_by([(XUANWU_VIEWERS, 200)])),
    ),
    ("post", "/api/v1/enforcement/closures/{case_id}/children/{row_id}/placement"): (
        lambda w: f"{_case_child(w)}/placement",
        _status(_all_422),
    ),
    ("post", "/api/v1/enforcement/closures/{case_id}/children/{row_id}/fee"): (
        lambda w: f"{_case_child(w)}/fee",
        _status(_all_422),
    ),
    ("post", "/api/v1/enforcement/closures/{case_id}/handover"): (
        lambda w: f"/api/v1/enforcement/closures/{closure_case(w).pk}/handover",
        _status(_all_422),
    ),
    # Every body field is optional: the managing officials are refused (409: children unplaced), the
    # other viewers may not close (403), the rest do not see the case (404).
    ("post", "/api/v1/enforcement/closures/{case_id}/close"): (
        lambda w: f"/api/v1/enforcement/closures/{closure_case(w).pk}/close",
        _status(_by([({"province_official", "county_official"}, 409), (XUANWU_VIEWERS, 403)])),
    ),
    ("post", "/api/v1/enforcement/closures/{case_id}/cancel"): (
        lambda w: f"/api/v1/enforcement/closures/{closure_case(w).pk}/cancel",
        _status(_all_422),
    ),
    ("get", "/api/v1/enforcement/emergencies"): (
        lambda w: (emergency(w), "/api/v1/enforcement/emergencies")[1],
        _count(XUANWU_VIEWERS),
    ),
    ("post", "/api/v1/enforcement/emergencies"): (
        lambda w: "/api/v1/enforcement/emergencies",
        _status(_all_422),
    ),
    ("get", "/api/v1/enforcement/emergencies/{emergency_id}"): (
        lambda w: f"/api/v1/enforcement/emergencies/{emergency(w).pk}",
        _status(_by([(XUANWU_VIEWERS, 200)])),
    ),
    ("post", "/api/v1/enforcement/emergencies/{emergency_id}/entries"): (
        lambda w: f"/api/v1/enforcement/emergencies/{emergency(w).pk}/entries",
        _status(_all_422),
    ),
    ("post", "/api/v1/enforcement/emergencies/{emergency_id}/close"): (
        lambda w: f"/api/v1/enforcement/emergencies/{emergency(w).pk}/close",
        _status(_all_422),
    ),
}

_gov_page = _by([(GOV, 200)], anonymous=302, default=403)
_staff_page = _by([(STAFF, 200)], anonymous=302, default=403)
_gov_or_staff_page = _by([(GOV | STAFF, 200)], anonymous=302, default=403)
_xuanwu_record = _by([(XUANWU_VIEWERS, 200), ({"other_county_official"}, 404)], anonymous=302, default=403)

PAGE_CASES: dict[str, tuple[Any, dict[str, int]]] = {
    "enforcement:home": (lambda w: reverse("enforcement:home"), _gov_page),
    "enforcement:inst_home": (lambda w: reverse("enforcement:inst_home"), _staff_page),
    "enforcement:action_new": (lambda w: reverse("enforcement:action_new"), _gov_page),
    "enforcement:action": (lambda w: reverse("enforcement:action", args=[action(w).pk]), _xuanwu_record),
    "enforcement:closure_new": (lambda w: reverse("enforcement:closure_new"), _gov_or_staff_page),
    "enforcement:closure": (
        lambda w: reverse("enforcement:closure", args=[closure_case(w).pk]),
        _xuanwu_record,
    ),
    "enforcement:emergency_new": (lambda w: reverse("enforcement:emergency_new"), _gov_or_staff_page),
    "enforcement:emergency": (
        lambda w: reverse("enforcement:emergency", args=[emergency(w).pk]),
        _xuanwu_record,
    ),
}
