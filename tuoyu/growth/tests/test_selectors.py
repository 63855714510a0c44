"""Selectors: latest per child and flag counts upward, in SQL."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tuoyu.growth.selectors import growth_flag_counts, latest_for_child, latest_measurements
from tuoyu.growth.services import growth_measurement_record
from tuoyu.institutions.models import Institution


def _measure(world, key, days_ago, weight, actor="caregiver"):
    return growth_measurement_record(
        actor=world.user(actor),
        child=world.children[key],
        measured_on=timezone.localdate() - timedelta(days=days_ago),
        weight_kg=Decimal(weight),
    )


def _jiangning_staff(world):
    from tuoyu.accounts.choices import Role
    from tuoyu.core.tests.factories import RoleAssignmentFactory, UserFactory

    user = UserFactory(username="jn_carer")
    RoleAssignmentFactory(user=user, role=Role.CAREGIVER, institution=world.institutions["inst_jiangning"])
    world.users["jn_carer"] = user


def test_latest_measurement_per_child(world):
    _measure(world, "own_child", 60, "7.0")  # underweight then
    latest = _measure(world, "own_child", 5, "11.0")
    assert latest_for_child(world.children["own_child"]) == latest
    assert list(latest_measurements()) == [latest]


def test_flag_counts_use_the_latest_measurement_and_group_upward(world, django_assert_max_num_queries):
    _jiangning_staff(world)
    _measure(world, "own_child", 60, "11.0")
    _measure(world, "own_child", 5, "7.0")  # now underweight
    _measure(world, "other_child", 5, "10.0")
    _measure(world, "jiangning_child", 5, "7.0", actor="jn_carer")
    institutions = Institution.objects.all()
    with django_assert_max_num_queries(1):
        by_inst = growth_flag_counts(institutions, "institution")
    xuanwu, jiangning = world.institutions["inst_xuanwu"], world.institutions["inst_jiangning"]
    assert by_inst[xuanwu.pk].measured == 2 and by_inst[xuanwu.pk].flags["underweight"] == 1
    assert by_inst[jiangning.pk].flags["underweight"] == 1
    by_city = growth_flag_counts(institutions, "city_id")
    assert by_city["320100000000"].measured == 3 and by_city["320100000000"].flags["underweight"] == 2
    by_county = growth_flag_counts(institutions, "county_id")
    assert set(by_county) == {"320102000000", "320115000000"}
    recent = growth_flag_counts(institutions, "institution", since=timezone.localdate())
    assert recent == {}


def test_flag_counts_refuse_unknown_grouping(world):
    with pytest.raises(ValueError):
        growth_flag_counts(Institution.objects.all(), "street")
