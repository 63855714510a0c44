"""Each filing transition: allowed, refused (409), deadlines, missing documents, upload checks."""

from __future__ import annotations

from datetime import UTC, date, datetime
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tuoyu.core.api import Conflict
from tuoyu.core.models import AuditLog
from tuoyu.filings import rules, services
from tuoyu.filings.models import Filing, FilingDocument
from tuoyu.filings.selectors import filing_queue
from tuoyu.filings.services import TransitionNotAllowed

from .conftest import complete_draft
from .factories import PDF, PNG, days_ago, make_filing, pdf

pytestmark = pytest.mark.usefixtures("english")  # tests match English messages


def _submitted(world, unfiled):
    return services.filing_submit(actor=world.user("director"), filing=complete_draft(world, unfiled))


def test_submit_sets_receipt_due_and_institution_pending(world, unfiled):
    filing = _submitted(world, unfiled)
    assert filing.status == "submitted"
    assert filing.receipt_due is not None and filing.receipt_due > filing.submitted_at.date()
    unfiled.refresh_from_db()
    assert unfiled.filing_status == "pending"
    step = filing.transitions.get()
    assert (step.from_status, step.to_status, step.actor) == ("draft", "submitted", world.user("director"))
    assert AuditLog.objects.filter(action="filing.submit", object_id=str(filing.pk)).exists()


def test_receipt_due_counts_working_days_across_national_day(world, unfiled):
    with mock.patch("tuoyu.filings.services.timezone.localdate", return_value=date(2026, 9, 30)):
        filing = _submitted(world, unfiled)
    assert filing.receipt_due == date(2026, 10, 13)


def test_submit_lists_missing_documents_and_commitment(world, unfiled):
    director = world.user("director")
    filing = services.filing_create_draft(actor=director, institution=unfiled, form={"serves_meals": True})
    services.filing_attach_document(actor=director, filing=filing, kind="site_proof", upload=pdf())
    with pytest.raises(ValidationError) as caught:
        services.filing_submit(actor=director, filing=filing)
    errors = caught.value.message_dict
    assert "commitment_accepted" in errors
    missing = errors["documents"][0]
    assert "Business licence" in missing or "营业执照" in missing
    assert ("Food business licence" in missing) or ("食品经营许可证" in missing)
    assert Filing.objects.get(pk=filing.pk).status == "draft"


def test_checklist_follows_legal_form_and_meals(world, unfiled):
    keys = lambda inst, form=None: {r.kinds for r in rules.required_documents(inst, "initial", form)}  # noqa: E731
    assert ("business_licence",) in keys(unfiled)
    assert ("food_licence",) not in keys(unfiled)
    assert ("food_licence",) in keys(unfiled, {"serves_meals": True})
    unfiled.legal_form = "social_service"
    assert ("social_org_certificate",) in keys(unfiled)
    unfiled.legal_form = "public_institution"
    assert ("public_institution_certificate",) in keys(unfiled)
    assert rules.required_documents(unfiled, "cancellation") == []


def test_full_path_receipt_then_confirm_files_the_institution(world, unfiled):
    filing = services.filing_create_draft(
        actor=world.user("director"), institution=unfiled, commitment_accepted=True, form={"places": 90}
    )
    for kind in [
        "business_licence",
        "site_proof",
        "staff_qualifications",
        "staff_health",
        "health_evaluation",
        "fire_safety",
    ]:
        services.filing_attach_document(actor=world.user("director"), filing=filing, kind=kind, upload=pdf())
    services.filing_submit(actor=world.user("director"), filing=filing)
    official = world.user("county_official")
    filing = services.filing_issue_receipt(actor=official, filing=filing)
    assert filing.status == "received" and filing.verification_due > filing.received_at.date()
    filing = services.filing_confirm(actor=official, filing=filing, reason="ok")
    unfiled.refresh_from_db()
    assert filing.status == "confirmed" and unfiled.filing_status == "filed" and unfiled.places == 90
    assert list(filing.transitions.values_list("to_status", flat=True)) == [
        "submitted",
        "received",
        "confirmed",
    ]


def test_reject_requires_reason_and_publishes_notice(world, unfiled):
    official = world.user("county_official")
    filing = services.filing_issue_receipt(actor=official, filing=_submitted(world, unfiled))
    with pytest.raises(ValidationError):
        services.filing_reject(actor=official, filing=filing, reason="  ")
    filing = services.filing_reject(actor=official, filing=filing, reason="消防安全检查合格证明已过期")
    unfiled.refresh_from_db()
    assert filing.notice_published_at is not None and unfiled.filing_status == "noncompliant"
    assert filing.transitions.last().reason == "消防安全检查合格证明已过期"


def test_transitions_not_in_the_table_are_refused_with_409(world, unfiled):
    official = world.user("county_official")
    filing = _submitted(world, unfiled)
    with pytest.raises(TransitionNotAllowed):
        services.filing_confirm(actor=official, filing=filing)  # no receipt yet
    services.filing_issue_receipt(actor=official, filing=filing)
    services.filing_confirm(actor=official, filing=filing)
    with pytest.raises(Conflict, match="cannot become"):
        services.filing_reject(actor=official, filing=filing, reason="late")
    with pytest.raises(TransitionNotAllowed):
        services.filing_issue_receipt(actor=official, filing=filing)


def test_only_reviewers_in_scope_may_issue_receipts(world, unfiled):
    filing = _submitted(world, unfiled)
    for persona in ("director", "city_official", "other_county_official", "national_observer"):
        with pytest.raises(PermissionDenied):
            services.filing_issue_receipt(actor=world.user(persona), filing=filing)


