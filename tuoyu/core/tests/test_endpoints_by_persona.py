"""Every API endpoint and every page, tried as every persona.

The tables below must name every path of the OpenAPI schema and every named page URL: a new
endpoint or page without an entry here fails `test_every_*_is_covered`, so scoping is never forgotten.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tuoyu.accounts.services import token_issue
from tuoyu.core.api import api

from .personas import ALL_PERSONAS, GOV, XUANWU_VIEWERS, World

# (method, OpenAPI path) → (make the concrete URL from the world, expected status per persona or a checker)
Expect = Callable[[str, Any], None]


def _status(expected: dict[str, int]) -> Callable[[str, Any], None]:
    def check(persona: str, response: Any) -> None:
        assert response.status_code == expected[persona], (
            persona,
            response.status_code,
            response.content[:300],
        )

    return check


def _all(status: int) -> dict[str, int]:
    return dict.fromkeys(ALL_PERSONAS, status)


def _institution_list_check(persona: str, response: Any) -> None:
    expected_counts = {
        "province_official": 3,
        "city_official": 2,
        "county_official": 1,
        "other_county_official": 1,
        "director": 1,
        "caregiver": 1,
        "parent": 0,
        "national_observer": 3,
        "outsider": 0,
    }
    if persona == "anonymous":
        assert response.status_code == 401
        return
    assert response.status_code == 200
    assert response.json()["count"] == expected_counts[persona], persona


API_CASES: dict[tuple[str, str], tuple[Callable[[World], str], Expect]] = {
    ("post", "/api/v1/auth/token"): (lambda w: "/api/v1/auth/token", _status(_all(401))),
    ("get", "/api/v1/regions/boundaries"): (lambda w: "/api/v1/regions/boundaries", _status(_all(200))),
    ("get", "/api/v1/regions/{code}"): (lambda w: "/api/v1/regions/320102000000", _status(_all(200))),
    ("get", "/api/v1/regions/{code}/children"): (
        lambda w: "/api/v1/regions/320100000000/children",
        _status(_all(200)),
    ),
    ("get", "/api/v1/institutions"): (lambda w: "/api/v1/institutions", _institution_list_check),
    ("get", "/api/v1/institutions/{institution_id}"): (
        lambda w: f"/api/v1/institutions/{w.institutions['inst_xuanwu'].pk}",
        _status({p: 200 if p in XUANWU_VIEWERS else 401 if p == "anonymous" else 404 for p in ALL_PERSONAS}),
    ),
    # The persona body {"username", "password"} changes nothing: this checks who may change at all.
    ("patch", "/api/v1/institutions/{institution_id}"): (
        lambda w: f"/api/v1/institutions/{w.institutions['inst_xuanwu'].pk}",
        _status(
            {
                p: 200
                if p == "director"
                else 403
                if p in XUANWU_VIEWERS
                else 401
                if p == "anonymous"
                else 404
                for p in ALL_PERSONAS
            }
        ),
    ),
    # The persona body lacks the required fields: 422 for every caller who is authenticated.
    **{
        ("post", f"/api/v1/institutions/{{institution_id}}/{part}"): (
            lambda w, part=part: f"/api/v1/institutions/{w.institutions['inst_xuanwu'].pk}/{part}",
            _status({p: 401 if p == "anonymous" else 422 for p in ALL_PERSONAS}),
        )
        for part in ("classes", "fees", "insurance", "designations")
    },
}


def _photo_of_unlisted(world: World) -> str:
    """A photo of 玄武区's institution while it is not publicly listed: only its viewers may see it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tuoyu.institutions.models import Institution
    from tuoyu.institutions.services import institution_photo_add

    institution = world.institutions["inst_xuanwu"]
    Institution.objects.filter(pk=institution.pk).update(filing_status="pending")
    upload = SimpleUploadedFile("p.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64, content_type="image/png")
    return reverse(
        "portal:photo", args=[institution_photo_add(actor=None, institution=institution, upload=upload).pk]
    )


_gov_only = {p: 200 if p in GOV else 302 if p == "anonymous" else 403 for p in ALL_PERSONAS}
_xuanwu_gov = {
    p: (200 if p in GOV - {"other_county_official"} else 404)
    if p in GOV
    else 302
    if p == "anonymous"
    else 403
    for p in ALL_PERSONAS
}

PAGE_CASES: dict[str, tuple[Callable[[World], str], dict[str, int]]] = {
    "portal:home": (lambda w: reverse("portal:home"), _all(200)),
    "portal:gov_home": (lambda w: reverse("portal:gov_home"), {**_gov_only, **dict.fromkeys(GOV, 302)}),
    "portal:gov_region": (lambda w: reverse("portal:gov_region", args=["320102000000"]), _xuanwu_gov),
    "portal:gov_institutions": (
        lambda w: reverse("portal:gov_institutions", args=["320102000000"]),
        _xuanwu_gov,
    ),
    "portal:gov_institution": (
        lambda w: reverse("portal:gov_institution", args=[w.institutions["inst_xuanwu"].pk]),
        _xuanwu_gov,
    ),
    "portal:inst_home": (
        lambda w: reverse("portal:inst_home"),
        {
            p: 200 if p in {"director", "caregiver"} else 302 if p == "anonymous" else 403
            for p in ALL_PERSONAS
        },
    ),
    "portal:inst_record": (
        lambda w: reverse("portal:inst_record", args=[w.institutions["inst_xuanwu"].pk]),
        {
            p: 200 if p in {"director", "caregiver"} else 302 if p == "anonymous" else 403
            for p in ALL_PERSONAS
        },
    ),
    "portal:inst_new": (
        lambda w: reverse("portal:inst_new"),
        {p: 200 if p == "director" else 302 if p == "anonymous" else 403 for p in ALL_PERSONAS},
    ),
    "portal:photo": (_photo_of_unlisted, {p: 200 if p in XUANWU_VIEWERS else 404 for p in ALL_PERSONAS}),
    "portal:parent_home": (
        lambda w: reverse("portal:parent_home"),
        {p: 200 if p == "parent" else 302 if p == "anonymous" else 403 for p in ALL_PERSONAS},
    ),
    "portal:public_register": (lambda w: reverse("portal:public_register"), _all(200)),
    "portal:public_map": (lambda w: reverse("portal:public_map"), _all(200)),
    "accounts:login": (
        lambda w: reverse("accounts:login"),
        {p: 200 if p == "anonymous" else 302 for p in ALL_PERSONAS},
    ),
    "accounts:password_change": (
        lambda w: reverse("accounts:password_change"),
        {p: 302 if p == "anonymous" else 200 for p in ALL_PERSONAS},
    ),
    "accounts:password_change_done": (
        lambda w: reverse("accounts:password_change_done"),
        {p: 302 if p == "anonymous" else 200 for p in ALL_PERSONAS},
    ),
    # Everybody logged in reads their own notifications (officials, staff, parents alike).
    "accounts:notifications": (
        lambda w: reverse("accounts:notifications"),
        {p: 302 if p == "anonymous" else 200 for p in ALL_PERSONAS},
    ),
    "accounts:audit_log": (
        lambda w: reverse("accounts:audit_log"),
        {
            p: 200
            if p in {"province_official", "county_official", "other_county_official"}
            else 302
            if p == "anonymous"
            else 403
            for p in ALL_PERSONAS
        },
    ),
}
# Pages that are not per-persona views: logout is POST-only, admin and i18n are Django's own.
PAGES_NOT_SCOPED = {"accounts:logout", "set_language"}


def _merge_app_cases() -> None:
    """Each app may keep its own cases in tests/scoping_cases.py (API_CASES, PAGE_CASES dicts)."""
    import importlib

    from django.apps import apps

    for config in apps.get_app_configs():
        if not config.name.startswith("tuoyu."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.tests.scoping_cases")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.tests.scoping_cases":
                raise
            continue
        API_CASES.update(getattr(module, "API_CASES", {}))
        PAGE_CASES.update(getattr(module, "PAGE_CASES", {}))


_merge_app_cases()


def _named_urls(resolver: URLResolver | None = None, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or ""
            if ns in {"admin", "api"}:
                continue
            names |= _named_urls(pattern, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_api_endpoint_is_covered():
    schema = api.get_openapi_schema()
    operations = {(method, path) for path, ops in schema["paths"].items() for method in ops}
    assert operations == set(API_CASES), "add each new endpoint to API_CASES with its expected scoping"


def test_every_page_is_covered():
    assert _named_urls() - PAGES_NOT_SCOPED == set(PAGE_CASES), "add each new page to PAGE_CASES"


def _client(world: World, persona: str, bearer: bool) -> Client:
    user = world.user(persona)
    if user is None:
        return Client()
    if bearer:
        return Client(headers={"Authorization": f"Bearer {token_issue(user=user)}"})
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("persona", ALL_PERSONAS)
@pytest.mark.parametrize("operation", sorted(API_CASES), ids=lambda op: f"{op[0]} {op[1]}")
def test_api_endpoint_as_persona(world, persona, operation):
    make_url, check = API_CASES[operation]
    client = _client(world, persona, bearer=True)
    method, _path = operation
    if method in {"put", "patch", "delete"}:
        response = client.generic(
            method.upper(), make_url(world), '{"username": "nobody", "password": "wrong"}', "application/json"
        )
    elif method == "post":
        response = client.post(
            make_url(world), {"username": "nobody", "password": "wrong"}, content_type="application/json"
        )
    else:
        response = client.get(make_url(world))
    check(persona, response)


@pytest.mark.parametrize("persona", ALL_PERSONAS)
@pytest.mark.parametrize("name", sorted(PAGE_CASES))
def test_page_as_persona(world, persona, name):
    make_url, expected = PAGE_CASES[name]
    response = _client(world, persona, bearer=False).get(make_url(world))
    assert response.status_code == expected[persona], (name, persona, response.status_code)
