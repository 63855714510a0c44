"""Roles a person can hold, and what each role lets them do."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    # Officials of a health commission (卫生健康委) bound to a province, city, county or township.
    OFFICIAL_VIEWER = "official_viewer", _("Official (viewer)")
    OFFICIAL_REVIEWER = "official_reviewer", _("Official (reviewer)")
    OFFICIAL_INSPECTOR = "official_inspector", _("Official (inspector)")
    OFFICIAL_ADMIN = "official_admin", _("Official (administrator)")
    NATIONAL_OBSERVER = "national_observer", _("National observer")
    # Staff of one institution.
    DIRECTOR = "director", _("Director")
    CAREGIVER = "caregiver", _("Caregiver")
    HEALTH_WORKER = "health_worker", _("Health worker")
    STAFF_OTHER = "staff_other", _("Other staff")
    PARENT = "parent", _("Parent")


class Action(models.TextChoices):
    """What a user wants to do with a scoped object; querysets are filtered per action."""

    VIEW = "view", _("view")
    CHANGE = "change", _("change")
    REVIEW = "review", _("review")
    INSPECT = "inspect", _("inspect")
    MANAGE = "manage", _("manage")
    # Daily care records of the children in one's own institution: attendance, checks, meals, notes.
    CARE = "care", _("record daily care")


OFFICIAL_ROLES = frozenset(
    {Role.OFFICIAL_VIEWER, Role.OFFICIAL_REVIEWER, Role.OFFICIAL_INSPECTOR, Role.OFFICIAL_ADMIN}
)
STAFF_ROLES = frozenset({Role.DIRECTOR, Role.CAREGIVER, Role.HEALTH_WORKER, Role.STAFF_OTHER})
GOVERNMENT_ROLES = OFFICIAL_ROLES | {Role.NATIONAL_OBSERVER}

# The one table of which role may do what. Scope (region or institution) is bound separately.
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.OFFICIAL_VIEWER: frozenset({Action.VIEW}),
    Role.OFFICIAL_REVIEWER: frozenset({Action.VIEW, Action.REVIEW}),
    Role.OFFICIAL_INSPECTOR: frozenset({Action.VIEW, Action.INSPECT}),
    Role.OFFICIAL_ADMIN: frozenset({Action.VIEW, Action.REVIEW, Action.INSPECT, Action.MANAGE}),
    Role.NATIONAL_OBSERVER: frozenset({Action.VIEW}),
    Role.DIRECTOR: frozenset({Action.VIEW, Action.CHANGE, Action.MANAGE, Action.CARE}),
    Role.CAREGIVER: frozenset({Action.VIEW, Action.CARE}),
    Role.HEALTH_WORKER: frozenset({Action.VIEW, Action.CARE}),
    Role.STAFF_OTHER: frozenset({Action.VIEW}),
    # Parents reach only their own children (guardians linked to their account): scope_q of the
    # children's models reads Grants.user_id when Grants.personal is set.
    Role.PARENT: frozenset({Action.VIEW, Action.CHANGE}),
}
