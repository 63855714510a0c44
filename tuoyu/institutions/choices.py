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


class LegalForm(models.TextChoices):
    """法人类型, which decides the registering authority and the documents a filing needs."""

    PUBLIC_INSTITUTION = "public_institution", _("Public institution")  # 事业单位 (编制部门)
    SOCIAL_SERVICE = "social_service", _("Social service organisation")  # 社会服务机构 (民政部门)
    ENTERPRISE = "enterprise", _("Enterprise")  # 企业 (市场监管部门)
    INDIVIDUAL = "individual", _("Individual business")  # 个体工商户 (市场监管部门)


# 托育机构登记和备案办法（试行）: who registers each legal form.
REGISTERING_AUTHORITY = {
    LegalForm.PUBLIC_INSTITUTION: _("Establishment authority"),  # 机构编制部门
    LegalForm.SOCIAL_SERVICE: _("Civil affairs"),  # 民政部门
    LegalForm.ENTERPRISE: _("Market regulation"),  # 市场监管部门
    LegalForm.INDIVIDUAL: _("Market regulation"),
}


class ServiceMode(models.TextChoices):
    FULL_DAY = "full_day", _("Full day")  # 全日托
    HALF_DAY = "half_day", _("Half day")  # 半日托
    HOURLY = "hourly", _("Hourly")  # 计时托
    TEMPORARY = "temporary", _("Temporary")  # 临时托


class PremisesTenure(models.TextChoices):
    OWNED = "owned", _("Owned")  # 自有
    LEASED = "leased", _("Leased")  # 租赁


class FeeUnit(models.TextChoices):
    MONTH = "month", _("per month")
    DAY = "day", _("per day")
    HOUR = "hour", _("per hour")
    ONCE = "once", _("once")
    TERM = "term", _("per term")


class DesignationKind(models.TextChoices):
    INCLUSIVE = "inclusive", _("Inclusive")  # 普惠
    DEMONSTRATION = "demonstration", _("Demonstration")  # 示范性
    PUBLIC = "public", _("Public")  # 公办
    SERVICE_CENTRE = "service_centre", _("Comprehensive childcare service centre")  # 托育综合服务中心


class DesignationLevel(models.TextChoices):
    PROVINCE = "province", _("Province-level")
    CITY = "city", _("City-level")
    COUNTY = "county", _("County-level")
