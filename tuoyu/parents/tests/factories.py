"""Test helpers of the parent end."""

from __future__ import annotations

from typing import Any

from tuoyu.accounts.choices import Role
from tuoyu.core.tests.factories import RoleAssignmentFactory, UserFactory
from tuoyu.core.tests.personas import PASSWORD  # noqa: F401  (re-exported for the tests)


def staff_user(institution: Any, role: str = Role.CAREGIVER, username: str = "") -> Any:
    user = UserFactory(**({"username": username} if username else {}))
    RoleAssignmentFactory(user=user, role=role, institution=institution)
    return user


def parent_user(child: Any, position: int = 2, username: str = "") -> Any:
    """Another parent account linked as a guardian of `child`."""
    from tuoyu.children.models import Guardian

    user = UserFactory(**({"username": username} if username else {}))
    RoleAssignmentFactory(user=user, role=Role.PARENT)
    Guardian.objects.create(
        child=child, position=position, name="爸爸", relation="father", phone="13900139000", user=user
    )
    return user


def earlier_today(minutes: int) -> Any:
    """A moment `minutes` ago, but never before local midnight (tests run at any hour; Asia/Shanghai
    is 8 hours ahead of UTC, so "a few minutes ago" may be yesterday there)."""
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    now = timezone.now()
    midnight = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    return max(now - timedelta(minutes=minutes), midnight + (now - midnight) / 2)
