"""Every filing endpoint and page, as every persona (merged into core's persona suite)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.urls import reverse

from tuoyu.core.tests.personas import ALL_PERSONAS, GOV, XUANWU_VIEWERS
from tuoyu.core.tests.personas import expect_status as _status
from tuoyu.filings.choices import FilingStatus

from .factories import make_filing

XUANWU_REVIEWERS = {"province_official", "county_official"}


def _filing(world: Any, status: str = FilingStatus.SUBMITTED) -> int:
    return make_filing(world.institutions["inst_xuanwu"], status).pk


def _scoped(in_scope_status: dict[str, int], visible_status: int = 403) -> dict[str, int]:
    """Personas listed get their status; others who can see the filing get 403; the rest 404."""
    result = {}
    for p in ALL_PERSONAS:
        if p == "anonymous":
            result[p] = 401
        elif p in in_scope_status:
            result[p] = in_scope_status[p]
        elif p in XUANWU_VIEWERS:
            result[p] = visible_status
        else:
            result[p] = 404
    return result


def _list_check(persona: str, response: Any) -> None:
    if persona == "anonymous":
        assert response.status_code == 401
        return
    assert response.status_code == 200, response.content[:300]
    assert response.json()["count"] == (1 if persona in XUANWU_VIEWERS else 0), persona


def _list_url(world: Any) -> str:
    _filing(world)
    return "/api/v1/filings"


_authenticated_422 = {p: 401 if p == "anonymous" else 422 for p in ALL_PERSONAS}

API_CASES: dict[tuple[str, str], tuple[Any, Any]] = {
    # The persona suite posts {"username", "password"}: no institution_id → 422 for every caller.
    ("post", "/api/v1/filings"): (lambda w: "/api/v1/filings", _status(_authenticated_422)),
    ("get", "/api/v1/filings"): (_list_url, _list_check),
    ("get", "/api/v1/filings/{filing_id}"): (
        lambda w: f"/api/v1/filings/{_filing(w)}",
        _status(_scoped(dict.fromkeys(XUANWU_VIEWERS, 200))),
    ),
    # Posted as JSON, so the multipart `file` is missing: 422 for every caller.
    ("post", "/api/v1/filings/{filing_id}/documents"): (
        lambda w: f"/api/v1/filings/{_filing(w, FilingStatus.DRAFT)}/documents",
        _status(_authenticated_422),
    ),
    # A draft without documents: the director may submit it but gets 422 naming what is missing.
    ("post", "/api/v1/filings/{filing_id}/submit"): (
        lambda w: f"/api/v1/filings/{_filing(w, FilingStatus.DRAFT)}/submit",
        _status(_scoped({"director": 422})),
    ),
    ("post", "/api/v1/filings/{filing_id}/receipt"): (
        lambda w: f"/api/v1/filings/{_filing(w)}/receipt",
        _status(_scoped(dict.fromkeys(XUANWU_REVIEWERS, 200))),
    ),
    ("post", "/api/v1/filings/{filing_id}/confirm"): (
        lambda w: f"/api/v1/filings/{_filing(w, FilingStatus.RECEIVED)}/confirm",
        _status(_scoped(dict.fromkeys(XUANWU_REVIEWERS, 200))),
    ),
    # No reason given: reviewers get 422 (reason required), others are refused first.
    ("post", "/api/v1/filings/{filing_id}/reject"): (
        lambda w: f"/api/v1/filings/{_filing(w, FilingStatus.RECEIVED)}/reject",
        _status(_scoped(dict.fromkeys(XUANWU_REVIEWERS, 422))),
    ),
    ("post", "/api/v1/filings/{filing_id}/withdraw"): (
        lambda w: f"/api/v1/filings/{_filing(w)}/withdraw",
        _status(_scoped({"director": 200})),
    ),
}


def _institution_create_expected() -> dict[str, int]:
    # Body lacks the required fields: 422 for every authenticated caller (validation precedes the check).
    return _authenticated_422


def _mounted_institution_create() -> None:
    """The draft-institution router is mounted by core/api.py; cover it once it is."""
    import config.urls  # noqa: F401  (registers the routers)
    from tuoyu.core.api import api

    if "post" in api.get_openapi_schema()["paths"].get("/api/v1/institutions", {}):
        API_CASES[("post", "/api/v1/institutions")] = (
            lambda w: "/api/v1/institutions",
            _status(_institution_create_expected()),
        )


_mounted_institution_create()


def _page(in_scope: set[str], others: int) -> dict[str, int]:
    return {p: 200 if p in in_scope else 302 if p == "anonymous" else others for p in ALL_PERSONAS}


def _document_url(world: Any) -> str:
    from tuoyu.filings.models import FilingDocument
    from tuoyu.filings.storage import filing_storage

    from .factories import PDF

    # One fixed small file (overwritten, not accumulated): the persona suite has no MEDIA_ROOT override.
    name = "persona-suite/scan.pdf"
    path = Path(filing_storage.path(name))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(PDF)
    document = FilingDocument.objects.create(
        filing=make_filing(world.institutions["inst_xuanwu"]),
        kind="site_proof",
        file=name,
        original_name="场地证明.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256="0" * 64,
    )
    return reverse("filings:document", args=[document.pk])


PAGE_CASES: dict[str, tuple[Any, dict[str, int]]] = {
    "filings:queue": (lambda w: reverse("filings:queue"), _page(GOV, 403)),
    "filings:start": (lambda w: reverse("filings:start"), _page({"director"}, 403)),
    "filings:detail": (lambda w: reverse("filings:detail", args=[_filing(w)]), _page(XUANWU_VIEWERS, 404)),
    "filings:document": (_document_url, _page(XUANWU_VIEWERS, 404)),
}
