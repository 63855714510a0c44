from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from tuoyu.accounts.choices import Role
from tuoyu.children.demo import add_demo_children, children_reset
from tuoyu.children.models import Application, Child, Enrolment, EntryCheck, Guardian
from tuoyu.children.rules import class_fits_age
from tuoyu.children.selectors import admission_checks_due
from tuoyu.core.tests.factories import RoleAssignmentFactory, UserFactory
from tuoyu.institutions.models import InstitutionClass
from tuoyu.workforce.validators import validate_id_number

from .factories import make_class


def _tiny_world(world):
    xuanwu, wuxi = world.institutions["inst_xuanwu"], world.institutions["inst_wuxi"]
    infants = make_class(xuanwu, "乳儿一班", kind="infant", capacity=4)
    InstitutionClass.objects.filter(pk=infants.pk).update(enrolled=6)  # declared above its places
    older = make_class(wuxi, "托大一班", kind="older", capacity=20)
    InstitutionClass.objects.filter(pk=older.pk).update(enrolled=12)
    director = UserFactory(username="demo_director")
    RoleAssignmentFactory(user=director, role=Role.DIRECTOR, institution=xuanwu, region=None)
    parent = UserFactory(username="demo_parent", display_name="陈女士（演示家长）")
    RoleAssignmentFactory(user=parent, role=Role.PARENT, institution=None, region=None)
    return infants, older, parent


def test_every_class_gets_its_children_capped_at_its_places(world):
    infants, older, parent = _tiny_world(world)
    totals = add_demo_children(seed=1)
    assert totals["created"] and totals["children"] == 4 + 12
    assert all(2 <= len(name) <= 3 for name in Child.objects.values_list("name", flat=True))
    today = timezone.localdate()
    for klass in (infants, older):
        klass.refresh_from_db()
        children = list(Child.objects.filter(klass=klass))
        assert klass.enrolled == len(children) == min(klass.capacity, {infants.pk: 6, older.pk: 12}[klass.pk])
        assert all(class_fits_age(klass.kind, c.birth_date, today) for c in children)
    # The persona children stay; their classes keep their counts.
    assert InstitutionClass.objects.get(pk=world.classes["xuanwu_toddler"].pk).enrolled == 2
    for child in Child.objects.exclude(id_number=""):
        validate_id_number(child.id_number)
    demo = Enrolment.objects.filter(agreement_ref__startswith="DEMO-")
    assert demo.count() == 16 and not demo.filter(start_on__gt=today).exists()
    assert Guardian.objects.filter(child__enrolments__in=demo, position=1).count() == 16
    assert EntryCheck.objects.filter(child__enrolments__in=demo, kind="health", passed=True).count() >= 14
    # demo_parent guards a child at the director's institution; five families applied there.
    assert Guardian.objects.filter(user=parent, child__institution=world.institutions["inst_xuanwu"]).exists()
    pending = Application.objects.filter(institution=world.institutions["inst_xuanwu"], status="submitted")
    assert pending.count() == 5
    assert isinstance(admission_checks_due(world.institutions["inst_xuanwu"], today), list)


def test_a_second_run_writes_nothing_and_reset_starts_again(world):
    _tiny_world(world)
    add_demo_children(seed=1)
    count = Child.objects.count()
    out = StringIO()
    assert add_demo_children(seed=1, stdout=out) == {"created": False}
    assert "exist already" in out.getvalue() and Child.objects.count() == count
    children_reset()
    assert not Child.objects.exists()
    call_command("demo_children", "--seed", "2", stdout=out)
    assert "demo children" in out.getvalue()
    # Refilled: the demo classes and the persona classes (their children went with the reset).
    assert Enrolment.objects.filter(agreement_ref__startswith="DEMO-").count() == 16 + 3