def test_withdraw_before_receipt_restores_institution(world, unfiled):
    filing = services.filing_withdraw(
        actor=world.user("director"), filing=_submitted(world, unfiled), reason="redo"
    )
    unfiled.refresh_from_db()
    assert filing.status == "withdrawn" and unfiled.filing_status == "not_filed"


def test_second_open_filing_is_refused(world, unfiled):
    _submitted(world, unfiled)
    with pytest.raises(TransitionNotAllowed, match="already has a filing"):
        services.filing_submit(actor=world.user("director"), filing=complete_draft(world, unfiled))


def test_initial_filing_of_a_filed_institution_is_refused(world):
    with pytest.raises(TransitionNotAllowed):
        services.filing_create_draft(
            actor=world.user("director"), institution=world.institutions["inst_xuanwu"]
        )


def test_cancellation_confirmed_closes_the_institution(world):
    institution = world.institutions["inst_xuanwu"]  # filed
    director, official = world.user("director"), world.user("county_official")
    filing = services.filing_create_draft(
        actor=director, institution=institution, kind="cancellation", commitment_accepted=True
    )
    services.filing_submit(actor=director, filing=filing)
    services.filing_issue_receipt(actor=official, filing=filing)
    services.filing_confirm(actor=official, filing=filing)
    institution.refresh_from_db()
    assert (institution.filing_status, institution.status) == ("cancelled", "closed")


def test_a_file_that_is_not_what_it_claims_is_refused(world, unfiled):
    filing = services.filing_create_draft(actor=world.user("director"), institution=unfiled)
    fake = SimpleUploadedFile("licence.pdf", b"MZ\x90\x00 this is an exe", content_type="application/pdf")
    with pytest.raises(ValidationError) as caught:
        services.filing_attach_document(
            actor=world.user("director"), filing=filing, kind="site_proof", upload=fake
        )
    assert "file" in caught.value.message_dict
    assert not FilingDocument.objects.exists()


def test_png_named_pdf_is_stored_as_png(world, unfiled, media):
    filing = services.filing_create_draft(actor=world.user("director"), institution=unfiled)
    doc = services.filing_attach_document(
        actor=world.user("director"),
        filing=filing,
        kind="site_proof",
        upload=SimpleUploadedFile("a.pdf", PNG),
    )
    assert doc.content_type == "image/png" and doc.file.name.endswith(".png")
    assert str(media) in doc.file.path and doc.original_name == "a.pdf"


def test_size_limit(world, unfiled, monkeypatch):
    monkeypatch.setattr(rules, "MAX_UPLOAD_BYTES", len(PDF) - 1)
    filing = services.filing_create_draft(actor=world.user("director"), institution=unfiled)
    with pytest.raises(ValidationError, match="larger than"):
        services.filing_attach_document(
            actor=world.user("director"), filing=filing, kind="site_proof", upload=pdf()
        )


def test_documents_only_on_drafts(world, unfiled):
    filing = _submitted(world, unfiled)
    with pytest.raises(TransitionNotAllowed):
        services.filing_attach_document(
            actor=world.user("director"), filing=filing, kind="other", upload=pdf()
        )


def test_caregiver_cannot_file(world, unfiled):
    with pytest.raises(PermissionDenied):
        services.filing_create_draft(actor=world.user("caregiver"), institution=unfiled)


def test_bad_form_names_the_field(world, unfiled):
    with pytest.raises(ValidationError) as caught:
        services.filing_create_draft(
            actor=world.user("director"), institution=unfiled, form={"places": -1, "x": 1}
        )
    assert set(caught.value.message_dict) == {"form.places", "form.x"}


def test_queue_flags_overdue_in_sql(world, django_assert_max_num_queries):
    xuanwu = world.institutions["inst_xuanwu"]
    late = make_filing(xuanwu, receipt_due=days_ago(1))
    make_filing(world.institutions["inst_jiangning"], receipt_due=days_ago(3))  # other county
    with django_assert_max_num_queries(3):
        rows = list(filing_queue(world.user("county_official")))
    assert [(r.pk, r.overdue) for r in rows] == [(late.pk, True)]
    assert rows[0].due == late.receipt_due


def test_a_calendar_gap_gives_a_provisional_deadline_that_is_recounted_later(world, unfiled, monkeypatch):
    from tuoyu.filings import calendar

    with mock.patch("tuoyu.filings.services.timezone.localdate", return_value=date(2099, 6, 1)):
        filing = _submitted(world, unfiled)
    # 2099-06-01 is a Monday: five weekdays later, counted without holidays, and flagged as an estimate.
    assert filing.receipt_due == date(2099, 6, 8) and filing.deadlines_provisional is True
    Filing.objects.filter(pk=filing.pk).update(submitted_at=datetime(2099, 6, 1, 1, tzinfo=UTC))
    assert services.filing_recompute_deadlines() == 0  # still unknown: stays provisional
    # The county adds 2099's schedule: 2099-06-05 is made a holiday, so the receipt is due a day later.
    monkeypatch.setattr(calendar, "_overrides", lambda: {date(2099, 6, 5): False})
    assert services.filing_recompute_deadlines() == 1
    filing.refresh_from_db()
    assert filing.receipt_due == date(2099, 6, 9) and filing.deadlines_provisional is False


def test_demo_filings(world):
    from tuoyu.core.tests.factories import InstitutionFactory
    from tuoyu.filings.demo import add_demo_filings

    for _ in range(2):
        InstitutionFactory(township=world.regions["meiyuan"])
    created = add_demo_filings(seed=3)
    assert sorted(f.status for f in Filing.objects.all()) == ["received", "rejected", "submitted"]
    assert len(created) == 3 and add_demo_filings(seed=3) == []
    overdue = [f for f in filing_queue(world.user("county_official")) if f.overdue]
    assert [f.status for f in overdue] == ["submitted"]
    assert Filing.objects.get(status="rejected").notice_published_at is not None
