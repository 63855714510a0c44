from datetime import date, timedelta

import pytest
from django.db.models import Sum
from django.utils import timezone

from tuoyu.children import services
from tuoyu.children.models import Child, Enrolment, EntryCheck
from tuoyu.children.selectors import (
    MISSING_HEALTH,
    RECHECK_DUE,
    VACCINATION_DUE,
    admission_checks_due,
    admission_checks_due_counts,
    class_vacancies,
    classes_for_application,
)
from tuoyu.institutions.models import Institution
from tuoyu.workforce.ratios import institution_class_ratios

from .factories import applicant_child, apply, make_class


def test_class_vacancies_count_the_register_in_one_query(world, django_assert_num_queries):
    institution = world.institutions["inst_xuanwu"]
    make_class(institution, "托大一班", kind="older", capacity=20)
    with django_assert_num_queries(1):
        rows = {
            c.name: (c.children_now, c.vacancies)
            for c in class_vacancies(Institution.objects.filter(pk=institution.pk))
        }
    assert rows == {world.classes["xuanwu_toddler"].name: (2, 13), "托大一班": (0, 20)}
    total = class_vacancies(Institution.objects.all()).aggregate(free=Sum("vacancies"))["free"]
    assert total == 13 + 20 + 14


def test_the_accept_form_offers_only_fitting_classes_with_a_place(world):
    parent, institution = world.user("parent"), world.institutions["inst_xuanwu"]
    make_class(institution, "乳儿班", kind="infant", capacity=10)
    full = make_class(institution, "托小二班", kind="toddler", capacity=1)
    Child.objects.filter(pk=world.children["other_child"].pk).update(klass=full)
    application = apply(applicant_child(parent, months=17), institution, parent)
    assert [c.name for c in classes_for_application(application)] == [world.classes["xuanwu_toddler"].name]
    institution.places = 2
    institution.save()
    assert classes_for_application(application) == []


def _enrol_start(child, start_on):
    Enrolment.objects.filter(child=child).update(start_on=start_on)


def test_admission_checks_due_missing_health_vaccination_and_recheck(world):
    institution, today = world.institutions["inst_xuanwu"], date(2026, 11, 30)
    own, other = world.children["own_child"], world.children["other_child"]
    _enrol_start(own, date(2026, 11, 20))  # vaccination check due 2026-12-20, not yet overdue
    _enrol_start(other, date(2026, 9, 1))  # due 2026-10-01: overdue
    EntryCheck.objects.create(
        child=own, institution=institution, kind="health", checked_on=date(2026, 11, 1), passed=True
    )
    rows = {(r.child.name, r.what): r for r in admission_checks_due(institution, today)}
    assert set(rows) == {("小明", VACCINATION_DUE), ("小红", MISSING_HEALTH), ("小红", VACCINATION_DUE)}
    assert (
        rows[("小明", VACCINATION_DUE)].due_on == date(2026, 12, 20)
        and not rows[("小明", VACCINATION_DUE)].overdue
    )
    assert rows[("小红", VACCINATION_DUE)].overdue
    # An incomplete certificate is re-checked by 31 December; a complete one later closes it.
    EntryCheck.objects.create(
        child=own, institution=institution, kind="vaccination", checked_on=date(2026, 11, 25), passed=False
    )
    rows = {(r.child.name, r.what): r for r in admission_checks_due(institution, today)}
    assert rows[("小明", RECHECK_DUE)].due_on == date(2026, 12, 31)
    assert ("小明", VACCINATION_DUE) not in rows
    EntryCheck.objects.create(
        child=own,
        institution=institution,
        kind="vaccination_recheck",
        checked_on=date(2026, 11, 28),
        passed=True,
    )
    assert {r.child.name for r in admission_checks_due(institution, today)} == {"小红"}
    counts = admission_checks_due_counts(Institution.objects.all(), today)
    assert counts[institution.pk] == {
        "missing_health": 1,
        "vaccination_missing": 1,
        "vaccination_overdue": 1,
        "recheck_pending": 0,
    }


def test_admission_checks_due_is_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    institution = world.institutions["inst_xuanwu"]
    for n in range(10):
        Child.objects.create(
            name=f"孩子{n}",
            sex="M",
            birth_date=date(2025, 1, 1),
            institution=institution,
            klass=world.classes["xuanwu_toddler"],
        )
    with django_assert_max_num_queries(1):
        assert len(admission_checks_due(institution, timezone.localdate())) >= 10


@pytest.mark.usefixtures("english")
def test_the_ratio_counts_the_register_once_children_are_on_it(world):
    """workforce/ratios.py: children_counted() reads the register; a class without register children
    keeps its declared count."""
    parent, institution = world.user("parent"), world.institutions["inst_xuanwu"]
    declared = make_class(institution, "托大一班", kind="older", capacity=20)
    declared.enrolled = 9
    declared.save()
    child = applicant_child(parent)
    EntryCheck.objects.create(
        child=child,
        institution=institution,
        kind="health",
        checked_on=timezone.localdate() - timedelta(days=1),
        passed=True,
    )
    services.application_accept(
        actor=world.user("director"),
        application=apply(child, institution, parent),
        klass=world.classes["xuanwu_toddler"],
    )
    counted = {r.institution_class.name: r.children for r in institution_class_ratios(institution)}
    assert counted == {world.classes["xuanwu_toddler"].name: 3, "托大一班": 9}
