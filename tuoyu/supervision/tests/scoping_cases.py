"""Persona-suite cases of the supervision app: each API operation and named page, status per persona.

Decisions they encode: a planned or running inspection is invisible to the institution (404: it is
not announced); staff see their inspections once the result is known but cannot act on them (403);
photos and signatures are for officials only.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from tuoyu.core.tests.personas import ALL_PERSONAS, GOV, XUANWU_VIEWERS
from tuoyu.core.tests.personas import expect_status as _status

from .factories import JPEG_B64, inspection, order

STAFF = {"director", "caregiver"}
XUANWU_GOV = XUANWU_VIEWERS - STAFF
ACTORS = {"province_official", "county_official"}  # administrators whose region covers 玄武区
VIEW_ONLY = {"city_official", "national_observer"}


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


def _photo(world: Any) -> str:
    from tuoyu.supervision import services

    obj = inspection(world, "in_progress")
    entry = obj.entries.first()
    services.inspection_sync(
        actor=world.user("county_official"),
        inspection=obj,
        answers=[
            {
                "client_ref": "p",
                "item_id": entry.item_id,
                "result": "pass",
                "note": "",
                "answered_at": obj.started_at,
                "photos": [{"client_ref": "p1", "data_base64": JPEG_B64, "taken_at": obj.started_at}],
            }
        ],
    )
    return reverse("supervision:photo", args=[obj.photos.get().pk])


def _signature(world: Any) -> str:
    return reverse("supervision:signature", args=[inspection(world, "submitted").signatures.first().pk])


def _evidence(world: Any) -> str:
    from tuoyu.supervision import services

    item = order(world)
    services.rectification_answer(
        actor=world.user("director"), order=item, answer="已整改", files=[("a.pdf", b"%PDF-1.4 x")]
    )
    return reverse("supervision:evidence", args=[item.evidence.get().pk])


_all_422 = {p: 401 if p == "anonymous" else 422 for p in ALL_PERSONAS}
_url = "/api/v1/inspections"

API_CASES: dict[tuple[str, str], tuple[Any, Any]] = {
    ("get", _url): (lambda w: (inspection(w, "submitted"), _url)[1], _count(XUANWU_VIEWERS)),
    ("get", f"{_url}/items"): (lambda w: f"{_url}/items", _status(_by([], default=200))),
    ("post", _url): (lambda w: _url, _status(_all_422)),
    ("get", f"{_url}/{{inspection_id}}"): (
        lambda w: f"{_url}/{inspection(w, 'submitted').pk}",
        _status(_by([(XUANWU_VIEWERS, 200)])),
    ),
    ("post", f"{_url}/{{inspection_id}}/team"): (
        lambda w: f"{_url}/{inspection(w, members=[]).pk}/team",
        _status(_all_422),
    ),
    # Planned: the institution does not see it (404).
    ("post", f"{_url}/{{inspection_id}}/start"): (
        lambda w: f"{_url}/{inspection(w).pk}/start",
        _status(_by([(ACTORS, 200), (VIEW_ONLY, 403)])),
    ),
    ("post", f"{_url}/{{inspection_id}}/sync"): (
        lambda w: f"{_url}/{inspection(w, 'in_progress').pk}/sync",
        _status(_by([(ACTORS, 200), (VIEW_ONLY, 403)])),
    ),
    # Nothing answered yet: 422 lists what is missing.
    ("post", f"{_url}/{{inspection_id}}/submit"): (
        lambda w: f"{_url}/{inspection(w, 'in_progress').pk}/submit",
        _status(_by([(ACTORS, 422), (VIEW_ONLY, 403)])),
    ),
    ("post", f"{_url}/{{inspection_id}}/issue"): (
        lambda w: f"{_url}/{inspection(w, 'submitted').pk}/issue",
        _status(_by([(ACTORS, 200), (VIEW_ONLY | STAFF, 403)])),
    ),
    # Items failed: close is refused until the notices are issued (409).
    ("post", f"{_url}/{{inspection_id}}/close"): (
        lambda w: f"{_url}/{inspection(w, 'submitted').pk}/close",
        _status(_by([(ACTORS, 409), (VIEW_ONLY | STAFF, 403)])),
    ),
    ("post", f"{_url}/{{inspection_id}}/cancel"): (
        lambda w: f"{_url}/{inspection(w).pk}/cancel",
        _status(_all_422),
    ),
    ("post", f"{_url}/{{inspection_id}}/publish"): (
        lambda w: f"{_url}/{inspection(w, 'submitted').pk}/publish",
        _status(_by([(ACTORS, 200), (VIEW_ONLY | STAFF, 403)])),
    ),
    ("post", f"{_url}/rectifications/{{order_id}}/answer"): (
        lambda w: f"{_url}/rectifications/{order(w).pk}/answer",
        _status(_all_422),
    ),
    ("post", f"{_url}/rectifications/{{order_id}}/verify"): (
        lambda w: f"{_url}/rectifications/{order(w, 'answered').pk}/verify",
        _status(_all_422),
    ),
}

_gov_page = _by([(GOV, 200)], anonymous=302, default=403)
_xuanwu_page = _by([(XUANWU_VIEWERS, 200), ({"other_county_official"}, 404)], anonymous=302, default=403)
_officials_file = _by([(XUANWU_GOV, 200)], anonymous=404)

PAGE_CASES: dict[str, tuple[Any, dict[str, int]]] = {
    "supervision:home": (lambda w: reverse("supervision:home"), _gov_page),
    "supervision:inst_home": (
        lambda w: reverse("supervision:inst_home"),
        _by([(STAFF, 200)], anonymous=302, default=403),
    ),
    "supervision:inspections": (lambda w: reverse("supervision:inspections"), _gov_page),
    "supervision:items": (lambda w: reverse("supervision:items"), _gov_page),
    "supervision:inspection": (
        lambda w: reverse("supervision:inspection", args=[inspection(w, "submitted").pk]),
        _xuanwu_page,
    ),
    "supervision:checklist": (
        lambda w: reverse("supervision:checklist", args=[inspection(w, "in_progress").pk]),
        _by([(ACTORS, 200), ({"other_county_official"}, 404)], anonymous=302, default=403),
    ),
    "supervision:rectification": (
        lambda w: reverse("supervision:rectification", args=[order(w).pk]),
        _xuanwu_page,
    ),
    "supervision:photo": (_photo, _officials_file),
    "supervision:signature": (_signature, _officials_file),
    "supervision:evidence": (_evidence, _by([(XUANWU_VIEWERS, 200)], anonymous=404)),
    "supervision:service_worker": (lambda w: reverse("supervision:service_worker"), _by([], 200, 200)),
}
