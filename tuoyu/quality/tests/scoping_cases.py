"""Persona-suite cases of the quality app: each API operation and named page, status per persona."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tuoyu.core.tests.personas import ALL_PERSONAS, GOV, XUANWU_VIEWERS
from tuoyu.core.tests.personas import expect_status as _status

from .factories import assessment, ensure_form

STAFF = {"director", "caregiver"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


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


def _evidence(w: Any) -> str:
    from tuoyu.quality import services

    a = assessment(w)
    item = a.scores.select_related("item").first().item  # type: ignore[union-attr]
    upload = SimpleUploadedFile("fire.png", PNG, content_type="image/png")
    evidence = services.assessment_attach_evidence(
        actor=w.user("director"), assessment=a, item=item, upload=upload
    )
    return reverse("quality:evidence", args=[evidence.pk])


_all_422 = {p: 401 if p == "anonymous" else 422 for p in ALL_PERSONAS}
_authenticated_200 = {p: 401 if p == "anonymous" else 200 for p in ALL_PERSONAS}

API_CASES: dict[tuple[str, str], tuple[Any, Any]] = {
    ("get", "/api/v1/quality/form"): (
        lambda w: (ensure_form(), "/api/v1/quality/form")[1],
        _status(_authenticated_200),
    ),
    ("get", "/api/v1/quality/assessments"): (
        lambda w: (assessment(w), "/api/v1/quality/assessments")[1],
        _count(XUANWU_VIEWERS),
    ),
    # The persona body has no institution_id: 422 for every caller who is authenticated.
    ("post", "/api/v1/quality/assessments"): (lambda w: "/api/v1/quality/assessments", _status(_all_422)),
    ("get", "/api/v1/quality/assessments/{assessment_id}"): (
        lambda w: f"/api/v1/quality/assessments/{assessment(w).pk}",
        _status(_by([(XUANWU_VIEWERS, 200)])),
    ),
    # The persona body has no score: 422.
    ("put", "/api/v1/quality/assessments/{assessment_id}/scores/{item_id}"): (
        lambda w: (lambda a: f"/api/v1/quality/assessments/{a.pk}/scores/{a.scores.first().item_id}")(
            assessment(w)
        ),
        _status(_all_422),
    ),
    # The persona body has no action: 422.
    ("post", "/api/v1/quality/assessments/{assessment_id}/transitions"): (
        lambda w: f"/api/v1/quality/assessments/{assessment(w).pk}/transitions",
        _status(_all_422),
    ),
}

_staff_or_gov = _by([(GOV | STAFF, 200)], anonymous=302, default=403)

PAGE_CASES: dict[str, tuple[Any, dict[str, int]]] = {
    "quality:home": (lambda w: reverse("quality:home"), _by([(GOV, 200)], anonymous=302, default=403)),
    "quality:inst_home": (
        lambda w: reverse("quality:inst_home"),
        _by([(STAFF, 200)], anonymous=302, default=403),
    ),
    "quality:assessment": (
        lambda w: reverse("quality:assessment", args=[assessment(w).pk]),
        _by([(XUANWU_VIEWERS, 200), ({"other_county_official"}, 404)], anonymous=302, default=403),
    ),
    "quality:evidence": (_evidence, _by([(XUANWU_VIEWERS, 200)], anonymous=302, default=404)),
    "quality:forms": (lambda w: reverse("quality:forms"), _staff_or_gov),
    "quality:form": (lambda w: reverse("quality:form", args=[ensure_form().pk]), _staff_or_gov),
}
