"""Choices of the children register: sex, guardians, applications and enrolments."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Sex(models.TextChoices):
    # M/F as in the WHO tables and the growth API.
    MALE = "M", _("Boy")
    FEMALE = "F", _("Girl")


class Relation(models.TextChoices):
    MOTHER = "mother", _("Mother")
    FATHER = "father", _("Father")
    GRANDPARENT = "grandparent", _("Grandparent")
    OTHER_RELATIVE = "relative", _("Other relative")
    GUARDIAN = "guardian", _("Legal guardian")
    OTHER = "other", _("Other")


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("application", "Submitted")
    WAITLISTED = "waitlisted", pgettext_lazy("application", "Waitlisted")
    ACCEPTED = "accepted", pgettext_lazy("application", "Accepted")
    DECLINED = "declined", pgettext_lazy("application", "Declined")
    WITHDRAWN = "withdrawn", pgettext_lazy("application", "Withdrawn")


class EntryCheckKind(models.TextChoices):
    # 托儿所幼儿园卫生保健管理办法 第15条; 管理规范 第11条; 入托入学预防接种证查验办法 (2021).
    HEALTH = "health", _("Entry health check")  # 入托体检
    VACCINATION_CERTIFICATE = "vaccination", _("Vaccination certificate check")  # 预防接种证查验
    VACCINATION_RECHECK = "vaccination_recheck", _("Vaccination certificate re-check")  # 年末复验
    RETURN_HEALTH = "return_health", _("Health check after more than three months away")  # 离园3个月以上
