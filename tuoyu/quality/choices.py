"""Choices of the quality app (WS/T 821—2023 quality assessment and grading)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FormStatus(models.TextChoices):
    """A form version is edited as a draft, then activated; activating another retires it."""

    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")


class ValueType(models.TextChoices):
    """How an item is scored: a number of points, or met / not met (full points or none)."""

    SCORE = "score", _("Score")
    YES_NO = "yes_no", _("Yes / no")


class AssessmentStatus(models.TextChoices):
    SELF_ASSESSING = "self_assessing", _("Self-assessment in progress")
    SELF_SUBMITTED = "self_submitted", _("Awaiting county assessment")
    COUNTY_SUBMITTED = "county_submitted", _("Assessed, awaiting publication")
    PUBLISHED = "published", _("Published")


OPEN_STATUSES = (
    AssessmentStatus.SELF_ASSESSING,
    AssessmentStatus.SELF_SUBMITTED,
    AssessmentStatus.COUNTY_SUBMITTED,
)


class Grade(models.TextChoices):
    """The result: A–D by the total against the cut-offs; FAIL when a baseline (veto) item failed;
    NONE when the form has no cut-offs yet (no grade until the province sets them)."""

    A = "A", "A"
    B = "B", "B"
    C = "C", "C"
    D = "D", "D"
    FAIL = "fail", _("Fail (baseline item not met)")
    NONE = "none", _("No grade (no cut-offs set)")


GRADE_ORDER = ("A", "B", "C", "D")
