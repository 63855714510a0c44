"""Persona-suite cases of the complaints app: each API operation and named page, status per persona."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from tuoyu.core.tests.personas import ALL_PERSONAS, GOV
from tuoyu.core.tests.personas import expect_status as _status

from .factories import complaint

XUANWU_GOV = GOV - {"other_county_official"}
# Who may act on a 玄武区 complaint handled at the county: officials with `review` over 玄武区.
HANDLERS = {"province_official", "county_official"}


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
        # No list an institution's staff can call carries the complainant.
        for item in response.json()["items"]:
            assert not {"contact", "contact_name", "contact_phone", "anonymous"} & set(item), persona

    return check


def _tracked(persona: str, response: Any) -> None:
    assert response.status_code == 200, (persona, response.content[:300])
    body = response.json()
    assert body["status"] == "received"
    assert not {"contact", "contact_name", "contact_phone", "anonymous", "description"} & set(body)


_all = dict.fromkeys(ALL_PERSONAS, 422)
_pages_gov = {p: 200 if p in GOV else 302 if p == "anonymous" else 403 for p in ALL_PERSONAS}
_pages_staff = {
    p: 200 if p in {"director", "caregiver"} else 302 if p == "anonymous" else 403 for p in ALL_PERSONAS
}

API_CASES: dict[tuple[str, str], tuple[Any, Any]] = {
    # Public: the persona body {"username", "password"} lacks the fields: 422 for everybody.
    ("post", "/api/v1/complaints"): (lambda w: "/api/v1/complaints", _status(_all)),
    ("get", "/api/v1/complaints/track/{reference}"): (
        lambda w: f"/api/v1/complaints/track/{complaint(w).reference}",
        _tracked,
    ),
    ("get", "/api/v1/complaints"): (
        lambda w: (complaint(w), "/api/v1/complaints")[1],
        _count(XUANWU_GOV),
    ),
    ("get", "/api/v1/complaints/{complaint_id}"): (
        lambda w: f"/api/v1/complaints/{complaint(w).pk}",
        _status(_by([(XUANWU_GOV, 200)])),
    ),
    # The persona body has no action: 422 for every authenticated caller (validated before lookup).
    ("post", "/api/v1/complaints/{complaint_id}/transitions"): (
        lambda w: f"/api/v1/complaints/{complaint(w).pk}/transitions",
        _status(_by([], default=422)),
    ),
    # Forwarded to inst_xuanwu: its director sees it; nobody else has a staff list entry.
    ("get", "/api/v1/complaints/institution"): (
        lambda w: (complaint(w, forwarded=True), "/api/v1/complaints/institution")[1],
        _count({"director"}),
    ),
    ("post", "/api/v1/complaints/institution/{complaint_id}/respond"): (
        lambda w: f"/api/v1/complaints/institution/{complaint(w, forwarded=True).pk}/respond",
        _status(_by([], default=422)),
    ),
}

PAGE_CASES: dict[str, tuple[Any, Any]] = {
    "complaints:home": (lambda w: (complaint(w), reverse("complaints:home"))[1], _pages_gov),
    "complaints:detail": (
        lambda w: reverse("complaints:detail", args=[complaint(w).pk]),
        {
            p: 200 if p in XUANWU_GOV else 302 if p == "anonymous" else 403 if p not in GOV else 404
            for p in ALL_PERSONAS
        },
    ),
    "complaints:new": (
        lambda w: reverse("complaints:new", args=[w.institutions["inst_xuanwu"].pk]),
        dict.fromkeys(ALL_PERSONAS, 200),
    ),
    # Without a fresh receipt in the session the page sends you to the tracking page.
    "complaints:submitted": (lambda w: reverse("complaints:submitted"), dict.fromkeys(ALL_PERSONAS, 302)),
    "complaints:track": (
        lambda w: reverse("complaints:track") + f"?reference={complaint(w).reference}",
        dict.fromkeys(ALL_PERSONAS, 200),
    ),
    # Any signed-in user's own named complaints; the anonymous visitor is sent to sign in.
    "complaints:mine": (
        lambda w: reverse("complaints:mine"),
        {p: 302 if p == "anonymous" else 200 for p in ALL_PERSONAS},
    ),
    "complaints:inst_home": (
        lambda w: (complaint(w, forwarded=True), reverse("complaints:inst_home"))[1],
        _pages_staff,
    ),
    # Forwarded to inst_xuanwu: the director reads it; a caregiver (no `change`) and everyone else 404.
    "complaints:inst_detail": (
        lambda w: reverse("complaints:inst_detail", args=[complaint(w, forwarded=True).pk]),
        {
            p: 200 if p == "director" else 404 if p == "caregiver" else 302 if p == "anonymous" else 403
            for p in ALL_PERSONAS
        },
    ),
}
