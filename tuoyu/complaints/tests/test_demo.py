"""The demo: complaints in every state, escalations, inspections for serious ones, credit; idempotent."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from tuoyu.complaints import rules
from tuoyu.complaints.models import Complaint, ComplaintEvent
from tuoyu.credit.models import CreditRecord

pytestmark = pytest.mark.django_db


def test_demo_complaints_cover_every_state_and_are_idempotent(world):
    out = io.StringIO()
    call_command("demo_complaints", "--seed", "1", "--count", "120", stdout=out)
    assert "120 written" in out.getvalue()
    assert set(Complaint.objects.values_list("status", flat=True)) == {
        "received",
        "accepted",
        "investigating",
        "concluded",
    }
    assert Complaint.objects.exclude(level="county").exists()
    assert ComplaintEvent.objects.filter(kind="escalated").exists()
    # Every serious complaint opened its inspection; the story one in 玄武区 is forwarded and investigating.
    assert not Complaint.objects.filter(serious=True, inspection__isnull=True).exists()
    story = Complaint.objects.order_by("pk").first()
    assert story is not None and story.institution == world.institutions["inst_xuanwu"]
    assert story.category == "injury" and story.forwarded_at is not None
    assert story.status == "investigating" and story.inspection.origin == f"complaint {story.reference}"
    substantiated = Complaint.objects.filter(outcome__in=list(rules.SUBSTANTIATED_OUTCOMES)).count()
    assert substantiated > 0 and CreditRecord.objects.filter(source="complaint").count() == substantiated
    # Nothing changes on a second run.
    before = (Complaint.objects.count(), ComplaintEvent.objects.count(), CreditRecord.objects.count())
    out = io.StringIO()
    call_command("demo_complaints", "--seed", "1", "--count", "120", stdout=out)
    assert "nothing written" in out.getvalue()
    assert (Complaint.objects.count(), ComplaintEvent.objects.count(), CreditRecord.objects.count()) == before
