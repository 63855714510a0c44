from io import StringIO

import pytest
from django.core.management import call_command

from tuoyu.institutions.models import Institution
from tuoyu.workforce.choices import StaffRole
from tuoyu.workforce.demo import add_demo_staff, staff_reset
from tuoyu.workforce.models import Employment, Person, Qualification
from tuoyu.workforce.validators import validate_id_number


def test_every_operating_institution_gets_a_head_and_a_caregiver(world):
    operating = list(Institution.objects.operating())
    assert len(operating) == 3
    totals = add_demo_staff(seed=1)
    assert totals["created"] and totals["people"] == Person.objects.count()
    for institution in operating:
        roles = list(Employment.objects.filter(institution=institution).values_list("role", flat=True))
        assert roles.count(StaffRole.HEAD) == 1
        assert roles.count(StaffRole.CAREGIVER) >= 1
    for id_number in Person.objects.values_list("id_number", flat=True):
        validate_id_number(id_number)
    assert Qualification.objects.exists()


def test_a_second_run_creates_nothing(world):
    add_demo_staff(seed=1)
    counts = (Person.objects.count(), Employment.objects.count(), Qualification.objects.count())
    out = StringIO()
    assert add_demo_staff(seed=2, stdout=out) == {"created": False}
    assert "exist already" in out.getvalue()
    assert (Person.objects.count(), Employment.objects.count(), Qualification.objects.count()) == counts


def test_the_same_seed_gives_the_same_id_numbers(world):
    add_demo_staff(seed=7)
    first = sorted(Person.objects.values_list("id_number", flat=True))
    staff_reset()
    assert not Person.objects.exists()
    add_demo_staff(seed=7)
    assert sorted(Person.objects.values_list("id_number", flat=True)) == first


@pytest.mark.parametrize("reset", [False, True])
def test_the_command(world, reset):
    out = StringIO()
    call_command("demo_staff", "--seed", "1", *(["--reset"] if reset else []), stdout=out, verbosity=0)
    assert "demo staff" in out.getvalue()
    assert Employment.objects.exists()
