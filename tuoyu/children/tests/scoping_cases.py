"""Persona-suite cases of the children app: each API operation and named page, status per persona."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from tuoyu.core.tests.personas import ALL_PERSONAS, XUANWU_VIEWERS
from tuoyu.core.tests.personas import expect_status as _status

# Who sees 玄武区's own_child: its institution's staff, officials over 玄武区, and its guardian.
CHILD_VIEWERS = XUANWU_VIEWERS | {"parent"}


def _by(allowed: dict[str, int], seen_by: set[str] = CHILD_VIEWERS, seen: int = 403) -> dict[str, int]:
    """`allowed` statuses; others who see the record get `seen`; anonymous 401; the rest 404."""
    return {
        p: allowed.get(p, seen if p in seen_by else 401 if p == "anonymous" else 404) for p in ALL_PERSONAS
    }


_422 = {p: 401 if p == "anonymous" else 422 for p in ALL_PERSONAS}


def _count(expected: dict[str, int]) -> Any:
    def check(persona: str, response: Any) -> None:
        if persona == "anonymous":
            assert response.status_code == 401
            return
        assert response.status_code == 200, (persona, response.content[:300])
        assert response.json()["count"] == expected[persona], persona

    return check


def _child_url(world: Any, tail: str = "") -> str:
    return f"/api/v1/children/{world.children['own_child'].pk}{tail}"


def _pickup_url(world: Any) -> str:
    from tuoyu.children.models import PickupPerson

    child = world.children["own_child"]
    person = PickupPerson.objects.create(
        child=child, name="张奶奶", relation="grandparent", phone="13500000000"
    )
    return f"/api/v1/children/{child.pk}/pickup-people/{person.pk}/deactivate"


def _application(world: Any) -> Any:
    from .factories import applicant_child, apply

    parent = world.user("parent")
    return apply(applicant_child(parent), world.institutions["inst_xuanwu"], parent)


def _application_url(world: Any, tail: str = "") -> str:
    return f"/api/v1/applications/{_application(world).pk}{tail}"


def _applications_list(world: Any) -> str:
    _application(world)
    return "/api/v1/applications"


API_CASES: dict[tuple[str, str], tuple[Any, Any]] = {
    ("get", "/api/v1/children"): (
        lambda w: "/api/v1/children",
        _count(
            {
                "province_official": 3,
                "city_official": 3,
                "county_official": 2,
                "other_county_official": 1,
                "director": 2,
                "caregiver": 2,
                "parent": 1,
                "national_observer": 3,
                "outsider": 0,
            }
        ),
    ),
    ("get", "/api/v1/children/{child_id}"): (_child_url, _status(_by(dict.fromkeys(CHILD_VIEWERS, 200)))),
    # The persona body changes nothing; the child's director and parent may change, other viewers 403.
    ("patch", "/api/v1/children/{child_id}"): (_child_url, _status(_by({"director": 200, "parent": 200}))),
    # Bodies lacking required fields: 422 for every authenticated caller (validated before scope).
    ("post", "/api/v1/children/{child_id}/guardians"): (lambda w: _child_url(w, "/guardians"), _status(_422)),
    ("post", "/api/v1/children/{child_id}/guardians/{position}/link-account"): (
        lambda w: _child_url(w, "/guardians/1/link-account"),
        _status(_422),
    ),
    ("post", "/api/v1/children/{child_id}/pickup-people"): (
        lambda w: _child_url(w, "/pickup-people"),
        _status(_422),
    ),
    ("post", "/api/v1/children/{child_id}/pickup-people/{person_id}/deactivate"): (
        _pickup_url,
        _status(_by({"director": 200, "parent": 200})),
    ),
    ("post", "/api/v1/children/{child_id}/entry-checks"): (
        lambda w: _child_url(w, "/entry-checks"),
        _status(_422),
    ),
    ("post", "/api/v1/children/{child_id}/leave"): (lambda w: _child_url(w, "/leave"), _status(_422)),
    ("post", "/api/v1/children/{child_id}/change-class"): (
        lambda w: _child_url(w, "/change-class"),
        _status(_422),
    ),
    ("get", "/api/v1/applications"): (
        _applications_list,
        _count(
            {
                "province_official": 1,
                "city_official": 1,
                "county_official": 1,
                "other_county_official": 0,
                "director": 1,
                "caregiver": 1,
                "parent": 1,
                "national_observer": 1,
                "outsider": 0,
            }
        ),
    ),
    ("post", "/api/v1/applications"): (lambda w: "/api/v1/applications", _status(_422)),
    ("get", "/api/v1/applications/{application_id}"): (
        _application_url,
        _status(_by(dict.fromkeys(CHILD_VIEWERS, 200))),
    ),
    ("post", "/api/v1/applications/{application_id}/accept"): (
        lambda w: _application_url(w, "/accept"),
        _status(_422),
    ),
    # The reason is optional: the director waitlists; the applicant withdraws; other viewers 403.
    ("post", "/api/v1/applications/{application_id}/waitlist"): (
        lambda w: _application_url(w, "/waitlist"),
        _status(_by({"director": 200})),
    ),
    ("post", "/api/v1/applications/{application_id}/decline"): (
        lambda w: _application_url(w, "/decline"),
        _status(_422),
    ),
    ("post", "/api/v1/applications/{application_id}/withdraw"): (
        lambda w: _application_url(w, "/withdraw"),
        _status(_by({"parent": 200})),
    ),
}

_staff = {
    p: 200 if p in {"director", "caregiver"} else 302 if p == "anonymous" else 403 for p in ALL_PERSONAS
}
_parents = {p: 200 if p == "parent" else 302 if p == "anonymous" else 403 for p in ALL_PERSONAS}
_child_page = {p: 200 if p in CHILD_VIEWERS else 302 if p == "anonymous" else 404 for p in ALL_PERSONAS}

PAGE_CASES: dict[str, Any] = {
    "children:home": (lambda w: reverse("children:home"), _staff),
    "children:child": (lambda w: reverse("children:child", args=[w.children["own_child"].pk]), _child_page),
    "children:applications": (lambda w: reverse("children:applications"), _staff),
    "children:checks": (lambda w: reverse("children:checks"), _staff),
    "children:apply": (
        lambda w: reverse("children:apply", args=[w.institutions["inst_xuanwu"].pk]),
        _parents,
    ),
    "children:my_applications": (lambda w: reverse("children:my_applications"), _parents),
}
