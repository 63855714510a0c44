"""The demo enrolment and class assignments (demo_ratios, also run by demo_staff)."""

from io import StringIO

from django.core.management import call_command

from tuoyu.accounts.choices import Role
from tuoyu.core.tests.factories import RoleAssignmentFactory, UserFactory
from tuoyu.institutions.models import Institution, InstitutionClass
from tuoyu.workforce.demo import add_demo_staff
from tuoyu.workforce.demo_ratios import add_demo_ratios, ratios_reset
from tuoyu.workforce.models import ClassAssignment
from tuoyu.workforce.ratios import institution_class_ratios

from .factories import make_class


def _classes(world):
    for key in ("inst_xuanwu", "inst_jiangning", "inst_wuxi"):
        institution = world.institutions[key]
        make_class(institution, "托大班1", kind="older", capacity=20)
        make_class(institution, "托小班1", kind="toddler", capacity=15)
        make_class(institution, "乳儿班1", kind="infant", capacity=10)


def test_demo_staff_fills_classes_and_the_demo_directors_institution_has_a_breach(world):
    _classes(world)
    institution = world.institutions["inst_jiangning"]
    RoleAssignmentFactory(
        user=UserFactory(username="demo_director"), role=Role.DIRECTOR, institution=institution
    )
    totals = add_demo_staff(seed=3)
    ratios = totals["ratios"]
    assert ratios["created"] and ratios["assigned"] == ClassAssignment.objects.count() > 0
    assert ratios["children"] == sum(InstitutionClass.objects.values_list("enrolled", flat=True)) > 0
    assert any(row.breach for row in institution_class_ratios(institution))
    # Caregivers are only placed in classes of their own institution, one class each.
    for a in ClassAssignment.objects.select_related("employment", "institution_class"):
        assert a.employment.institution_id == a.institution_class.institution_id
        assert a.employment.role == "caregiver"


def test_the_same_seed_gives_the_same_enrolment_and_a_second_run_adds_nothing(world):
    _classes(world)
    add_demo_staff(seed=5)
    first = sorted(InstitutionClass.objects.values_list("id", "enrolled"))
    placed = sorted(ClassAssignment.objects.values_list("employment_id", "institution_class_id"))
    assert add_demo_ratios(seed=5) == {"created": False}
    ratios_reset()
    assert not ClassAssignment.objects.exists()
    assert not InstitutionClass.objects.exclude(enrolled=0).exists()
    add_demo_ratios(seed=5)
    assert sorted(InstitutionClass.objects.values_list("id", "enrolled")) == first
    assert sorted(ClassAssignment.objects.values_list("employment_id", "institution_class_id")) == placed


def test_the_command(world):
    _classes(world)
    add_demo_staff(seed=1)
    out = StringIO()
    call_command("demo_ratios", "--seed", "1", "--reset", stdout=out)
    assert "classes" in out.getvalue()
    assert ClassAssignment.objects.exists()
    assert Institution.objects.operating().count() == 3
