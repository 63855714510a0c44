"""Choices of the workforce records (staff roles, qualifications, checks, bans, alerts)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StaffRole(models.TextChoices):
    # WS/T 821 §3.2 lists five staff types; 托育机构设置标准（试行）第18条 sets their requirements.
    HEAD = "head", _("Head (负责人)")
    CAREGIVER = "caregiver", _("Caregiver (保育人员)")
    HEALTH = "health", _("Health worker (保健人员)")
    SECURITY = "security", _("Security guard (保安人员)")
    COOK = "cook", _("Cook (炊事人员)")
    OTHER = "other", _("Other")


class QualificationKind(models.TextChoices):
    EDUCATION = "education", _("Education")
    CHILDCARE_CERTIFICATE = "childcare_certificate", _("Childcare worker certificate (保育师证)")
    HEALTH_CERTIFICATE = "health_certificate", _("Health certificate (健康证明)")
    NO_CRIMINAL_RECORD = "no_criminal_record", _("No-criminal-record certificate (无犯罪记录证明)")
    SECURITY_CERTIFICATE = "security_certificate", _("Security guard certificate (保安员证)")
    HEALTH_WORKER_TRAINING = "health_worker_training", _("Health-care training by a MCH institution")
    HEAD_TRAINING = "head_training", _("Head's post training (负责人岗位培训)")
    OTHER = "other", _("Other")


class QualificationLevel(models.TextChoices):
    """Levels recorded with a qualification: education degrees, and the 保育师 five-level scale."""

    SECONDARY = "secondary", _("Secondary school or below")
    JUNIOR_COLLEGE = "junior_college", _("Junior college (大专)")
    BACHELOR = "bachelor", _("Bachelor (本科)")
    MASTER = "master", _("Master")
    DOCTORATE = "doctorate", _("Doctorate")
    LEVEL_5 = "level_5", _("Level 5 (五级)")
    LEVEL_4 = "level_4", _("Level 4 (四级)")
    LEVEL_3 = "level_3", _("Level 3 (三级)")
    LEVEL_2 = "level_2", _("Level 2 (二级)")
    LEVEL_1 = "level_1", _("Level 1 (一级)")


class CheckKind(models.TextChoices):
    PRE_HIRE = "pre_hire", _("Before hiring")
    ANNUAL = "annual", _("Annual")


class CheckResult(models.TextChoices):
    CLEAR = "clear", _("No record")
    RECORD_FOUND = "record_found", _("Record found")


class BanKind(models.TextChoices):
    LIFETIME = "lifetime", _("lifetime ban (终身禁业)")
    FIXED_TERM = "fixed_term", _("fixed-term ban")


class AlertKind(models.TextChoices):
    BANNED_WHILE_EMPLOYED = "banned_while_employed", _("Banned while employed")
    RECORD_FOUND = "record_found", _("Background check found a record")
