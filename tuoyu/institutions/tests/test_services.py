"""Institution records: the credit code check, placement in the tree, audit."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tuoyu.core.models import AuditLog
from tuoyu.core.tests.factories import make_uscc
from tuoyu.core.validators import mask_middle, uscc_check_char, validate_uscc
from tuoyu.institutions.services import institution_create, institution_update

# Published example codes whose check characters are known to be right.
REAL_CODES = ["91350100M000100Y43", "91110000600037341L", "91440300708461136T"]

pytestmark = pytest.mark.usefixtures("english")


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_credit_codes_pass_the_check(code):
    validate_uscc(code)
    assert uscc_check_char(code[:17]) == code[17]


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("91350100M000100Y4", "18 characters"),
        ("91350100M000100Y44", "check character"),
        ("91350100M00O100Y43", "not allowed"),
        ("913501A0M000100Y43", "division"),
    ],
)
def test_wrong_credit_codes_are_refused_with_a_reason(code, fragment):
    with pytest.raises(ValidationError) as caught:
        validate_uscc(code)
    assert fragment in caught.value.messages[0]


def test_mask_keeps_only_the_ends():
    assert mask_middle("320102199001011234") == "320***********1234"


def _fields(world, **overrides):
    base = dict(
        name="新建托育园",
        uscc=make_uscc(77),
        type="private_run",
        ownership="private",
        places=40,
        address="北京东路1号",
        township=world.regions["meiyuan"],
        lat=32.06,
        lng=118.80,
    )
    return base | overrides


def test_create_copies_county_and_city_from_the_township_and_audits(world):
    institution = institution_create(actor=world.user("county_official"), **_fields(world))
    assert institution.county == world.regions["xuanwu"] and institution.city == world.regions["nanjing"]
    record = AuditLog.objects.get(action="institution.create")
    assert record.actor == world.user("county_official") and record.region_code == "320102002000"


def test_wrong_check_character_names_the_uscc_field(world):
    bad = make_uscc(77)[:17] + ("0" if make_uscc(77)[17] != "0" else "1")
    with pytest.raises(ValidationError) as caught:
        institution_create(actor=None, **_fields(world, uscc=bad))
    assert "uscc" in caught.value.message_dict


def test_institution_must_be_in_a_township_not_a_county(world):
    with pytest.raises(ValidationError) as caught:
        institution_create(actor=None, **_fields(world, township=world.regions["xuanwu"]))
    assert "township" in caught.value.message_dict


def test_point_far_outside_the_county_is_refused(world):
    with pytest.raises(ValidationError) as caught:
        institution_create(actor=None, **_fields(world, lat=31.30, lng=120.60))  # 苏州, not 玄武区
    assert "lat" in caught.value.message_dict


def test_update_records_what_changed(world):
    institution = world.institutions["inst_xuanwu"]
    institution_update(actor=world.user("director"), institution=institution, places=90)
    record = AuditLog.objects.get(action="institution.update")
    assert record.detail == {"changes": {"places": ["80", "90"]}}
