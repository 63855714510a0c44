"""Writes for people: role assignments, API tokens, and login throttling."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoyu.core.audit import audit, client_ip

from .models import ApiToken, LoginFailure, RoleAssignment, User, hash_token


class LoginThrottled(Exception):
    """Too many failed logins for this username or address; try again later."""


def login_throttled(*, username: str, ip: str | None) -> bool:
    """Whether the failures in the window have reached the limit for the username or the address."""
    since = timezone.now() - timedelta(seconds=settings.TUOYU_LOGIN_WINDOW_SECONDS)
    recent = LoginFailure.objects.filter(at__gte=since)
    limit = settings.TUOYU_LOGIN_MAX_FAILURES
    if recent.filter(username__iexact=username).count() >= limit:
        return True
    # An address gets more room than a username: offices share one outgoing address.
    return bool(ip and recent.filter(ip=ip).count() >= limit * 4)


def login_record_failure(*, username: str, request: HttpRequest | None) -> None:
    LoginFailure.objects.create(username=username[:150], ip=client_ip(request))
    audit(actor=None, action="login.failed", detail={"username": username[:150]}, request=request)


def login_clear_failures(*, username: str) -> None:
    LoginFailure.objects.filter(username__iexact=username).delete()


def user_authenticate(*, request: HttpRequest | None, username: str, password: str) -> User | None:
    """Check a username and password, refusing while throttled; record failures and successes."""
    ip = client_ip(request)
    if login_throttled(username=username, ip=ip):
        raise LoginThrottled(_("Too many failed attempts. Please wait a few minutes and try again."))
    user = authenticate(request, username=username, password=password)
    if user is None:
        login_record_failure(username=username, request=request)
        return None
    login_clear_failures(username=username)
    audit(actor=user, action="login", obj=user, request=request)
    assert isinstance(user, User)
    return user


@transaction.atomic
def token_issue(*, user: User, request: HttpRequest | None = None) -> str:
    """Create an API token and return it; only its hash is kept."""
    raw = secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user,
        key_hash=hash_token(raw),
        prefix=raw[:8],
        expires_at=timezone.now() + timedelta(days=settings.TUOYU_API_TOKEN_DAYS),
    )
    audit(actor=user, action="token.issue", obj=user, request=request)
    return raw


def token_user(raw: str) -> User | None:
    """The active user a bearer token belongs to, or None."""
    token = ApiToken.objects.valid().select_related("user").filter(key_hash=hash_token(raw)).first()
    if token is None:
        return None
    now = timezone.now()
    # Write the last-use time at most once a minute: the API must not write on every read.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def role_assign(
    *, actor: Any, user: User, role: str, region: Any = None, institution: Any = None, unit: str = ""
) -> RoleAssignment:
    """Give a user a role bound to a region or an institution (idempotent)."""
    existing = (
        RoleAssignment.objects.filter(user=user, role=role)
        .filter(Q(region=region) if region is not None else Q(region__isnull=True))
        .filter(Q(institution=institution) if institution is not None else Q(institution__isnull=True))
        .first()
    )
    if existing is not None:
        if not existing.active:
            existing.active = True
            existing.save(update_fields=["active"])
        return existing
    assignment = RoleAssignment(
        user=user,
        role=role,
        region=region,
        institution=institution,
        unit=unit,
        granted_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    assignment.full_clean()
    assignment.save()
    audit(actor=actor, action="role.assign", obj=assignment, detail={"role": role, "user": user.username})
    return assignment
