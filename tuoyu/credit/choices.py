"""Choices of the credit app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CreditSource(models.TextChoices):
    """What a credit record comes from (each app posts its own through `credit_record_add`)."""

    FILING = "filing", _("Filing compliance")
    INSPECTION = "inspection", _("Inspection finding")
    RECTIFICATION = "rectification", _("Late rectification")
    COMPLAINT = "complaint", _("Substantiated complaint")
    INCIDENT = "incident", _("Incident")
    ENFORCEMENT = "enforcement", _("Enforcement action")
    QUALITY = "quality", _("Quality assessment")
    AWARD = "award", _("Award or demonstration status")
    OTHER = "other", _("Other")
