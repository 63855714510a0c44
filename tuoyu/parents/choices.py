"""Choices of the parent end: what a notification is about."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    ATTENDANCE = "attendance", _("Attendance")
    HEALTH_CHECK = "health_check", _("Morning or noon check")
    GROWTH = "growth", _("Growth")
    IMMUNISATION = "immunisation", _("Immunisation")
    MEDICATION = "medication", _("Medication")
    INCIDENT = "incident", _("Incident")
    MEALS = "meals", _("Meals")
    DIARY = "diary", _("Class diary")
    MESSAGE = "message", _("Message")
    APPLICATION = "application", _("Application")
    SUPERVISION = "supervision", _("Supervision")
    COMPLAINT = "complaint", _("Complaint")
    OTHER = "other", _("Other")
