"""The attendance API: idempotent events, sequences answered 409, absences, follow-up, roster, ratio."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tuoyu.accounts.services import token_issue
from tuoyu.attendance.models import Absence, AttendanceDay, AttendanceEvent, StaffAttendance
from tuoyu.children.models import Guardian
from tuoyu.workforce.models import ClassAssignment
from tuoyu.workforce.tests.factories import employ

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/attendance/events"


def _client(world, persona="caregiver") -> Client:
    client = Client(headers={"Authorization": f"Bearer {token_issue(user=world.user(persona))}"})
    client.cookies["django_language"] = "en"  # the reasons are asserted in English
    return client


def _at(minutes_ago: int = 5) -> str:
    """A moment `minutes_ago` before now, but never before today's local midnight (tests near midnight)."""
    now = timezone.localtime()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return max(now - timedelta(minutes=minutes_ago), midnight + timedelta(seconds=minutes_ago)).isoformat()


def _post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_first_post_201_retry_200_replayed_and_counted_once(world):
    client = _client(world)
    body = {"child_id": world.children["own_child"].pk, "kind": "in", "at": _at(), "client_ref": "tab1-0001"}
    first = _post(client, EVENTS, body)
    assert first.status_code == 201, first.content
    assert first.json()["replayed"] is False
    again = _post(client, EVENTS, body)
    assert again.status_code == 200
    assert again.json()["replayed"] is True and again.json()["id"] == first.json()["id"]
    assert AttendanceEvent.objects.count() == 1 and AttendanceDay.objects.count() == 1


def test_same_ref_different_payload_409(world):
    client = _client(world)
    body = {"child_id": world.children["own_child"].pk, "kind": "in", "at": _at(), "client_ref": "ref-x"}
    assert _post(client, EVENTS, body).status_code == 201
    response = _post(client, EVENTS, {**body, "child_id": world.children["other_child"].pk})
    assert response.status_code == 409
    assert "client_ref" in response.json()["detail"]


def test_impossible_sequences_answer_409_with_the_reason(world):
    client = _client(world)
    child = world.children["own_child"].pk
    out = _post(
        client,
        EVENTS,
        {
            "child_id": child,
            "kind": "out",
            "at": _at(),
            "client_ref": "o1",
            "guardian_id": Guardian.objects.get(child_id=child).pk,
        },
    )
    assert out.status_code == 409 and "check-in" in out.json()["detail"]
    assert (
        _post(
            client, EVENTS, {"child_id": child, "kind": "in", "at": _at(10), "client_ref": "i1"}
        ).status_code
        == 201
    )
    twice = _post(client, EVENTS, {"child_id": child, "kind": "in", "at": _at(5), "client_ref": "i2"})
    assert twice.status_code == 409 and "Already checked in" in twice.json()["detail"]
    stranger = _post(
        client,
        EVENTS,
        {"child_id": child, "kind": "out", "at": _at(1), "client_ref": "o2", "person_name": "陌生人"},
    )
    assert stranger.status_code == 409 and "not authorised" in stranger.json()["detail"]


def test_future_time_422_and_other_institution_404(world):
    client = _client(world)
    future = (timezone.now() + timedelta(hours=3)).isoformat()
    response = _post(
        client,
        EVENTS,
        {"child_id": world.children["own_child"].pk, "kind": "in", "at": future, "client_ref": "f"},
    )
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", "at"]
    response = _post(
        client,
        EVENTS,
        {"child_id": world.children["jiangning_child"].pk, "kind": "in", "at": _at(), "client_ref": "j"},
    )
    assert response.status_code == 404


@pytest.mark.parametrize("persona", ["parent", "county_official", "outsider", "national_observer"])
def test_only_staff_with_care_record_events(world, persona):
    body = {"child_id": world.children["own_child"].pk, "kind": "in", "at": _at(), "client_ref": "p"}
    assert _post(_client(world, persona), EVENTS, body).status_code == 404


def test_extra_fields_and_bad_kind_are_422(world):
    client = _client(world)
    body = {"child_id": world.children["own_child"].pk, "kind": "sideways", "at": _at(), "client_ref": "k"}
    assert _post(client, EVENTS, body).status_code == 422
    assert _post(client, EVENTS, {**body, "kind": "in", "client_ref": "x" * 65}).status_code == 422


def test_roster_today_shows_status_times_and_absence(world, django_assert_max_num_queries):
    client = _client(world)
    own, other = world.children["own_child"], world.children["other_child"]
    _post(
        client,
        EVENTS,
        {"child_id": own.pk, "kind": "in", "at": _at(), "client_ref": "r", "person_name": "外婆"},
    )
    _post(
        client,
        "/api/v1/attendance/absences",
        {"child_id": other.pk, "day": str(timezone.localdate()), "reason": "illness", "note": "发烧"},
    )
    klass = world.classes["xuanwu_toddler"]
    with django_assert_max_num_queries(8):
        response = client.get(f"/api/v1/attendance/classes/{klass.pk}/today")
    assert response.status_code == 200
    items = {i["child_id"]: i for i in response.json()["items"]}
    assert items[own.pk]["status"] == "present" and items[own.pk]["dropped_off_by"] == "外婆"
    assert items[other.pk]["status"] == "absent" and items[other.pk]["absence"]["reason"] == "illness"
    assert response.json()["present"] == 1


def test_roster_of_another_county_is_404(world):
    klass = world.classes["jiangning_toddler"]
    assert (
        _client(world, "county_official").get(f"/api/v1/attendance/classes/{klass.pk}/today").status_code
        == 404
    )
    assert (
        _client(world, "other_county_official")
        .get(f"/api/v1/attendance/classes/{klass.pk}/today")
        .status_code
        == 200
    )


