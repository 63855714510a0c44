from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tuoyu.core.api import Conflict
from tuoyu.core.models import AuditLog
from tuoyu.training import services
from tuoyu.training.models import Enrolment, TrainingBase
from tuoyu.workforce.models import Qualification
from tuoyu.workforce.tests.factories import employ

from .factories import TrainerFactory, TrainingBaseFactory, course, session


def _base(world, actor="county_official", region="xuanwu", **kwargs):
    return services.training_base_add(
        actor=world.user(actor),
        name=kwargs.pop("name", "玄武区托育实训基地"),
        level=kwargs.pop("level", world.regions[region].level),
        region=world.regions[region],
        capacity=100,
        accredited_by="玄武区卫生健康委员会",
        accredited_on=date(2024, 1, 1),
        **kwargs,
    )


def _enrol(world, job, run, actor="director", **kwargs):
    return services.enrolment_add(actor=world.user(actor), session=run, person=job.person, **kwargs)


# --- The catalogue --------------------------------------------------------------------------------


def test_county_official_adds_a_base_for_their_county_only(world):
    base = _base(world)
    assert base.level == "county" and AuditLog.objects.filter(action="training_base_add").count() == 1
    with pytest.raises(PermissionDenied):
        _base(world, region="jiangning")
    for persona in ("director", "city_official", "national_observer"):
        with pytest.raises(PermissionDenied):
            _base(world, actor=persona, name=f"x{persona}")
    assert TrainingBase.objects.count() == 1


def test_a_base_must_be_of_its_regions_level(world):
    with pytest.raises(ValidationError) as caught:
        _base(world, actor="province_official", region="nanjing", level="county")
    assert "region" in caught.value.message_dict


def test_base_update_changes_the_record_but_not_its_region(world):
    base = _base(world)
    services.training_base_update(actor=world.user("county_official"), base=base, capacity=150, active=False)
    base.refresh_from_db()
    assert (base.capacity, base.active) == (150, False)
    with pytest.raises(ValidationError):
        services.training_base_update(actor=world.user("county_official"), base=base, region=None)
    with pytest.raises(PermissionDenied):
        services.training_base_update(actor=world.user("other_county_official"), base=base, capacity=1)


def test_session_base_must_lie_within_the_organising_region(world):
    xuanwu_base = TrainingBaseFactory(region=world.regions["xuanwu"])
    the_course = course(world)
    common = {
        "course": the_course,
        "starts_on": date(2026, 12, 1),
        "ends_on": date(2026, 12, 3),
        "capacity": 20,
    }
    # The province may use a county's base; a county may not use another county's (or the city's).
    run = services.session_add(
        actor=world.user("province_official"), region=world.regions["province"], base=xuanwu_base, **common
    )
    assert run.base == xuanwu_base
    jiangning_base = TrainingBaseFactory(region=world.regions["jiangning"])
    with pytest.raises(ValidationError) as caught:
        services.session_add(
            actor=world.user("county_official"), region=world.regions["xuanwu"], base=jiangning_base, **common
        )
    assert "base" in caught.value.message_dict


def test_session_trainers_come_from_the_same_branch_of_the_tree(world):
    the_course = course(world)
    common = {
        "course": the_course,
        "starts_on": date(2026, 12, 1),
        "ends_on": date(2026, 12, 3),
        "capacity": 20,
    }
    province_trainer = TrainerFactory(region=world.regions["province"])
    wuxi_trainer = TrainerFactory(region=world.regions["wuxi"])
    run = services.session_add(
        actor=world.user("county_official"),
        region=world.regions["xuanwu"],
        trainers=[province_trainer],
        **common,
    )
    assert list(run.trainers.all()) == [province_trainer]
    with pytest.raises(ValidationError) as caught:
        services.session_add(
            actor=world.user("county_official"),
            region=world.regions["xuanwu"],
            trainers=[wuxi_trainer],
            **common,
        )
    assert "trainers" in caught.value.message_dict


# --- Enrolling ------------------------------------------------------------------------------------


