"""Small builders for the children tests (on top of the persona world)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from tuoyu.institutions.models import InstitutionClass

from ..choices import EntryCheckKind
from ..models import Application, ApplicationTransition, Child, EntryCheck, Guardian
from ..rules import add_months


def months_old(months: int, on: date | None = None) -> date:
    """A birth date that makes the child `months` old (and a few days) on `on` (default today)."""
    return add_months(on or timezone.localdate(), -months) - timedelta(days=3)


def next_month() -> date:
    return add_months(timezone.localdate().replace(day=1), 1)


def make_class(institution: Any, name: str, kind: str = "toddler", capacity: int = 15) -> InstitutionClass:
    return InstitutionClass.objects.create(institution=institution, name=name, kind=kind, capacity=capacity)


def applicant_child(user: Any, name: str = "小雨", months: int = 17, start: date | None = None) -> Child:
    """A child not enrolled anywhere whose guardian 1 is `user`."""
    child = Child.objects.create(name=name, sex="F", birth_date=months_old(months, start or next_month()))
    Guardian.objects.create(
        child=child, position=1, name="李女士", relation="mother", phone="13912345678", user=user
    )
    return child


def apply(child: Child, institution: Any, user: Any, start: date | None = None) -> Application:
    application = Application.objects.create(
        child=child,
        institution=institution,
        applicant=user,
        service_mode="full_day",
        start_month=start or next_month(),
    )
    ApplicationTransition.objects.create(application=application, to_status="submitted", actor=user)
    return application


def health_check(child: Child, institution: Any, passed: bool = True, days_ago: int = 3) -> EntryCheck:
    return EntryCheck.objects.create(
        child=child,
        institution=institution,
        kind=EntryCheckKind.HEALTH,
        checked_on=timezone.localdate() - timedelta(days=days_ago),
        passed=passed,
    )
