"""A WSGI fast path for the morning's plain check-in, in front of Django (config/wsgi.py).

Issue #5 asks `POST /api/v1/attendance/events` to sustain 1,000 requests/s with p99 < 100 ms on two
cores. Through Django and ninja a check-in costs several ms of CPU, most of it the request cycle
(middleware, routing, auth, schema validation), so the endpoint topped out far below that. This
module answers the one request that makes up the morning peak without that cycle:

    a first check-in ("kind": "in") by a bearer token of the child's own institution, on PostgreSQL,
    naming nobody or a person by name (no guardian or pick-up person ids), for a child with no
    absence recorded that day and not away for months.

and its exact retry (the same client_ref and payload: 200 with the original event, "replayed").

It takes ONE prepared statement (`_ONE`, below): it reads the token, the caller's care grant for the
child's institution and the child's latest day row, writes the token's last use, the day row and the
event (the service's columns, so the database still guards the sequence and the client_ref), and reads
back the event an earlier request recorded under the same client_ref. The answer is byte for byte what
the Django endpoint answers (same keys, same time format).

Everything else goes to Django unchanged, with the request body handed back: every refusal (so
401/404/409/422 and their messages come from one place), a client_ref used for another event,
check-outs, sessions, SQLite, any payload that is not exactly the plain shape. A request the fast path
is unsure of is never answered by it. Measured on the project's machine (ARCHITECTURE.md, "Attendance"),
a check-in here costs about 0.5 ms of Python CPU where Django's request cycle cost 5.6 ms.
`FAST_PATH_STATS` counts both outcomes (tests and the benchmark read it).
"""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

import psycopg
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone
from psycopg.types.numeric import Int8

from tuoyu.accounts.models import hash_token

from . import rules
from .auth import CARE_ROLES
from .services import _EVENT_COLUMNS

PATH = "/api/v1/attendance/events"
FAST_PATH_STATS: Counter[str] = Counter()
# A child last present longer ago than this may need a return health check: Django decides (the rule is
# three months, children.rules.RETURN_HEALTH_CHECK; 80 days stays safely inside it).
AWAY_DAYS = 80
# A token's last-use time is written at most this often (as tuoyu.accounts.services.token_user does).
TOKEN_USE_INTERVAL = timedelta(minutes=1)
# The largest body a plain check-in can have (ids, an ISO time, a 64-character ref, a 50-character name).
MAX_BODY = 1024
# psycopg prepares a statement after this many runs unless asked with `prepare=True`.
PREPARE_ONLY_WHEN_ASKED = 2**31 - 1
ALLOWED_KEYS = frozenset({"child_id", "kind", "at", "client_ref", "person_name"})

# The shapes of "at" the fast path parses itself: a full ISO 8601 date and time, seconds and up to six
# digits of fraction optional, an offset or Z optional. Python and pydantic read these alike; anything
# else (a date alone, a basic-format time, nanoseconds) goes to Django, whose schema decides.
_AT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?")
# Dates and times as the endpoint's JSON shows them (ninja's encoder defers to Django's for both).
_JSON_TIME = DjangoJSONEncoder().default