def test_director_enrols_own_staff_and_a_duplicate_is_a_conflict(world, english):
    job = employ(world.institutions["inst_xuanwu"], 1)
    run = session(world)
    enrolment = _enrol(world, job, run)
    assert (enrolment.status, enrolment.institution_id) == ("enrolled", job.institution_id)
    with pytest.raises(Conflict, match="already in this session"):
        _enrol(world, job, run)
    assert Enrolment.objects.count() == 1


def test_a_full_session_refuses_and_a_withdrawal_frees_the_place(world, english):
    run = session(world, capacity=1)
    first = employ(world.institutions["inst_xuanwu"], 1)
    second = employ(world.institutions["inst_xuanwu"], 2)
    enrolment = _enrol(world, first, run)
    with pytest.raises(Conflict, match="full"):
        _enrol(world, second, run)
    services.enrolment_withdraw(actor=world.user("director"), enrolment=enrolment, reason="生病")
    assert _enrol(world, second, run).status == "enrolled"
    with pytest.raises(Conflict, match="full"):
        _enrol(world, first, run)  # re-opening the withdrawn row needs a place too


def test_director_cannot_enrol_another_institutions_staff(world):
    # Full time at 江宁; part time at 玄武 too: the director may see the person but not enrol them from 江宁.
    job = employ(world.institutions["inst_jiangning"], 3)
    employ(world.institutions["inst_xuanwu"], 3, full_time=False)
    run = session(world, region="nanjing")
    with pytest.raises(PermissionDenied):
        _enrol(world, job, run)
    # From the job the director does manage, it works.
    assert (
        _enrol(world, job, run, institution=world.institutions["inst_xuanwu"]).institution.name
        == "梅园托育中心"
    )


def test_officials_enrol_for_their_regions_sessions_only(world):
    job = employ(world.institutions["inst_xuanwu"], 4)
    run = session(world)
    with pytest.raises(PermissionDenied):
        _enrol(world, job, run, actor="other_county_official")
    with pytest.raises(PermissionDenied):
        _enrol(world, job, run, actor="city_official")  # a viewer
    assert _enrol(world, job, run, actor="county_official").pk


def test_a_session_is_for_the_staff_of_its_region(world, english):
    job = employ(world.institutions["inst_xuanwu"], 5)
    with pytest.raises(Conflict, match="无锡市"):
        _enrol(world, job, session(world, region="wuxi"), actor="province_official")


def test_someone_without_a_current_job_cannot_be_enrolled(world):
    job = employ(world.institutions["inst_xuanwu"], 6)
    job.end_on = date(2026, 1, 1)
    job.save()
    with pytest.raises(ValidationError) as caught:
        _enrol(world, job, session(world), actor="county_official")
    assert "person" in caught.value.message_dict


def test_directors_cannot_enrol_into_a_session_that_is_over(world, english):
    job = employ(world.institutions["inst_xuanwu"], 7)
    past = session(world, starts_on=date(2025, 3, 1), ends_on=date(2025, 3, 2))
    with pytest.raises(Conflict, match="over"):
        _enrol(world, job, past)
    assert _enrol(world, job, past, actor="county_official").pk  # the organiser records past training


# --- Completing -----------------------------------------------------------------------------------


def test_completion_credits_hours_numbers_the_certificate_and_records_the_qualification(world):
    job = employ(world.institutions["inst_xuanwu"], 8, role="head")
    head_course = course(world, role="head", hours=60, leads_to="head_training")
    run = session(world, course=head_course)
    enrolment = _enrol(world, job, run)
    done = services.enrolment_complete(actor=world.user("county_official"), enrolment=enrolment)
    assert done.status == "completed"
    assert done.hours_credited == Decimal("60")
    assert done.completed_on == min(run.ends_on, timezone.localdate())  # the session is under way
    assert done.certificate_no == f"PX{run.pk:06d}-{enrolment.pk:06d}"
    qualification = Qualification.objects.get(person=job.person)
    assert (qualification.kind, qualification.issued_on) == ("head_training", done.completed_on)


