from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tuoyu.accounts.choices import Role
from tuoyu.children import services
from tuoyu.children.models import Application, ApplicationTransition, Child, Enrolment, Guardian, PickupPerson
from tuoyu.core.api import Conflict
from tuoyu.core.models import AuditLog
from tuoyu.core.tests.factories import RoleAssignmentFactory, UserFactory
from tuoyu.institutions.models import FeeItem, InstitutionClass
from tuoyu.parents.models import Notification
from tuoyu.workforce.validators import id_check_char

from .factories import applicant_child, apply, health_check, make_class, months_old, next_month

pytestmark = pytest.mark.usefixtures("english")
VALID_ID = "11010120240101002" + id_check_char("11010120240101002")


def another_parent():
    user = UserFactory(username="another_parent")
    RoleAssignmentFactory(user=user, role=Role.PARENT, region=None, institution=None)
    return user


def new_child_fields(**extra):
    return {"name": "陈小雨", "sex": "F", "birth_date": months_old(17, next_month()), **extra}


# --- Submitting ------------------------------------------------------------------------------------


def test_a_parent_applies_for_a_new_child_and_becomes_guardian_1(world):
    parent = world.user("parent")
    application = services.application_submit(
        actor=parent,
        institution=world.institutions["inst_xuanwu"],
        service_mode="full_day",
        start_month=next_month() + timedelta(days=10),
        child_fields=new_child_fields(id_number=""),
        guardian={"relation": "mother", "phone": "13912345678"},
        second_guardian={"name": "陈先生", "relation": "father", "phone": "13787654321"},
    )
    assert application.status == "submitted" and application.start_month == next_month()
    guardians = list(application.child.guardians.order_by("position"))
    assert [(g.position, g.user_id) for g in guardians] == [(1, parent.pk), (2, None)]
    assert guardians[0].phone == "13912345678"
    step = ApplicationTransition.objects.get(application=application)
    assert (step.from_status, step.to_status, step.actor_id) == ("", "submitted", parent.pk)
    assert AuditLog.objects.filter(action="application_submitted", object_id=str(application.pk)).exists()


def test_only_parents_apply(world):
    with pytest.raises(PermissionDenied):
        services.application_submit(
            actor=world.user("director"),
            institution=world.institutions["inst_xuanwu"],
            service_mode="full_day",
            start_month=next_month(),
            child_fields=new_child_fields(),
            guardian={"relation": "mother"},
        )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"service_mode": "hourly"}, "service_mode"),
        ({"start_month": timezone.localdate().replace(day=1) - timedelta(days=40)}, "start_month"),
        ({"child_fields": new_child_fields(birth_date=months_old(3, next_month()))}, "start_month"),
        ({"child_fields": new_child_fields(id_number="110101202401010001")}, "id_number"),  # check char
        ({"child_fields": new_child_fields(id_number="DUPLICATE")}, "id_number"),
    ],
)
def test_bad_applications_name_the_field(world, changes, field):
    if changes.get("child_fields", {}).get("id_number") == "DUPLICATE":
        Child.objects.filter(pk=world.children["other_child"].pk).update(id_number=VALID_ID)
        changes["child_fields"]["id_number"] = VALID_ID
    institution = world.institutions["inst_xuanwu"]
    institution.service_modes = ["full_day"]
    institution.save()
    args = {
        "actor": world.user("parent"),
        "institution": institution,
        "service_mode": "full_day",
        "start_month": next_month(),
        "child_fields": new_child_fields(),
        "guardian": {"relation": "mother", "phone": "13912345678"},
        **changes,
    }
    with pytest.raises(ValidationError) as info:
        services.application_submit(**args)
    assert field in info.value.message_dict


