"""Enforcement records for tests, written directly (the services have their own tests)."""

from __future__ import annotations

from datetime import timedelta
from itertools import count
from typing import Any

from django.utils import timezone

from tuoyu.enforcement.choices import HandoverItem
from tuoyu.enforcement.models import (
    ClosureCase,
    ClosureChild,
    ClosureHandover,
    Emergency,
    EmergencyEntry,
    EnforcementAction,
)

_numbers = count(1)


def action(world: Any, kind: str = "warning", rule: str = "ppl41_correct", **kw: Any) -> EnforcementAction:
    fields = {
        "institution": world.institutions["inst_xuanwu"],
        "kind": kind,
        "rule": rule,
        "decision_number": f"玄卫罚〔2026〕{next(_numbers)}号",
        "decided_on": timezone.localdate() - timedelta(days=3),
        "facts": "午睡室未安装监控",
        "decided_by": world.user("county_official"),
        **kw,
    }
    return EnforcementAction.objects.create(**fields)


def closure_case(world: Any, institution_key: str = "inst_xuanwu") -> ClosureCase:
    """An open case listing the institution's enrolled children and the hand-over checklist."""
    institution = world.institutions[institution_key]
    now = timezone.now()
    case = ClosureCase.objects.create(
        institution=institution,
        reason="举办者申请停办",
        opened_by=world.user("county_official"),
        enrolment_stopped_at=now,
        parents_notified_at=now,
    )
    for child in institution.current_children.select_related("klass"):
        ClosureChild.objects.create(
            case=case, child=child, class_kind=child.klass.kind if child.klass else ""
        )
    for item in HandoverItem.values:
        ClosureHandover.objects.create(case=case, item=item)
    return case


def emergency(world: Any, severity: str = "medium", **kw: Any) -> Emergency:
    fields = {
        "institution": world.institutions["inst_xuanwu"],
        "kind": "outbreak",
        "severity": severity,
        "title": "手足口病聚集",
        "description": "苹果班3名幼儿发热、手足疱疹",
        "opened_by": world.user("director"),
        **kw,
    }
    item = Emergency.objects.create(**fields)
    EmergencyEntry.objects.create(
        emergency=item, kind="opened", text=item.description, severity=severity, author=item.opened_by
    )
    return item
