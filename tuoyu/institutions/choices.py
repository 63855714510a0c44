"""Choices for institutions."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class InstitutionType(models.TextChoices):
    """托育机构类型 as used by the filing system."""

    PRIVATE_RUN = "private_run", _("Socially run")  # 社会举办
    COMMUNITY = "community", _("Community service")  # 社区服务
    KINDERGARTEN = "kindergarten", _("Kindergarten nursery class")  # 托幼一体（幼儿园托班）
    EMPLOYER = "employer", _("Employer-provided")  # 单位服务
    MEDICAL = "medical", _("Medical-childcare combined")  # 医育结合
    FAMILY = "family", _("Family childcare point")  # 家庭托育点


class Ownership(models.TextChoices):
    PUBLIC = "public", _("Public")  # 公办
    PRIVATE = "private", _("Private")  # 民办


class OperatingStatus(models.TextChoices):
    PREPARING = "preparing", _("Preparing")  # 筹建中
    OPERATING = "operating", _("Operating")  # 运营中
    SUSPENDED = "suspended", _("Suspended")  # 停业整顿
    CLOSED = "closed", _("Closed")  # 已关闭


class FilingStatus(models.TextChoices):
    NOT_FILED = "not_filed", _("Not filed")  # 未备案
    PENDING = "pending", _("Filing in progress")  # 备案中
    FILED = "filed", _("Filed")  # 已备案
    NONCOMPLIANT = "noncompliant", _("Non-compliant")  # 不符合要求
    CANCELLED = "cancelled", _("Cancelled")  # 已注销
