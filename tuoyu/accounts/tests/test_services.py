"""Logging in, tokens, throttling and role assignments."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from tuoyu.accounts.choices import Role
from tuoyu.accounts.models import ApiToken, RoleAssignment
from tuoyu.accounts.services import LoginThrottled, role_assign, token_issue, token_user, user_authenticate
from tuoyu.core.models import AuditLog
from tuoyu.core.tests.personas import PASSWORD


def test_production_hashes_passwords_with_argon2(world):
    from django.conf import settings as django_settings
    from django.test import override_settings as override

    from config import settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    with override(PASSWORD_HASHERS=production.PASSWORD_HASHERS):
        user = world.user("director")
        user.set_password("a long passphrase")
        assert (
            user.password.startswith("argon2")
            and django_settings.PASSWORD_HASHERS == production.PASSWORD_HASHERS
        )


def test_token_is_stored_only_as_a_hash_and_finds_its_user(world):
    user = world.user("county_official")
    raw = token_issue(user=user)
    stored = ApiToken.objects.get(user=user)
    assert raw not in (stored.key_hash, stored.prefix) and stored.key_hash != raw
    assert token_user(raw) == user
    assert token_user(raw + "x") is None


def test_revoked_token_no_longer_works(world):
    raw = token_issue(user=world.user("director"))
    ApiToken.objects.update(revoked=True)
    assert token_user(raw) is None


@override_settings(TUOYU_LOGIN_MAX_FAILURES=3)
def test_login_is_throttled_after_repeated_failures_even_with_the_right_password(world):
    for _ in range(3):
        assert user_authenticate(request=None, username="director", password="wrong") is None
    with pytest.raises(LoginThrottled):
        user_authenticate(request=None, username="director", password=PASSWORD)
    assert AuditLog.objects.filter(action="login.failed").count() == 3


def test_successful_login_is_audited_and_clears_failures(world):
    user_authenticate(request=None, username="director", password="wrong")
    assert user_authenticate(request=None, username="director", password=PASSWORD) == world.user("director")
    assert AuditLog.objects.filter(action="login", actor=world.user("director")).exists()


def test_official_role_needs_a_region(world):
    with pytest.raises(ValidationError) as caught:
        role_assign(actor=None, user=world.user("outsider"), role=Role.OFFICIAL_VIEWER)
    assert "region" in caught.value.message_dict


def test_staff_role_cannot_be_bound_to_a_region(world):
    with pytest.raises(ValidationError):
        role_assign(
            actor=None, user=world.user("outsider"), role=Role.CAREGIVER, region=world.regions["xuanwu"]
        )


def test_officials_are_not_bound_to_a_community(world):
    with pytest.raises(ValidationError):
        role_assign(
            actor=None,
            user=world.user("outsider"),
            role=Role.OFFICIAL_VIEWER,
            region=world.regions["community"],
        )


def test_assigning_the_same_role_twice_keeps_one_assignment(world):
    user = world.user("outsider")
    role_assign(actor=None, user=user, role=Role.OFFICIAL_VIEWER, region=world.regions["wuxi"])
    role_assign(actor=None, user=user, role=Role.OFFICIAL_VIEWER, region=world.regions["wuxi"])
    assert RoleAssignment.objects.filter(user=user).count() == 1


def test_one_user_can_hold_several_assignments_and_sees_their_union(world):
    from tuoyu.institutions.models import Institution

    user = world.user("county_official")  # 玄武区
    role_assign(actor=None, user=user, role=Role.OFFICIAL_VIEWER, region=world.regions["wuxi"])
    user.refresh_from_db()
    names = set(Institution.objects.for_user(user, "view").values_list("name", flat=True))
    assert names == {"梅园托育中心", "东亭托育中心"}