# The whole check-in in ONE statement (one round trip, one transaction):
# - `granted`: the token (valid as ApiToken.objects.valid() says), its user's care role at the child's
#   institution, the child. Empty: Django answers (401, 404).
# - `ok`: a row only when the check-in is plain: no absence that day, not in or out today yet, not away
#   for longer than AWAY_DAYS. Only then are the day row and the event written, with the service's
#   columns (services._DAY_IN and the event's): the database still guards the sequence (the day row's
#   unique key) and the client_ref (a duplicate raises and undoes the whole statement).
# - `used`: the token's last use, written at most once a minute; a token row another check-in is writing
#   at that moment is skipped, so a class's check-ins never queue behind each other's commits for it.
# - the answer: the new event's id, and the event already recorded under this client_ref (read in the
#   statement's snapshot, so only an earlier request's), from which a retry is answered.
# The two lookups by key are materialised first so that the plan is fixed and cheap (a free join order let
# the planner drive from the role assignments), and the grant is a scalar subquery with LIMIT (an EXISTS
# became a semi-join that hashed every role assignment of the province).
_ONE = """
WITH tok AS MATERIALIZED (
    SELECT t.id AS token_id, t.user_id
    FROM accounts_apitoken t JOIN accounts_user u ON u.id = t.user_id
    WHERE t.key_hash = %(key)s AND NOT t.revoked AND t.expires_at > %(now)s AND u.is_active),
ch AS MATERIALIZED (
    SELECT c.id, c.institution_id, c.klass_id FROM children_child c
    WHERE c.id = %(child)s AND c.institution_id IS NOT NULL),
granted AS MATERIALIZED (
    SELECT tok.token_id, tok.user_id, ch.id AS child_id, ch.institution_id, ch.klass_id
    FROM tok CROSS JOIN ch
    WHERE (SELECT 1 FROM accounts_roleassignment ra
           WHERE ra.user_id = tok.user_id AND ra.institution_id = ch.institution_id AND ra.active
             AND ra.role IN ({roles}) LIMIT 1) = 1),
ok AS MATERIALIZED (
    SELECT g.* FROM granted g
    LEFT JOIN LATERAL (
        SELECT d2.day FROM attendance_attendanceday d2 WHERE d2.child_id = g.child_id AND d2.day <= %(day)s
        ORDER BY d2.day DESC LIMIT 1) last ON true
    WHERE (last.day IS NULL OR (last.day < %(day)s AND last.day >= %(away)s))
      AND NOT EXISTS (SELECT 1 FROM attendance_absence a WHERE a.child_id = g.child_id AND a.day = %(day)s)),
used AS (
    UPDATE accounts_apitoken SET last_used_at = %(now)s
    WHERE id = (SELECT t.id FROM accounts_apitoken t JOIN granted g ON t.id = g.token_id
                WHERE t.last_used_at IS NULL OR t.last_used_at < %(used_before)s
                FOR UPDATE OF t SKIP LOCKED)),
d AS (
    INSERT INTO attendance_attendanceday
        (child_id, institution_id, klass_id, day, in_at, out_at, dropped_off_by, picked_up_by, status)
    SELECT ok.child_id, ok.institution_id, ok.klass_id, %(day)s, %(at)s, NULL, %(dropped_off_by)s, '',
           'present'
    FROM ok
    ON CONFLICT (child_id, day) DO NOTHING
    RETURNING id),
e AS (
    INSERT INTO attendance_attendanceevent ({columns})
    SELECT ok.child_id, ok.institution_id, ok.klass_id, 'in', %(at)s, %(day)s, %(ref)s, ok.user_id, 'api',
           %(person_kind)s, NULL, NULL, %(name)s, %(now)s
    FROM ok CROSS JOIN d
    RETURNING id)
SELECT (SELECT id FROM e), x.id, x.child_id, x.kind, x.at, x.day, x.via,
       x.guardian_id IS NULL AND x.pickup_person_id IS NULL, x.person_name
FROM granted g
LEFT JOIN attendance_attendanceevent x ON x.institution_id = g.institution_id AND x.client_ref = %(ref)s
""".format(  # noqa: S608 - the service's column list and the role names, constants checked below
    columns=_EVENT_COLUMNS, roles=", ".join(f"'{role}'" for role in CARE_ROLES)
)
assert all(re.fullmatch(r"[a-z_]+", role) for role in CARE_ROLES)

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


def _cursor(connection: BaseDatabaseWrapper) -> psycopg.Cursor[Any]:
    """A server-side-binding cursor on Django's own connection, so that `_ONE` is prepared once per
    connection: planning it (about 1 ms for these joins) cost more than running it (0.25 ms). Django's
    cursors bind on the client and re-plan every time."""
    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold is None:
        # Django turns prepared statements off on its connections (for connection poolers), and with
        # the threshold None psycopg ignores `prepare=True` too: every call was planned again, about
        # 0.9 ms of PostgreSQL CPU per check-in. A threshold no other query reaches enables them for the
        # statement below only (Django's own cursors bind on the client and never prepare).
        raw.prepare_threshold = PREPARE_ONLY_WHEN_ASKED
    return psycopg.Cursor(raw)


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
    if not _AT.fullmatch(at):
        return None
    try:
        parsed = datetime.fromisoformat(at)
    except ValueError:
        return None  # a month 13, say: Django answers 422
    return {"child_id": child_id, "at": parsed, "client_ref": ref, "person_name": name.strip()}


