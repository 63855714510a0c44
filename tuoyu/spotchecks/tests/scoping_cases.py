"""Persona-suite cases of the spotchecks app: each API operation and named page, status per persona.

Plans, batches and draws of 玄武区 are seen by officials over 玄武区 (province, 南京, 玄武区) and the
national observer; 江宁区's official gets 404; staff, parents and outsiders see nothing (API 404 or
empty lists, pages 403). Only offices with "manage" (province, 玄武区) may add a batch. The published
draws are public.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from tuoyu.core.tests.personas import ALL_PERSONAS, GOV
from tuoyu.core.tests.personas import expect_status as _status

from .factories import XUANWU_UNIT, batch, drawn, inspector, plan

XUANWU_GOV = {"province_official", "city_official", "county_official", "national_observer"}


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


def _inspector(world: Any) -> Any:
    return inspector(world.regions["xuanwu"], XUANWU_UNIT, username="scoping_inspector")


def _declaration(world: Any) -> str:
    from tuoyu.spotchecks.models import ConflictDeclaration

    ConflictDeclaration.objects.create(
        institution=world.institutions["inst_xuanwu"],
        relation="relative",
        inspector=_inspector(world),
        declared_on="2026-01-05",
    )
    return "/api/v1/spotchecks/declarations"


_all_422 = {p: 401 if p == "anonymous" else 422 for p in ALL_PERSONAS}
_xuanwu_read = _by([(XUANWU_GOV, 200)])

API_CASES: dict[tuple[str, str], tuple[Any, Any]] = {
    ("get", "/api/v1/spotchecks/plans"): (
        lambda w: (plan(w), "/api/v1/spotchecks/plans")[1],
        _count(XUANWU_GOV),
    ),
    ("post", "/api/v1/spotchecks/plans"): (lambda w: "/api/v1/spotchecks/plans", _status(_all_422)),
    ("get", "/api/v1/spotchecks/plans/{plan_id}"): (
        lambda w: f"/api/v1/spotchecks/plans/{plan(w).pk}",
        _status(_xuanwu_read),
    ),
    ("get", "/api/v1/spotchecks/batches"): (
        lambda w: (batch(w), "/api/v1/spotchecks/batches")[1],
        _count(XUANWU_GOV),
    ),
    ("post", "/api/v1/spotchecks/batches"): (lambda w: "/api/v1/spotchecks/batches", _status(_all_422)),
    ("get", "/api/v1/spotchecks/batches/{batch_id}"): (
        lambda w: f"/api/v1/spotchecks/batches/{batch(w).pk}",
        _status(_xuanwu_read),
    ),
    ("get", "/api/v1/spotchecks/inspectors"): (
        lambda w: (_inspector(w), "/api/v1/spotchecks/inspectors")[1],
        _count(XUANWU_GOV),
    ),
    ("get", "/api/v1/spotchecks/declarations"): (_declaration, _count(XUANWU_GOV)),
    ("post", "/api/v1/spotchecks/declarations"): (
        lambda w: "/api/v1/spotchecks/declarations",
        _status(_all_422),
    ),
    ("post", "/api/v1/draws"): (lambda w: "/api/v1/draws", _status(_all_422)),
    ("get", "/api/v1/draws/{draw_id}"): (lambda w: f"/api/v1/draws/{drawn(w).pk}", _status(_xuanwu_read)),
    ("post", "/api/v1/draws/{draw_id}/replay"): (
        lambda w: f"/api/v1/draws/{drawn(w).pk}/replay",
        _status(_xuanwu_read),
    ),
}

_gov_page = _by([(GOV, 200)], anonymous=302, default=403)
_xuanwu_page = _by([(XUANWU_GOV, 200), ({"other_county_official"}, 404)], anonymous=302, default=403)
_public = dict.fromkeys(ALL_PERSONAS, 200)

PAGE_CASES: dict[str, tuple[Any, dict[str, int]]] = {
    "spotchecks:home": (lambda w: reverse("spotchecks:home"), _gov_page),
    "spotchecks:plan": (lambda w: reverse("spotchecks:plan", args=[plan(w).pk]), _xuanwu_page),
    # Seeing the plan is not enough to add a batch: the 南京 viewer and the observer get 403.
    "spotchecks:batch_create": (
        lambda w: reverse("spotchecks:batch_create", args=[plan(w).pk]),
        _by(
            [
                ({"province_official", "county_official"}, 200),
                ({"other_county_official"}, 404),
            ],
            anonymous=302,
            default=403,
        ),
    ),
    "spotchecks:batch": (lambda w: reverse("spotchecks:batch", args=[batch(w).pk]), _xuanwu_page),
    "spotchecks:draw": (lambda w: reverse("spotchecks:draw", args=[drawn(w).pk]), _xuanwu_page),
    "spotchecks:inspectors": (lambda w: reverse("spotchecks:inspectors"), _gov_page),
    "spotchecks:inspector": (
        lambda w: reverse("spotchecks:inspector", args=[_inspector(w).pk]),
        _xuanwu_page,
    ),
    "spotchecks:public_draws": (lambda w: (drawn(w), reverse("spotchecks:public_draws"))[1], _public),
    "spotchecks:public_draw": (lambda w: reverse("spotchecks:public_draw", args=[drawn(w).pk]), _public),
}
