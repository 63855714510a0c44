from io import StringIO

from django.core.management import call_command

from tuoyu.training.demo import add_demo_training, training_reset
from tuoyu.training.models import Course, Enrolment, TrainingBase, TrainingSession
from tuoyu.training.selectors import base_coverage, completion_totals
from tuoyu.workforce.demo import REFERENCE_DATE, add_demo_staff
from tuoyu.workforce.models import Employment


def _snapshot():
    return sorted(
        Enrolment.objects.values_list(
            "person__id_number", "session__course__title", "status", "hours_credited"
        )
    )


def test_demo_training_gives_bases_courses_and_hours_to_the_demo_staff(world):
    add_demo_staff(seed=1)
    totals = add_demo_training(seed=1)
    assert totals["created"] and totals["enrolments"] == Enrolment.objects.count() > 0
    assert Course.objects.filter(target_role="head", hours=60, leads_to="head_training").exists()
    coverage = {row.level: row for row in base_coverage(today=REFERENCE_DATE)}
    assert coverage["province"].covered == 1 and coverage["city"].covered == 2  # round(2 × 11/13)
    assert TrainingSession.objects.filter(starts_on__gt=REFERENCE_DATE).exists()  # upcoming
    completed = Enrolment.objects.filter(status="completed")
    assert not completed.filter(certificate_no="").exists()
    first = completed.order_by("id").first()
    assert first.certificate_no == f"PX{first.session_id:06d}-{first.pk:06d}"
    totals = completion_totals(Employment.objects.open(), REFERENCE_DATE)
    assert totals.heads == 3 and totals.caregivers > 0


def test_a_second_run_creates_nothing_and_the_seed_decides_the_data(world):
    add_demo_staff(seed=1)
    add_demo_training(seed=1)
    first = _snapshot()
    out = StringIO()
    assert add_demo_training(seed=2, stdout=out) == {"created": False}
    assert "exist already" in out.getvalue()
    training_reset()
    assert not TrainingBase.objects.exists() and not Enrolment.objects.exists()
    call_command("demo_training", "--seed", "1", stdout=out, verbosity=0)
    assert _snapshot() == first
