"""Scoping cases for the public register's API and pages (merged into the persona suite).

Public means public: every persona, logged in or not, gets the same answer. A trust card exists
only for publicly listed institutions; anything else answers 404 to everyone, officials included.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from tuoyu.core.tests.personas import ALL_PERSONAS, World
from tuoyu.core.tests.personas import expect_status as _status
from tuoyu.institutions.choices import FilingStatus


def _all(status: int) -> dict[str, int]:
    return dict.fromkeys(ALL_PERSONAS, status)


def _public_list_check(persona: str, response: Any) -> None:
    # Only inst_xuanwu has a point; the world's three institutions are all filed and operating.
    assert response.status_code == 200, (persona, response.status_code)
    body = response.json()
    assert body["count"] == 1, persona
    assert body["items"][0]["name"] == "梅园托育中心"


def _pending_institution_url(world: World) -> str:
    institution = world.institutions["inst_wuxi"]
    type(institution).objects.filter(pk=institution.pk).update(filing_status=FilingStatus.PENDING)
    return reverse("portal:public_institution", args=[institution.pk])


API_CASES = {
    ("get", "/api/v1/public/institutions"): (
        lambda w: "/api/v1/public/institutions?near=32.05,118.80&radius_m=1000",
        _public_list_check,
    ),
    ("get", "/api/v1/public/institutions/points"): (
        lambda w: "/api/v1/public/institutions/points",
        _status(_all(200)),
    ),
}

PAGE_CASES = {
    # One entry per URL name: the not-filed case here, the filed card (200 for all) in test_public.py.
    "portal:public_institution": (_pending_institution_url, _all(404)),
}

# The government register tools keep their cases in their own module (another engineer's); the
# persona suite only imports `scoping_cases`, so they are merged here.

from . import scoping_cases_registry as _registry  # noqa: E402

API_CASES.update(_registry.API_CASES)
PAGE_CASES.update(_registry.PAGE_CASES)
