"""Complaint services: reference, deadlines and escalation, serious → inspection, credit, throttle."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone

from tuoyu.accounts.choices import Role
from tuoyu.complaints import rules, services
from tuoyu.complaints.models import Complaint, ComplaintEvent
from tuoyu.complaints.selectors import (
    institutions_with_complaints,
    substantiated_count,
    track,
    trust_card_section,
)
from tuoyu.core.models import AuditLog
from tuoyu.core.tests.factories import RoleAssignmentFactory, UserFactory
from tuoyu.credit.models import CreditRecord
from tuoyu.filings.calendar import add_working_days_estimated
from tuoyu.parents.models import Notification
from tuoyu.supervision.models import Inspection

from .factories import NAME, PHONE, complaint

pytestmark = pytest.mark.django_db


def _official(world, region_key, role=Role.OFFICIAL_ADMIN, name=None):
    user = UserFactory(username=name or f"{region_key}_{role}")
    RoleAssignmentFactory(user=user, role=role, region=world.regions[region_key])
    return user


# --- Reference and tracking ------------------------------------------------------------------------


def test_reference_is_random_and_not_sequential(world):
    refs = {complaint(world).reference for _ in range(5)}
    assert len(refs) == 5
    year = timezone.localdate().year
    for ref in refs:
        assert re.fullmatch(rf"TS-{year}-[A-Z2-7]{{12}}", ref), ref
    # 12 base32 characters = 60 random bits: consecutive complaints share no predictable suffix.
    suffixes = sorted(r.rsplit("-", 1)[1] for r in refs)
    assert len({s[:3] for s in suffixes}) > 1


def test_track_finds_by_reference_ignoring_case_and_spaces(world):
    c = complaint(world)
    assert track(f"  {c.reference.lower()} ") == c
    assert track(c.reference[:-1] + ("A" if c.reference[-1] != "A" else "B")) is None
    assert track("") is None


# --- Intake ----------------------------------------------------------------------------------------


def test_anonymous_complaint_keeps_no_contact_and_no_account(world):
    c = services.complaint_submit(
        institution=world.institutions["inst_xuanwu"],
        category="fees",
        description="多收费",
        anonymous=True,
        contact_name=NAME,
        contact_phone=PHONE,
        actor=world.user("parent"),
    )
    c.refresh_from_db()
    assert (c.anonymous, c.contact_name, c.contact_phone, c.submitted_by) == (True, "", "", None)


def test_named_complaint_needs_a_phone_and_a_past_date(world):
    with pytest.raises(ValidationError) as exc:
        services.complaint_submit(
            institution=world.institutions["inst_xuanwu"],
            category="fees",
            description="多收费",
            anonymous=False,
            occurred_on=timezone.localdate() + timedelta(days=1),
        )
    assert {"contact_phone", "occurred_on"} <= set(exc.value.message_dict)
    assert not Complaint.objects.exists()


def test_complaint_about_unlisted_institution_is_refused(world):
    inst = world.institutions["inst_xuanwu"]
    type(inst).objects.filter(pk=inst.pk).update(filing_status="pending")
    inst.refresh_from_db()
    with pytest.raises(ValidationError):
        services.complaint_submit(institution=inst, category="fees", description="x")


def test_submissions_are_throttled_per_address(world):
    request = RequestFactory().post("/", REMOTE_ADDR="10.1.2.3")
    for _ in range(rules.SUBMIT_MAX_PER_ADDRESS):
        services.complaint_submit(
            institution=world.institutions["inst_xuanwu"], category="fees", description="x", request=request
        )
    with pytest.raises(services.SubmitThrottled):
        services.complaint_submit(
            institution=world.institutions["inst_xuanwu"], category="fees", description="x", request=request
        )
    other = RequestFactory().post("/", REMOTE_ADDR="10.9.9.9")
    services.complaint_submit(
        institution=world.institutions["inst_xuanwu"], category="fees", description="x", request=other
    )
    assert Complaint.objects.count() == rules.SUBMIT_MAX_PER_ADDRESS + 1


def test_audit_log_never_holds_the_contact_details(world):
    complaint(world)
    for row in AuditLog.objects.filter(action__startswith="complaint"):
        assert PHONE not in str(row.detail) and NAME not in str(row.detail)


# --- Serious categories ----------------------------------------------------------------------------


@pytest.mark.parametrize("category", ["abuse", "injury", "safety"])
def test_serious_complaint_opens_an_inspection_at_once(world, category):
    c = complaint(world, category=category)
    c.refresh_from_db()
    inspection = c.inspection
    assert inspection is not None and c.serious
    assert inspection.kind == "complaint"
    assert inspection.origin == f"complaint {c.reference}"
    assert inspection.planned_on == timezone.localdate()
    assert inspection.institution == world.institutions["inst_xuanwu"]
    assert not inspection.inspectors.exists()
    # The county's officials are told at once (urgent), the city's are not.
    county_note = Notification.objects.get(user=world.user("county_official"))
    assert county_note.urgent and county_note.kind == "supervision"
    assert not Notification.objects.filter(user=world.user("city_official")).exists()


def test_ordinary_complaint_opens_no_inspection(world):
    c = complaint(world, category="fees")
    assert c.inspection is None and not Inspection.objects.exists()
    assert not Notification.objects.get(user=world.user("county_official")).urgent


def test_inspection_failure_leaves_no_complaint(world, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("supervision down")

    monkeypatch.setattr("tuoyu.supervision.services.inspection_open", broken)
    with pytest.raises(RuntimeError):
        complaint(world, category="abuse")
    assert not Complaint.objects.exists()


# --- Deadlines and escalation ----------------------------------------------------------------------


def test_deadline_starts_at_the_county_in_working_days(world):
    c = complaint(world)
    due, _ = add_working_days_estimated(timezone.localdate(), rules.LEVEL_DEADLINES["county"].working_days)
    assert (c.level, c.handling_region_id, c.due_on) == ("county", "320102000000", due)
    # 15 working days are at least three calendar weeks.
    assert (c.due_on - timezone.localdate()).days >= 21


def test_overdue_complaint_climbs_county_city_province(world):
    city_admin = _official(world, "nanjing")
    c = complaint(world, status="accepted")
    later = c.due_on + timedelta(days=1)
    moved = services.complaint_escalate(complaint=c, today=later)
    assert moved is not None
    assert (moved.level, moved.handling_region_id, moved.escalations) == ("city", "320100000000", 1)
    assert moved.due_on == add_working_days_estimated(later, rules.LEVEL_DEADLINES["city"].working_days)[0]
    event = ComplaintEvent.objects.get(complaint=c, kind="escalated")
    assert (event.from_level, event.to_level) == ("county", "city")
    # The new level's officials (bound to 南京市 itself) are told; the viewer persona is one of them.
    assert Notification.objects.filter(user=city_admin, title__contains="escalated").exists()
    assert Notification.objects.filter(user=world.user("city_official"), title__contains="escalated").exists()

    # Not overdue any more at the city: nothing happens on the same day.
    assert services.complaint_escalate(complaint=c, today=later) is None
    even_later = moved.due_on + timedelta(days=1)
    top = services.complaint_escalate(complaint=c, today=even_later)
    assert top is not None and (top.level, top.handling_region_id) == ("province", "320000000000")
    # The province is the top: still overdue, it stays.
    assert services.complaint_escalate(complaint=c, today=top.due_on + timedelta(days=5)) is None
    assert Complaint.objects.get(pk=c.pk).escalations == 2


def test_concluded_or_timely_complaints_are_not_escalated(world):
    done = complaint(world, status="concluded")
    fresh = complaint(world)
    assert services.escalate_overdue(today=timezone.localdate()) == 0
    assert services.escalate_overdue(today=fresh.due_on + timedelta(days=1)) == 1
    done.refresh_from_db()
    assert done.level == "county"


def test_escalate_complaints_command(world, capsys):
    c = complaint(world)
    call_command("escalate_complaints", "--date", (c.due_on + timedelta(days=1)).isoformat())
    assert "1 complaints escalated" in capsys.readouterr().out
    assert Complaint.objects.get(pk=c.pk).level == "city"


def test_after_escalation_the_county_may_no_longer_act_but_the_city_may(world):
    city_admin = _official(world, "nanjing")
    c = complaint(world)
    services.complaint_escalate(complaint=c, today=c.due_on + timedelta(days=1))
    with pytest.raises(PermissionDenied):
        services.complaint_accept(actor=world.user("county_official"), complaint=c)
    # A viewer of the city does not handle either.
    with pytest.raises(PermissionDenied):
        services.complaint_accept(actor=world.user("city_official"), complaint=c)
    assert services.complaint_accept(actor=city_admin, complaint=c).status == "accepted"


# --- Transitions -----------------------------------------------------------------------------------


def test_each_step_is_recorded_with_who_and_why(world):
    official = world.user("county_official")
    c = complaint(world)
    services.complaint_accept(actor=official, complaint=c, reason="属于本区")
    services.complaint_investigate(actor=official, complaint=c)
    services.complaint_conclude(actor=official, complaint=c, outcome="not_substantiated", reply="未发现问题")
    steps = list(
        ComplaintEvent.objects.filter(complaint=c, kind="transition").values_list(
            "from_status", "to_status", "actor"
        )
    )
    assert steps == [
        ("received", "accepted", official.pk),
        ("accepted", "investigating", official.pk),
        ("investigating", "concluded", official.pk),
    ]
    assert ComplaintEvent.objects.get(complaint=c, to_status="accepted").reason == "属于本区"


def test_steps_out_of_order_are_refused(world):
    official = world.user("county_official")
    c = complaint(world)
    with pytest.raises(services.TransitionNotAllowed):
        services.complaint_investigate(actor=official, complaint=c)
    done = complaint(world, status="concluded")
    with pytest.raises(services.TransitionNotAllowed):
        services.complaint_withdraw(actor=official, complaint=done)


def test_conclusion_needs_an_outcome_and_a_reply(world):
    c = complaint(world, status="investigating")
    with pytest.raises(ValidationError) as exc:
        services.complaint_conclude(
            actor=world.user("county_official"), complaint=c, outcome="withdrawn", reply=""
        )
    assert {"outcome", "reply"} <= set(exc.value.message_dict)
    assert Complaint.objects.get(pk=c.pk).status == "investigating"


def test_withdrawal_concludes_as_withdrawn(world):
    c = complaint(world)
    done = services.complaint_withdraw(actor=world.user("county_official"), complaint=c, reason="投诉人撤回")
    assert (done.status, done.outcome, done.reply) == ("concluded", "withdrawn", "投诉人撤回")


def test_other_county_official_cannot_act(world):
    c = complaint(world)
    with pytest.raises(PermissionDenied):
        services.complaint_accept(actor=world.user("other_county_official"), complaint=c)


# --- Institution response --------------------------------------------------------------------------


def test_director_responds_once_to_a_forwarded_complaint(world):
    c = complaint(world, status="accepted", forwarded=True)
    director = world.user("director")
    assert Notification.objects.filter(user=director, title__contains="forwarded").exists()
    services.complaint_respond(actor=director, complaint=c, response="已整改")
    with pytest.raises(services.TransitionNotAllowed):
        services.complaint_respond(actor=director, complaint=c, response="再说一次")
    with pytest.raises(PermissionDenied):
        services.complaint_respond(actor=world.user("caregiver"), complaint=c, response="x")
    assert Complaint.objects.get(pk=c.pk).institution_response == "已整改"


def test_staff_cannot_reach_a_complaint_not_forwarded(world):
    c = complaint(world, status="accepted")
    assert not Complaint.objects.for_staff(world.user("director")).filter(pk=c.pk).exists()
    with pytest.raises(PermissionDenied):
        services.complaint_respond(actor=world.user("director"), complaint=c, response="x")


# --- Credit and the draw's stratum -----------------------------------------------------------------


def test_substantiated_complaint_posts_credit_once(world):
    c = complaint(world, status="concluded", outcome="substantiated")
    record = CreditRecord.objects.get(source="complaint", source_ref=f"complaint:{c.pk}")
    assert record.points == -5 and record.institution == world.institutions["inst_xuanwu"]
    services.post_credit(c)
    assert CreditRecord.objects.filter(source="complaint").count() == 1


def test_serious_substantiated_complaint_weighs_more(world):
    c = complaint(world, status="concluded", category="abuse")
    assert CreditRecord.objects.get(source_ref=f"complaint:{c.pk}").points == -15


def test_unsubstantiated_complaint_posts_no_credit(world):
    complaint(world, status="concluded", outcome="not_substantiated")
    assert not CreditRecord.objects.exists()


def test_institutions_with_complaints_excludes_cleared_and_old_ones(world):
    today = timezone.localdate()
    complaint(world, status="concluded", outcome="not_substantiated", institution="inst_jiangning")
    open_one = complaint(world, institution="inst_wuxi")
    complaint(world, status="concluded", outcome="partly")
    ids = set(institutions_with_complaints(today))
    assert ids == {world.institutions["inst_xuanwu"].pk, world.institutions["inst_wuxi"].pk}
    Complaint.objects.filter(pk=open_one.pk).update(received_at=timezone.now() - timedelta(days=400))
    assert set(institutions_with_complaints(today - timedelta(days=365))) == {
        world.institutions["inst_xuanwu"].pk
    }


def test_trust_card_counts_substantiated_in_twelve_months(world):
    inst = world.institutions["inst_xuanwu"]
    old = complaint(world, status="concluded")
    complaint(world, status="concluded", outcome="partly")
    complaint(world, status="concluded", outcome="not_substantiated")
    complaint(world)
    assert substantiated_count(inst.pk) == 2
    Complaint.objects.filter(pk=old.pk).update(concluded_at=timezone.now() - timedelta(days=400))
    section = trust_card_section(inst)
    assert section is not None and section["substantiated"] == 1
    assert section["template"] == "complaints/_trust_card.html"


def test_a_signed_in_named_complainant_is_told_each_step_and_an_anonymous_one_keeps_no_account(world):
    parent = world.user("parent")
    named = complaint(world, status="concluded", by="parent")
    notes = list(Notification.objects.filter(user=parent, kind="complaint").order_by("id"))
    assert len(notes) == 3 and all(named.reference in n.title for n in notes)
    assert notes[-1].link.endswith(f"?reference={named.reference}") and not notes[-1].urgent
    complaint(world, status="accepted", anonymous=True, by="parent")
    assert Notification.objects.filter(user=parent, kind="complaint").count() == 3
