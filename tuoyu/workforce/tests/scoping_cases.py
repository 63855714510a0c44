"""Every workforce endpoint and page, as every persona (merged into core's persona suite)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from tuoyu.core.tests.personas import ALL_PERSONAS, XUANWU_VIEWERS
from tuoyu.core.tests.personas import expect_status as _status

from .factories import assign, employ


def _staff_url(world: Any) -> str:
    employ(world.institutions["inst_xuanwu"])
    return f"/api/v1/staff?institution={world.institutions['inst_xuanwu'].pk}"


_visible = {p: 200 if p in XUANWU_VIEWERS else 401 if p == "anonymous" else 404 for p in ALL_PERSONAS}

# The persona body {"username", "password"} lacks the required fields: 422 for every caller.
_bad_body = {p: 401 if p == "anonymous" else 422 for p in ALL_PERSONAS}
# Changes by the director only: other viewers of 玄武区 403, the rest 404.
_director_changes = {
    p: 200 if p == "director" else 403 if p in XUANWU_VIEWERS else 401 if p == "anonymous" else 404
    for p in ALL_PERSONAS
}


def _person_url(world: Any, suffix: str = "") -> str:
    return f"/api/v1/staff/people/{employ(world.institutions['inst_xuanwu']).person_id}{suffix}"


def _assignment_end_url(world: Any) -> str:
    # Every body field is optional (end_on defaults to today): this checks who may end one at all.
    return f"/api/v1/staff/assignments/{assign(world.institutions['inst_xuanwu']).pk}/end"


API_CASES: dict[tuple[str, str], tuple[Any, Any]] = {
    ("get", "/api/v1/staff"): (_staff_url, _status(_visible)),
    ("post", "/api/v1/staff"): (lambda w: "/api/v1/staff", _status(_bad_body)),
    ("get", "/api/v1/staff/people/{person_id}"): (_person_url, _status(_visible)),
    ("post", "/api/v1/staff/people/{person_id}/qualifications"): (
        lambda w: _person_url(w, "/qualifications"),
        _status(_bad_body),
    ),
    ("post", "/api/v1/staff/people/{person_id}/checks"): (
        lambda w: _person_url(w, "/checks"),
        _status(_bad_body),
    ),
    ("post", "/api/v1/staff/{employment_id}/end"): (
        lambda w: f"/api/v1/staff/{employ(w.institutions['inst_xuanwu']).pk}/end",
        _status(_bad_body),
    ),
    ("get", "/api/v1/staff/ratios"): (
        lambda w: (
            f"/api/v1/staff/ratios?institution={assign(w.institutions['inst_xuanwu']).employment.institution_id}"
        ),
        _status(_visible),
    ),
    ("post", "/api/v1/staff/assignments"): (lambda w: "/api/v1/staff/assignments", _status(_bad_body)),
    ("post", "/api/v1/staff/assignments/{assignment_id}/end"): (
        _assignment_end_url,
        _status(_director_changes),
    ),
}

# Staff pages: officials and staff; parents and outsiders 403; out of scope 404.
_staff_page = {
    p: 200
    if p in XUANWU_VIEWERS
    else 302
    if p == "anonymous"
    else 403
    if p in {"parent", "outsider"}
    else 404
    for p in ALL_PERSONAS
}
# The ban list: officials with "review" or "manage" (the admin personas); viewers and observers 403.
_ban_page = {
    p: 200
    if p in {"province_official", "county_official", "other_county_official"}
    else 302
    if p == "anonymous"
    else 403
    for p in ALL_PERSONAS
}

PAGE_CASES: dict[str, tuple[Any, dict[str, int]]] = {
    "workforce:staff": (
        lambda w: reverse("workforce:staff", args=[w.institutions["inst_xuanwu"].pk]),
        _staff_page,
    ),
    "workforce:person": (
        lambda w: reverse("workforce:person", args=[employ(w.institutions["inst_xuanwu"]).person_id]),
        _staff_page,
    ),
    "workforce:bans": (lambda w: reverse("workforce:bans"), _ban_page),
}

# The statistics pages and endpoints keep their cases beside them.

from .scoping_cases_statistics import API_CASES as _STATISTICS_API  # noqa: E402
from .scoping_cases_statistics import PAGE_CASES as _STATISTICS_PAGES  # noqa: E402

API_CASES.update(_STATISTICS_API)
PAGE_CASES.update(_STATISTICS_PAGES)
