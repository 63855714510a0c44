"""Choices of the growth records: how length was measured, and the WS/T 423—2022 five-level grade."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Position(models.TextChoices):
    LYING = "lying", _("Lying (length)")
    STANDING = "standing", _("Standing (height)")


class Grade(models.TextChoices):
    """WS/T 423—2022 表1, five levels against the age's percentiles (P3, P25, P75, P97)."""

    UPPER = "upper", _("Upper (≥P97)")
    UPPER_MIDDLE = "upper_middle", _("Upper-middle (P75–P97)")
    MIDDLE = "middle", _("Middle (P25–P75)")
    LOWER_MIDDLE = "lower_middle", _("Lower-middle (P3–P25)")
    LOWER = "lower", _("Lower (<P3)")
