"""Services of the parent end: sign-up, messages and unread counts, the daily digest."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.utils import timezone

from tuoyu.accounts.choices import Role
from tuoyu.accounts.models import RoleAssignment, User
from tuoyu.parents import selectors, services
from tuoyu.parents.models import Digest, Message, MessageThread, Notification
from tuoyu.parents.rules import validate_mobile

from .factories import parent_user, staff_user

SHANGHAI = ZoneInfo("Asia/Shanghai")
STRONG = "Tuoyu-家长-2026!"


@pytest.mark.parametrize("phone", ["1380013800", "138001380001", "23800138000", "1380013800a", ""])
def test_mobile_numbers_must_be_eleven_digits_starting_with_one(phone):
    with pytest.raises(ValidationError):
        validate_mobile(phone)


def test_signup_creates_a_parent_with_the_parent_role(db):
    user = services.parent_signup(name="陈女士", phone="13912345678", password=STRONG)
    assert user.username == "13912345678" and user.phone == "13912345678"
    assert user.display_name == "陈女士"
    assert user.check_password(STRONG)
    assert RoleAssignment.objects.get(user=user).role == Role.PARENT
    assert User.objects.get(pk=user.pk).is_parent


def test_signup_refuses_bad_phone_weak_password_and_names_the_fields(db):
    with pytest.raises(ValidationError) as info:
        services.parent_signup(name="", phone="12345", password="123")
    assert set(info.value.message_dict) == {"name", "phone", "password"}
    assert not User.objects.exists()


def test_signup_refuses_a_mobile_number_already_registered(db):
    services.parent_signup(name="陈", phone="13912345678", password=STRONG)
    with pytest.raises(ValidationError) as info:
        services.parent_signup(name="陈", phone="13912345678", password=STRONG)
    assert "phone" in info.value.message_dict


def test_signup_is_throttled_per_address(db, settings, monkeypatch):
    monkeypatch.setattr(services, "SIGNUP_MAX_PER_ADDRESS", 2)
    request = RequestFactory().post("/parents/signup/", REMOTE_ADDR="10.1.1.1")
    for n in range(2):
        services.parent_signup(name="x", phone=f"1391234567{n}", password=STRONG, request=request)
    with pytest.raises(services.SignupThrottled):
        services.parent_signup(name="x", phone="13912345679", password=STRONG, request=request)


def test_a_staff_message_notifies_the_guardians_and_counts_as_unread(world):
    child = world.children["own_child"]
    parent = world.user("parent")
    services.message_post(actor=world.user("caregiver"), child=child, body="今天午睡很好", from_staff=True)
    note = Notification.objects.get(user=parent)
    assert note.kind == "message" and not note.urgent and note.sent_at is None
    assert note.link == f"/parents/child/{child.pk}/messages/"
    assert selectors.parent_unread_by_child(parent, [child.pk]) == {child.pk: 1}
    thread = MessageThread.objects.get(child=child)
    assert thread.institution == child.institution
    services.thread_mark_read(user=parent, thread=thread)
    assert selectors.parent_unread_by_child(parent, [child.pk]) == {}


def test_a_parent_message_is_unread_for_each_staff_member_until_they_read_it(world):
    child = world.children["own_child"]
    director, caregiver = world.user("director"), world.user("caregiver")
    services.message_post(actor=world.user("parent"), child=child, body="明天请假", from_staff=False)
    services.message_post(actor=world.user("parent"), child=child, body="谢谢", from_staff=False)
    assert not Notification.objects.exists()  # guardians are not notified of their own messages
    assert selectors.staff_unread_total(director) == 2
    assert selectors.staff_threads(caregiver).get().unread == 2
    services.thread_mark_read(user=caregiver, thread=MessageThread.objects.get())
    assert selectors.staff_threads(caregiver).get().unread == 0
    assert selectors.staff_unread_total(director) == 2


def test_one_thread_per_child_and_institution(world):
    child = world.children["own_child"]
    for _ in range(3):
        services.message_post(actor=world.user("caregiver"), child=child, body="hi", from_staff=True)
    assert MessageThread.objects.count() == 1 and Message.objects.count() == 3


def test_no_thread_for_a_child_not_enrolled(world):
    child = world.children["own_child"]
    child.institution = None
    child.klass = None
    with pytest.raises(ValidationError):
        services.message_post(actor=world.user("parent"), child=child, body="hi", from_staff=False)


def test_threads_reach_only_participants(world):
    child = world.children["own_child"]
    services.message_post(actor=world.user("parent"), child=child, body="hi", from_staff=False)
    assert MessageThread.objects.for_participant(world.user("parent")).count() == 1
    assert MessageThread.objects.for_participant(world.user("caregiver")).count() == 1
    for persona in ("national_observer", "province_official", "county_official", "outsider"):
        assert MessageThread.objects.for_participant(world.user(persona)).count() == 0, persona
    other_staff = staff_user(world.institutions["inst_jiangning"])
    assert MessageThread.objects.for_participant(other_staff).count() == 0
    other_parent = parent_user(world.children["other_child"])
    assert MessageThread.objects.for_participant(other_parent).count() == 0


def _note(user, *, urgent=False, created=None):
    from tuoyu.parents.services import notify_guardians

    notes = notify_guardians(child=user["child"], kind="other", title="n", urgent=urgent)
    if created is not None:
        Notification.objects.filter(pk__in=[n.pk for n in notes]).update(created_at=created)
    return notes


def test_digest_collects_non_urgent_once_per_parent_per_day(world):
    child = world.children["own_child"]
    parent = world.user("parent")
    second = parent_user(child)
    day = timezone.localdate()
    ctx = {"child": child}
    _note(ctx)
    _note(ctx)
    _note(ctx, urgent=True)
    first = services.digest_send(day=day)
    assert (first.digests, first.notifications) == (2, 4)  # two guardians × two non-urgent
    digest = Digest.objects.get(user=parent, day=day)
    assert digest.count == 2 and digest.notifications.count() == 2
    assert Digest.objects.get(user=second).count == 2
    # Idempotent: nothing is collected twice, not even notifications that arrived since.
    _note(ctx)
    again = services.digest_send(day=day)
    assert (again.digests, again.notifications) == (0, 0)
    assert Digest.objects.count() == 2
    assert Notification.objects.filter(sent_at__isnull=True).count() == 2  # wait for tomorrow's
    tomorrow = services.digest_send(day=day + timedelta(days=1))
    assert tomorrow.notifications == 2


def test_urgent_notifications_are_sent_at_once_and_never_digested(world):
    child = world.children["own_child"]
    urgent = _note({"child": child}, urgent=True)[0]
    assert urgent.sent_at is not None
    services.digest_send(day=timezone.localdate())
    urgent.refresh_from_db()
    assert urgent.digest_id is None
    assert not Digest.objects.exists()


def test_digest_leaves_notifications_of_later_days(world):
    child = world.children["own_child"]
    day = dt.date(2026, 11, 1)
    _note({"child": child}, created=dt.datetime(2026, 11, 1, 20, 0, tzinfo=SHANGHAI))
    _note({"child": child}, created=dt.datetime(2026, 11, 2, 8, 0, tzinfo=SHANGHAI))
    assert services.digest_send(day=day).notifications == 1


def test_send_daily_digest_command(world):
    from django.core.management import call_command

    _note({"child": world.children["own_child"]})
    call_command("send_daily_digest")
    call_command("send_daily_digest")
    assert Digest.objects.count() == 1


def test_send_daily_digest_task_runs(world, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    from tuoyu.parents.tasks import send_daily_digest

    _note({"child": world.children["own_child"]})
    result = send_daily_digest.call()
    assert result["digests"] == 1
