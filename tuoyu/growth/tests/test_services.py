"""Recording a measurement: who may, what is refused, what is computed and who is told."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tuoyu.core.api import Conflict
from tuoyu.core.models import AuditLog
from tuoyu.growth import who
from tuoyu.growth.services import growth_measurement_record
from tuoyu.parents.models import Notification


def _record(world, persona="caregiver", child="own_child", **kwargs):
    values = {
        "measured_on": timezone.localdate(),
        "weight_kg": Decimal("11.2"),
        "length_cm": Decimal("81.0"),
        "position": "lying",
        "head_cm": Decimal("47.0"),
    }
    values.update(kwargs)
    return growth_measurement_record(actor=world.user(persona), child=world.children[child], **values)


def test_caregiver_records_and_scores_match_the_who_arithmetic(world):
    m = _record(world)
    child = world.children["own_child"]
    expected = who.zscores(
        sex=child.sex, age_days=m.age_days, weight_kg=11.2, length_cm=81.0, position="lying", head_cm=47.0
    )
    assert m.age_days == (m.measured_on - child.birth_date).days
    assert (m.z_wfa, m.z_lhfa, m.z_wflh, m.z_bfa, m.z_hcfa) == (
        expected.wfa, expected.lhfa, expected.wflh, expected.bfa, expected.hcfa,
    )  # fmt: skip
    assert m.institution == world.institutions["inst_xuanwu"]
    assert m.who_version == who.STANDARD_VERSION
    assert m.grade_wfa and m.wst_version.startswith("WS/T 423")
    assert m.recorded_by == world.user("caregiver")
    assert AuditLog.objects.filter(action="growth.record", object_id=str(m.pk)).exists()


def test_guardian_is_told_in_the_digest_not_urgently(world):
    _record(world)
    note = Notification.objects.get(user=world.user("parent"))
    assert note.kind == "growth" and not note.urgent and note.sent_at is None
    assert f"/growth/child/{world.children['own_child'].pk}/" in note.link


def test_low_weight_sets_underweight_flags(world):
    child = world.children["own_child"]
    age = (timezone.localdate() - child.birth_date).days
    lms = who.lms_for_age("wfa", "M", age)
    very_light = Decimal(str(round(lms.sd(-3.4), 2)))
    m = _record(world, weight_kg=very_light, length_cm=None, position="", head_cm=None)
    assert m.underweight and m.severe_underweight
    assert not m.stunting and not m.wasting and not m.overweight
    assert m.flags == ["underweight", "severe_underweight"]


def test_implausible_z_is_flagged_for_checking_not_as_a_finding(world):
    m = _record(world, weight_kg=Decimal("3.0"), length_cm=None, position="", head_cm=None)
    assert "wfa" in m.implausible
    assert not m.underweight


@pytest.mark.parametrize(
    "kwargs,field",
    [
        ({"weight_kg": Decimal("0.2")}, "weight_kg"),
        ({"length_cm": Decimal("300")}, "length_cm"),
        ({"head_cm": Decimal("80")}, "head_cm"),
        ({"position": ""}, "position"),
        ({"weight_kg": None, "length_cm": None, "head_cm": None}, "weight_kg"),
    ],
)
def test_implausible_inputs_are_refused_with_the_field(world, kwargs, field):
    with pytest.raises(ValidationError) as exc:
        _record(world, **kwargs)
    assert field in exc.value.message_dict


def test_future_and_before_birth_dates_are_refused(world):
    with pytest.raises(ValidationError) as exc:
        _record(world, measured_on=timezone.localdate() + timedelta(days=1))
    assert "measured_on" in exc.value.message_dict
    child = world.children["own_child"]
    with pytest.raises(ValidationError):
        _record(world, measured_on=child.birth_date - timedelta(days=1))


def test_second_measurement_the_same_day_conflicts(world):
    _record(world)
    with pytest.raises(Conflict):
        _record(world)


@pytest.mark.parametrize("persona", ["county_official", "parent", "city_official"])
def test_only_centre_staff_record(world, persona):
    with pytest.raises(PermissionDenied):
        _record(world, persona=persona)


def test_staff_of_another_centre_cannot_record(world):
    with pytest.raises(PermissionDenied):
        _record(world, child="jiangning_child")
