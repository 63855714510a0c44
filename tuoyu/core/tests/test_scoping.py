"""for_user() is the one enforcement point: each persona sees exactly its scope."""

from __future__ import annotations

import pytest

from tuoyu.institutions.models import Institution

EXPECTED_INSTITUTIONS = {
    "province_official": {"inst_xuanwu", "inst_jiangning", "inst_wuxi"},
    "city_official": {"inst_xuanwu", "inst_jiangning"},
    "county_official": {"inst_xuanwu"},
    "other_county_official": {"inst_jiangning"},
    "director": {"inst_xuanwu"},
    "caregiver": {"inst_xuanwu"},
    "parent": set(),
    "national_observer": {"inst_xuanwu", "inst_jiangning", "inst_wuxi"},
    "outsider": set(),
    "anonymous": set(),
}


@pytest.mark.parametrize("persona", sorted(EXPECTED_INSTITUTIONS))
def test_each_persona_sees_exactly_its_institutions(world, persona):
    visible = set(Institution.objects.for_user(world.user(persona), "view").values_list("name", flat=True))
    expected = {world.institutions[k].name for k in EXPECTED_INSTITUTIONS[persona]}
    assert visible == expected


def test_county_official_cannot_see_other_county(world):
    user = world.user("county_official")
    assert (
        not Institution.objects.for_user(user, "view")
        .filter(pk=world.institutions["inst_jiangning"].pk)
        .exists()
    )


def test_caregiver_cannot_change_institution_but_director_can(world):
    inst = world.institutions["inst_xuanwu"]
    assert not Institution.objects.for_user(world.user("caregiver"), "change").filter(pk=inst.pk).exists()
    assert Institution.objects.for_user(world.user("director"), "change").filter(pk=inst.pk).exists()


def test_viewer_role_grants_no_review(world):
    assert not Institution.objects.for_user(world.user("city_official"), "review").exists()


def test_inactive_assignment_grants_nothing(world):
    user = world.user("county_official")
    user.role_assignments.update(active=False)
    user.refresh_from_db()
    assert not Institution.objects.for_user(user, "view").exists()


def test_deactivated_user_sees_nothing(world):
    user = world.user("province_official")
    user.is_active = False
    user.save()
    assert not Institution.objects.for_user(user, "view").exists()


def test_region_grant_is_one_range_query(world, django_assert_num_queries):
    user = world.user("city_official")
    user.active_assignments()  # the assignments are read once per request
    with django_assert_num_queries(1):
        list(Institution.objects.for_user(user, "view"))
