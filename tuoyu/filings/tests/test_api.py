"""The filing path through the API: draft institution, submit, receipt, confirm, reject, 409s."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from tuoyu.accounts.models import RoleAssignment
from tuoyu.accounts.services import token_issue
from tuoyu.core.tests.factories import make_uscc
from tuoyu.filings import api_institutions
from tuoyu.filings.api_institutions import InstitutionCreateIn, create_institution_draft
from tuoyu.institutions.models import Institution

from .conftest import ALL_DOCS
from .factories import PDF


def _auth(world, persona):
    return {"Authorization": f"Bearer {token_issue(user=world.user(persona))}"}


def _draft_body(uscc):
    return {
        "name": "玄武新托育园",
        "uscc": uscc,
        "type": "private_run",
        "ownership": "private",
        "legal_form": "enterprise",
        "township_code": "320102002000",
        "address": "长江路2号",
        "places": 60,
    }


def _create_draft_institution(world, persona, body):
    """Through HTTP once core mounts the router at /api/v1/institutions; until then, the handler."""
    from django.core.exceptions import ValidationError

    from tuoyu.core.api import api

    if "post" in api.get_openapi_schema()["paths"].get("/api/v1/institutions", {}):
        from django.test import Client

        response = Client().post(
            "/api/v1/institutions", body, content_type="application/json", headers=_auth(world, persona)
        )
        return response.status_code, response.json()
    request = RequestFactory().post("/api/v1/institutions")
    request.user = world.user(persona)
    try:
        institution = create_institution_draft(request, InstitutionCreateIn(**body)).value
    except ValidationError as exc:
        return 422, {"detail": [{"loc": ["body", f]} for f in exc.message_dict]}
    return 201, {"id": institution.pk, "filing_status": institution.filing_status}


def test_done_when_path(client, world, media):
    # A bad credit code is refused naming the field.
    status, body = _create_draft_institution(world, "director", _draft_body("91320102MA1XXXXXX0"))
    assert status == 422 and ["body", "uscc"] in [e["loc"] for e in body["detail"]]
    # A good one creates a draft, and its non-official creator becomes its director.
    status, body = _create_draft_institution(world, "director", _draft_body(make_uscc(7777)))
    assert status == 201 and body["filing_status"] == "not_filed"
    institution_id = body["id"]
    assert RoleAssignment.objects.filter(
        user=world.user("director"), institution_id=institution_id, role="director"
    ).exists()
    director = _auth(world, "director")
    official = _auth(world, "county_official")

    # Submitting without documents: 422 naming them, nothing kept.
    response = client.post(
        "/api/v1/filings",
        {"institution_id": institution_id, "commitment_accepted": True},
        content_type="application/json",
        headers=director,
    )
    assert response.status_code == 422
    assert any(e["loc"] == ["body", "documents"] for e in response.json()["detail"])

    response = client.post(
        "/api/v1/filings",
        {
            "institution_id": institution_id,
            "commitment_accepted": True,
            "submit": False,
            "form": {"places": 60, "serves_meals": False},
        },
        content_type="application/json",
        headers=director,
    )
    assert response.status_code == 201, response.content
    filing_id = response.json()["id"]
    assert {m["key"] for m in response.json()["missing"]} >= {"registration", "fire_safety"}
    for kind in ALL_DOCS:
        from django.core.files.uploadedfile import SimpleUploadedFile

        upload = SimpleUploadedFile(f"{kind}.pdf", PDF, content_type="application/pdf")
        response = client.post(
            f"/api/v1/filings/{filing_id}/documents", {"kind": kind, "file": upload}, headers=director
        )
        assert response.status_code == 201, response.content
    response = client.post(
        f"/api/v1/filings/{filing_id}/submit", {}, content_type="application/json", headers=director
    )
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    assert response.json()["receipt_due"] is not None

    response = client.post(
        f"/api/v1/filings/{filing_id}/receipt", {}, content_type="application/json", headers=official
    )
    assert response.status_code == 200 and response.json()["verification_due"] is not None
    response = client.post(
        f"/api/v1/filings/{filing_id}/confirm",
        {"reason": "核实无误"},
        content_type="application/json",
        headers=official,
    )
    assert response.status_code == 200 and response.json()["status"] == "confirmed"
    assert Institution.objects.get(pk=institution_id).filing_status == "filed"

    # Rejecting a confirmed filing: 409 with the reason.
    response = client.post(
        f"/api/v1/filings/{filing_id}/reject",
        {"reason": "late"},
        content_type="application/json",
        headers=official,
    )
    assert response.status_code == 409
    assert response.json()["detail"]  # says why: a confirmed filing cannot become non-compliant

    # A second filing (a change) is rejected: the notice is published.
    response = client.post(
        "/api/v1/filings",
        {"institution_id": institution_id, "kind": "change", "commitment_accepted": True, "submit": False},
        content_type="application/json",
        headers=director,
    )
    second = response.json()["id"]
    for kind in ALL_DOCS:
        from django.core.files.uploadedfile import SimpleUploadedFile

        client.post(
            f"/api/v1/filings/{second}/documents",
            {"kind": kind, "file": SimpleUploadedFile("a.pdf", PDF)},
            headers=director,
        )
    assert (
        client.post(
            f"/api/v1/filings/{second}/submit", {}, content_type="application/json", headers=director
        ).status_code
        == 200
    )
    client.post(f"/api/v1/filings/{second}/receipt", {}, content_type="application/json", headers=official)
    response = client.post(
        f"/api/v1/filings/{second}/reject",
        {"reason": "场地与备案不符"},
        content_type="application/json",
        headers=official,
    )
    assert response.status_code == 200 and response.json()["notice_published_at"] is not None
    assert Institution.objects.get(pk=institution_id).filing_status == "noncompliant"

    body = client.get(f"/api/v1/filings/{second}", headers=director).json()
    assert [t["to_status"] for t in body["transitions"]] == ["submitted", "received", "rejected"]
    assert body["transitions"][-1]["reason"] == "场地与备案不符"


def test_upload_of_a_disguised_file_answers_422(client, world, unfiled):
    from django.core.files.uploadedfile import SimpleUploadedFile

    director = _auth(world, "director")
    filing_id = client.post(
        "/api/v1/filings",
        {"institution_id": unfiled.pk, "submit": False},
        content_type="application/json",
        headers=director,
    ).json()["id"]
    fake = SimpleUploadedFile("x.pdf", b"<html><script>alert(1)</script>", content_type="application/pdf")
    response = client.post(
        f"/api/v1/filings/{filing_id}/documents", {"kind": "site_proof", "file": fake}, headers=director
    )
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", "file"]


def test_list_filters_overdue(client, world):
    from .factories import days_ago, make_filing

    late = make_filing(world.institutions["inst_xuanwu"], receipt_due=days_ago(2))
    make_filing(world.institutions["inst_jiangning"])
    body = client.get("/api/v1/filings?overdue=true", headers=_auth(world, "province_official")).json()
    assert [i["id"] for i in body["items"]] == [late.pk] and body["items"][0]["overdue"] is True
    assert (
        client.get("/api/v1/filings?overdue=false", headers=_auth(world, "province_official")).json()["count"]
        == 1
    )


def test_post_without_credentials_answers_401(client, world):
    assert client.post("/api/v1/filings", {}, content_type="application/json").status_code == 401


def test_parent_cannot_create_institutions(world):
    assert not api_institutions.may_create_in(world.user("parent"), "320102002000")
    assert not api_institutions.may_create_in(world.user("other_county_official"), "320102002000")
    assert api_institutions.may_create_in(world.user("county_official"), "320102002000")


@pytest.mark.parametrize("persona", ["caregiver", "city_official"])
def test_visible_but_not_allowed_answers_403(client, world, persona):
    from .factories import make_filing

    filing = make_filing(world.institutions["inst_xuanwu"])
    response = client.post(
        f"/api/v1/filings/{filing.pk}/receipt",
        {},
        content_type="application/json",
        headers=_auth(world, persona),
    )
    assert response.status_code == 403
