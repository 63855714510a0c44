"""Choices of the training records (base levels, course modes and modules, enrolment states)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BaseLevel(models.TextChoices):
    """省市县实训基地: the level of government a training base serves (the plan's 专栏3)."""

    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County")


class CourseMode(models.TextChoices):
    OFFLINE = "offline", _("In person")
    ONLINE = "online", _("Online")
    BLENDED = "blended", _("Blended")


class CourseModule(models.TextChoices):
    """Modules of the national training outlines (2021; module list unverified, domain_rules.md §5.1)."""

    POLICY_ETHICS = "policy_ethics", _("Policy, law and professional ethics")
    DEVELOPMENT = "development", _("Infant development")
    CAREGIVING = "caregiving", _("Care-giving (feeding, sleep, hygiene, habits)")
    HEALTH = "health", _("Health care and disease prevention")
    SAFETY = "safety", _("Safety and injury prevention")
    EARLY_LEARNING = "early_learning", _("Early learning and play")
    FAMILY = "family", _("Family guidance")
    MANAGEMENT = "management", _("Institution management")
    OTHER = "other", _("Other")


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("Enrolled")
    COMPLETED = "completed", _("Completed")
    ABSENT = "absent", _("Did not attend")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Enrolments that hold one of a session's places (a withdrawn one gives it back).
HOLDS_PLACE = (EnrolmentStatus.ENROLLED, EnrolmentStatus.COMPLETED, EnrolmentStatus.ABSENT)
