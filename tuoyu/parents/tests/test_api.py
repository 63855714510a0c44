"""The parents API: my children, messages of a child's thread, my notifications; scoping."""

from __future__ import annotations

from django.test import Client

from tuoyu.accounts.services import token_issue
from tuoyu.parents import services
from tuoyu.parents.models import Message, Notification

from .factories import parent_user, staff_user


def _api(user):
    return Client(headers={"Authorization": f"Bearer {token_issue(user=user)}"})


def test_my_children_with_unread_messages(world):
    child = world.children["own_child"]
    services.message_post(actor=world.user("caregiver"), child=child, body="hi", from_staff=True)
    body = _api(world.user("parent")).get("/api/v1/parents/children").json()
    assert body["count"] == 1 and body["unread_notifications"] == 1
    item = body["items"][0]
    assert item["id"] == child.pk and item["unread_messages"] == 1 and item["class_name"] == child.klass.name
    assert _api(world.user("director")).get("/api/v1/parents/children").json()["count"] == 0


def test_parent_posts_and_reads_messages(world):
    child = world.children["own_child"]
    client = _api(world.user("parent"))
    url = f"/api/v1/parents/children/{child.pk}/messages"
    response = client.post(url, {"body": "明天请假"}, content_type="application/json")
    assert response.status_code == 201 and response.json()["from_staff"] is False
    staff = _api(world.user("caregiver"))
    response = staff.post(url, {"body": "收到"}, content_type="application/json")
    assert response.status_code == 201 and response.json()["from_staff"] is True
    items = client.get(url).json()["items"]
    assert [m["body"] for m in items] == ["明天请假", "收到"]
    assert [m["mine"] for m in items] == [True, False]
    assert client.get(url + f"?after={items[0]['id']}").json()["count"] == 1


def test_message_validation_and_scoping(world):
    own, other = world.children["own_child"], world.children["other_child"]
    parent = _api(world.user("parent"))
    assert (
        parent.post(
            f"/api/v1/parents/children/{own.pk}/messages", {"body": ""}, content_type="application/json"
        ).status_code
        == 422
    )
    for child in (other, world.children["jiangning_child"]):
        url = f"/api/v1/parents/children/{child.pk}/messages"
        assert parent.get(url).status_code == 404
        assert parent.post(url, {"body": "x"}, content_type="application/json").status_code == 404
    other_staff = _api(staff_user(world.institutions["inst_jiangning"]))
    url = f"/api/v1/parents/children/{own.pk}/messages"
    assert other_staff.get(url).status_code == 404
    assert other_staff.post(url, {"body": "x"}, content_type="application/json").status_code == 404
    other_parent = _api(parent_user(other))
    assert other_parent.get(url).status_code == 404
    assert _api(world.user("county_official")).get(url).status_code == 404
    assert not Message.objects.exists()
    assert parent.get("/api/v1/parents/children/99999999999/messages").status_code == 422


def test_notifications_are_personal_and_can_be_marked_read(world):
    note = services.notify_guardians(child=world.children["own_child"], kind="other", title="t")[0]
    parent = _api(world.user("parent"))
    body = parent.get("/api/v1/parents/notifications?unread=true").json()
    assert body["count"] == 1 and body["unread"] == 1
    for persona in ("national_observer", "director", "outsider"):
        assert _api(world.user(persona)).get("/api/v1/parents/notifications").json()["count"] == 0
        assert (
            _api(world.user(persona)).post(f"/api/v1/parents/notifications/{note.pk}/read").status_code == 404
        )
    response = parent.post(f"/api/v1/parents/notifications/{note.pk}/read")
    assert response.status_code == 200 and response.json()["read_at"]
    assert Notification.objects.get().read_at is not None


def test_api_list_budgets(world, django_assert_max_num_queries):
    for _ in range(5):
        services.notify_guardians(child=world.children["own_child"], kind="other", title="t")
    client = _api(world.user("parent"))
    client.get("/api/v1/parents/notifications")
    with django_assert_max_num_queries(10):
        client.get("/api/v1/parents/notifications")
    with django_assert_max_num_queries(12):
        body = client.get("/api/v1/parents/children").json()
    assert body["items"][0]["today"]["checks"] == []
