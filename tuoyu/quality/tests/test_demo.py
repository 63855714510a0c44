"""The demo command: assessments in every state, grades computed as the services do, idempotent."""

from __future__ import annotations

import pytest

from tuoyu.core.tests.factories import InstitutionFactory
from tuoyu.credit.models import CreditRecord
from tuoyu.quality.choices import AssessmentStatus
from tuoyu.quality.demo import add_demo_quality
from tuoyu.quality.models import Assessment, AssessmentScore

pytestmark = pytest.mark.django_db


def test_demo_fills_every_state_and_running_twice_adds_nothing(world):
    for _ in range(40):
        InstitutionFactory(township=world.regions["dongshan"])
    first = add_demo_quality(seed=1)
    assert first["assessments"] == 43
    states = set(Assessment.objects.values_list("status", flat=True))
    assert states == set(AssessmentStatus.values)
    published = Assessment.objects.filter(status=AssessmentStatus.PUBLISHED)
    assert published.filter(current=True).count() == published.count() > 0
    assert not published.filter(grade="").exists()
    a_grades = published.filter(grade="A").count()
    assert CreditRecord.objects.filter(source="quality").count() == a_grades
    # Scores add up to the stored totals.
    some = published.first()
    assert (
        sum(AssessmentScore.objects.filter(assessment=some).values_list("county_score", flat=True))
        == some.county_total
    )
    rows = Assessment.objects.count(), AssessmentScore.objects.count()
    assert add_demo_quality(seed=1)["assessments"] == 0
    assert (Assessment.objects.count(), AssessmentScore.objects.count()) == rows
