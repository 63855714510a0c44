"""Selectors for the parent end (child_day, child_history) and for aggregation upward (presence_counts)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tuoyu.attendance import selectors, services
from tuoyu.attendance.models import AttendanceDay

pytestmark = pytest.mark.django_db


def _check_in(world, key, minutes_ago=30, ref=None):
    return services.attendance_event_record(
        actor=world.user("caregiver") if key != "jiangning_child" else _jiangning_staff(world),
        child_id=world.children[key].pk,
        kind="in",
        at=max(
            timezone.localtime() - timedelta(minutes=minutes_ago),
            timezone.localtime().replace(hour=0, minute=0, second=1, microsecond=0),
        ),
        client_ref=ref or f"ref-{key}",
        person_name="外婆",
    )


def _jiangning_staff(world):
    from tuoyu.accounts.models import RoleAssignment, User

    user = User.objects.create(username="jn_caregiver")
    RoleAssignment.objects.create(
        user=user, role="caregiver", institution=world.institutions["inst_jiangning"]
    )
    return user


def test_child_day_says_who_brought_the_child(world):
    _check_in(world, "own_child")
    day = selectors.child_day(world.children["own_child"], timezone.localdate())
    assert day["status"] == "present" and day["dropped_off_by"] == "外婆" and day["in_at"] is not None
    other = selectors.child_day(world.children["other_child"], timezone.localdate())
    assert other["status"] == "not_in" and other["absence"] is None


def test_child_history_lists_days_and_absences_newest_first(world, django_assert_max_num_queries):
    child = world.children["own_child"]
    today = timezone.localdate()
    AttendanceDay.objects.create(
        child=child,
        institution=child.institution,
        klass=child.klass,
        day=today - timedelta(days=2),
        in_at=timezone.now() - timedelta(days=2),
        status="left",
    )
    services.absence_record(actor=world.user("parent"), child_id=child.pk, day=today, reason="illness")
    with django_assert_max_num_queries(2):
        history = selectors.child_history(child, today - timedelta(days=30), today)
    assert [d["day"] for d in history] == [today, today - timedelta(days=2)]
    assert history[0]["status"] == "absent" and history[0]["absence"]["reason"] == "illness"


def test_presence_counts_per_institution_and_region_in_one_query_each(world, django_assert_num_queries):
    _check_in(world, "own_child")
    _check_in(world, "jiangning_child")
    services.absence_record(
        actor=world.user("caregiver"),
        child_id=world.children["other_child"].pk,
        day=timezone.localdate(),
        reason="unexplained",
    )
    with django_assert_num_queries(2):
        by_county = selectors.presence_counts(timezone.localdate(), "county_id")
    assert by_county["320102000000"] == {"checked_in": 1, "present_now": 1, "absent": 1, "unexplained": 1}
    assert by_county["320115000000"]["checked_in"] == 1
    by_city = selectors.presence_counts(timezone.localdate(), "city_id")
    assert by_city["320100000000"]["checked_in"] == 2
    xuanwu = world.institutions["inst_xuanwu"]
    from tuoyu.institutions.models import Institution

    scoped = selectors.presence_counts(
        timezone.localdate(), "institution", institutions=Institution.objects.filter(pk=xuanwu.pk)
    )
    assert set(scoped) == {xuanwu.pk}
    with pytest.raises(ValueError):
        selectors.presence_counts(timezone.localdate(), "planet")


def test_needs_follow_up_is_one_query(world, django_assert_num_queries):
    _check_in(world, "own_child")
    with django_assert_num_queries(1):
        pending = list(
            selectors.needs_follow_up([world.institutions["inst_xuanwu"].pk], timezone.localdate())
        )
    assert pending == [world.children["other_child"]]
