"""People who log in, the roles they hold and where, API tokens and failed logins."""

from __future__ import annotations

import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuoyu.core.scoping import Grants

from .choices import GOVERNMENT_ROLES, OFFICIAL_ROLES, ROLE_ACTIONS, STAFF_ROLES, Role


class User(AbstractUser):
    """A person who logs in: an official, a member of an institution's staff, a parent or an observer."""

    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    class Meta(AbstractUser.Meta):  # type: ignore[name-defined]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username

    def active_assignments(self) -> list[RoleAssignment]:
        # Cached on the instance: a request asks for grants several times.
        cached: list[RoleAssignment] | None = getattr(self, "_assignments_cache", None)
        if cached is None:
            cached = list(self.role_assignments.filter(active=True).select_related("region", "institution"))
            self._assignments_cache = cached
        return cached

    def grants(self, action: str) -> Grants:
        """What this user may reach for `action`, from all their active role assignments."""
        if not self.is_active:
            return Grants()
        if self.is_superuser:
            return Grants(everything=True, user_id=self.pk)
        everything = False
        ranges: list[tuple[str, str]] = []
        institutions: set[int] = set()
        personal = False
        for assignment in self.active_assignments():
            if action not in ROLE_ACTIONS[assignment.role]:
                continue
            if assignment.role == Role.PARENT:
                personal = True
            elif assignment.role == Role.NATIONAL_OBSERVER:
                everything = True
            elif assignment.region is not None:
                ranges.append(assignment.region.subtree_bounds())
            elif assignment.institution_id:
                institutions.add(assignment.institution_id)
        return Grants(
            everything=everything,
            region_ranges=tuple(ranges),
            institution_ids=frozenset(institutions),
            user_id=self.pk,
            personal=personal,
        )

    def has_role(self, *roles: str) -> bool:
        return any(a.role in roles for a in self.active_assignments())

    @property
    def is_official(self) -> bool:
        return self.is_superuser or self.has_role(*GOVERNMENT_ROLES)

    @property
    def is_staff_member(self) -> bool:
        return self.has_role(*STAFF_ROLES)

    @property
    def is_parent(self) -> bool:
        return self.has_role(Role.PARENT)


class RoleAssignment(models.Model):
    """A role a user holds, bound to a region (officials) or an institution (staff)."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("region"),
    )
    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="role_assignments",
        verbose_name=_("institution"),
    )
    unit = models.CharField(
        _("unit"), max_length=100, blank=True, help_text=_("The office the official works in.")
    )
    active = models.BooleanField(_("active"), default=True)
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    granted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("granted by")
    )

    class Meta:
        ordering = ["user", "role"]
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            # Officials are bound to a region, staff to an institution, parents and observers to neither.
            models.CheckConstraint(
                condition=(
                    Q(
                        role__in=sorted(r.value for r in OFFICIAL_ROLES),
                        region__isnull=False,
                        institution__isnull=True,
                    )
                    | Q(
                        role__in=sorted(r.value for r in STAFF_ROLES),
                        region__isnull=True,
                        institution__isnull=False,
                    )
                    | Q(
                        role__in=[Role.PARENT.value, Role.NATIONAL_OBSERVER.value],
                        region__isnull=True,
                        institution__isnull=True,
                    )
                ),
                name="role_assignment_scope_matches_role",
            ),
            # One assignment per user, role and scope (three partial constraints: NULLs are distinct in SQL).
            models.UniqueConstraint(
                fields=["user", "role", "region"],
                condition=Q(region__isnull=False),
                name="role_assignment_unique_region",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "institution"],
                condition=Q(institution__isnull=False),
                name="role_assignment_unique_institution",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(region__isnull=True, institution__isnull=True),
                name="role_assignment_unique_unscoped",
            ),
        ]

    def __str__(self) -> str:
        scope = self.region or self.institution or ""
        return f"{self.user} · {self.get_role_display()} · {scope}".rstrip(" ·")

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.role in OFFICIAL_ROLES:
            if self.region is None:
                raise ValidationError({"region": _("An official's role is bound to a region.")})
            if self.region.level == "community":
                raise ValidationError(
                    {"region": _("Officials are bound to a province, city, county or township.")}
                )
        if self.role in STAFF_ROLES and not self.institution_id:
            raise ValidationError({"institution": _("A staff role is bound to an institution.")})
        if self.role not in OFFICIAL_ROLES and self.region_id:
            raise ValidationError({"region": _("Only officials are bound to a region.")})
        if self.role not in STAFF_ROLES and self.institution_id:
            raise ValidationError({"institution": _("Only staff are bound to an institution.")})

    @property
    def audit_region_code(self) -> str:
        if self.region_id:
            return str(self.region_id)
        if self.institution is not None:
            return str(self.institution.township_id)
        return ""


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def valid(self) -> ApiTokenQuerySet:
        return self.filter(revoked=False, expires_at__gt=timezone.now(), user__is_active=True)


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the token itself is shown once."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    prefix = models.CharField(
        _("prefix"), max_length=8, help_text=_("The first characters, to tell tokens apart.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked = models.BooleanField(_("revoked"), default=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.user} {self.prefix}…"


class LoginFailure(models.Model):
    """A failed login, kept for throttling repeated attempts on a username or from an address."""

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    username = models.CharField(_("username"), max_length=150, db_index=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("failed login")
        verbose_name_plural = _("failed logins")

    def __str__(self) -> str:
        return f"{self.username} {self.at}"
