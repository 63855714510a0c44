"""The inspection flow through its services: transitions, sync, deadlines, credit, publication."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tuoyu.core.api import Conflict
from tuoyu.credit.models import CreditRecord
from tuoyu.supervision import services
from tuoyu.supervision.models import (
    ChecklistEntry,
    ChecklistPhoto,
    Inspection,
    InspectionItem,
    InspectionTransition,
    RectificationOrder,
)
from tuoyu.supervision.selectors import institutions_with_serious_findings, trust_card_section

from .factories import JPEG_B64, answers, inspection, inspector, signatures, team

pytestmark = pytest.mark.django_db


def _on(monkeypatch, day: date) -> None:
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: day)


def test_start_fixes_the_checklist_key_items_first(world):
    obj = inspection(world, "in_progress")
    entries = list(obj.entries.order_by("position"))
    assert len(entries) == InspectionItem.objects.filter(in_force=True).count() >= 20
    kinds = [e.kind for e in entries]
    assert kinds == sorted(kinds, key=lambda k: k != "key")  # every key item before the general ones
    # Editing the list later does not change a started checklist.
    InspectionItem.objects.filter(code="C01").update(title="改过的标题")
    assert obj.entries.get(code="C01").title != "改过的标题"


def test_an_item_out_of_force_is_not_on_new_checklists(world):
    InspectionItem.objects.filter(code="M02").update(in_force=False)
    obj = inspection(world, "in_progress")
    assert not obj.entries.filter(code="M02").exists()


def test_start_needs_a_team_of_two(world):
    obj = inspection(world, members=[inspector(world, "lonely")])
    with pytest.raises(Conflict, match="at least 2"):
        services.inspection_start(actor=world.user("county_official"), inspection=obj)


def test_transitions_follow_the_table_and_record_who_and_why(world, english):
    obj = inspection(world, "planned")
    actor = world.user("county_official")
    with pytest.raises(Conflict, match="cannot become Submitted"):
        services.inspection_submit(actor=actor, inspection=obj)
    services.inspection_cancel(actor=actor, inspection=obj, reason="机构已停业")
    last = InspectionTransition.objects.filter(inspection=obj).last()
    assert (last.from_status, last.to_status, last.actor, last.reason) == (
        "planned",
        "cancelled",
        actor,
        "机构已停业",
    )
    with pytest.raises(Conflict):
        services.inspection_start(actor=actor, inspection=obj)


def test_cancel_needs_a_reason(world):
    with pytest.raises(ValidationError):
        services.inspection_cancel(
            actor=world.user("county_official"), inspection=inspection(world), reason=" "
        )


def test_a_viewer_may_not_start_and_a_non_member_inspector_may_not_either(world):
    obj = inspection(world, "planned")
    with pytest.raises(PermissionDenied):
        services.inspection_start(actor=world.user("city_official"), inspection=obj)
    with pytest.raises(PermissionDenied):
        services.inspection_start(actor=inspector(world, "not_on_team"), inspection=obj)
    member = obj.inspectors.first()
    services.inspection_start(actor=member, inspection=obj)
    assert Inspection.objects.get(pk=obj.pk).status == "in_progress"


def test_submit_lists_what_is_missing(world):
    obj = inspection(world, "in_progress")
    actor = world.user("county_official")
    rows = answers(obj, fail=("C01",))
    rows[0]["note"] = ""
    rows = [r for r in rows if r["item_id"] != obj.entries.get(code="F03").item_id]
    services.inspection_sync(actor=actor, inspection=obj, answers=rows)
    with pytest.raises(ValidationError) as caught:
        services.inspection_submit(actor=actor, inspection=obj)
    assert set(caught.value.message_dict) == {"entries", "signatures"}
    obj.entries.filter(code="C01").update(note="")
    services.inspection_sync(
        actor=actor,
        inspection=obj,
        answers=[a for a in answers(obj) if a["client_ref"].endswith("F03")],
        signatures=signatures(obj),
    )
    with pytest.raises(ValidationError) as caught:
        services.inspection_submit(actor=actor, inspection=obj)
    assert set(caught.value.message_dict) == {"note"}


def test_sync_twice_with_the_same_refs_changes_nothing(world):
    obj = inspection(world, "in_progress")
    actor = world.user("county_official")
    rows = answers(obj, fail=("C01",))
    rows[0]["photos"] = [{"client_ref": "p-1", "data_base64": JPEG_B64, "taken_at": timezone.now()}]
    signed = signatures(obj)
    first = services.inspection_sync(actor=actor, inspection=obj, answers=rows, signatures=signed)
    assert first == {"applied": len(rows) + 2, "duplicates": 0, "unanswered": 0}
    snapshot = list(
        ChecklistEntry.objects.filter(inspection=obj).values_list("result", "note", "answered_at")
    )
    again = services.inspection_sync(actor=actor, inspection=obj, answers=rows, signatures=signed)
    assert again == {"applied": 0, "duplicates": len(rows) + 2, "unanswered": 0}
    assert (
        list(ChecklistEntry.objects.filter(inspection=obj).values_list("result", "note", "answered_at"))
        == snapshot
    )
    assert ChecklistPhoto.objects.filter(inspection=obj).count() == 1
    assert obj.receipts.count() == len(rows) + 2


def test_sync_with_the_same_ref_and_other_content_is_refused_whole(world):
    obj = inspection(world, "in_progress")
    actor = world.user("county_official")
    rows = answers(obj)
    services.inspection_sync(actor=actor, inspection=obj, answers=rows[:1])
    changed = dict(rows[0], result="fail", note="改了")
    fresh = rows[1]
    with pytest.raises(Conflict, match=rows[0]["client_ref"]):
        services.inspection_sync(actor=actor, inspection=obj, answers=[fresh, changed])
    assert obj.entries.get(item_id=fresh["item_id"]).result == ""  # nothing of that sync applied
    assert obj.entries.get(item_id=rows[0]["item_id"]).result == "pass"


def test_a_later_answer_replaces_an_earlier_one_but_not_the_reverse(world):
    obj = inspection(world, "in_progress")
    actor = world.user("county_official")
    item_id = obj.entries.get(code="C01").item_id
    now = timezone.now()
    base = {"item_id": item_id, "photos": []}
    services.inspection_sync(
        actor=actor,
        inspection=obj,
        answers=[{**base, "client_ref": "new", "result": "fail", "note": "后", "answered_at": now}],
    )
    services.inspection_sync(
        actor=actor,
        inspection=obj,
        answers=[
            {
                **base,
                "client_ref": "old",
                "result": "pass",
                "note": "前",
                "answered_at": now - timedelta(minutes=5),
            }
        ],
    )
    assert obj.entries.get(item_id=item_id).result == "fail"


def test_sync_is_refused_once_submitted_unless_it_only_repeats(world):
    obj = inspection(world, "submitted")
    actor = world.user("county_official")
    repeat = services.inspection_sync(actor=actor, inspection=obj, answers=answers(obj, ("C01", "F03")))
    assert repeat["applied"] == 0
    fresh = dict(answers(obj)[0], client_ref="late")
    with pytest.raises(Conflict, match="in progress"):
        services.inspection_sync(actor=actor, inspection=obj, answers=[fresh])


def test_submit_posts_one_credit_record_per_failed_item_weighted_by_risk(world):
    obj = inspection(world, "submitted", fail=("C01", "F03"))
    records = CreditRecord.objects.filter(source="inspection").order_by("points")
    c01 = InspectionItem.objects.get(code="C01")
    assert [(r.source_ref, r.points) for r in records] == [
        (f"inspection:{obj.pk}:item:{c01.pk}", -10),  # high risk
        (f"inspection:{obj.pk}:item:{InspectionItem.objects.get(code='F03').pk}", -2),  # low risk
    ]
    assert all(r.institution_id == obj.institution_id for r in records)


def test_rectification_deadline_counts_working_days_across_national_day(world, monkeypatch):
    obj = inspection(world, "submitted", fail=("C01", "F03"))
    _on(monkeypatch, date(2025, 9, 30))
    services.inspection_issue_orders(actor=world.user("county_official"), inspection=obj)
    deadlines = dict(RectificationOrder.objects.filter(inspection=obj).values_list("entry__code", "deadline"))
    # High risk: 7 working days; 1–8 Oct 2025 are holidays and Saturday 11 Oct a make-up working day.
    assert deadlines["C01"] == date(2025, 10, 16)
    assert deadlines["F03"] > date(2025, 11, 4)  # low risk: 30 working days


def test_issue_with_nothing_failed_is_refused_and_close_works(world):
    obj = inspection(world, "submitted", fail=())
    actor = world.user("county_official")
    with pytest.raises(Conflict):
        services.inspection_issue_orders(actor=actor, inspection=obj)
    services.inspection_close(actor=actor, inspection=obj)
    assert Inspection.objects.get(pk=obj.pk).status == "closed"
    assert not obj.follow_ups.exists()


def test_close_with_failures_needs_the_notices_first(world):
    obj = inspection(world, "submitted", fail=("F03",))
    with pytest.raises(Conflict, match="rectification"):
        services.inspection_close(actor=world.user("county_official"), inspection=obj)


def test_verifying_the_last_order_closes_and_a_high_risk_failure_opens_a_follow_up(world):
    obj = inspection(world, "closed", fail=("C01", "F03"))
    assert obj.status == "closed"
    follow_up = obj.follow_ups.get()
    assert follow_up.kind == "follow_up" and follow_up.status == "planned"
    assert set(follow_up.inspectors.all()) == set(obj.inspectors.all())
    assert follow_up.planned_on > timezone.localdate()


def test_a_low_risk_failure_opens_no_follow_up(world):
    obj = inspection(world, "closed", fail=("F03",))
    assert not obj.follow_ups.exists()


def test_a_returned_answer_goes_back_to_the_institution(world):
    obj = inspection(world, "rectifying", fail=("F03",))
    order = obj.orders.get()
    services.rectification_answer(actor=world.user("director"), order=order, answer="已更换食谱")
    with pytest.raises(ValidationError):
        services.rectification_verify(actor=world.user("county_official"), order=order, accept=False)
    services.rectification_verify(
        actor=world.user("county_official"), order=order, accept=False, note="缺照片"
    )
    order.refresh_from_db()
    assert order.status == "open"
    assert Inspection.objects.get(pk=obj.pk).status == "rectifying"


def test_only_the_director_answers(world):
    order = inspection(world, "rectifying", fail=("F03",)).orders.get()
    for persona in ("caregiver", "county_official"):
        with pytest.raises(PermissionDenied):
            services.rectification_answer(actor=world.user(persona), order=order, answer="x")


def test_evidence_must_be_a_picture_or_pdf(world):
    order = inspection(world, "rectifying", fail=("F03",)).orders.get()
    with pytest.raises(ValidationError):
        services.rectification_answer(
            actor=world.user("director"), order=order, answer="x", files=[("a.exe", b"MZ\x90\x00")]
        )
    services.rectification_answer(
        actor=world.user("director"), order=order, answer="x", files=[("回执.pdf", b"%PDF-1.4 test")]
    )
    assert order.evidence.get().content_type == "application/pdf"


def test_sweep_marks_overdue_once_and_posts_the_late_credit_record_once(world, monkeypatch):
    obj = inspection(world, "rectifying", fail=("C01", "F03"))
    high = obj.orders.get(entry__code="C01")
    assert services.rectification_sweep(today=high.deadline) == 0  # due today is not late
    assert services.rectification_sweep(today=high.deadline + timedelta(days=1)) == 1
    assert services.rectification_sweep(today=high.deadline + timedelta(days=2)) == 0
    high.refresh_from_db()
    assert high.overdue_on == high.deadline + timedelta(days=1)
    late = CreditRecord.objects.get(source="rectification")
    assert (late.source_ref, late.points) == (f"rectification:{high.pk}", -5)


def test_an_answered_order_is_not_late(world):
    obj = inspection(world, "rectifying", fail=("F03",))
    order = obj.orders.get()
    services.rectification_answer(actor=world.user("director"), order=order, answer="已整改")
    assert services.rectification_sweep(today=order.deadline + timedelta(days=5)) == 0


def test_publication_is_due_20_working_days_after_the_conclusion(world, monkeypatch, settings):
    _on(monkeypatch, date(2025, 9, 30))
    obj = inspection(world, "submitted")
    assert (obj.concluded_on, obj.publish_due) == (date(2025, 9, 30), date(2025, 11, 4))
    settings.TUOYU_INSPECTION_PUBLISH_WORKING_DAYS = 5
    other = inspection(world, "submitted", institution="inst_jiangning")
    assert other.publish_due == date(2025, 10, 14)


def test_publish_only_concluded_and_once(world):
    actor = world.user("county_official")
    with pytest.raises(Conflict):
        services.inspection_publish(actor=actor, inspection=inspection(world, "in_progress"))
    obj = inspection(world, "submitted", institution="inst_jiangning")
    services.inspection_publish(actor=world.user("province_official"), inspection=obj)
    with pytest.raises(Conflict):
        services.inspection_publish(actor=world.user("province_official"), inspection=obj)


def test_assign_team_needs_two_inspectors_of_a_covering_region(world):
    obj = inspection(world, members=[])
    admin = world.user("county_official")
    jiangning = inspector(world, "jn", region="jiangning")
    ours = team(world)
    with pytest.raises(ValidationError, match="jn"):
        services.inspection_assign_team(actor=admin, inspection=obj, inspectors=[ours[0], jiangning])
    with pytest.raises(ValidationError, match="at least 2"):
        services.inspection_assign_team(actor=admin, inspection=obj, inspectors=[ours[0]])
    with pytest.raises(PermissionDenied):
        services.inspection_assign_team(actor=world.user("city_official"), inspection=obj, inspectors=ours)
    services.inspection_assign_team(actor=admin, inspection=obj, inspectors=ours)
    assert set(obj.inspectors.all()) == set(ours)


def test_serious_findings_are_failed_high_risk_items_concluded_since(world):
    inspection(world, "submitted", fail=("F03",))  # low risk only
    assert list(institutions_with_serious_findings(timezone.localdate())) == []
    obj = inspection(world, "submitted", institution="inst_jiangning", fail=("C01",))
    assert list(institutions_with_serious_findings(timezone.localdate())) == [obj.institution_id]
    assert list(institutions_with_serious_findings(timezone.localdate() + timedelta(days=1))) == []


def test_trust_card_shows_only_published_results_without_notes(world):
    obj = inspection(world, "rectifying", fail=("C01",))
    assert trust_card_section(obj.institution) is None
    services.inspection_publish(actor=world.user("county_official"), inspection=obj)
    section = trust_card_section(obj.institution)
    finding = section["results"][0]["findings"][0]
    assert finding["title"] == obj.entries.get(code="C01").title and finding["corrected"] is False
    assert "不符合" not in str(section)  # the inspector's note stays out
