"""Posting, recomputing (score, window, overriding D, tier changes with their causes), revoking, the
sweep, and recompute at scale within a query budget."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tuoyu.core.api import Conflict
from tuoyu.core.tests.factories import InstitutionFactory
from tuoyu.credit.models import CreditRecord, CreditStanding, CreditTierChange
from tuoyu.credit.rules import months_before
from tuoyu.credit.selectors import current_tiers
from tuoyu.credit.services import credit_recompute, credit_record_add, credit_record_revoke, credit_sweep

from .factories import record

pytestmark = pytest.mark.django_db


def _standing(institution):
    return CreditStanding.objects.get(institution=institution)


def test_institutions_without_records_get_the_base_tier(world):
    credit_recompute()
    assert current_tiers([i.pk for i in world.institutions.values()]) == {
        i.pk: "B" for i in world.institutions.values()
    }
    assert not CreditTierChange.objects.exists()


def test_score_is_base_plus_points_in_force(world):
    inst = world.institutions["inst_xuanwu"]
    record(inst, "inspection", "high")  # -10
    record(inst, "inspection", "medium")  # -5
    credit_recompute()
    standing = _standing(inst)
    assert (standing.score, standing.tier) == (85, "C")


def test_records_older_than_the_window_stop_counting(world):
    inst = world.institutions["inst_xuanwu"]
    today = timezone.localdate()
    old = record(inst, "enforcement", "fine", occurred_on=today - timedelta(days=400))  # -15
    record(inst, "inspection", "high", occurred_on=today - timedelta(days=400))  # -10
    credit_recompute(as_of=today)
    assert _standing(inst).tier == "C"
    # 25 months on, both have left the 24-month window: back to the base tier, and the change names them.
    later = today + timedelta(days=400)
    credit_recompute(as_of=later)
    standing = _standing(inst)
    assert (standing.score, standing.tier) == (100, "B")
    change = CreditTierChange.objects.filter(institution=inst).first()
    assert (change.from_tier, change.to_tier) == ("C", "B")
    assert old in change.causes.all()
    assert change.causes.count() == 2


def test_an_overriding_record_puts_the_institution_in_d_for_its_period(world):
    inst = world.institutions["inst_xuanwu"]
    today = timezone.localdate()
    for n in range(6):
        record(inst, "award", "demonstration", source_ref=f"award:{n}")  # +60
    abuse = record(inst, "complaint", "abuse", occurred_on=today - timedelta(days=30))
    credit_recompute(as_of=today)
    standing = _standing(inst)
    assert standing.score == 120 and standing.tier == "D"
    assert standing.override_until == months_before(abuse.occurred_on, -12)
    change = CreditTierChange.objects.get(institution=inst)
    assert change.overridden and abuse in change.causes.all()
    # Past the overriding period (12 months) the score decides again; the change names the record.
    credit_recompute(as_of=today + timedelta(days=360))
    assert _standing(inst).tier == "A"
    assert abuse in CreditTierChange.objects.filter(institution=inst).first().causes.all()


def test_posting_recomputes_on_commit_and_records_the_cause(world, django_capture_on_commit_callbacks):
    inst = world.institutions["inst_xuanwu"]
    credit_recompute()
    with django_capture_on_commit_callbacks(execute=True):
        first = credit_record_add(
            institution=inst,
            source="inspection",
            source_ref="inspection:1:item:1",
            points=-10,
            reason="消防通道堵塞",
            occurred_on=timezone.localdate(),
        )
    with django_capture_on_commit_callbacks(execute=True):
        credit_record_add(
            institution=inst,
            source="inspection",
            source_ref="inspection:1:item:2",
            points=-5,
            reason="食品留样不规范",
            occurred_on=timezone.localdate(),
        )
    assert first.severity == "high"  # inferred from the points
    assert current_tiers([inst.pk]) == {inst.pk: "C"}
    change = CreditTierChange.objects.get(institution=inst)
    assert (change.from_tier, change.to_tier, change.from_score, change.score) == ("B", "C", 90, 85)
    # The first recompute (after the first record) moved 100 → 90, still B; the second moved to C and
    # names the record added since the stored computation.
    assert [r.source_ref for r in change.causes.all()] == ["inspection:1:item:2"]


def test_posting_the_same_fact_twice_is_a_no_op(world, django_capture_on_commit_callbacks):
    inst = world.institutions["inst_xuanwu"]
    kwargs = dict(
        institution=inst,
        source="complaint",
        source_ref="complaint:TS-1",
        points=-5,
        reason="投诉属实",
        occurred_on=timezone.localdate(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        a = credit_record_add(**kwargs)
        b = credit_record_add(**{**kwargs, "points": -50})
    assert a.pk == b.pk and CreditRecord.objects.count() == 1
    assert _standing(inst).score == 95


def test_revoking_needs_manage_over_the_region_and_a_reason(world, django_capture_on_commit_callbacks):
    inst = world.institutions["inst_xuanwu"]
    rec = record(inst, "inspection", "high")
    record(inst, "inspection", "medium")
    credit_recompute()
    assert _standing(inst).tier == "C"
    for persona in ("director", "city_official", "other_county_official"):
        with pytest.raises(PermissionDenied):
            credit_record_revoke(actor=world.user(persona), record=rec, reason="复核撤销")
    with pytest.raises(ValidationError):
        credit_record_revoke(actor=world.user("county_official"), record=rec, reason=" ")
    with django_capture_on_commit_callbacks(execute=True):
        credit_record_revoke(actor=world.user("county_official"), record=rec, reason="复核撤销")
    assert _standing(inst).tier == "B"
    change = CreditTierChange.objects.filter(institution=inst).first()
    assert (change.from_tier, change.to_tier) == ("C", "B") and list(change.causes.all()) == [rec]
    with pytest.raises(Conflict):
        credit_record_revoke(actor=world.user("county_official"), record=rec, reason="again")


def test_sweep_posts_filing_incident_and_award_records_once(world):
    from tuoyu.care.models import Incident
    from tuoyu.institutions.models import Designation

    today = timezone.localdate()
    unfiled = world.institutions["inst_jiangning"]
    type(unfiled).objects.filter(pk=unfiled.pk).update(
        status="operating", filing_status="not_filed", operating_since=today - timedelta(days=90)
    )
    xuanwu = world.institutions["inst_xuanwu"]
    Incident.objects.create(
        institution=xuanwu,
        occurred_at=timezone.now() - timedelta(days=3),
        kind="injury",
        severity="critical",
        description="骨折",
        reported_by=world.user("director"),
    )
    wuxi = world.institutions["inst_wuxi"]
    designation = Designation.objects.create(
        institution=wuxi,
        kind="demonstration",
        level="province",
        granted_on=today - timedelta(days=50),
        granted_by="江苏省卫生健康委",
    )
    first = credit_sweep()
    assert first.posted == {"filing": 1, "incident": 1, "award": 1}
    tiers = current_tiers([unfiled.pk, xuanwu.pk, wuxi.pk])
    assert tiers == {unfiled.pk: "C", xuanwu.pk: "D", wuxi.pk: "A"}
    assert credit_sweep().posted == {"filing": 0, "incident": 0, "award": 0}
    assert CreditRecord.objects.count() == 3
    # The designation is revoked: so is its award, and the tier falls back.
    Designation.objects.filter(pk=designation.pk).update(revoked_on=today)
    assert credit_sweep().revoked == 1
    assert current_tiers([wuxi.pk]) == {wuxi.pk: "B"}


def test_recompute_at_scale_uses_a_constant_number_of_queries(world):
    township = world.regions["meiyuan"]
    institutions = [InstitutionFactory(township=township) for _ in range(60)]
    for n, inst in enumerate(institutions):
        record(inst, "inspection", "high" if n % 2 else "low")
        if n % 2:
            record(inst, "inspection", "medium")  # 85: C
        if n % 3 == 0:
            record(inst, "enforcement", "suspension")
    with CaptureQueriesContext(connection) as ctx:
        result = credit_recompute()
    assert result.computed == 63 and len(result.changes) == 40
    assert len(ctx.captured_queries) <= 12, [q["sql"][:120] for q in ctx.captured_queries]
    # A second recompute with nothing new writes nothing.
    with CaptureQueriesContext(connection) as ctx:
        again = credit_recompute()
    assert again.updated == 0 and not again.changes
    assert len(ctx.captured_queries) <= 6
