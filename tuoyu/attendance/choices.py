"""Choices of attendance records: event kinds, how an event was recorded, absence reasons."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    IN = "in", _("Check-in")
    OUT = "out", _("Check-out")


class Via(models.TextChoices):
    STAFF = "staff", _("Staff (class list)")
    KIOSK = "kiosk", _("Kiosk (guardian's code)")
    API = "api", _("API")


class PersonKind(models.TextChoices):
    """Who brought or collected the child."""

    GUARDIAN = "guardian", _("Guardian")
    PICKUP = "pickup", _("Authorised pick-up person")
    OTHER = "other", _("Other person (named)")


class DayStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    LEFT = "left", _("Picked up")


class AbsenceReason(models.TextChoices):
    ILLNESS = "illness", _("Illness")
    FAMILY = "family", _("Family reasons")
    OTHER = "other", _("Other")
    UNEXPLAINED = "unexplained", _("Unexplained")


class ReportedVia(models.TextChoices):
    PARENT = "parent", _("Parent")
    STAFF = "staff", _("Staff")
