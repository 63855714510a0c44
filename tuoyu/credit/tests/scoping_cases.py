"""Persona-suite cases of the credit app: each API operation and named page, status per persona."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from tuoyu.core.tests.personas import ALL_PERSONAS, GOV, XUANWU_VIEWERS
from tuoyu.core.tests.personas import expect_status as _status

from .factories import rated

STAFF = {"director", "caregiver"}


def _by(groups: list[tuple[set[str], int]], anonymous: int = 401, default: int = 404) -> dict[str, int]:
    result = {}
    for persona in ALL_PERSONAS:
        result[persona] = anonymous if persona == "anonymous" else default
        for members, status in groups:
            if persona in members:
                result[persona] = status
                break
    return result


def _count(expected: dict[str, int]) -> Any:
    def check(persona: str, response: Any) -> None:
        if persona == "anonymous":
            assert response.status_code == 401
            return
        assert response.status_code == 200, (persona, response.content[:300])
        assert response.json()["count"] == expected.get(persona, 0), persona

    return check


# Standings after a recompute: one per institution of the world (玄武, 江宁, 无锡).
_standings = {
    "province_official": 3,
    "city_official": 2,
    "county_official": 1,
    "other_county_official": 1,
    "national_observer": 3,
    "director": 1,
    "caregiver": 1,
}

API_CASES: dict[tuple[str, str], tuple[Any, Any]] = {
    ("get", "/api/v1/credit/institutions/{institution_id}"): (
        lambda w: (rated(w), f"/api/v1/credit/institutions/{w.institutions['inst_xuanwu'].pk}")[1],
        _status(_by([(XUANWU_VIEWERS, 200)])),
    ),
    ("get", "/api/v1/credit/standings"): (
        lambda w: (rated(w), "/api/v1/credit/standings")[1],
        _count(_standings),
    ),
    # The persona body has no reason: officials who manage 玄武区 get 422; those who only see it 403.
    ("post", "/api/v1/credit/records/{record_id}/revoke"): (
        lambda w: f"/api/v1/credit/records/{rated(w).pk}/revoke",
        _status(_by([({"province_official", "county_official"}, 422), (XUANWU_VIEWERS, 403)])),
    ),
}

_gov_page = _by([(GOV, 200)], anonymous=302, default=403)

PAGE_CASES: dict[str, tuple[Any, dict[str, int]]] = {
    "credit:home": (lambda w: (rated(w), reverse("credit:home"))[1], _gov_page),
    # Officials over 玄武区 and the centre's own staff; another county's official 404.
    "credit:institution": (
        lambda w: (rated(w), reverse("credit:institution", args=[w.institutions["inst_xuanwu"].pk]))[1],
        _by([(XUANWU_VIEWERS, 200), ({"other_county_official"}, 404)], anonymous=302, default=403),
    ),
    "credit:mine": (lambda w: reverse("credit:mine"), _by([(STAFF, 302)], anonymous=302, default=403)),
    "credit:tiers": (lambda w: (rated(w), reverse("credit:tiers") + "?tier=C")[1], _gov_page),
    "credit:export": (lambda w: (rated(w), reverse("credit:export") + "?list=penalty")[1], _gov_page),
    "credit:person": (lambda w: (rated(w), reverse("credit:person") + "?name=王园长")[1], _gov_page),
}
