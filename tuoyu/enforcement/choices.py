"""Choices of the enforcement app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ActionKind(models.TextChoices):
    """An administrative measure taken against an institution (行政处理/行政处罚)."""

    WARNING = "warning", _("Warning")  # 警告
    ORDER = "order", _("Order to correct")  # 责令改正
    FINE = "fine", _("Fine")  # 罚款
    SUSPENSION = "suspension", _("Suspension of services")  # 责令停止托育服务/停业整顿
    CLOSURE = "closure", _("Closure")  # 关停（退出）
    BAN = "ban", _("Lifetime ban of responsible persons")  # 终身禁业


class ClosureStatus(models.TextChoices):
    OPEN = "open", _("In progress")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class PlacementOutcome(models.TextChoices):
    """Where a child of a closing institution went."""

    PENDING = "pending", _("Not yet placed")
    INSTITUTION = "institution", _("Another institution")
    HOME = "home", _("Home care")
    OTHER = "other", _("Other")


class FeeStatus(models.TextChoices):
    PENDING = "pending", _("Not settled")
    SETTLED = "settled", _("Settled")


class HandoverItem(models.TextChoices):
    """Records an institution hands over when it closes (the checklist of a closure case)."""

    HEALTH_RECORDS = "health_records", _("Children's health records")
    ATTENDANCE = "attendance", _("Attendance records")
    STAFF_FILES = "staff_files", _("Staff files")
    CCTV = "cctv", _("CCTV footage")
    FEES_LEDGER = "fees_ledger", _("Fee and refund ledger")
    FILING = "filing", _("Filing certificate and seals")


class EmergencyKind(models.TextChoices):
    OUTBREAK = "outbreak", _("Infectious disease outbreak")  # 传染病疫情
    SAFETY = "safety", _("Safety incident")  # 安全事故
    OTHER = "other", _("Other")


class EmergencySeverity(models.TextChoices):
    """Ordered from least to most severe (see SEVERITY_ORDER)."""

    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


SEVERITY_ORDER = {EmergencySeverity.LOW: 0, EmergencySeverity.MEDIUM: 1, EmergencySeverity.HIGH: 2}


class EmergencyStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class EntryKind(models.TextChoices):
    OPENED = "opened", _("Opened")
    NOTE = "note", _("Update")
    SEVERITY = "severity", _("Severity changed")
    CLOSED = "closed", _("Closed")
