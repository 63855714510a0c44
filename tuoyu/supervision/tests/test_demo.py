"""The demo command works on a small world and changes nothing when run again."""

from __future__ import annotations

import pytest

from tuoyu.accounts.choices import Role
from tuoyu.core.tests.factories import RoleAssignmentFactory, UserFactory
from tuoyu.supervision.demo import run
from tuoyu.supervision.models import Inspection, RectificationOrder

pytestmark = pytest.mark.django_db


def test_demo_fills_inspections_and_is_idempotent(world):
    admin = UserFactory(username="demo_province")
    RoleAssignmentFactory(user=admin, role=Role.OFFICIAL_ADMIN, region=world.regions["province"])
    result = run(seed=1)
    assert result["skipped"] is False
    statuses = set(Inspection.objects.values_list("status", flat=True))
    assert {"closed", "rectifying", "submitted"} <= statuses
    assert Inspection.objects.filter(published_at__isnull=False).exists()
    assert RectificationOrder.objects.exists()
    before = (Inspection.objects.count(), RectificationOrder.objects.count())
    assert run(seed=1)["skipped"] is True
    assert (Inspection.objects.count(), RectificationOrder.objects.count()) == before
