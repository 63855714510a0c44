"""Choices of the complaints app: category, status, outcome, handling level, event kind."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ComplaintCategory(models.TextChoices):
    """What a complaint is about. Which categories are serious lives in rules.CATEGORY_RULES."""

    ABUSE = "abuse", _("Abuse or maltreatment")  # 虐待
    INJURY = "injury", _("Injury")  # 伤害
    SAFETY = "safety", _("Safety hazard")  # 安全隐患
    HYGIENE = "hygiene", _("Hygiene or food")  # 卫生、膳食
    FEES = "fees", _("Fees")  # 收费
    STAFF = "staff", _("Staff conduct")  # 工作人员言行
    SERVICE = "service", _("Quality of service")  # 服务质量
    UNFILED = "unfiled", _("Operating without filing")  # 未备案经营
    OTHER = "other", _("Other")  # 其他


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", _("Received")  # 已收到
    ACCEPTED = "accepted", _("Accepted")  # 已受理
    INVESTIGATING = "investigating", _("Under investigation")  # 调查核实中
    CONCLUDED = "concluded", _("Concluded")  # 已办结


OPEN_STATUSES = (ComplaintStatus.RECEIVED, ComplaintStatus.ACCEPTED, ComplaintStatus.INVESTIGATING)


class ComplaintOutcome(models.TextChoices):
    SUBSTANTIATED = "substantiated", _("Substantiated")  # 属实
    PARTLY = "partly", _("Partly substantiated")  # 部分属实
    NOT_SUBSTANTIATED = "not_substantiated", _("Not substantiated")  # 不属实
    WITHDRAWN = "withdrawn", _("Withdrawn")  # 撤回


class HandlingLevel(models.TextChoices):
    """Which level of health commission is handling a complaint; it moves up when overdue."""

    COUNTY = "county", _("County")
    CITY = "city", _("City")
    PROVINCE = "province", _("Province")


class EventKind(models.TextChoices):
    """What a ComplaintEvent records."""

    SUBMITTED = "submitted", _("Submitted")
    TRANSITION = "transition", _("Status changed")
    ESCALATED = "escalated", _("Escalated")
    FORWARDED = "forwarded", _("Forwarded to the institution")
    RESPONDED = "responded", _("Institution responded")
    INSPECTION = "inspection", _("Inspection opened")
