"""demo_planning on the small persona world: deterministic, idempotent, every part present."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from tuoyu.institutions.models import Designation
from tuoyu.planning.demo import demo_planning_generate
from tuoyu.planning.models import ResidentialProject


def _snapshot() -> list[tuple]:
    return list(ResidentialProject.objects.order_by("township_id", "name").values_list(
        "township_id", "name", "homes", "delivered_on", "facility_status"))  # fmt: skip


def test_demo_planning_is_deterministic_and_idempotent(world):
    first = demo_planning_generate(seed=1)
    assert first.projects >= 3 * 3  # three counties, 3-6 projects each
    assert first.service_centres == 2  # both cities of the small world (10 of 13 in the province)
    made = _snapshot()
    out = StringIO()
    call_command("demo_planning", "--seed", "1", stdout=out)
    assert "0 residential projects" in out.getvalue()
    assert _snapshot() == made
    ResidentialProject.objects.all().delete()
    Designation.objects.filter(kind__in=["demonstration", "service_centre"]).delete()
    demo_planning_generate(seed=1)
    assert _snapshot() == made
    for project in ResidentialProject.objects.all():
        project.full_clean()
