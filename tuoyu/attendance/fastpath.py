"""A WSGI fast path for the morning's plain check-in, in front of Django (config/wsgi.py).

Issue #5 asks `POST /api/v1/attendance/events` to sustain 1,000 requests/s with p99 < 100 ms on two
cores. Through Django and ninja a check-in costs about 3 ms of CPU, most of it the request cycle
(middleware, routing, auth, schema validation), so the endpoint topped out near 600 requests/s. This
module answers the one request that makes up the morning peak without that cycle:

    a first check-in ("kind": "in") by a bearer token of the child's own institution, on PostgreSQL,
    naming nobody or a person by name (no guardian or pick-up person ids), for a child with no
    absence recorded that day and not away for months.

It takes two statements: one reads the token, the caller's care grant for the child's institution and
the child's latest day row together; one writes the day row and the event (the same data-modifying
CTE as `services.attendance_event_record`, so the database still guards the sequence and the
client_ref). The answer is byte for byte what the Django endpoint answers (same schema, same
serialiser).

Everything else goes to Django unchanged, with the request body handed back: retries (a duplicate
client_ref), every refusal (so 401/404/409/422 and their messages come from one place), check-outs,
sessions, SQLite, a token whose last-use time is due for its once-a-minute update, any payload that is
not exactly the plain shape. A request the fast path is unsure of is never answered by it.
`FAST_PATH_STATS` counts both outcomes (tests and the benchmark read it).
"""

from __future__ import annotations

import io
import json
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

import psycopg
from django.core import signals
from django.db import connection
from django.utils import timezone
from ninja.responses import NinjaJSONEncoder
from pydantic import TypeAdapter, ValidationError

from tuoyu.accounts.models import hash_token

from . import rules
from .auth import CARE_ROLES
from .services import _DAY_IN, _DAY_THEN_EVENT

PATH = "/api/v1/attendance/events"
FAST_PATH_STATS: Counter[str] = Counter()
# A child last present longer ago than this may need a return health check: Django decides (the rule is
# three months, children.rules.RETURN_HEALTH_CHECK; 80 days stays safely inside it).
AWAY_DAYS = 80
# The largest body a plain check-in can have (ids, an ISO time, a 64-character ref, a 50-character name).
MAX_BODY = 1024
ALLOWED_KEYS = frozenset({"child_id", "kind", "at", "client_ref", "person_name"})

_AT = TypeAdapter(datetime)

# Token, user, care grant on the child's institution, and the child's latest day row: one query. The two
# lookups by key are materialised first so that the plan is fixed and cheap (a free join order let the
# planner drive from the role assignments, and cost 5 ms of planning). Only a staff role at the child's
# institution passes; superusers go to Django.
_SQL = """
WITH tok AS MATERIALIZED (
    SELECT t.user_id, t.last_used_at FROM accounts_apitoken t JOIN accounts_user u ON u.id = t.user_id
    WHERE t.key_hash = %s AND NOT t.revoked AND t.expires_at > %s AND u.is_active),
ch AS MATERIALIZED (
    SELECT c.id, c.institution_id, c.klass_id FROM children_child c
    WHERE c.id = %s AND c.institution_id IS NOT NULL)
SELECT tok.user_id, tok.last_used_at, ch.institution_id, ch.klass_id, d.day, d.status,
       EXISTS (SELECT 1 FROM attendance_absence a WHERE a.child_id = ch.id AND a.day = %s),
       (SELECT 1 FROM accounts_roleassignment ra
        WHERE ra.user_id = tok.user_id AND ra.institution_id = ch.institution_id AND ra.active
          AND ra.role IN ({roles}) LIMIT 1)
FROM tok CROSS JOIN ch
LEFT JOIN LATERAL (
    SELECT d2.day, d2.status FROM attendance_attendanceday d2 WHERE d2.child_id = ch.id AND d2.day <= %s
    ORDER BY d2.day DESC LIMIT 1) d ON true
""".format(roles=", ".join(["%s"] * len(CARE_ROLES)))  # noqa: S608 - placeholders only