def test_a_parent_applies_for_their_own_child_but_not_for_another(world):
    parent = world.user("parent")
    jiangning = world.institutions["inst_jiangning"]
    own = world.children["own_child"]
    application = services.application_submit(
        actor=parent, institution=jiangning, service_mode="full_day", start_month=next_month(), child=own
    )
    assert application.child == own
    with pytest.raises(Conflict, match="open application"):
        services.application_submit(
            actor=parent, institution=jiangning, service_mode="full_day", start_month=next_month(), child=own
        )
    with pytest.raises(PermissionDenied):
        services.application_submit(
            actor=parent,
            institution=jiangning,
            service_mode="full_day",
            start_month=next_month(),
            child=world.children["other_child"],
        )


# --- Accepting -------------------------------------------------------------------------------------


def test_accept_needs_a_passed_entry_health_check(world):
    parent, institution = world.user("parent"), world.institutions["inst_xuanwu"]
    application = apply(applicant_child(parent), institution, parent)
    klass = world.classes["xuanwu_toddler"]
    with pytest.raises(Conflict, match="entry health check"):
        services.application_accept(actor=world.user("director"), application=application, klass=klass)
    health_check(application.child, institution, passed=False)
    with pytest.raises(Conflict, match="entry health check"):
        services.application_accept(actor=world.user("director"), application=application, klass=klass)


def test_accept_enrols_records_the_agreement_and_fee_and_tells_the_parent(world):
    parent, institution = world.user("parent"), world.institutions["inst_xuanwu"]
    FeeItem.objects.create(
        institution=institution, item="保育费（半日托）", amount=Decimal("1800"), unit="month"
    )
    FeeItem.objects.create(
        institution=institution, item="保育费（全日托）", amount=Decimal("2800"), unit="month"
    )
    child = applicant_child(parent)
    application = apply(child, institution, parent)
    health_check(child, institution)
    klass = world.classes["xuanwu_toddler"]
    enrolment = services.application_accept(
        actor=world.user("director"), application=application, klass=klass, agreement_ref="XY-2026-001"
    )
    child.refresh_from_db()
    klass.refresh_from_db()
    application.refresh_from_db()
    assert (child.institution_id, child.klass_id) == (institution.pk, klass.pk)
    assert (enrolment.start_on, enrolment.agreement_ref, enrolment.monthly_fee) == (
        next_month(),
        "XY-2026-001",
        Decimal("2800.00"),
    )
    assert enrolment.agreement_signed_on == timezone.localdate()
    assert klass.enrolled == Child.objects.filter(klass=klass).count() == 3
    assert application.status == "accepted" and application.enrolment == enrolment
    assert list(application.transitions.values_list("to_status", flat=True)) == ["submitted", "accepted"]
    note = Notification.objects.get(user=parent, kind="application")
    assert institution.name in note.title and klass.name in note.title
    assert AuditLog.objects.filter(action="application_accepted", object_id=str(application.pk)).exists()


def test_accept_onto_a_full_class_is_refused_with_the_reason(world):
    parent, institution = world.user("parent"), world.institutions["inst_xuanwu"]
    small = make_class(institution, "托小二班", capacity=1)
    first, second = applicant_child(parent, "甲"), applicant_child(parent, "乙")
    for child in (first, second):
        health_check(child, institution)
    services.application_accept(
        actor=world.user("director"), application=apply(first, institution, parent), klass=small
    )
    with pytest.raises(Conflict, match="托小二班 is full: 1 children for 1 places"):
        services.application_accept(
            actor=world.user("director"), application=apply(second, institution, parent), klass=small
        )
    assert Child.objects.filter(klass=small).count() == 1


def test_accept_is_refused_when_the_institution_has_no_filed_place_left(world):
    parent, institution = world.user("parent"), world.institutions["inst_xuanwu"]
    institution.places = 2  # the two persona children fill it
    institution.save()
    child = applicant_child(parent)
    health_check(child, institution)
    with pytest.raises(Conflict, match="2 filed places"):
        services.application_accept(
            actor=world.user("director"),
            application=apply(child, institution, parent),
            klass=world.classes["xuanwu_toddler"],
        )


