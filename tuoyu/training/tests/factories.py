"""factory_boy factories for training tests, on the persona world's regions (江苏省/南京市/玄武区 ...)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone

from tuoyu.core.tests.factories import RegionFactory
from tuoyu.training.choices import CourseMode, CourseModule
from tuoyu.training.models import Course, Enrolment, Trainer, TrainingBase, TrainingSession

PROVINCE = "320000000000"
NANJING = "320100000000"
XUANWU = "320102000000"
JIANGNING = "320115000000"


class TrainingBaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingBase

    name = factory.Sequence(lambda n: f"实训基地{n}")
    level = factory.LazyAttribute(lambda o: o.region.level)
    region = factory.SubFactory(RegionFactory)
    capacity = 100
    accredited_by = "江苏省卫生健康委员会"
    accredited_on = date(2022, 1, 1)


class TrainerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Trainer

    name = factory.Sequence(lambda n: f"讲师{n}")
    organisation = "南京市妇幼保健院"
    specialty = CourseModule.CAREGIVING
    region = factory.SubFactory(RegionFactory)


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    title = factory.Sequence(lambda n: f"保育人员岗位培训{n}")
    target_role = "caregiver"
    hours = Decimal("40")
    mode = CourseMode.OFFLINE
    module = CourseModule.CAREGIVING
    region = factory.SubFactory(RegionFactory)


class TrainingSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingSession

    course = factory.SubFactory(CourseFactory)
    region = factory.SubFactory(RegionFactory)
    # Under way by default: directors may still enrol, the organiser may already record completion.
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=10))
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=10))
    capacity = 30


class EnrolmentFactory(factory.django.DjangoModelFactory):
    """A completed enrolment by default (full hours of the course)."""

    class Meta:
        model = Enrolment

    session = factory.SubFactory(TrainingSessionFactory)
    status = "completed"
    hours_credited = factory.LazyAttribute(lambda o: o.session.course.hours if o.status == "completed" else 0)
    completed_on = factory.LazyAttribute(lambda o: o.session.ends_on if o.status == "completed" else None)


def course(world: Any, role: str = "caregiver", hours: int = 40, **kwargs: Any) -> Course:
    """A course published by the province."""
    return CourseFactory(region=world.regions["province"], target_role=role, hours=Decimal(hours), **kwargs)


def session(world: Any, region: str = "xuanwu", **kwargs: Any) -> TrainingSession:
    kwargs.setdefault("course", kwargs.get("course") or course(world))
    return TrainingSessionFactory(region=world.regions[region], **kwargs)


def completed(
    job: Any, the_course: Course, hours: Decimal | int | None = None, on: date = date(2026, 3, 5)
) -> Enrolment:
    """A completed enrolment of the job's person (from its institution) in a new session of the course."""
    run = TrainingSessionFactory(
        course=the_course, region_id=job.institution.township.parent_id, starts_on=on, ends_on=on
    )
    return EnrolmentFactory(
        session=run,
        person=job.person,
        institution=job.institution,
        hours_credited=the_course.hours if hours is None else Decimal(hours),
        completed_on=on,
    )
