"""Login page, audit log page."""

from __future__ import annotations

from django.test import override_settings

from tuoyu.core.tests.personas import PASSWORD


def test_login_page_logs_in_and_lands_home(client, world):
    response = client.post("/accounts/login/", {"username": "county_official", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/gov/").url == "/gov/planning/dashboard/?region=320102000000"


@override_settings(TUOYU_LOGIN_MAX_FAILURES=2)
def test_login_page_says_to_wait_after_repeated_failures(client, world):
    client.cookies["django_language"] = "en"
    for _ in range(2):
        client.post("/accounts/login/", {"username": "director", "password": "x"})
    response = client.post("/accounts/login/", {"username": "director", "password": PASSWORD})
    assert "Too many failed attempts" in response.content.decode()


def test_county_administrator_sees_audit_of_own_county_only(client, world):
    from tuoyu.core.audit import audit

    audit(actor=None, action="test.xuanwu", obj=world.institutions["inst_xuanwu"])
    audit(actor=None, action="test.jiangning", obj=world.institutions["inst_jiangning"])
    client.force_login(world.user("county_official"))
    client.cookies["django_language"] = "en"
    body = client.get("/accounts/audit/").content.decode()
    assert "test.xuanwu" in body and "test.jiangning" not in body


def test_an_official_reads_notifications_addressed_to_them_and_no_one_elses(client, world):
    from tuoyu.parents.choices import NotificationKind
    from tuoyu.parents.services import notify_users

    official, other = world.user("county_official"), world.user("other_county_official")
    kind = NotificationKind.SUPERVISION
    notify_users(user_ids=[official.pk], kind=kind, title="投诉已升级到本级", urgent=True)
    notify_users(user_ids=[other.pk], kind=NotificationKind.SUPERVISION, title="江宁区的事")
    client.force_login(official)
    page = client.get("/accounts/notifications/").content.decode()
    assert "投诉已升级到本级" in page and "江宁区的事" not in page
    client.post("/accounts/notifications/", {"read": "all"})
    assert not official.notifications.filter(read_at__isnull=True).exists()