def test_accept_onto_a_class_of_the_wrong_age_band_is_refused(world):
    parent, institution = world.user("parent"), world.institutions["inst_xuanwu"]
    infants = make_class(institution, "乳儿班", kind="infant", capacity=10)
    child = applicant_child(parent, months=17)
    health_check(child, institution)
    with pytest.raises(Conflict, match="17 months old"):
        services.application_accept(
            actor=world.user("director"), application=apply(child, institution, parent), klass=infants
        )


def test_accept_locks_the_institution_row_so_concurrent_accepts_cannot_overfill(world):
    """Both accepts count the places while holding the institution's row (SELECT ... FOR UPDATE on
    PostgreSQL; SQLite serialises writers itself): the second waits and then sees the first's child."""
    parent, institution = world.user("parent"), world.institutions["inst_xuanwu"]
    child = applicant_child(parent)
    health_check(child, institution)
    with CaptureQueriesContext(connection) as queries:
        services.application_accept(
            actor=world.user("director"),
            application=apply(child, institution, parent),
            klass=world.classes["xuanwu_toddler"],
        )
    sql = [q["sql"] for q in queries.captured_queries]
    lock = next(
        i for i, s in enumerate(sql) if s.startswith("SELECT") and 'FROM "institutions_institution"' in s
    )
    count = next(i for i, s in enumerate(sql) if "COUNT(" in s and '"children_child"' in s)
    insert = next(i for i, s in enumerate(sql) if s.startswith('INSERT INTO "children_enrolment"'))
    assert lock < count < insert
    if connection.features.has_select_for_update:
        assert "FOR UPDATE" in sql[lock]


def test_caregivers_and_officials_cannot_decide(world):
    parent, institution = world.user("parent"), world.institutions["inst_xuanwu"]
    application = apply(applicant_child(parent), institution, parent)
    for persona in ("caregiver", "county_official", "parent"):
        with pytest.raises(PermissionDenied):
            services.application_accept(
                actor=world.user(persona), application=application, klass=world.classes["xuanwu_toddler"]
            )
        with pytest.raises(PermissionDenied):
            services.application_waitlist(actor=world.user(persona), application=application)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_accepts_for_the_last_place_take_it_once(transactional_world):
    """Two directors' requests at the same moment, each for a different child and the last place."""
    if not connection.features.has_select_for_update:
        pytest.skip("needs a database with row locks (PostgreSQL); SQLite serialises writers itself")
    import threading

    world = transactional_world
    parent, institution = world.user("parent"), world.institutions["inst_xuanwu"]
    klass = make_class(institution, "托小二班", capacity=1)
    applications = []
    for name in ("甲", "乙"):
        child = applicant_child(parent, name)
        health_check(child, institution)
        applications.append(apply(child, institution, parent))
    barrier, outcomes = threading.Barrier(2), []

    def accept(application):
        try:
            barrier.wait()
            services.application_accept(actor=world.user("director"), application=application, klass=klass)
            outcomes.append("accepted")
        except Conflict:
            outcomes.append("full")
        finally:
            connection.close()  # the thread's own connection: the test database can then be dropped

    threads = [threading.Thread(target=accept, args=(a,)) for a in applications]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["accepted", "full"]
    assert Child.objects.filter(klass=klass).count() == 1
    assert InstitutionClass.objects.get(pk=klass.pk).enrolled == 1


# --- Waitlist, decline, withdraw -----------------------------------------------------------------


def test_decline_needs_a_reason_and_tells_the_parent(world):
    parent, institution = world.user("parent"), world.institutions["inst_xuanwu"]
    application = apply(applicant_child(parent), institution, parent)
    with pytest.raises(ValidationError) as info:
        services.application_decline(actor=world.user("director"), application=application, reason="  ")
    assert "reason" in info.value.message_dict
    services.application_decline(actor=world.user("director"), application=application, reason="托小班已满")
    application.refresh_from_db()
    assert (application.status, application.reason) == ("declined", "托小班已满")
    assert Notification.objects.get(user=parent).body == "托小班已满"


