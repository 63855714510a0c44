"""Numbers of the supervision flow, as data with their source.

None of these is an official national figure unless its source says so; each can be overridden in
settings by a province (the setting named beside it).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

# Working days an institution has to correct a finding, by risk. This deployment's setting, not an
# official rule (no national 托育 rectification deadline was found): TUOYU_RECTIFICATION_WORKING_DAYS.
RECTIFICATION_WORKING_DAYS: dict[str, int] = {"high": 7, "medium": 15, "low": 30}
RECTIFICATION_DEADLINE_SOURCE = "this deployment's setting (not an official rule)"

# Results are published within N working days of the conclusion. 企业信息公示暂行条例 第6、10条 [V]
# (20 working days for government-generated enterprise information); the 托育 application is [M].
PUBLISH_WORKING_DAYS_DEFAULT = 20
PUBLISH_SOURCE = "企业信息公示暂行条例 第6条、第10条 (20 working days); 优化营商环境条例 第54条"

# A team has at least two inspectors (优化营商环境条例 第54条 and the 双随机 practice, domain_rules §7).
MIN_TEAM = 2

# A follow-up inspection after a failed high-risk item is planned this many working days after the
# last rectification order closes (this deployment's rule, see services.inspection_close).
FOLLOW_UP_WORKING_DAYS = 10

# Photos and signatures: size limits of what a phone sends.
PHOTO_MAX_BYTES = 5 * 2**20
SIGNATURE_MAX_BYTES = 512 * 2**10
EVIDENCE_MAX_BYTES = 10 * 2**20


def rectification_days(risk: str) -> int:
    table: dict[str, Any] = getattr(settings, "TUOYU_RECTIFICATION_WORKING_DAYS", None) or {}
    return int(table.get(risk, RECTIFICATION_WORKING_DAYS[risk]))


def publish_working_days() -> int:
    return int(getattr(settings, "TUOYU_INSPECTION_PUBLISH_WORKING_DAYS", PUBLISH_WORKING_DAYS_DEFAULT))
