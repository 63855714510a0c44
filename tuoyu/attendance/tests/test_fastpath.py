"""The check-in fast path in front of Django (config/wsgi.py): same answers, same rows, and Django for
everything it is unsure of. Driven through the real WSGI application, as granian calls it."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from config.wsgi import application
from tuoyu.accounts.models import ApiToken
from tuoyu.accounts.services import token_issue
from tuoyu.attendance.fastpath import FAST_PATH_STATS
from tuoyu.attendance.models import Absence, AttendanceDay, AttendanceEvent

pytestmark = pytest.mark.django_db

PATH = "/api/v1/attendance/events"


def _wsgi(body: Any, token: str | None, path: str = PATH) -> tuple[int, dict[str, str], Any]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(raw)),
        "HTTP_COOKIE": "django_language=en",
        "wsgi.input": io.BytesIO(raw),
        "wsgi.errors": io.StringIO(),
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    if token:
        environ["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    captured: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        captured["status"], captured["headers"] = int(status.split()[0]), dict(headers)

    content = b"".join(application(environ, start_response))
    return captured["status"], captured["headers"], json.loads(content) if content else None


def _at(minutes_ago: int = 5) -> str:
    now = timezone.localtime()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return max(now - timedelta(minutes=minutes_ago), midnight + timedelta(seconds=minutes_ago)).isoformat()


@pytest.fixture(autouse=True)
def _keep_test_connection(monkeypatch: Any) -> Any:
    """As Django's test client does: the test's transaction lives on the connection, so the per-request
    connection clean-up (which closes a connection not in autocommit) must not run."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token(world: Any) -> str:
    key = token_issue(user=world.user("caregiver"))
    # A token used a moment ago: its once-a-minute last-use write is not due (that goes to Django).
    ApiToken.objects.update(last_used_at=timezone.now())
    return key


def _fast(fn: Any) -> tuple[Any, str]:
    before = FAST_PATH_STATS.copy()
    result = fn()
    after = FAST_PATH_STATS
    path = (
        "fast"
        if after["fast"] > before["fast"]
        else "django"
        if after["django"] > before["django"]
        else "none"
    )
    return result, path


postgres_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="the fast path serves PostgreSQL only"
)


@postgres_only
def test_a_plain_check_in_is_answered_by_the_fast_path_exactly_as_django_would(world, token):
    own, other = world.children["own_child"], world.children["other_child"]
    at = _at()
    (status, headers, fast), path = _fast(
        lambda: _wsgi({"child_id": own.pk, "kind": "in", "at": at, "client_ref": "fp-1"}, token)
    )
    assert (status, path) == (201, "fast")
    # The same request for another child, forced through Django (an extra guardian_id=null key).
    (status2, headers2, slow), path2 = _fast(
        lambda: _wsgi(
            {"child_id": other.pk, "kind": "in", "at": at, "client_ref": "fp-2", "guardian_id": None}, token
        )
    )
    assert (status2, path2) == (201, "django")
    assert list(fast) == list(slow)  # the same keys in the same order
    assert {k: v for k, v in fast.items() if k not in {"id", "child_id", "client_ref"}} == {
        k: v for k, v in slow.items() if k not in {"id", "child_id", "client_ref"}
    }
    assert headers["Content-Type"] == headers2["Content-Type"]
    events = {e.client_ref: e for e in AttendanceEvent.objects.all()}
    fields = ["institution_id", "klass_id", "kind", "at", "day", "recorded_by_id", "via", "person_kind"]
    assert [getattr(events["fp-1"], f) for f in fields] == [getattr(events["fp-2"], f) for f in fields]
    day = AttendanceDay.objects.get(child=own)
    assert (day.status, day.in_at.isoformat()) == ("present", events["fp-1"].at.isoformat())


@postgres_only
def test_a_retry_is_answered_as_replayed_exactly_as_django_would_and_counted_once(world, token):
    body = {"child_id": world.children["own_child"].pk, "kind": "in", "at": _at(), "client_ref": "retry-1"}
    (first, _, answer), path = _fast(lambda: _wsgi(body, token))
    (second, _, again), path2 = _fast(lambda: _wsgi(body, token))
    assert (first, path, second, path2) == (201, "fast", 200, "fast")
    assert again["replayed"] is True and again["id"] == answer["id"]
    # Django's own answer to the same retry (forced there by an extra key): the same.
    (third, _, django), path3 = _fast(lambda: _wsgi({**body, "guardian_id": None}, token))
    assert (third, path3) == (200, "django")
    assert django == again
    assert AttendanceEvent.objects.count() == 1 and AttendanceDay.objects.count() == 1


@postgres_only
def test_a_client_ref_reused_for_another_event_is_refused_by_django(world, token):
    own, other = world.children["own_child"], world.children["other_child"]
    _wsgi({"child_id": own.pk, "kind": "in", "at": _at(), "client_ref": "same"}, token)
    # Another time for the same child and ref: not a retry.
    (status, _, body), path = _fast(
        lambda: _wsgi({"child_id": own.pk, "kind": "in", "at": _at(3), "client_ref": "same"}, token)
    )
    assert (status, path) == (409, "django")
    # Another child under the same ref: the insert meets the unique ref, nothing is written.
    (status, _, body), path = _fast(
        lambda: _wsgi({"child_id": other.pk, "kind": "in", "at": _at(), "client_ref": "same"}, token)
    )
    assert (status, path) == (409, "django") and "client_ref" in body["detail"]
    assert AttendanceEvent.objects.count() == 1 and AttendanceDay.objects.count() == 1


