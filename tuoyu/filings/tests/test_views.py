"""Filing pages: the queue shows overdue filings; scope holds on detail and downloads."""

from __future__ import annotations

from django.urls import reverse

from tuoyu.core.models import AuditLog
from tuoyu.filings import services
from tuoyu.filings.models import Filing

from .conftest import complete_draft
from .factories import days_ago, make_filing, pdf


def _login(client, world, persona):
    client.force_login(world.user(persona))
    return client


def test_queue_shows_overdue(client, world):
    make_filing(world.institutions["inst_xuanwu"], receipt_due=days_ago(2))
    html = _login(client, world, "county_official").get(reverse("filings:queue")).content.decode()
    assert "梅园托育中心" in html and 'data-testid="overdue-count"' in html


def test_queue_of_other_county_does_not_list_it(client, world):
    make_filing(world.institutions["inst_xuanwu"], receipt_due=days_ago(2))
    html = _login(client, world, "other_county_official").get(reverse("filings:queue")).content.decode()
    assert "梅园托育中心" not in html


def test_director_cannot_see_another_institutions_filing(client, world):
    other = make_filing(world.institutions["inst_jiangning"])
    assert (
        _login(client, world, "director").get(reverse("filings:detail", args=[other.pk])).status_code == 404
    )


def test_official_issues_receipt_from_the_queue(client, world):
    filing = make_filing(world.institutions["inst_xuanwu"])
    response = _login(client, world, "county_official").post(
        reverse("filings:detail", args=[filing.pk]), {"action": "receipt", "next": "queue"}
    )
    assert response.status_code == 302 and response.url == reverse("filings:queue")
    filing.refresh_from_db()
    assert filing.status == "received"


def test_reject_without_reason_is_refused_with_a_message(client, world):
    filing = make_filing(world.institutions["inst_xuanwu"], status="received")
    c = _login(client, world, "county_official")
    c.post(reverse("filings:detail", args=[filing.pk]), {"action": "reject", "reason": ""})
    filing.refresh_from_db()
    assert filing.status == "received"


def test_director_starts_uploads_and_submits(client, world, unfiled):
    c = _login(client, world, "director")
    response = c.post(
        reverse("filings:start"),
        {
            "institution": unfiled.pk,
            "kind": "initial",
            "legal_representative": "张三",
            "service_modes": ["full_day"],
            "opening_hours": "7:30-17:30",
            "places": 60,
            "commitment_accepted": "on",
        },
    )
    filing = Filing.objects.get()
    assert response.status_code == 302 and filing.commitment_accepted_at is not None
    page = c.get(reverse("filings:detail", args=[filing.pk])).content.decode()
    assert 'data-testid="missing"' in page
    for kind in [
        "business_licence",
        "site_proof",
        "staff_qualifications",
        "staff_health",
        "health_evaluation",
        "fire_safety",
    ]:
        c.post(reverse("filings:detail", args=[filing.pk]), {"action": "upload", "kind": kind, "file": pdf()})
    c.post(reverse("filings:detail", args=[filing.pk]), {"action": "submit"})
    filing.refresh_from_db()
    assert filing.status == "submitted"


def test_download_is_scoped_and_logged(client, world, unfiled):
    filing = complete_draft(world, unfiled)
    document = filing.documents.first()
    url = reverse("filings:document", args=[document.pk])
    response = _login(client, world, "county_official").get(url)
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert AuditLog.objects.filter(action="view", object_id=str(document.pk)).exists()
    client.logout()
    assert _login(client, world, "other_county_official").get(url).status_code == 404


def test_caregiver_cannot_act(client, world, unfiled):
    filing = services.filing_submit(actor=world.user("director"), filing=complete_draft(world, unfiled))
    response = _login(client, world, "caregiver").post(
        reverse("filings:detail", args=[filing.pk]), {"action": "receipt"}
    )
    assert response.status_code == 403


def test_filing_page_shows_the_form_with_labels_not_keys(client, world):
    from tuoyu.filings.tests.factories import make_filing

    filing = make_filing(world.institutions["inst_xuanwu"])
    filing.form = {"legal_representative": "张三", "service_modes": ["full_day"], "serves_meals": True}
    filing.save(update_fields=["form"])
    client.force_login(world.user("county_official"))
    body = client.get(f"/filings/{filing.pk}/").content.decode()
    assert "legal_representative" not in body and "张三" in body and "全日托" in body