def test_completing_twice_is_idempotent_and_different_figures_conflict(world):
    job = employ(world.institutions["inst_xuanwu"], 9, role="head")
    run = session(world, course=course(world, role="head", hours=60, leads_to="head_training"))
    enrolment = _enrol(world, job, run)
    organiser = world.user("county_official")
    first = services.enrolment_complete(actor=organiser, enrolment=enrolment, certificate_no="XW-2026-001")
    again = services.enrolment_complete(actor=organiser, enrolment=enrolment)
    assert (again.pk, again.certificate_no, again.hours_credited) == (first.pk, "XW-2026-001", Decimal("60"))
    assert Qualification.objects.filter(person=job.person).count() == 1
    assert AuditLog.objects.filter(action="enrolment_complete").count() == 1
    with pytest.raises(Conflict):
        services.enrolment_complete(actor=organiser, enrolment=enrolment, hours_credited=Decimal("30"))


def test_partial_hours_give_no_qualification(world):
    job = employ(world.institutions["inst_xuanwu"], 10, role="head")
    run = session(world, course=course(world, role="head", hours=60, leads_to="head_training"))
    enrolment = _enrol(world, job, run)
    done = services.enrolment_complete(
        actor=world.user("county_official"), enrolment=enrolment, hours_credited=Decimal("45.5")
    )
    assert done.hours_credited == Decimal("45.5")
    assert not Qualification.objects.exists()


def test_hours_above_the_course_and_dates_outside_the_session_are_refused(world):
    job = employ(world.institutions["inst_xuanwu"], 11)
    run = session(world)
    enrolment = _enrol(world, job, run, actor="county_official")
    organiser = world.user("county_official")
    for kwargs, field in [
        ({"hours_credited": Decimal("41")}, "hours_credited"),
        ({"completed_on": run.starts_on - timedelta(days=1)}, "completed_on"),
        ({"completed_on": timezone.localdate() + timedelta(days=1)}, "completed_on"),
    ]:
        with pytest.raises(ValidationError) as caught:
            services.enrolment_complete(actor=organiser, enrolment=enrolment, **kwargs)
        assert field in caught.value.message_dict
    enrolment.refresh_from_db()
    assert enrolment.status == "enrolled"


def test_only_the_organiser_records_completion(world):
    job = employ(world.institutions["inst_xuanwu"], 12)
    enrolment = _enrol(world, job, session(world))
    for persona in ("director", "city_official", "other_county_official"):
        with pytest.raises(PermissionDenied):
            services.enrolment_complete(actor=world.user(persona), enrolment=enrolment)
    assert services.enrolment_complete(actor=world.user("province_official"), enrolment=enrolment).pk


def test_a_given_certificate_number_must_be_unique(world):
    run = session(world)
    organiser = world.user("county_official")
    first = _enrol(world, employ(world.institutions["inst_xuanwu"], 13), run)
    second = _enrol(world, employ(world.institutions["inst_xuanwu"], 14), run)
    services.enrolment_complete(actor=organiser, enrolment=first, certificate_no="XW-1")
    with pytest.raises(ValidationError) as caught:
        services.enrolment_complete(actor=organiser, enrolment=second, certificate_no="XW-1")
    assert "certificate_no" in caught.value.message_dict


def test_absent_can_be_corrected_to_completed_but_completed_cannot_be_withdrawn(world, english):
    job = employ(world.institutions["inst_xuanwu"], 15)
    enrolment = _enrol(world, job, session(world))
    organiser = world.user("county_official")
    absent = services.enrolment_mark_absent(actor=organiser, enrolment=enrolment, reason="未到")
    assert absent.status == "absent"
    with pytest.raises(PermissionDenied):
        services.enrolment_mark_absent(actor=world.user("director"), enrolment=enrolment)
    services.enrolment_complete(actor=organiser, enrolment=enrolment)
    with pytest.raises(Conflict, match="cannot become"):
        services.enrolment_withdraw(actor=organiser, enrolment=enrolment)
