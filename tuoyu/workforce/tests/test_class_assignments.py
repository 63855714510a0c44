"""Assigning caregivers to classes: who may, which jobs and classes, one class at a time."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tuoyu.core.api import Conflict
from tuoyu.core.models import AuditLog
from tuoyu.workforce import services
from tuoyu.workforce.models import ClassAssignment
from tuoyu.workforce.ratios import institution_class_ratios

from .factories import employ, make_class


def _add(world, job, klass, actor="director", **kwargs):
    return services.class_assignment_add(
        actor=world.user(actor), employment=job, institution_class=klass, **kwargs
    )


def test_director_assigns_a_caregiver_and_it_is_audited(world):
    institution = world.institutions["inst_xuanwu"]
    job, klass = employ(institution, 1), make_class(institution, enrolled=4)
    assignment = _add(world, job, klass)
    assert assignment.start_on == timezone.localdate()
    assert AuditLog.objects.filter(action="class_assignment_add", object_id=str(assignment.pk)).exists()
    [row] = institution_class_ratios(institution)
    assert (row.assigned, row.breach) == (1, False)


@pytest.mark.parametrize("role", ["head", "health", "cook"])
def test_only_caregivers_are_assigned(world, role):
    institution = world.institutions["inst_xuanwu"]
    with pytest.raises(ValidationError) as exc:
        _add(world, employ(institution, 2, role=role), make_class(institution))
    assert "employment" in exc.value.message_dict
    assert not ClassAssignment.objects.exists()


def test_a_class_of_another_institution_is_refused(world):
    job = employ(world.institutions["inst_xuanwu"], 3)
    other = make_class(world.institutions["inst_jiangning"])
    with pytest.raises(ValidationError) as exc:
        _add(world, job, other)
    assert "institution_class" in exc.value.message_dict


def test_an_ended_job_cannot_be_assigned(world):
    institution = world.institutions["inst_xuanwu"]
    job = employ(institution, 4)
    services.employment_end(actor=world.user("director"), employment=job, end_on=timezone.localdate())
    with pytest.raises(Conflict):
        _add(world, job, make_class(institution))


def test_one_class_at_a_time_until_the_first_assignment_ends(world, english):
    institution = world.institutions["inst_xuanwu"]
    job = employ(institution, 5, name="王芳")
    first, second = make_class(institution, "托小班1"), make_class(institution, "托小班2")
    assignment = _add(world, job, first)
    with pytest.raises(Conflict, match="王芳 is already assigned to 托小班1"):
        _add(world, job, second)
    services.class_assignment_end(actor=world.user("director"), assignment=assignment)
    with pytest.raises(Conflict):
        services.class_assignment_end(actor=world.user("director"), assignment=assignment)
    assert _add(world, job, second).institution_class == second


def test_the_database_refuses_a_second_open_assignment(world):
    institution = world.institutions["inst_xuanwu"]
    job = employ(institution, 6)
    ClassAssignment.objects.create(
        employment=job, institution_class=make_class(institution, "a"), start_on=date(2025, 2, 1)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        ClassAssignment.objects.create(
            employment=job, institution_class=make_class(institution, "b"), start_on=date(2025, 2, 1)
        )


def test_dates_before_the_job_or_in_the_future_are_refused(world):
    institution = world.institutions["inst_xuanwu"]
    job, klass = employ(institution, 7, start_on=date(2025, 3, 1)), make_class(institution)
    with pytest.raises(ValidationError) as exc:
        _add(world, job, klass, start_on=date(2025, 2, 1))
    assert "start_on" in exc.value.message_dict
    with pytest.raises(ValidationError):
        _add(world, job, klass, start_on=timezone.localdate() + timedelta(days=1))
    assignment = _add(world, job, klass, start_on=date(2025, 4, 1))
    with pytest.raises(ValidationError) as exc:
        services.class_assignment_end(
            actor=world.user("director"), assignment=assignment, end_on=date(2025, 3, 31)
        )
    assert "end_on" in exc.value.message_dict


@pytest.mark.parametrize("persona", ["caregiver", "county_official", "other_county_official", "parent"])
def test_only_the_director_may_assign_or_end(world, persona):
    institution = world.institutions["inst_xuanwu"]
    job, klass = employ(institution, 8), make_class(institution)
    with pytest.raises(PermissionDenied):
        _add(world, job, klass, actor=persona)
    assignment = _add(world, job, klass)
    with pytest.raises(PermissionDenied):
        services.class_assignment_end(actor=world.user(persona), assignment=assignment)
    assert ClassAssignment.objects.open().count() == 1


def test_ending_a_job_ends_its_assignment(world):
    institution = world.institutions["inst_xuanwu"]
    job = employ(institution, 9)
    assignment = _add(world, job, make_class(institution, enrolled=3))
    services.employment_end(actor=world.user("director"), employment=job, end_on=timezone.localdate())
    assignment.refresh_from_db()
    assert assignment.end_on == timezone.localdate()
    [row] = institution_class_ratios(institution)
    assert (row.assigned, row.breach) == (0, True)
