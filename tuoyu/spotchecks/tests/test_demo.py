"""The demo: inspectors in every county, plans, batches and draws that open inspections; idempotent."""

import io

import pytest

from tuoyu.accounts.choices import Role
from tuoyu.accounts.models import RoleAssignment, User
from tuoyu.core.tests.factories import RoleAssignmentFactory, UserFactory
from tuoyu.regions.models import Region
from tuoyu.spotchecks.demo import add_demo_spotchecks
from tuoyu.spotchecks.models import Draw, DrawAssignment, InspectionPlan
from tuoyu.spotchecks.services import draw_replay
from tuoyu.supervision.models import Inspection

pytestmark = pytest.mark.django_db


def test_demo_spotchecks_once(world):
    RoleAssignmentFactory(
        user=UserFactory(username="demo_province"), role=Role.OFFICIAL_ADMIN, region=world.regions["province"]
    )
    xuanwu_admin = UserFactory(username="demo_county_xuanwu", password="the-demo-password")
    RoleAssignmentFactory(user=xuanwu_admin, role=Role.OFFICIAL_ADMIN, region=world.regions["xuanwu"])
    out = io.StringIO()
    figures = add_demo_spotchecks(seed=1, stdout=out)
    counties = Region.objects.filter(level="county")
    for county in counties:
        n = RoleAssignment.objects.filter(role=Role.OFFICIAL_INSPECTOR, region=county).count()
        assert 2 <= n <= 5, county  # 2–4, plus demo_inspector in 玄武区
    assert InspectionPlan.objects.count() == counties.count() + 1
    assert figures["draws"] == counties.count() + 1
    inspector = User.objects.get(username="demo_inspector")
    assert inspector.check_password("the-demo-password")
    # 玄武区's draw is made by its county official and puts demo_inspector on a team.
    xuanwu_draw = Draw.objects.get(batch__plan__region=world.regions["xuanwu"])
    assert xuanwu_draw.drawn_by == xuanwu_admin
    assert DrawAssignment.objects.filter(draw=xuanwu_draw, team=inspector).exists()
    assert Inspection.objects.filter(origin=f"draw {xuanwu_draw.pk}", inspectors=inspector).exists()
    assert draw_replay(actor=xuanwu_admin, draw=xuanwu_draw)["identical"] is True
    # Running again changes nothing.
    before = (User.objects.count(), Draw.objects.count(), Inspection.objects.count())
    again = add_demo_spotchecks(seed=1, stdout=out)
    assert set(again.values()) == {0}
    assert (User.objects.count(), Draw.objects.count(), Inspection.objects.count()) == before