def test_waitlisted_then_accepted_but_a_declined_application_stays_declined(world):
    parent, institution, director = (
        world.user("parent"),
        world.institutions["inst_xuanwu"],
        world.user("director"),
    )
    child = applicant_child(parent)
    health_check(child, institution)
    application = apply(child, institution, parent)
    services.application_waitlist(actor=director, application=application)
    services.application_accept(
        actor=director, application=application, klass=world.classes["xuanwu_toddler"]
    )
    other = apply(applicant_child(parent, "乙"), institution, parent)
    services.application_decline(actor=director, application=other, reason="不符合")
    with pytest.raises(Conflict, match="Declined"):
        services.application_waitlist(actor=director, application=other)


def test_only_the_applicant_withdraws(world):
    parent, institution = world.user("parent"), world.institutions["inst_xuanwu"]
    application = apply(applicant_child(parent), institution, parent)
    for actor in (another_parent(), world.user("director")):
        with pytest.raises(PermissionDenied):
            services.application_withdraw(actor=actor, application=application)
    services.application_withdraw(actor=parent, application=application)
    assert Application.objects.get(pk=application.pk).status == "withdrawn"
    with pytest.raises(Conflict):
        services.application_withdraw(actor=parent, application=application)


# --- Enrolments ------------------------------------------------------------------------------------


def test_leaving_clears_the_place_and_the_class_count(world):
    child, klass = world.children["other_child"], world.classes["xuanwu_toddler"]
    with pytest.raises(ValidationError):
        services.enrolment_leave(
            actor=world.user("director"), child=child, left_on=timezone.localdate(), reason=""
        )
    with pytest.raises(PermissionDenied):
        services.enrolment_leave(
            actor=world.user("caregiver"), child=child, left_on=timezone.localdate(), reason="搬家"
        )
    enrolment = services.enrolment_leave(
        actor=world.user("director"), child=child, left_on=timezone.localdate(), reason="搬家"
    )
    child.refresh_from_db()
    klass.refresh_from_db()
    assert (enrolment.left_on, enrolment.leave_reason) == (timezone.localdate(), "搬家")
    assert child.institution_id is None and child.klass_id is None
    assert klass.enrolled == 1
    assert not Enrolment.objects.current().filter(child=child).exists()


def test_changing_class_checks_the_age_band_and_moves_the_counts(world):
    institution, child = world.institutions["inst_xuanwu"], world.children["own_child"]
    Child.objects.filter(pk=child.pk).update(birth_date=months_old(20))
    child.refresh_from_db()
    older = make_class(institution, "托大一班", kind="older", capacity=20)
    mixed = make_class(institution, "混合班", kind="mixed", capacity=18)
    with pytest.raises(Conflict, match="months old"):
        services.enrolment_change_class(actor=world.user("director"), child=child, klass=older)
    services.enrolment_change_class(actor=world.user("director"), child=child, klass=mixed)
    mixed.refresh_from_db()
    assert (mixed.enrolled, InstitutionClass.objects.get(pk=world.classes["xuanwu_toddler"].pk).enrolled) == (
        1,
        1,
    )
    assert Enrolment.objects.current().get(child=child).klass == mixed


# --- Checks, guardians, pick-up people, details ----------------------------------------------------


def test_staff_record_admission_checks_for_enrolled_and_applying_children(world):
    parent, institution = world.user("parent"), world.institutions["inst_xuanwu"]
    today = timezone.localdate()
    check = services.entry_check_record(
        actor=world.user("caregiver"),
        child=world.children["own_child"],
        kind="vaccination",
        checked_on=today,
        passed=True,
    )
    assert check.institution == institution and check.recorded_by == world.user("caregiver")
    applying = applicant_child(parent)
    apply(applying, institution, parent)
    check = services.entry_check_record(
        actor=world.user("director"), child=applying, kind="health", checked_on=today, passed=True
    )
    assert check.institution == institution
    with pytest.raises(PermissionDenied):
        services.entry_check_record(
            actor=parent, child=applying, kind="health", checked_on=today, passed=True
        )
    with pytest.raises(ValidationError):
        services.entry_check_record(
            actor=world.user("director"),
            child=applying,
            kind="health",
            checked_on=today + timedelta(days=1),
            passed=True,
        )


