"""Staff-to-child ratios: the rules per class type, each class's figures, and the breach counts."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from tuoyu.core.tests.factories import InstitutionFactory
from tuoyu.institutions.models import Institution
from tuoyu.institutions.rules import PROVINCE_OVERRIDES
from tuoyu.workforce.models import ClassAssignment
from tuoyu.workforce.ratios import institution_class_ratios, ratio_breach_counts, ratio_rule

from .factories import assign, employ, make_class


@pytest.mark.parametrize(("kind", "per"), [("infant", 3), ("toddler", 5), ("older", 7)])
def test_each_class_type_has_the_setting_standard_ratio(kind, per):
    rule = ratio_rule(kind)
    assert rule.children_per_caregiver == per
    assert "第19、20条" in rule.source


def test_mixed_class_has_no_ratio_unless_configured(settings, monkeypatch):
    settings.TUOYU_MIXED_CLASS_RATIO = None
    assert ratio_rule("mixed").children_per_caregiver is None
    monkeypatch.setitem(PROVINCE_OVERRIDES, "32", {"mixed_children_per_caregiver": 6})
    assert ratio_rule("mixed").children_per_caregiver == 6
    settings.TUOYU_MIXED_CLASS_RATIO = 4  # the deployment's setting wins over the province table
    rule = ratio_rule("mixed")
    assert rule.children_per_caregiver == 4
    assert "TUOYU_MIXED_CLASS_RATIO" in rule.source


def test_a_family_point_is_held_to_one_carer_per_three_children(world):
    rule = ratio_rule("mixed", family_point=True)
    assert rule.children_per_caregiver == 3
    assert "家庭托育点" in rule.source


def test_toddler_class_with_12_children_needs_3_caregivers(world, english):
    institution = world.institutions["inst_xuanwu"]
    klass = make_class(institution, "托小班1", kind="toddler", enrolled=12)
    for n in (1, 2):
        assign(institution, n, klass=klass)
    [row] = institution_class_ratios(institution)
    assert (row.children, row.assigned, row.required, row.breach) == (12, 2, 3, True)
    assert row.messages == ["托小班1 needs 3 caregivers for 12 children (1:5), has 2."]
    assign(institution, 3, klass=klass)
    [row] = institution_class_ratios(institution)
    assert (row.required, row.breach, row.messages) == (3, False, [])


def test_infant_and_older_classes_round_up(world):
    institution = world.institutions["inst_xuanwu"]
    infant = make_class(institution, "乳儿班1", kind="infant", capacity=10, enrolled=7)
    older = make_class(institution, "托大班1", kind="older", capacity=20, enrolled=14)
    assign(institution, 1, klass=infant)
    assign(institution, 2, klass=infant)
    assign(institution, 3, klass=older)
    assign(institution, 4, klass=older)
    rows = {r.institution_class.name: r for r in institution_class_ratios(institution)}
    assert (rows["乳儿班1"].required, rows["乳儿班1"].breach) == (3, True)  # 7 / 3 → 3
    assert (rows["托大班1"].required, rows["托大班1"].breach) == (2, False)  # 14 / 7 → 2


def test_mixed_class_without_a_ratio_says_so_and_is_not_a_breach(world, settings, english):
    settings.TUOYU_MIXED_CLASS_RATIO = None
    institution = world.institutions["inst_xuanwu"]
    make_class(institution, "混合班1", kind="mixed", capacity=18, enrolled=18)
    [row] = institution_class_ratios(institution)
    assert (row.required, row.breach) == (None, None)
    assert "No national ratio for mixed-age classes" in row.messages[0]
    settings.TUOYU_MIXED_CLASS_RATIO = 6
    [row] = institution_class_ratios(institution)
    assert (row.required, row.breach) == (3, True)


def test_only_open_started_caregiver_jobs_count(world):
    institution = world.institutions["inst_xuanwu"]
    klass = make_class(institution, enrolled=5)
    ended = assign(institution, 1, klass=klass)
    ended.employment.end_on = timezone.localdate()
    ended.employment.save()
    later = assign(institution, 2, klass=klass)
    ClassAssignment.objects.filter(pk=later.pk).update(start_on=timezone.localdate() + timedelta(days=3))
    ClassAssignment.objects.filter(pk=assign(institution, 3, klass=klass).pk).update(
        end_on=timezone.localdate()
    )
    [row] = institution_class_ratios(institution)
    assert (row.assigned, row.breach) == (0, True)
    assign(institution, 4, klass=klass)
    [row] = institution_class_ratios(institution)
    assert (row.assigned, row.breach) == (1, False)


def test_enrolment_over_capacity_is_flagged(world, english):
    institution = world.institutions["inst_xuanwu"]
    make_class(institution, "托大班1", kind="older", capacity=20, enrolled=22)
    [row] = institution_class_ratios(institution)
    assert row.over_capacity
    assert "托大班1 has 22 children enrolled, more than its 20 places." in row.messages


def test_an_empty_class_needs_nobody(world):
    institution = world.institutions["inst_xuanwu"]
    make_class(institution, enrolled=0)
    [row] = institution_class_ratios(institution)
    assert (row.required, row.breach) == (0, False)


def _breaching_world(world):
    """玄武: one class in breach and one fine; 江宁: two classes in breach; 无锡: fine."""
    xuanwu, jiangning, wuxi = (world.institutions[k] for k in ("inst_xuanwu", "inst_jiangning", "inst_wuxi"))
    make_class(xuanwu, "托小班1", kind="toddler", enrolled=6)  # needs 2, has 0
    fine = make_class(xuanwu, "托大班1", kind="older", enrolled=7)
    assign(xuanwu, 1, klass=fine)
    make_class(jiangning, "乳儿班1", kind="infant", capacity=10, enrolled=4)
    make_class(jiangning, "托小班1", kind="toddler", capacity=15, enrolled=16)  # over capacity too
    ok = make_class(wuxi, "乳儿班1", kind="infant", capacity=10, enrolled=3)
    assign(wuxi, 2, klass=ok)


def test_breach_counts_by_county_city_and_institution(world):
    _breaching_world(world)
    by_county = ratio_breach_counts(Institution.objects.all(), group_by="county_id")
    assert {k: (c.classes, c.classes_in_breach, c.institutions_in_breach) for k, c in by_county.items()} == {
        "320102000000": (2, 1, 1),
        "320115000000": (2, 2, 1),
        "320205000000": (1, 0, 0),
    }
    assert by_county["320115000000"].classes_over_capacity == 1
    by_city = ratio_breach_counts(Institution.objects.all(), group_by="city_id")
    assert (by_city["320100000000"].classes_in_breach, by_city["320100000000"].institutions_in_breach) == (
        3,
        2,
    )
    by_institution = ratio_breach_counts(Institution.objects.all(), group_by="institution")
    assert by_institution[world.institutions["inst_jiangning"].pk].classes_in_breach == 2


def test_breach_counts_follow_the_scoped_queryset(world):
    _breaching_world(world)
    seen = ratio_breach_counts(
        Institution.objects.for_user(world.user("county_official")), group_by="township_id"
    )
    assert set(seen) == {"320102002000"}
    assert ratio_breach_counts(Institution.objects.for_user(world.user("parent"))) == {}


def test_breach_counts_of_unrated_mixed_classes_and_family_points(world, settings):
    settings.TUOYU_MIXED_CLASS_RATIO = None
    township = world.regions["meiyuan"]
    family = InstitutionFactory(name="家庭托育点", township=township, type="family", places=5)
    make_class(family, "混合班1", kind="mixed", capacity=5, enrolled=4)  # 1:3 → needs 2
    assign(family, 1, klass=make_class(family, "混合班2", kind="mixed", capacity=5, enrolled=3))
    make_class(world.institutions["inst_xuanwu"], "混合班1", kind="mixed", capacity=18, enrolled=18)
    [counts] = ratio_breach_counts(Institution.objects.all()).values()
    assert (counts.classes, counts.classes_in_breach, counts.classes_without_ratio) == (3, 1, 1)


def test_breach_counts_are_one_query_however_many_institutions(world, django_assert_max_num_queries):
    township = world.regions["meiyuan"]
    for i in range(12):
        institution = InstitutionFactory(township=township)
        klass = make_class(institution, enrolled=10 + i % 3)
        for n in range(i % 4):
            assign(institution, 100 + i * 10 + n, klass=klass)
    scoped = Institution.objects.for_user(world.user("province_official"))  # reads the grants
    with django_assert_max_num_queries(1):
        counts = ratio_breach_counts(scoped)
    assert sum(c.classes for c in counts.values()) == 12
    # 1:5: 10 children need 2 caregivers, 11–12 need 3. Assigned i % 4, enrolled 10 + i % 3: the
    # classes i = 3, 6, 7 and 11 have enough, the other 8 do not.
    assert sum(c.classes_in_breach for c in counts.values()) == 8


def test_class_ratios_of_an_institution_are_two_queries(world, django_assert_max_num_queries):
    institution = world.institutions["inst_xuanwu"]
    for i in range(6):
        klass = make_class(institution, f"班{i}", enrolled=5)
        assign(institution, 10 + i, klass=klass, start_on=date(2025, 2, 1))
    with django_assert_max_num_queries(2):
        rows = institution_class_ratios(institution)
        names = [a.employment.person.name for r in rows for a in r.assignments]
    assert len(names) == 6
    employ(institution, 99)  # a caregiver without a class counts nowhere
    assert sum(r.assigned for r in institution_class_ratios(institution)) == 6
