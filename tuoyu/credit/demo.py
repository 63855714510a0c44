"""Demo credit: `manage.py demo_credit --seed 1` (runs last, after the other supervision demos).

1. The sweep: filing compliance, serious incidents, demonstration designations (services.credit_sweep).
2. Older records (6–30 months ago, some already expired) for a seeded share of operating
   institutions — inspection findings, late rectifications, substantiated complaints, awards —
   then a recompute of every institution (the first tier changes, from the base tier).
3. Recent records (the last 60 days): more findings, a few overriding ones (a suspension, an abuse
   complaint) and awards, then a second recompute, so "recent tier changes" show their causes.

So every tier appears across the province with reasons. demo_director's centre gets an award first
and a finding later (A, then B). Records carry `source_ref` "demo:…": running the command again posts
nothing and changes no tier (idempotent). Everything is bulk-written: seconds at province scale.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import date, timedelta
from time import monotonic
from typing import Any

from django.db.models import Count
from django.utils import timezone

from tuoyu.institutions.choices import OperatingStatus
from tuoyu.institutions.models import Institution

from .choices import CreditSource
from .models import CreditRecord, CreditStanding
from .rules import current_rule, points_for
from .services import _post_many, credit_recompute, credit_sweep

# (source, severity, reason) of the demo's records.
FINDINGS = [
    (CreditSource.INSPECTION, "low", "检查发现：晨午检记录不完整"),
    (CreditSource.INSPECTION, "low", "检查发现：消毒记录缺失"),
    (CreditSource.INSPECTION, "medium", "检查发现：保育人员配比不足"),
    (CreditSource.INSPECTION, "medium", "检查发现：食品留样不规范"),
    (CreditSource.INSPECTION, "high", "检查发现：消防通道堵塞"),
    (CreditSource.INSPECTION, "high", "检查发现：工作人员无健康证上岗"),
    (CreditSource.RECTIFICATION, "late", "整改逾期未完成"),
    (CreditSource.COMPLAINT, "substantiated", "投诉属实：收费未公示"),
    (CreditSource.ENFORCEMENT, "warning", "行政处罚：警告"),
]
AWARDS = [
    (CreditSource.AWARD, "commendation", "获市级托育服务表彰"),
    (CreditSource.QUALITY, "A", "质量评估等级：优秀"),
]
OVERRIDING = [
    (CreditSource.ENFORCEMENT, "suspension", "责令停业整顿"),
    (CreditSource.COMPLAINT, "abuse", "投诉属实：虐待婴幼儿"),
]


def _record(
    inst: Mapping[str, Any], n: str, spec: tuple[str, str, str], on: date, person: bool
) -> CreditRecord:
    source, severity, reason = spec
    return CreditRecord(
        institution_id=inst["pk"],
        source=source,
        source_ref=f"demo:{n}:{inst['pk']}",
        severity=severity,
        points=points_for(source, severity),
        reason=reason,
        occurred_on=on,
        person_name=(inst["legal_representative"] or "")[:60] if person else "",
    )


def _director_institution_id() -> int | None:
    from tuoyu.accounts.models import RoleAssignment

    return (
        RoleAssignment.objects.filter(user__username="demo_director", institution__isnull=False)
        .values_list("institution_id", flat=True)
        .first()
    )


def add_demo_credit(*, seed: int = 1, stdout: Any = None) -> dict[str, Any]:
    started = monotonic()
    today = timezone.localdate()
    rule = current_rule()
    sweep = credit_sweep(as_of=today)
    institutions = list(
        Institution.objects.filter(status=OperatingStatus.OPERATING)
        .order_by("pk")
        .values("pk", "legal_representative")
    )
    rng = random.Random(seed)
    older: list[CreditRecord] = []
    recent: list[CreditRecord] = []
    for inst in institutions:
        roll = rng.random()
        past = today - timedelta(days=rng.randint(180, 30 * 30))  # some beyond the 24-month window
        soon = today - timedelta(days=rng.randint(1, 60))
        person = rng.random() < 0.5
        if roll < 0.12:  # awards: A
            older.append(_record(inst, "award1", rng.choice(AWARDS), past, False))
            if rng.random() < 0.3:
                recent.append(_record(inst, "find2", rng.choice(FINDINGS[:4]), soon, person))
        elif roll < 0.30:  # a minor finding: stays B
            older.append(_record(inst, "find1", rng.choice(FINDINGS[:2]), past, person))
        elif roll < 0.38:  # several findings: C
            older.append(_record(inst, "find1", FINDINGS[rng.choice([2, 3])], past, person))
            recent.append(_record(inst, "find2", FINDINGS[rng.choice([4, 5])], soon, person))
            recent.append(_record(inst, "late2", FINDINGS[6], soon, person))
        elif roll < 0.41:  # heavy findings: D by score
            for n, spec in enumerate((FINDINGS[4], FINDINGS[5], FINDINGS[8], FINDINGS[6])):
                recent.append(_record(inst, f"heavy{n}", spec, soon, person))
        elif roll < 0.42:  # an overriding record: D whatever the score
            recent.append(_record(inst, "override", rng.choice(OVERRIDING), soon, True))
    director_inst = _director_institution_id()
    if director_inst is not None:
        inst = {"pk": director_inst, "legal_representative": ""}
        older.append(_record(inst, "dir-award", AWARDS[0], today - timedelta(days=200), False))
        recent.append(_record(inst, "dir-find", FINDINGS[3], today - timedelta(days=10), False))
    posted_older = _post_many(older)
    first = credit_recompute(as_of=today)
    posted_recent = _post_many(recent)
    second = credit_recompute(as_of=today)
    tiers = dict(CreditStanding.objects.values_list("tier").annotate(n=Count("pk")).order_by("tier"))
    summary = {
        "swept": sweep.posted,
        "posted": posted_older + posted_recent,
        "changes": len(first.changes) + len(second.changes),
        "tiers": tiers,
        "window_months": rule.window_months,
        "seconds": round(monotonic() - started, 1),
    }
    if stdout is not None:
        stdout.write(
            "Demo credit: swept {swept}; {posted} demo records posted; {changes} tier changes; tiers {tiers} "
            "({seconds} s).".format(**summary)
        )
    return summary
