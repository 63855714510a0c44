"""Suggested places for the children of a closing institution."""

from __future__ import annotations

import pytest

from tuoyu.core.tests.factories import InstitutionFactory
from tuoyu.enforcement.selectors import nearby_vacancies, placement_suggestions
from tuoyu.institutions.models import InstitutionClass

from .factories import closure_case


def _centre(world, name, lat, lng, kind="toddler", capacity=10, enrolled_children=0, **kw):
    inst = InstitutionFactory(name=name, township=world.regions["meiyuan"], lat=lat, lng=lng, **kw)
    InstitutionClass.objects.create(institution=inst, name=f"{name}班", kind=kind, capacity=capacity)
    return inst


def test_suggestions_are_nearby_institutions_with_a_place_for_the_childs_age_nearest_first(
    world, django_assert_max_num_queries
):
    near = _centre(world, "近的托育园", 32.052, 118.801)
    nearer = _centre(world, "更近的托育园", 32.0505, 118.8002)
    _centre(world, "只有乳儿班", 32.0501, 118.8001, kind="infant")
    _centre(world, "已满", 32.0502, 118.8001, capacity=0)
    _centre(world, "很远", 34.5, 119.5)
    _centre(world, "停业", 32.0503, 118.8001, status="suspended")
    _centre(world, "未备案", 32.0504, 118.8001, filing_status="pending")
    case = closure_case(world)
    rows = list(case.children.select_related("child", "case__institution"))
    with django_assert_max_num_queries(3):
        found = placement_suggestions(case, rows)
    names = [s.name for s in found[rows[0].pk]]
    assert names == [nearer.name, near.name]
    assert found[rows[0].pk][0].vacancies == 10
    assert found[rows[0].pk][0].distance_km < found[rows[0].pk][1].distance_km


def test_a_closing_institution_is_never_suggested(world):
    other = _centre(world, "也在关闭", 32.0505, 118.8002)
    other_world = type("W", (), {"institutions": {"x": other}, "user": world.user})
    closure_case(other_world, "x")
    assert nearby_vacancies(world.institutions["inst_xuanwu"], ["toddler"]) == []


@pytest.mark.parametrize("kinds", [[], ["older"]])
def test_no_suggestion_without_a_fitting_class(world, kinds):
    _centre(world, "托小班", 32.0505, 118.8002)
    assert nearby_vacancies(world.institutions["inst_xuanwu"], kinds) == []
