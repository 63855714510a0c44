"""The demo command on the persona world: checks for every child, doses by the schedule, a cluster
when one township of 玄武区 has three institutions with children, and re-running replaces its rows."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tuoyu.health.demo import add_demo_health
from tuoyu.health.models import HealthCheck, SymptomClusterAlert, VaccineDose
from tuoyu.health.selectors import child_schedule

from .factories import centre_with_child

pytestmark = pytest.mark.django_db


def test_demo_writes_checks_doses_and_the_planted_cluster(world):
    meiyuan = world.regions["meiyuan"]
    centre_with_child(meiyuan, "第二托育园")
    centre_with_child(meiyuan, "第三托育园")
    first = add_demo_health(seed=3)
    today = timezone.localdate()
    assert first["checks_today"] == 5 and first["today_from"] == "enrolment"
    assert HealthCheck.objects.filter(day=today).count() == 5
    alert = SymptomClusterAlert.objects.get()
    assert alert.township_id == meiyuan.code and alert.institution_count == 3
    # Doses for the children of 南京市 only (all five here), given by the schedule.
    assert first["dose_children"] == 5 and VaccineDose.objects.exists()
    given = [r for r in child_schedule(world.children["own_child"], today) if r.status == "given"]
    assert given and all(r.dose.given_on >= r.due_from for r in given)
    again = add_demo_health(seed=3)
    assert HealthCheck.objects.filter(day=today).count() == 5
    assert VaccineDose.objects.count() == again["doses"]
    assert SymptomClusterAlert.objects.count() == 1
