"""Persona-suite cases of the health app: each API operation and named page, status per persona."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from tuoyu.core.tests.personas import ALL_PERSONAS, GOV, XUANWU_VIEWERS
from tuoyu.core.tests.personas import expect_status as _status

STAFF = {"director", "caregiver"}


def _by(ok: set[str], code: int, *, anonymous: int, other: int) -> dict[str, int]:
    return {p: code if p in ok else anonymous if p == "anonymous" else other for p in ALL_PERSONAS}


def _alert(world: Any) -> Any:
    from tuoyu.health.models import SymptomClusterAlert

    today = timezone.localdate()
    return SymptomClusterAlert.objects.create(
        township=world.regions["meiyuan"],
        group="fever_rash",
        window_start=today,
        window_end=today,
        institution_count=3,
        cases=3,
    )


def _alert_list_check(persona: str, response: Any) -> None:
    """Officials over 梅园新村街道 see the alert; everyone else who is logged in an empty list."""
    if persona == "anonymous":
        assert response.status_code == 401
        return
    assert response.status_code == 200, (persona, response.content[:300])
    visible = persona in GOV - {"other_county_official"}
    assert response.json()["count"] == (1 if visible else 0), persona


def _alerts_url(world: Any) -> str:
    _alert(world)
    return "/api/v1/health/alerts"


def _own_child(world: Any) -> int:
    return int(world.children["own_child"].pk)


_child_viewers = _by(XUANWU_VIEWERS | {"parent"}, 200, anonymous=401, other=404)
_body_422 = {p: 401 if p == "anonymous" else 422 for p in ALL_PERSONAS}
# Acknowledge: officials with "inspect" over the township 200; those who only view it 403.
_ack = {
    p: 200
    if p in {"province_official", "county_official"}
    else 403
    if p in {"city_official", "national_observer"}
    else 401
    if p == "anonymous"
    else 404
    for p in ALL_PERSONAS
}
_counts = _by(GOV | STAFF, 200, anonymous=401, other=403)

API_CASES: dict[tuple[str, str], tuple[Any, Any]] = {
    # The persona body {"username", "password"} lacks child_id / vaccine: 422 for every caller.
    ("post", "/api/v1/health/checks"): (lambda w: "/api/v1/health/checks", _status(_body_422)),
    ("get", "/api/v1/health/checks"): (
        lambda w: f"/api/v1/health/checks?class={w.classes['xuanwu_toddler'].pk}",
        _status(_by(XUANWU_VIEWERS, 200, anonymous=401, other=404)),
    ),
    ("post", "/api/v1/health/children/{child_id}/doses"): (
        lambda w: f"/api/v1/health/children/{_own_child(w)}/doses",
        _status(_body_422),
    ),
    ("get", "/api/v1/health/children/{child_id}/doses"): (
        lambda w: f"/api/v1/health/children/{_own_child(w)}/doses",
        _status(_child_viewers),
    ),
    ("get", "/api/v1/health/children/{child_id}/immunisations"): (
        lambda w: f"/api/v1/health/children/{_own_child(w)}/immunisations",
        _status(_child_viewers),
    ),
    ("get", "/api/v1/health/alerts"): (_alerts_url, _alert_list_check),
    ("post", "/api/v1/health/alerts/{alert_id}/acknowledge"): (
        lambda w: f"/api/v1/health/alerts/{_alert(w).pk}/acknowledge",
        _status(_ack),
    ),
    ("get", "/api/v1/health/daily-counts"): (lambda w: "/api/v1/health/daily-counts", _status(_counts)),
}

PAGE_CASES: dict[str, Any] = {
    "health:checks": (lambda w: reverse("health:checks"), _by(STAFF, 200, anonymous=302, other=403)),
    "health:immunisations": (
        lambda w: reverse("health:immunisations"),
        _by(STAFF, 200, anonymous=302, other=403),
    ),
    "health:child_immunisations": (
        lambda w: reverse("health:child_immunisations", args=[_own_child(w)]),
        _by(XUANWU_VIEWERS | {"parent"}, 200, anonymous=302, other=404),
    ),
    "health:alerts": (lambda w: reverse("health:alerts"), _by(GOV, 200, anonymous=302, other=403)),
    "health:overview": (
        lambda w: reverse("health:overview"),
        _by(GOV | STAFF, 200, anonymous=302, other=403),
    ),
}
