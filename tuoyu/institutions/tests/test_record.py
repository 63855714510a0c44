"""The institution record's rules: premises, class caps, family points, designations, history."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tuoyu.institutions.choices import DesignationKind, DesignationLevel, InstitutionType
from tuoyu.institutions.rules import CLASS_RULES, ClassKind
from tuoyu.institutions.services import (
    designation_grant,
    designation_revoke,
    fee_item_save,
    institution_class_save,
    institution_history,
    institution_update,
    insurance_policy_save,
)

pytestmark = pytest.mark.usefixtures("english")


def test_class_caps_come_from_the_setting_standard():
    assert {k: r.max_children for k, r in CLASS_RULES.items()} == {
        "infant": 10,
        "toddler": 15,
        "older": 20,
        "mixed": 18,
    }
    assert all("第19" in r.source for r in CLASS_RULES.values())


@pytest.mark.parametrize(
    ("kind", "cap"),
    [(ClassKind.INFANT, 10), (ClassKind.TODDLER, 15), (ClassKind.OLDER, 20), (ClassKind.MIXED, 18)],
)
def test_a_class_over_its_cap_is_refused_at_the_capacity_field(world, kind, cap):
    institution = world.institutions["inst_xuanwu"]
    institution_class_save(actor=None, institution=institution, name="满员班", kind=kind, capacity=cap)
    with pytest.raises(ValidationError) as caught:
        institution_class_save(
            actor=None, institution=institution, name="超员班", kind=kind, capacity=cap + 1
        )
    assert "at most" in caught.value.message_dict["capacity"][0]


def test_classes_may_not_hold_more_than_the_filed_places(world):
    institution = world.institutions["inst_jiangning"]  # 50 places, and the world's 托小一班 of 15
    institution_class_save(
        actor=None, institution=institution, name="托大一班", kind=ClassKind.OLDER, capacity=20
    )
    with pytest.raises(ValidationError) as caught:
        institution_class_save(
            actor=None, institution=institution, name="托大二班", kind=ClassKind.OLDER, capacity=20
        )
    assert "55" in caught.value.message_dict["capacity"][0]


def test_a_lease_shorter_than_three_years_is_refused_and_the_record_kept(world):
    institution = world.institutions["inst_xuanwu"]
    with pytest.raises(ValidationError) as caught:
        institution_update(
            actor=None,
            institution=institution,
            premises_tenure="leased",
            lease_start=date(2025, 1, 1),
            lease_end=date(2027, 12, 31),
        )
    assert "at least 3 years" in caught.value.message_dict["lease_end"][0]
    institution.refresh_from_db()
    assert institution.premises_tenure == ""  # nothing half-written
    institution_update(
        actor=None,
        institution=institution,
        premises_tenure="leased",
        lease_start=date(2025, 1, 1),
        lease_end=date(2028, 1, 1),
    )


@pytest.mark.parametrize(
    ("floor", "fragment"), [(4, "floor 3 or lower"), (0, "underground"), (-1, "underground")]
)
def test_childrens_rooms_must_be_low_and_above_ground(world, floor, fragment):
    with pytest.raises(ValidationError) as caught:
        institution_update(
            actor=None, institution=world.institutions["inst_xuanwu"], children_rooms_floor=floor
        )
    assert fragment in caught.value.message_dict["children_rooms_floor"][0]


def test_a_date_in_the_future_is_refused(world):
    with pytest.raises(ValidationError) as caught:
        institution_update(
            actor=None, institution=world.institutions["inst_xuanwu"], fire_safety_date=date(2099, 1, 1)
        )
    assert "future" in caught.value.message_dict["fire_safety_date"][0]


def test_family_point_takes_at_most_five_children(world):
    institution = world.institutions["inst_wuxi"]
    with pytest.raises(ValidationError) as caught:
        institution_update(actor=None, institution=institution, type=InstitutionType.FAMILY, places=6)
    assert "at most 5" in caught.value.message_dict["places"][0]
    institution_update(actor=None, institution=institution, type=InstitutionType.FAMILY, places=5)


def test_inclusive_designation_sets_and_revoking_clears_the_flag(world):
    institution = world.institutions["inst_xuanwu"]
    designation = designation_grant(
        actor=None,
        institution=institution,
        kind=DesignationKind.INCLUSIVE,
        level=DesignationLevel.CITY,
        granted_on=date(2025, 6, 1),
        granted_by="南京市卫健委",
    )
    institution.refresh_from_db()
    assert institution.inclusive is True
    with pytest.raises(ValidationError):
        designation_grant(
            actor=None,
            institution=institution,
            kind=DesignationKind.INCLUSIVE,
            level=DesignationLevel.CITY,
            granted_on=date(2025, 7, 1),
            granted_by="南京市卫健委",
        )
    designation_revoke(actor=None, designation=designation, revoked_on=date(2026, 6, 1))
    institution.refresh_from_db()
    assert institution.inclusive is False


def test_every_change_to_the_record_is_in_its_history(world):
    institution = world.institutions["inst_xuanwu"]
    user = world.user("director")
    institution_update(actor=user, institution=institution, opening_hours="7:30-17:30")
    fee_item_save(
        actor=user,
        institution=institution,
        item="保育费（全日托）",
        amount=Decimal("2800"),
        unit="month",
        inclusive_price=False,
    )
    insurance_policy_save(
        actor=user,
        institution=institution,
        insurer="中国人保",
        policy_number="P-1",
        starts_on=date(2026, 1, 1),
        expires_on=date(2026, 12, 31),
    )
    actions = list(institution_history(institution).values_list("action", flat=True))
    assert actions[:3] == ["institution.insurance_save", "institution.fee_save", "institution.update"]
