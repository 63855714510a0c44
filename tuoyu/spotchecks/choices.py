"""Choices of the spotchecks app (双随机、一公开: plans, batches, draws, the inspectors register)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ConflictRelation(models.TextChoices):
    """Why an inspector must recuse (依法回避) from inspecting an institution."""

    RELATIVE = "relative", _("Relative")  # 亲属关系
    # 本单位举办/隶属: declared by the office for a whole unit; every inspector of that unit recuses.
    OWN_UNIT = "own_unit", _("Own unit (run by or attached to the inspector's unit)")
    OTHER = "other", _("Other interest")  # 其他利害关系


class ExclusionReason(models.TextChoices):
    """Why the draw left an inspector out of an institution's team (stored with each draw)."""

    OWN_UNIT = "own_unit", _("Own unit")
    RELATIVE = "relative", _("Declared relative")
    OTHER = "other", _("Declared other interest")
    LAST_INSPECTION = "last_inspection", _("On the institution's most recent inspection")


class StratumKey(models.TextChoices):
    """The draw's strata; an institution falls in the first that matches (order: rules.STRATA)."""

    SERIOUS_FINDINGS = "serious_findings", _("Past serious findings")
    COMPLAINTS = "complaints", _("Recent complaints")
    CREDIT_LOW = "credit_low", _("Credit tier C or D")
    CREDIT_HIGH = "credit_high", _("Credit tier A (lighter checks)")
    DEFAULT = "default", _("All other institutions")