# Headers Django's middleware would add to this JSON answer (SecurityMiddleware, X-Frame-Options).
_HEADERS = [
    ("Content-Type", "application/json; charset=utf-8"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
    ("Vary", "Cookie"),
]

StartResponse = Callable[..., Any]
_WRITE = _DAY_THEN_EVENT.format(day=_DAY_IN.strip())


def _cursor() -> psycopg.Cursor[Any]:
    """A server-side-binding cursor on Django's own connection, so both statements are prepared once per
    connection: planning them (about 1 ms each for these joins) cost more than running them (0.1 ms).
    Django's cursors bind on the client and re-plan every time."""
    connection.ensure_connection()
    return psycopg.Cursor(connection.connection)


def _plain_checkin(body: bytes) -> dict[str, Any] | None:
    """The payload when it is exactly a plain check-in, else None."""
    if b"\\u0000" in body or b"\x00" in body:
        return None  # NUL: Django answers 422
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if not isinstance(data, dict) or not ALLOWED_KEYS.issuperset(data) or data.get("kind") != "in":
        return None
    child_id, at, ref, name = (
        data.get("child_id"),
        data.get("at"),
        data.get("client_ref"),
        data.get("person_name", ""),
    )
    if type(child_id) is not int or not 1 <= child_id <= 2**53:
        return None
    if not isinstance(ref, str) or not 1 <= len(ref) <= 64 or not isinstance(at, str):
        return None
    if not isinstance(name, str) or len(name) > 50:
        return None
    try:
        parsed = _AT.validate_python(at)
    except ValidationError:
        return None
    return {"child_id": child_id, "at": parsed, "client_ref": ref, "person_name": name.strip()}


def _record(token: str, payload: dict[str, Any]) -> bytes | None:
    """Record the check-in and return the answer's body, or None to let Django handle the request."""
    now = timezone.now()
    at = payload["at"] if timezone.is_aware(payload["at"]) else timezone.make_aware(payload["at"])
    if at > now + rules.FUTURE_TOLERANCE.value or at < now - rules.BACKDATE_LIMIT.value:
        return None
    day = timezone.localtime(at).date()
    child_id = payload["child_id"]
    with _cursor() as cursor:
        cursor.execute(_SQL, [hash_token(token), now, child_id, day, *CARE_ROLES, day], prepare=True)
        row = cursor.fetchone()
    if row is None:
        return None  # no such token, no grant, no such child: Django answers 401 or 404
    user_id, last_used, institution_id, klass_id, last_day, status, absent, granted = row
    if granted is None:
        return None  # not staff with care at the child's institution: Django answers 404
    if last_used is None or now - last_used > timedelta(minutes=1):
        return None  # Django writes the token's last use
    if absent or last_day == day:
        return None  # a recorded absence to clear, or already in or out today: Django decides
    if last_day is not None and (day - last_day).days > AWAY_DAYS:
        return None  # a return health check may be due
    name = payload["person_name"]
    day_params = [child_id, institution_id, klass_id, day, at, name[:80]]
    event_params = [
        child_id,
        institution_id,
        klass_id,
        "in",
        at,
        day,
        payload["client_ref"],
        user_id,
        "api",
        "other" if name else "",
        None,
        None,
        name,
        now,
    ]
    try:
        with _cursor() as cursor:
            cursor.execute(_WRITE, day_params + event_params, prepare=True)
            written = cursor.fetchone()
    except psycopg.IntegrityError:
        return None  # the client_ref exists: a retry, answered by Django (200, replayed) or 409
    if written is None:
        return None  # the day changed meanwhile: Django reports it
    answer = {
        "id": written[0],
        "child_id": child_id,
        "kind": "in",
        "at": at,
        "day": day,
        "client_ref": payload["client_ref"],
        "via": "api",
        "replayed": False,
    }
    # Ninja's own encoder, so the answer is byte for byte the Django endpoint's.
    return json.dumps(answer, cls=NinjaJSONEncoder).encode()


class CheckinFastPath:
    """WSGI middleware: plain check-ins answered here, everything else by `app` (Django)."""

    def __init__(self, app: Callable[[dict[str, Any], StartResponse], Iterable[bytes]]):
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if (
            environ.get("PATH_INFO") != PATH
            or environ.get("REQUEST_METHOD") != "POST"
            or connection.vendor != "postgresql"
        ):
            return self.app(environ, start_response)
        auth = environ.get("HTTP_AUTHORIZATION", "")
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if not auth.startswith("Bearer ") or not 0 < length <= MAX_BODY:
            return self.app(environ, start_response)
        body = environ["wsgi.input"].read(length)
        # Django reads the body again if we hand the request on.
        environ["wsgi.input"] = io.BytesIO(body)
        payload = _plain_checkin(body)
        answer = None
        if payload is not None:
            # Django's own request signals, so the connection is recycled exactly as for its requests
            # (and tests that keep their transaction's connection disconnect the clean-up once for both).
            signals.request_started.send(sender=self.__class__, environ=environ)
            try:
                answer = _record(auth[7:].strip(), payload)
            finally:
                signals.request_finished.send(sender=self.__class__)
        if answer is None:
            FAST_PATH_STATS["django"] += 1
            return self.app(environ, start_response)
        FAST_PATH_STATS["fast"] += 1
        start_response("201 Created", [*_HEADERS, ("Content-Length", str(len(answer)))])
        return [answer]