def _record(connection: BaseDatabaseWrapper, token: str, payload: dict[str, Any]) -> tuple[str, bytes] | None:
    """Record the check-in (or recognise its retry) and return the answer's status and body, or None to
    let Django handle the request."""
    now = timezone.now()
    at = payload["at"] if timezone.is_aware(payload["at"]) else timezone.make_aware(payload["at"])
    if at > now + rules.FUTURE_TOLERANCE.value or at < now - rules.BACKDATE_LIMIT.value:
        return None
    day = timezone.localtime(at).date()
    name = payload["person_name"]
    params = {
        "key": hash_token(token),
        "now": now,
        "child": Int8(payload["child_id"]),  # one prepared plan, whatever the id's size
        "day": day,
        "away": day - timedelta(days=AWAY_DAYS),
        "used_before": now - TOKEN_USE_INTERVAL,
        "at": at,
        "dropped_off_by": name[:80],
        "ref": payload["client_ref"],
        "person_kind": "other" if name else "",
        "name": name,
    }
    # Requests run in autocommit; inside a transaction (a test's) a savepoint keeps a refused insert from
    # aborting it, as the service does.
    savepoint = connection.in_atomic_block
    with _cursor(connection) as cursor:
        if savepoint:
            cursor.execute("SAVEPOINT tuoyu_fastpath")
        try:
            cursor.execute(_ONE, params, prepare=True)
            row = cursor.fetchone()
        except psycopg.IntegrityError:
            if savepoint:
                cursor.execute("ROLLBACK TO SAVEPOINT tuoyu_fastpath")
            return None  # the client_ref names another child's event: Django answers 409
        if savepoint:
            cursor.execute("RELEASE SAVEPOINT tuoyu_fastpath")
    if row is None:
        return None  # no such token or child, or no care there: Django answers 401 or 404
    new_id, old_id, old_child, old_kind, old_at, old_day, old_via, old_nobody, old_name = row
    if new_id is not None:
        status, answer = "201 Created", (new_id, at, day, "api", False)
    elif old_id is not None and (old_child, old_kind, old_at, old_nobody, old_name) == (
        payload["child_id"],
        "in",
        at,
        True,
        name,
    ):
        # A retry: the original event, as Django's replay answers it (services._replay).
        status, answer = "200 OK", (old_id, old_at, old_day, old_via, True)
    else:
        return None  # not plain, or a client_ref used for something else: Django decides and answers
    event_id, event_at, event_day, via, replayed = answer
    body = {
        "id": event_id,
        "child_id": payload["child_id"],
        "kind": "in",
        "at": _JSON_TIME(event_at),
        "day": _JSON_TIME(event_day),
        "client_ref": payload["client_ref"],
        "via": via,
        "replayed": replayed,
    }
    # The endpoint's keys in its order, its time format and json's default separators, as ninja's
    # encoder writes them: byte for byte the Django endpoint's answer.
    return status, json.dumps(body).encode()


def _recycle(connection: BaseDatabaseWrapper) -> None:
    if not connection.in_atomic_block:
        connection.close_if_unusable_or_obsolete()


class CheckinFastPath:
    """WSGI middleware: plain check-ins answered here, everything else by `app` (Django)."""

    def __init__(self, app: Callable[[dict[str, Any], StartResponse], Iterable[bytes]]):
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != PATH or environ.get("REQUEST_METHOD") != "POST":
            return self.app(environ, start_response)
        connection = connections[DEFAULT_DB_ALIAS]
        if connection.vendor != "postgresql":
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
            # What Django's request signals do for the connection (close_old_connections), without the
            # signals' dispatch, which cost a fifth of this path's CPU: a connection past its age or left
            # unusable by an error is closed before and after. A connection inside a transaction is a
            # test's (a request never starts in one): it is left alone, as Django's test client does.
            _recycle(connection)
            try:
                answer = _record(connection, auth[7:].strip(), payload)
            finally:
                _recycle(connection)
        if answer is None:
            FAST_PATH_STATS["django"] += 1
            return self.app(environ, start_response)
        FAST_PATH_STATS["fast"] += 1
        status, content = answer
        start_response(status, [*_HEADERS, ("Content-Length", str(len(content)))])
        return [content]
