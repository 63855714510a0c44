"""Growth pages: the centre's list with flags and who is due, the child's chart, recording, scoping."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tuoyu.children.models import Child
from tuoyu.core.models import AuditLog
from tuoyu.growth.models import GrowthMeasurement
from tuoyu.growth.services import growth_measurement_record


def _login(world, persona):
    client = Client()
    client.force_login(world.user(persona))
    return client


def _measure(world, child_key, days_ago, weight="11.0"):
    return growth_measurement_record(
        actor=world.user("caregiver"),
        child=world.children[child_key],
        measured_on=timezone.localdate() - timedelta(days=days_ago),
        weight_kg=Decimal(weight),
        length_cm=Decimal("80.0"),
        position="lying",
    )


def test_centre_list_shows_flags_and_who_is_due(world):
    _measure(world, "own_child", 10, weight="7.0")  # very light for 530 days: underweight
    _measure(world, "other_child", 120)  # older than 90 days: due
    response = _login(world, "caregiver").get(reverse("growth:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "小明" in html and "小红" in html
    due = _login(world, "caregiver").get(reverse("growth:home") + "?show=due").content.decode()
    assert "小红" in due and "小明" not in due
    flagged = _login(world, "caregiver").get(reverse("growth:home") + "?show=flagged").content.decode()
    assert "小明" in flagged and "小红" not in flagged


def test_centre_list_query_budget(world, django_assert_max_num_queries):
    inst = world.institutions["inst_xuanwu"]
    klass = world.classes["xuanwu_toddler"]
    for i in range(30):
        Child.objects.create(
            name=f"孩子{i}",
            sex="F",
            birth_date=timezone.localdate() - timedelta(days=400),
            institution=inst,
            klass=klass,
        )
    _measure(world, "own_child", 5)
    client = _login(world, "director")
    with django_assert_max_num_queries(16):
        response = client.get(reverse("growth:home"))
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="growth-row"') == 32


def test_official_sees_counts_per_institution(world):
    _measure(world, "own_child", 5, weight="7.0")
    response = _login(world, "county_official").get(reverse("growth:home"))
    assert response.status_code == 200
    assert "梅园托育中心" in response.content.decode()
    assert "东山托育园" not in response.content.decode()


def test_parent_sees_own_childs_chart_with_points_not_anothers(world):
    _measure(world, "own_child", 40)
    _measure(world, "own_child", 10)
    client = _login(world, "parent")
    own = client.get(reverse("growth:child", args=[world.children["own_child"].pk]))
    assert own.status_code == 200
    html = own.content.decode()
    assert html.count('data-testid="growth-point"') >= 4  # two points on weight, two on length charts
    assert 'data-testid="chart-wfa"' in html and 'data-testid="chart-wflh"' in html
    assert "measurement-form" not in html  # parents do not record
    assert AuditLog.objects.filter(action="view", object_id=str(world.children["own_child"].pk)).exists()
    assert client.get(reverse("growth:child", args=[world.children["other_child"].pk])).status_code == 404


def test_other_county_official_gets_404_on_the_chart(world):
    client = _login(world, "other_county_official")
    assert client.get(reverse("growth:child", args=[world.children["own_child"].pk])).status_code == 404


def test_caregiver_records_through_the_form_and_errors_name_the_field(world):
    child = world.children["own_child"]
    client = _login(world, "caregiver")
    url = reverse("growth:record", args=[child.pk])
    bad = client.post(url, {"measured_on": timezone.localdate().isoformat(), "weight_kg": "300"})
    assert bad.status_code == 200 and not GrowthMeasurement.objects.exists()
    assert "weight_kg" in bad.context["form"].errors
    ok = client.post(
        url,
        {
            "measured_on": timezone.localdate().isoformat(),
            "weight_kg": "11.3",
            "length_cm": "81.2",
            "position": "lying",
        },
    )
    assert ok.status_code == 302
    assert GrowthMeasurement.objects.get(child=child).z_wfa is not None


def test_record_page_is_forbidden_to_officials_and_parents(world):
    child = world.children["own_child"]
    assert _login(world, "county_official").get(reverse("growth:record", args=[child.pk])).status_code == 403
    assert _login(world, "parent").get(reverse("growth:record", args=[child.pk])).status_code == 403
    assert (
        _login(world, "other_county_official").get(reverse("growth:record", args=[child.pk])).status_code
        == 404
    )


def test_parent_summary_fragment_renders(world):
    from django.template import Context, Template

    _measure(world, "own_child", 3)
    child = world.children["own_child"]
    html = Template("{% load growth_tags %}{% growth_summary child %}").render(Context({"child": child}))
    assert 'data-testid="growth-summary"' in html
    assert reverse("growth:child", args=[child.pk]) in html
