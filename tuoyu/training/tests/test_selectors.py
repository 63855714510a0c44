from datetime import date
from decimal import Decimal

from tuoyu.training.selectors import (
    annotate_training_hours,
    base_coverage,
    completion_rates,
    completion_totals,
    person_ledger,
    sessions_open_to,
)
from tuoyu.workforce.models import Employment
from tuoyu.workforce.tests.factories import employ

from .factories import TrainingBaseFactory, completed, course, session

TODAY = date(2026, 6, 1)


def _line(ledger, role):
    return next(line for line in ledger.lines if line.role == role)


def test_a_caregiver_meets_120_hours_from_caregiver_and_all_role_courses(world):
    job = employ(world.institutions["inst_xuanwu"], 1)
    completed(job, course(world, hours=100))
    completed(job, course(world, role="", hours=20))  # open to every role: counts
    line = _line(person_ledger(job.person, TODAY), "caregiver")
    assert (line.required, line.credited, line.remaining, line.met) == (Decimal(120), Decimal(120), 0, True)
    assert len(line.enrolments) == 2


def test_partial_hours_and_courses_for_another_role_leave_a_caregiver_short(world):
    job = employ(world.institutions["inst_xuanwu"], 2)
    completed(job, course(world, hours=80), hours=Decimal("70.5"))  # partial
    completed(job, course(world, role="head", hours=60))  # a head's course: not for a caregiver
    completed(job, course(world, hours=40), on=date(2026, 7, 1))  # after `today`: not yet
    line = _line(person_ledger(job.person, TODAY), "caregiver")
    assert (line.credited, line.remaining, line.met) == (Decimal("70.5"), Decimal("49.5"), False)
    assert person_ledger(job.person, TODAY).short


def test_a_head_needs_60_hours_and_other_roles_have_no_minimum(world):
    head = employ(world.institutions["inst_xuanwu"], 3, role="head")
    completed(head, course(world, role="head", hours=60))
    assert _line(person_ledger(head.person, TODAY), "head").met is True
    cook = employ(world.institutions["inst_xuanwu"], 4, role="cook")
    completed(cook, course(world, role="", hours=10))
    line = _line(person_ledger(cook.person, TODAY), "cook")
    assert (line.required, line.met, line.credited) == (None, None, Decimal(10))


def test_annotation_agrees_with_the_ledger(world):
    carer = employ(world.institutions["inst_xuanwu"], 5)
    head = employ(world.institutions["inst_xuanwu"], 6, role="head")
    cook = employ(world.institutions["inst_xuanwu"], 7, role="cook")
    completed(carer, course(world, hours=120))
    completed(head, course(world, role="head", hours=40))
    completed(head, course(world, role="caregiver", hours=40))  # not for a head
    rows = {
        j.pk: (j.training_hours, j.training_required, j.training_met)
        for j in annotate_training_hours(Employment.objects.all(), TODAY)
    }
    assert rows[carer.pk] == (Decimal(120), Decimal(120), True)
    assert rows[head.pk] == (Decimal(40), Decimal(60), False)
    assert rows[cook.pk] == (Decimal(0), None, None)


def _staff(world):
    """玄武: a head who meets, two caregivers (one meets). 江宁: a caregiver short. 无锡: a head short."""
    head = employ(world.institutions["inst_xuanwu"], 10, role="head")
    completed(head, course(world, role="head", hours=60))
    carer = employ(world.institutions["inst_xuanwu"], 11)
    completed(carer, course(world, hours=120))
    employ(world.institutions["inst_xuanwu"], 12)
    employ(world.institutions["inst_xuanwu"], 13, role="cook")  # not counted
    employ(world.institutions["inst_jiangning"], 14)
    employ(world.institutions["inst_wuxi"], 15, role="head")


def test_completion_rates_by_county_in_one_query(world, django_assert_num_queries):
    _staff(world)
    with django_assert_num_queries(1):
        rows = completion_rates(Employment.objects.open(), "county", TODAY)
    by_code = {r.key: r for r in rows}
    xuanwu = by_code["320102000000"]
    assert (xuanwu.name, xuanwu.heads, xuanwu.heads_met, xuanwu.caregivers, xuanwu.caregivers_met) == (
        "玄武区", 1, 1, 2, 1,
    )  # fmt: skip
    assert round(xuanwu.share, 3) == round(2 / 3, 3)
    assert (by_code["320115000000"].staff, by_code["320115000000"].met) == (1, 0)
    with django_assert_num_queries(1):
        cities = completion_rates(Employment.objects.open(), "city", TODAY)
    assert [(r.name, r.staff, r.met) for r in cities] == [("南京市", 4, 2), ("无锡市", 1, 0)]


def test_completion_rates_by_institution_lowest_share_first_and_scoped(world):
    _staff(world)
    county = world.user("county_official")
    visible = Employment.objects.for_user(county, "view").open()
    rows = completion_rates(visible, "institution", TODAY, order="share")
    assert [r.name for r in rows] == ["梅园托育中心"]  # 玄武区's official sees only 玄武区
    everyone = completion_rates(Employment.objects.open(), "institution", TODAY, order="share", limit=2)
    assert [r.met for r in everyone] == [0, 0]
    totals = completion_totals(Employment.objects.open(), TODAY)
    assert (totals.heads, totals.heads_met, totals.caregivers, totals.caregivers_met) == (2, 1, 3, 1)


def test_base_coverage_counts_active_accredited_bases_at_each_level(world, django_assert_num_queries):
    TrainingBaseFactory(region=world.regions["province"])
    TrainingBaseFactory(region=world.regions["nanjing"], accreditation_ends_on=date(2027, 1, 1))
    TrainingBaseFactory(region=world.regions["xuanwu"])
    TrainingBaseFactory(region=world.regions["jiangning"], accreditation_ends_on=date(2025, 1, 1))  # ended
    TrainingBaseFactory(region=world.regions["xishan"], active=False)  # suspended
    TrainingBaseFactory(region=world.regions["wuxi"], accredited_on=date(2026, 9, 1))  # not yet
    with django_assert_num_queries(1):
        rows = base_coverage(today=TODAY)
    assert [(r.level, r.regions, r.covered) for r in rows] == [
        ("province", 1, 1), ("city", 2, 1), ("county", 3, 1),
    ]  # fmt: skip
    within = base_coverage(world.regions["nanjing"], today=TODAY)
    assert [(r.level, r.regions, r.covered, r.share) for r in within] == [
        ("city", 1, 1, 1.0), ("county", 2, 1, 0.5),
    ]  # fmt: skip


def test_sessions_open_to_an_institution_are_its_regions_and_not_over(world):
    mine = session(world, region="xuanwu")
    province = session(world, region="province")
    session(world, region="jiangning")
    session(world, region="nanjing", starts_on=date(2025, 1, 1), ends_on=date(2025, 1, 2))
    found = list(sessions_open_to(world.institutions["inst_xuanwu"]))
    assert {s.pk for s in found} == {mine.pk, province.pk}
    assert found[0].taken == 0 and found[0].places_left == found[0].capacity
