"""Choices of the supervision app."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class InspectionKind(models.TextChoices):
    ROUTINE = "routine", _("Spot check")  # 双随机抽查 (from a draw)
    COMPLAINT = "complaint", _("Complaint-triggered")  # 投诉触发
    FOLLOW_UP = "follow_up", _("Follow-up")  # 复查
    ADHOC = "adhoc", _("Ad-hoc")  # 专项/临时检查


class InspectionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted")  # checklist done, findings known
    RECTIFYING = "rectifying", _("Rectification open")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


# Inspections whose result is known (the "conclusion" from which the publication window counts).
CONCLUDED_STATUSES = (InspectionStatus.SUBMITTED, InspectionStatus.RECTIFYING, InspectionStatus.CLOSED)


class ItemKind(models.TextChoices):
    """随机抽查事项清单: key items are checked in every inspection; general items as the list says."""

    KEY = "key", _("Key item")  # 重点检查事项
    GENERAL = "general", _("General item")  # 一般检查事项


class Risk(models.TextChoices):
    HIGH = "high", _("High risk")
    MEDIUM = "medium", _("Medium risk")
    LOW = "low", _("Low risk")


class ItemCategory(models.TextChoices):
    FILING = "filing", _("Filing")
    PREMISES = "premises", _("Premises")
    RATIOS = "ratios", _("Ratios and class sizes")
    STAFF = "staff", _("Staff")
    HEALTH = "health", _("Health care")
    MEALS = "meals", _("Meals")
    SAFETY = "safety", _("Safety")
    INSURANCE = "insurance", _("Insurance")
    DISCLOSURE = "disclosure", _("Disclosure")
    CARE = "care", _("Care and conduct")
    MANAGEMENT = "management", _("Management")


class SourceTag(models.TextChoices):
    """How far a rule's source was checked (shared/reference/domain_rules.md)."""

    VERIFIED = "V", _("Verified against the primary text")
    SECONDARY = "S", _("Secondary sources, not checked against the official text")
    MEMORY = "M", _("General knowledge, not verified")


class Result(models.TextChoices):
    PENDING = "", _("Not answered")
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")
    NOT_APPLICABLE = "na", _("Not applicable")


class SignatureRole(models.TextChoices):
    INSPECTOR = "inspector", _("Inspector")
    INSTITUTION = "institution", _("Institution representative")


class RectificationStatus(models.TextChoices):
    # Issued, waiting for the institution's answer (or returned to it).
    OPEN = "open", pgettext_lazy("rectification", "Open")
    ANSWERED = "answered", _("Answered")  # the institution answered, waiting for verification
    CLOSED = "closed", _("Corrected")  # the inspector verified the correction


class RectificationAction(models.TextChoices):
    ISSUE = "issue", _("Issued")
    ANSWER = "answer", _("Answered")
    RETURN = "return", _("Returned")
    VERIFY = "verify", _("Verified and closed")
    OVERDUE = "overdue", _("Marked overdue")