@postgres_only
def test_refusals_come_from_django_with_their_reasons(world, token):
    own = world.children["own_child"]
    _wsgi({"child_id": own.pk, "kind": "in", "at": _at(10), "client_ref": "a"}, token)
    (status, _, body), path = _fast(
        lambda: _wsgi({"child_id": own.pk, "kind": "in", "at": _at(), "client_ref": "b"}, token)
    )
    assert (status, path) == (409, "django") and "Already checked in" in body["detail"]
    # A child of another institution: not found, exactly like a missing one.
    jiangning = world.children["jiangning_child"]
    (status, _, _), path = _fast(
        lambda: _wsgi({"child_id": jiangning.pk, "kind": "in", "at": _at(), "client_ref": "c"}, token)
    )
    assert (status, path) == (404, "django")
    # A time in the future: 422 naming the field.
    future = (timezone.localtime() + timedelta(hours=2)).isoformat()
    (status, _, body), path = _fast(
        lambda: _wsgi(
            {"child_id": world.children["other_child"].pk, "kind": "in", "at": future, "client_ref": "d"},
            token,
        )
    )
    assert (status, path) == (422, "django")


@postgres_only
def test_revoked_and_unknown_tokens_are_refused_by_django(world, token):
    body = {"child_id": world.children["own_child"].pk, "kind": "in", "at": _at(), "client_ref": "r"}
    assert _wsgi(body, "not-a-token")[0] == 401
    ApiToken.objects.update(revoked=True)
    assert _wsgi(body, token)[0] == 401
    assert not AttendanceEvent.objects.exists()


@postgres_only
def test_the_fast_path_writes_a_tokens_last_use_at_most_once_a_minute(world):
    key = token_issue(user=world.user("caregiver"))
    stale = timezone.now() - timedelta(minutes=5)
    ApiToken.objects.update(last_used_at=stale)
    body = {"child_id": world.children["own_child"].pk, "kind": "in", "at": _at(), "client_ref": "lu"}
    (status, _, _), path = _fast(lambda: _wsgi(body, key))
    assert (status, path) == (201, "fast")
    written = ApiToken.objects.get().last_used_at
    assert timezone.now() - written < timedelta(seconds=30)
    # Used again within the minute: not written again.
    other = {"child_id": world.children["other_child"].pk, "kind": "in", "at": _at(), "client_ref": "lu2"}
    (status, _, _), path = _fast(lambda: _wsgi(other, key))
    assert (status, path) == (201, "fast")
    assert ApiToken.objects.get().last_used_at == written


@postgres_only
def test_a_child_away_for_months_and_a_token_without_care_go_to_django(world, token):
    own = world.children["own_child"]
    long_ago = timezone.localdate() - timedelta(days=120)
    AttendanceDay.objects.create(
        child=own,
        institution=own.institution,
        klass=own.klass,
        day=long_ago,
        in_at=timezone.now() - timedelta(days=120),
        status="left",
    )
    (status, _, _), path = _fast(
        lambda: _wsgi({"child_id": own.pk, "kind": "in", "at": _at(), "client_ref": "away"}, token)
    )
    assert path == "django" and status in {201, 409}
    official = token_issue(user=world.user("county_official"))  # supervises, does not care
    other = world.children["other_child"]
    (status, _, _), path = _fast(
        lambda: _wsgi({"child_id": other.pk, "kind": "in", "at": _at(), "client_ref": "nc"}, official)
    )
    assert path == "django" and status in {403, 404}
    assert not AttendanceEvent.objects.filter(client_ref="nc").exists()


@postgres_only
def test_an_absence_that_day_and_check_outs_go_to_django(world, token):
    own = world.children["own_child"]
    Absence.objects.create(
        child=own, institution=own.institution, day=timezone.localdate(), reason="sick", reported_via="parent"
    )
    (status, _, _), path = _fast(
        lambda: _wsgi({"child_id": own.pk, "kind": "in", "at": _at(), "client_ref": "abs"}, token)
    )
    assert (status, path) == (201, "django")
    assert not Absence.objects.exists()  # Django clears the absence on check-in
    guardian = own.guardians.get()
    (status, _, _), path = _fast(
        lambda: _wsgi(
            {
                "child_id": own.pk,
                "kind": "out",
                "at": _at(1),
                "client_ref": "out",
                "guardian_id": guardian.pk,
            },
            token,
        )
    )
    assert (status, path) == (201, "django")


def test_other_requests_pass_through_untouched(world, token):
    # Another path, and (on SQLite) every check-in: Django answers and reads the body it was given.
    status, _, _ = _wsgi({"username": "x", "password": "y"}, None, path="/api/v1/auth/token")
    assert status == 401
    body = {"child_id": world.children["own_child"].pk, "kind": "in", "at": _at(), "client_ref": "s"}
    (status, _, answer), path = _fast(lambda: _wsgi(body, token))
    assert status == 201 and answer["client_ref"] == "s"
    assert path == ("fast" if connection.vendor == "postgresql" else "none")
