"""Staffing rules from the standards, as data: what each role must hold, and the background checks.

Each rule carries its source and the date it took effect; `selectors.employment_findings` applies
them. Provinces that set stricter rules override these tables (not yet: one national set for now).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .choices import QualificationKind as Q
from .choices import QualificationLevel, StaffRole

SETTING_STANDARD = "托育机构设置标准（试行）"  # 国卫人口发〔2019〕58号
SETTING_STANDARD_DATE = date(2019, 10, 8)
WST_821 = "WS/T 821—2023 托育机构质量评估标准"
WST_821_DATE = date(2024, 4, 1)

# Warn this many days before a certificate expires or a check falls due.
WARNING_DAYS = 30


@dataclass(frozen=True)
class QualificationRule:
    """A qualification the staff of `roles` (None: every role) must hold."""

    kind: str
    roles: frozenset[str] | None
    source: str
    effective: date
    # Without an expiry date on the certificate, it counts as valid this long after issue.
    valid_days: int | None = None
    min_education: str = ""

    def applies_to(self, role: str, today: date) -> bool:
        return self.effective <= today and (self.roles is None or role in self.roles)


QUALIFICATION_RULES: tuple[QualificationRule, ...] = (
    # All staff: a health certificate re-checked at least yearly, and a no-criminal-record certificate.
    QualificationRule(Q.HEALTH_CERTIFICATE, None, f"{WST_821} 5.1.5", WST_821_DATE, valid_days=365),
    QualificationRule(Q.NO_CRIMINAL_RECORD, None, f"{WST_821} 5.1.6", WST_821_DATE),
    # 负责人: 大专 or above and the head's post training (3 years' experience: HEAD_EXPERIENCE below).
    QualificationRule(
        Q.EDUCATION,
        frozenset({StaffRole.HEAD}),
        f"{SETTING_STANDARD} 第18条",
        SETTING_STANDARD_DATE,
        min_education=QualificationLevel.JUNIOR_COLLEGE,
    ),
    QualificationRule(
        Q.HEAD_TRAINING, frozenset({StaffRole.HEAD}), f"{SETTING_STANDARD} 第18条", SETTING_STANDARD_DATE
    ),
    # 保健人员: health-care training organised by a maternal and child health institution.
    QualificationRule(
        Q.HEALTH_WORKER_TRAINING,
        frozenset({StaffRole.HEALTH}),
        f"{SETTING_STANDARD} 第18、21条",
        SETTING_STANDARD_DATE,
    ),
    # 保安人员: a public-security 保安员证.
    QualificationRule(
        Q.SECURITY_CERTIFICATE,
        frozenset({StaffRole.SECURITY}),
        f"{SETTING_STANDARD} 第18条",
        SETTING_STANDARD_DATE,
    ),
    # 保育人员: the standard sets no mandatory certificate (training hours come with the training part).
)

# Education degrees in rank order, for "大专 or above".
EDUCATION_RANK: dict[str, int] = {
    QualificationLevel.SECONDARY: 1,
    QualificationLevel.JUNIOR_COLLEGE: 2,
    QualificationLevel.BACHELOR: 3,
    QualificationLevel.MASTER: 4,
    QualificationLevel.DOCTORATE: 5,
}


@dataclass(frozen=True)
class ExperienceRule:
    role: str
    min_years: int
    source: str
    effective: date


# 负责人: at least 3 years of management experience in child care, education or health (declared).
HEAD_EXPERIENCE = ExperienceRule(StaffRole.HEAD, 3, f"{SETTING_STANDARD} 第18条", SETTING_STANDARD_DATE)


@dataclass(frozen=True)
class BackgroundCheckRule:
    """未成年人保护法 第62条: check with 公安/检察院 before hiring, and re-check every year."""

    interval_days: int
    source: str
    effective: date


BACKGROUND_CHECK_RULE = BackgroundCheckRule(365, "未成年人保护法 第62条", date(2021, 6, 1))