def test_at_most_two_guardians_and_parents_may_change_them(world):
    child = world.children["own_child"]
    guardian = services.guardian_upsert(
        actor=world.user("parent"),
        child=child,
        position=2,
        name="王先生",
        relation="father",
        phone="13600000000",
    )
    assert guardian.position == 2 and child.guardians.count() == 2
    with pytest.raises(ValidationError):
        services.guardian_upsert(
            actor=world.user("parent"),
            child=child,
            position=3,
            name="奶奶",
            relation="grandparent",
            phone="1",
        )
    services.guardian_upsert(
        actor=world.user("parent"),
        child=child,
        position=1,
        name="小明妈妈",
        relation="mother",
        phone="13911112222",
    )
    assert Guardian.objects.get(child=child, position=1).user == world.user("parent")  # the link stays
    with pytest.raises(PermissionDenied):
        services.guardian_upsert(
            actor=world.user("caregiver"),
            child=child,
            position=2,
            name="x",
            relation="father",
            phone="13600000000",
        )


def test_pickup_people_are_added_and_withdrawn(world):
    child = world.children["own_child"]
    person = services.pickup_person_add(
        actor=world.user("parent"), child=child, name="张奶奶", relation="grandparent", phone="13500000000"
    )
    services.pickup_person_deactivate(actor=world.user("director"), person=person)
    assert not PickupPerson.objects.get(pk=person.pk).active
    with pytest.raises(PermissionDenied):
        services.pickup_person_add(
            actor=another_parent(), child=child, name="陌生人", relation="other", phone="13500000001"
        )


def test_child_update_masks_the_id_number_in_the_audit_log(world):
    child = world.children["own_child"]
    id_number = VALID_ID
    services.child_update(
        actor=world.user("parent"), child=child, id_number=id_number, allergies="花生，鸡蛋"
    )
    child.refresh_from_db()
    assert child.allergy_list() == ["花生", "鸡蛋"]
    entry = AuditLog.objects.get(action="child_update")
    assert id_number not in str(entry.detail) and entry.detail["id_number"] == child.masked_id
    with pytest.raises(ValidationError):
        services.child_update(actor=world.user("parent"), child=child, institution=None)


def _parent_account(username):
    user = UserFactory(username=username)
    RoleAssignmentFactory(user=user, role=Role.PARENT, region=None, institution=None)
    return user


def test_director_links_a_guardian_to_the_parent_account_with_that_mobile_number(world):
    child = world.children["other_child"]
    parent = _parent_account("13912345678")
    assert not Child.objects.for_user(parent).filter(pk=child.pk).exists()
    services.guardian_link_account(
        actor=world.user("director"), child=child, position=1, phone=" 13912345678 "
    )
    assert Guardian.objects.get(child=child, position=1).user == parent
    assert Child.objects.for_user(parent).filter(pk=child.pk).exists()
    assert Notification.objects.filter(user=parent, child=child).exists()
    assert AuditLog.objects.filter(action="guardian_link_account").exists()


def test_linking_needs_a_parent_account_and_the_director(world):
    child = world.children["other_child"]
    with pytest.raises(ValidationError) as caught:
        services.guardian_link_account(
            actor=world.user("director"), child=child, position=1, phone="13900000000"
        )
    assert "phone" in caught.value.message_dict
    UserFactory(username="13900000001")  # an account without the parent role
    with pytest.raises(ValidationError):
        services.guardian_link_account(
            actor=world.user("director"), child=child, position=1, phone="13900000001"
        )
    with pytest.raises(ValidationError) as caught:
        services.guardian_link_account(
            actor=world.user("director"), child=child, position=2, phone="13900000001"
        )
    assert "position" in caught.value.message_dict
    _parent_account("13900000002")
    for persona in ("caregiver", "county_official", "parent"):
        with pytest.raises(PermissionDenied):
            services.guardian_link_account(
                actor=world.user(persona), child=child, position=1, phone="13900000002"
            )
    assert Guardian.objects.get(child=child, position=1).user is None
