"""Bearer authentication for the check-in endpoint in ONE query: token, user and care grants.

The core BearerAuth (tuoyu.core.api) answers with two ORM queries (token joined to user; then the
user's role assignments for `grants()`); compiling them cost about as much CPU as the rest of a check-in.
This does the same checks in one raw query and hands the service the `care` grants directly:

- the token is valid exactly as `ApiToken.objects.valid()` says: not revoked, not expired, user active;
- its last-use time is written at most once a minute, as `tuoyu.accounts.services.token_user` does;
- the grants are `User.grants("care")`: superusers reach everything; otherwise the institutions of the
  user's active assignments whose role holds `care` in ROLE_ACTIONS. Only institution-bound (staff) roles
  hold `care`; were a region-bound role ever given it, this would grant less than `grants()`, never more.

Tests (test_api.py) check revoked, expired and inactive tokens answer 401 here too.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from tuoyu.accounts.choices import ROLE_ACTIONS, Action
from tuoyu.accounts.models import ApiToken, User, hash_token
from tuoyu.core.scoping import Grants

CARE_ROLES = sorted(str(role) for role, actions in ROLE_ACTIONS.items() if Action.CARE in actions)

_SQL = """
SELECT u.id, u.username, u.is_superuser, t.id, t.last_used_at, ra.institution_id
FROM accounts_apitoken t
JOIN accounts_user u ON u.id = t.user_id
LEFT JOIN accounts_roleassignment ra
    ON ra.user_id = u.id AND ra.active AND ra.institution_id IS NOT NULL AND ra.role IN ({roles})
WHERE t.key_hash = %s AND NOT t.revoked AND t.expires_at > %s AND u.is_active
""".format(roles=", ".join(["%s"] * len(CARE_ROLES)))  # noqa: S608 - placeholders only


class CareBearer(HttpBearer):
    """A bearer token of a user, with `request.care_grants` set for the service (see the module doc)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        now = timezone.now()
        with connection.cursor() as cursor:
            cursor.execute(
                _SQL, [*CARE_ROLES, hash_token(token), connection.ops.adapt_datetimefield_value(now)]
            )
            rows = cursor.fetchall()
        if not rows:
            return None
        user_id, username, is_superuser, token_id, last_used = rows[0][:5]
        if isinstance(last_used, str):  # SQLite without converters on raw queries
            last_used = datetime.fromisoformat(last_used)
        if last_used is not None and timezone.is_naive(last_used):
            last_used = last_used.replace(tzinfo=UTC)
        if last_used is None or now - last_used > timedelta(minutes=1):
            ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
        user = User(id=user_id, username=username, is_superuser=bool(is_superuser), is_active=True)
        user._state.adding = False
        institutions = frozenset(row[5] for row in rows if row[5] is not None)
        request.care_grants = Grants(  # type: ignore[attr-defined]
            everything=bool(is_superuser), institution_ids=institutions, user_id=user_id
        )
        request.user = user
        return user
