"""The demo command: one recent measurement per enrolled child, a year's series at the director's centre."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tuoyu.accounts.choices import Role
from tuoyu.core.tests.factories import RoleAssignmentFactory, UserFactory
from tuoyu.growth.demo import add_demo_growth
from tuoyu.growth.models import GrowthMeasurement


def test_demo_writes_recent_measurements_and_a_series_and_is_idempotent(world):
    director = UserFactory(username="demo_director")
    RoleAssignmentFactory(user=director, role=Role.DIRECTOR, institution=world.institutions["inst_jiangning"])
    totals = add_demo_growth(seed=3)
    today = timezone.localdate()
    own = GrowthMeasurement.objects.filter(child=world.children["own_child"])
    assert own.count() == 1 and own.get().measured_on >= today - timedelta(days=89)
    series = GrowthMeasurement.objects.filter(child=world.children["jiangning_child"]).order_by("measured_on")
    assert series.count() == 12
    assert all(m.z_wfa is not None and m.z_lhfa is not None and m.position for m in series)
    assert totals["measurements"] == 14
    # Values come from the WHO distribution: within ±4 SD, scores computed.
    assert all(-4 < m.z_wfa < 4 for m in GrowthMeasurement.objects.all())
    assert add_demo_growth(seed=3)["skipped"]
    assert GrowthMeasurement.objects.count() == 14