def test_parent_reports_absence_for_own_child_only(world):
    client = _client(world, "parent")
    today = str(timezone.localdate())
    own = _post(
        client,
        "/api/v1/attendance/absences",
        {"child_id": world.children["own_child"].pk, "day": today, "reason": "family"},
    )
    assert own.status_code == 201 and own.json()["reported_via"] == "parent"
    other = _post(
        client,
        "/api/v1/attendance/absences",
        {"child_id": world.children["other_child"].pk, "day": today, "reason": "family"},
    )
    assert other.status_code == 404
    yesterday = str(timezone.localdate() - timedelta(days=1))
    past = _post(
        client,
        "/api/v1/attendance/absences",
        {"child_id": world.children["own_child"].pk, "day": yesterday, "reason": "family"},
    )
    assert past.status_code == 422


def test_follow_up_by_staff_only(world):
    parent = _client(world, "parent")
    today = str(timezone.localdate())
    absence_id = _post(
        parent,
        "/api/v1/attendance/absences",
        {"child_id": world.children["own_child"].pk, "day": today, "reason": "unexplained"},
    ).json()["id"]
    url = f"/api/v1/attendance/absences/{absence_id}/follow-up"
    assert _post(parent, url, {"outcome": "x"}).status_code == 403
    assert _post(_client(world, "county_official"), url, {"outcome": "x"}).status_code == 403
    assert _post(_client(world, "other_county_official"), url, {"outcome": "x"}).status_code == 404
    done = _post(_client(world), url, {"outcome": "电话联系：外出", "reason": "family"})
    assert done.status_code == 200 and done.json()["followed_up_at"]
    assert Absence.objects.get().reason == "family"


def test_live_ratio_counts_present_children_and_caregivers_at_work(world):
    inst = world.institutions["inst_xuanwu"]
    klass = world.classes["xuanwu_toddler"]
    job = employ(inst)
    ClassAssignment.objects.create(employment=job, institution_class=klass, start_on=job.start_on)
    client = _client(world)
    for i, key in enumerate(["own_child", "other_child"]):
        _post(
            client,
            EVENTS,
            {"child_id": world.children[key].pk, "kind": "in", "at": _at(), "client_ref": f"c{i}"},
        )
    ratio = client.get(f"/api/v1/attendance/classes/{klass.pk}/ratio").json()
    assert ratio["present"] == 2 and ratio["caregivers_assigned"] == 1 and ratio["caregivers_present"] == 0
    assert ratio["children_per_caregiver"] == 5 and ratio["required"] == 1 and ratio["breach"] is True
    staff = _post(client, "/api/v1/attendance/staff", {"employment_id": job.pk, "kind": "in", "at": _at(30)})
    assert staff.status_code == 200
    ratio = client.get(f"/api/v1/attendance/classes/{klass.pk}/ratio").json()
    assert ratio["caregivers_present"] == 1 and ratio["breach"] is False
    assert StaffAttendance.objects.count() == 1


def test_staff_attendance_of_another_institution_404(world):
    job = employ(world.institutions["inst_jiangning"])
    response = _post(
        _client(world), "/api/v1/attendance/staff", {"employment_id": job.pk, "kind": "in", "at": _at()}
    )
    assert response.status_code == 404


def test_naive_time_is_read_as_china_time(world):
    local = timezone.localtime(timezone.now() - timedelta(minutes=3)).replace(tzinfo=None, microsecond=0)
    body = {
        "child_id": world.children["own_child"].pk,
        "kind": "in",
        "at": local.isoformat(),
        "client_ref": "n",
    }
    response = _post(_client(world), EVENTS, body)
    assert response.status_code == 201
    event = AttendanceEvent.objects.get()
    assert timezone.localtime(event.at).replace(tzinfo=None) == local
    assert isinstance(event.at, datetime)


@pytest.mark.parametrize("spoil", ["revoked", "expired", "inactive", "unknown"])
def test_events_refuse_spoilt_tokens_with_401(world, spoil):
    from tuoyu.accounts.models import ApiToken

    user = world.user("caregiver")
    raw = token_issue(user=user)
    if spoil == "revoked":
        ApiToken.objects.filter(user=user).update(revoked=True)
    elif spoil == "expired":
        ApiToken.objects.filter(user=user).update(expires_at=timezone.now() - timedelta(seconds=1))
    elif spoil == "inactive":
        type(user).objects.filter(pk=user.pk).update(is_active=False)
    else:
        raw = "not-a-token"
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    body = {"child_id": world.children["own_child"].pk, "kind": "in", "at": _at(), "client_ref": "t"}
    assert _post(client, EVENTS, body).status_code == 401
    assert not AttendanceEvent.objects.exists()


def test_events_with_a_session_from_our_pages(world):
    client = Client()
    client.force_login(world.user("caregiver"))
    body = {"child_id": world.children["own_child"].pk, "kind": "in", "at": _at(), "client_ref": "s"}
    assert _post(client, EVENTS, body).status_code == 201


def test_events_write_the_token_last_use_at_most_once_a_minute(world):
    from tuoyu.accounts.models import ApiToken

    client = _client(world)
    body = {"child_id": world.children["own_child"].pk, "kind": "in", "at": _at(), "client_ref": "u"}
    _post(client, EVENTS, body)
    first = ApiToken.objects.get(user=world.user("caregiver")).last_used_at
    assert first is not None
    _post(client, EVENTS, body)
    assert ApiToken.objects.get(user=world.user("caregiver")).last_used_at == first
