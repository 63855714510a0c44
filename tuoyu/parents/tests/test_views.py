"""Pages of the parent end: sign-up, a parent's own children only, messages, notifications, budgets."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tuoyu.accounts.models import User
from tuoyu.core.models import AuditLog
from tuoyu.parents import services
from tuoyu.parents.models import Message, Notification

from .factories import parent_user, staff_user

CHILD_PAGES = ("child_today", "child_attendance", "child_absence", "child_messages")


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_signup_page_creates_a_parent_and_logs_in(db):
    client = Client()
    response = client.post(
        reverse("parents:signup"),
        {"name": "陈女士", "phone": "13912345678", "password": "Tuoyu-家长-2026!"},
    )
    assert response.status_code == 302 and response.url == reverse("parents:home")
    assert client.get(reverse("parents:home")).status_code == 200
    assert User.objects.get(username="13912345678").is_parent


def test_signup_page_shows_field_errors(db):
    response = Client().post(reverse("parents:signup"), {"name": "x", "phone": "2391234567", "password": "1"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "phone" in errors and "password" in errors
    assert not User.objects.exists()


def test_home_lists_only_my_children_with_unread_counts(world):
    child = world.children["own_child"]
    services.message_post(actor=world.user("caregiver"), child=child, body="hi", from_staff=True)
    response = _client(world.user("parent")).get(reverse("parents:home"))
    cards = response.context["cards"]
    assert [c["child"] for c in cards] == [child]
    assert cards[0]["unread"] == 1
    assert response.context["unread_notifications"] == 1
    assert "小红" not in response.content.decode()


def test_portal_parent_home_is_the_parent_home(world):
    response = _client(world.user("parent")).get(reverse("portal:parent_home"))
    assert response.status_code == 200
    assert [c["child"].name for c in response.context["cards"]] == ["小明"]


@pytest.mark.parametrize("name", CHILD_PAGES)
def test_another_child_is_missing_on_every_child_page(world, name):
    client = _client(world.user("parent"))
    for key in ("other_child", "jiangning_child"):
        assert client.get(reverse(f"parents:{name}", args=[world.children[key].pk])).status_code == 404
    assert client.get(reverse(f"parents:{name}", args=[world.children["own_child"].pk])).status_code == 200


def test_another_parent_cannot_reach_my_child(world):
    other = parent_user(world.children["other_child"])
    response = _client(other).get(reverse("parents:child_today", args=[world.children["own_child"].pk]))
    assert response.status_code == 404


def test_child_page_is_audited(world):
    child = world.children["own_child"]
    _client(world.user("parent")).get(reverse("parents:child_today", args=[child.pk]))
    assert AuditLog.objects.filter(
        action="view", object_id=str(child.pk), actor=world.user("parent")
    ).exists()


def test_parent_writes_and_reading_marks_the_thread_read(world):
    child = world.children["own_child"]
    client = _client(world.user("parent"))
    services.message_post(actor=world.user("caregiver"), child=child, body="今天吃得好", from_staff=True)
    page = client.get(reverse("parents:child_messages", args=[child.pk]))
    assert "今天吃得好" in page.content.decode()
    home = client.get(reverse("parents:home"))
    assert home.context["cards"][0]["unread"] == 0
    response = client.post(reverse("parents:child_messages", args=[child.pk]), {"body": "谢谢老师"})
    assert response.status_code == 302
    assert Message.objects.filter(body="谢谢老师", from_staff=False).exists()


def test_staff_inbox_and_reply(world):
    child = world.children["own_child"]
    services.message_post(actor=world.user("parent"), child=child, body="明天请假", from_staff=False)
    client = _client(world.user("caregiver"))
    inbox = client.get(reverse("parents:staff_inbox"))
    assert [t.unread for t in inbox.context["threads"]] == [1]
    response = client.post(reverse("parents:staff_thread", args=[child.pk]), {"body": "收到"})
    assert response.status_code == 302
    assert Notification.objects.filter(user=world.user("parent"), kind="message").count() == 1
    assert client.get(reverse("parents:staff_inbox")).context["threads"][0].unread == 0


def test_staff_of_another_institution_cannot_open_the_thread(world):
    other_staff = staff_user(world.institutions["inst_jiangning"])
    response = _client(other_staff).get(
        reverse("parents:staff_thread", args=[world.children["own_child"].pk])
    )
    assert response.status_code == 404
    response = _client(other_staff).post(
        reverse("parents:staff_thread", args=[world.children["own_child"].pk]), {"body": "x"}
    )
    assert response.status_code == 404
    assert not Message.objects.exists()


def test_notifications_page_marks_read(world):
    child = world.children["own_child"]
    parent = world.user("parent")
    note = services.notify_guardians(child=child, kind="other", title="体检通知")[0]
    client = _client(parent)
    assert "体检通知" in client.get(reverse("parents:notifications")).content.decode()
    client.post(reverse("parents:notifications"), {"read": str(note.pk)})
    note.refresh_from_db()
    assert note.read_at is not None
    services.notify_guardians(child=child, kind="other", title="b")
    client.post(reverse("parents:notifications"), {"read": "all"})
    assert not Notification.objects.filter(user=parent, read_at__isnull=True).exists()


def test_a_parent_cannot_mark_another_users_notification(world):
    other = parent_user(world.children["other_child"])
    note = services.notify_guardians(child=world.children["other_child"], kind="other", title="x")[0]
    response = _client(world.user("parent")).post(reverse("parents:notifications"), {"read": str(note.pk)})
    assert response.status_code == 404
    note.refresh_from_db()
    assert note.read_at is None and note.user == other


def test_home_query_budget(world, django_assert_max_num_queries):
    parent = world.user("parent")
    for key in ("other_child", "jiangning_child"):
        from tuoyu.children.models import Guardian

        Guardian.objects.create(
            child=world.children[key], position=2, name="p", relation="father", phone="1", user=parent
        )
    client = _client(parent)
    client.get(reverse("parents:home"))
    # Three children: a fixed 9, plus per child the attendance day (2) and the day's checks (1-2)
    # from the other apps' selectors. A parent has a few children at most.
    with django_assert_max_num_queries(18):
        client.get(reverse("parents:home"))


def test_inbox_query_budget(world, django_assert_max_num_queries):
    caregiver = world.user("caregiver")
    for key in ("own_child", "other_child"):
        services.message_post(actor=caregiver, child=world.children[key], body="hi", from_staff=True)
    client = _client(caregiver)
    client.get(reverse("parents:staff_inbox"))
    with django_assert_max_num_queries(8):
        client.get(reverse("parents:staff_inbox"))


def test_child_today_query_budget(world, django_assert_max_num_queries):
    client = _client(world.user("parent"))
    url = reverse("parents:child_today", args=[world.children["own_child"].pk])
    client.get(url)
    with django_assert_max_num_queries(20):
        assert client.get(url).status_code == 200
