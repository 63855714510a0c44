"""Choices for filings (备案)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FilingKind(models.TextChoices):
    INITIAL = "initial", _("Initial filing")  # 备案
    CHANGE = "change", _("Change filing")  # 变更备案
    CANCELLATION = "cancellation", _("Cancellation")  # 注销备案


class FilingStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")  # 草稿
    SUBMITTED = "submitted", _("Submitted")  # 已提交
    RECEIVED = "received", _("Receipt issued")  # 已出具备案回执
    CONFIRMED = "confirmed", _("Confirmed")  # 核实通过
    REJECTED = "rejected", _("Non-compliant")  # 不符合要求（已告知并公开）
    WITHDRAWN = "withdrawn", _("Withdrawn")  # 已撤回


# A filing is "open" while the health commission still owes an answer; one open filing per institution.
OPEN_STATUSES = (FilingStatus.SUBMITTED, FilingStatus.RECEIVED)


class DocumentKind(models.TextChoices):
    """Scanned materials attached to a filing (备案办法: materials list, see rules.py)."""

    BUSINESS_LICENCE = "business_licence", _("Business licence")  # 营业执照
    SOCIAL_ORG_CERTIFICATE = (
        "social_org_certificate",
        _("Social service organisation registration certificate"),
    )  # 民办非企业单位/社会服务机构登记证书
    PUBLIC_INSTITUTION_CERTIFICATE = (
        "public_institution_certificate",
        _("Public institution legal person certificate"),
    )  # 事业单位法人证书
    SITE_PROOF = "site_proof", _("Site proof")  # 场地证明
    STAFF_QUALIFICATIONS = (
        "staff_qualifications",
        _("Staff qualification certificates"),
    )  # 工作人员专业资格证明
    STAFF_HEALTH = "staff_health", _("Staff health certificates")  # 工作人员健康合格证明
    HEALTH_EVALUATION = (
        "health_evaluation",
        _("Health evaluation report rated satisfactory"),
    )  # 评价为"合格"的《托幼机构卫生评价报告》
    FIRE_SAFETY = "fire_safety", _("Fire safety inspection certificate")  # 消防安全检查合格证明
    FOOD_LICENCE = "food_licence", _("Food business licence")  # 《食品经营许可证》
    OTHER = "other", _("Other material")  # 其他材料
