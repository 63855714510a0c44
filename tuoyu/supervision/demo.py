"""Demo inspections (`manage.py demo_supervision --seed N`).

Fills the routine inspections a draw opened (demo_spotchecks) — or, without a draw, opens its own in
玄武区 and a few counties — so that there are inspections in every state, rectification notices open,
answered, overdue and corrected, results published on trust cards (the demo director's centre among
them), and ad-hoc ones. Everything goes through the services (the flow is what the demo shows), except
answers by institutions that have no director login, which are written directly. Idempotent: a
database that already holds demo results is left alone.
"""

from __future__ import annotations

import random
import time
from datetime import timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from tuoyu.accounts.choices import Role
from tuoyu.accounts.models import RoleAssignment, User
from tuoyu.institutions.models import Institution

from . import services
from .choices import InspectionKind, InspectionStatus, RectificationAction, RectificationStatus
from .models import Inspection, RectificationEvent, RectificationOrder

MARK = "[demo]"
XUANWU = "320102000000"
PREFIX = "demo_sup_inspector_"
# The life a demo inspection is brought to, in turn (rectifying ones differ by their orders).
PLAN = [
    "closed_published",
    "rectifying_open",
    "submitted",
    "in_progress",
    "rectifying_answered",
    "rectifying_overdue",
    "closed_clean",
    "planned",
    "submitted_unpublished_late",
    "cancelled",
]
FINDINGS = ["C01", "F03", "D01", "C03", "H01", "I01", "M01", "C05", "R02", "S03"]


def _actor() -> Any:
    return (
        User.objects.filter(username="demo_province").first()
        or User.objects.filter(is_superuser=True).first()
    )


def _director_of(institution_id: int) -> Any:
    assignment = (
        RoleAssignment.objects.filter(institution_id=institution_id, role=Role.DIRECTOR, active=True)
        .select_related("user")
        .first()
    )
    return assignment.user if assignment else None


def _ensure_team(institution: Institution) -> list[Any]:
    """Two inspectors (the inspector role) of a region covering the institution; made if missing."""
    eligible = [
        u
        for u in services.eligible_inspectors(institution)
        if u.role_assignments.filter(role=Role.OFFICIAL_INSPECTOR).exists()
    ]
    if len(eligible) >= 2:
        return eligible[:2]
    county = institution.county
    team = []
    for i in (1, 2):
        user, created = User.objects.get_or_create(
            username=f"{PREFIX}{county.code}_{i}",
            defaults={"display_name": f"{county.name}检查员{i}（演示）", "password": make_password(None)},
        )
        RoleAssignment.objects.get_or_create(
            user=user,
            role=Role.OFFICIAL_INSPECTOR,
            region=county,
            defaults={"unit": f"{county.name}卫生健康监督所"},
        )
        team.append(user)
    return team


def _targets(rng: random.Random, skip: int | None) -> list[Inspection]:
    """Routine inspections opened by a draw (still planned), else new ones in 玄武区 and a few counties."""
    # 玄武区's first (the demo logins' county), then the others; 20 are enough to show every state.
    drawn = sorted(
        Inspection.objects.filter(
            kind=InspectionKind.ROUTINE, status=InspectionStatus.PLANNED
        ).select_related("institution", "institution__county"),
        key=lambda i: (i.institution.county_id != XUANWU, i.pk),
    )[:20]
    if len(drawn) >= len(PLAN):
        return drawn
    actor = _actor()
    opened = list(drawn)
    xuanwu = list(
        Institution.objects.filter(county_id=XUANWU, status="operating", filing_status="filed")
        .exclude(pk=skip or 0)
        .order_by("id")[: len(PLAN)]
    )
    others = list(
        Institution.objects.filter(status="operating", filing_status="filed")
        .exclude(county_id=XUANWU)
        .order_by("county_id", "id")
        .distinct()[:400]
    )
    seen: set[str] = set()
    for institution in others:
        if institution.county_id not in seen and len(seen) < 5:
            seen.add(institution.county_id)
            xuanwu.append(institution)
    today = timezone.localdate()
    for institution in xuanwu:
        opened.append(
            services.inspection_open(
                actor=actor,
                institution=institution,
                kind=InspectionKind.ROUTINE,
                inspectors=_ensure_team(institution),
                planned_on=today - timedelta(days=rng.randint(0, 20)),
                origin="demo",
            )
        )
    return opened


def _answers(inspection: Inspection, fail: list[str]) -> list[dict[str, Any]]:
    at = inspection.started_at or timezone.now()
    return [
        {
            "client_ref": f"demo-{inspection.pk}-{e.code}",
            "item_id": e.item_id,
            "result": "fail" if e.code in fail else ("na" if e.code == "F01" and e.pk % 3 == 0 else "pass"),
            "note": f"检查发现：{e.title}未落实" if e.code in fail else "",
            "answered_at": at,
            "photos": [],
        }
        for e in inspection.entries.all()
    ]


def _signatures(inspection: Inspection) -> list[dict[str, Any]]:
    from .demo_assets import SIGNATURE_PNG_B64

    now = inspection.started_at or timezone.now()
    return [
        {
            "client_ref": f"demo-{inspection.pk}-{role}",
            "role": role,
            "signer_name": name,
            "png_base64": SIGNATURE_PNG_B64,
            "signed_at": now,
        }
        for role, name in (("inspector", "检查员（演示）"), ("institution", "机构负责人（演示）"))
    ]


def _answer_order(order: RectificationOrder) -> None:
    director = _director_of(order.inspection.institution_id)
    if director is not None:
        services.rectification_answer(actor=director, order=order, answer="已按要求整改，附整改照片（演示）")
        return
    RectificationOrder.objects.filter(pk=order.pk).update(
        status=RectificationStatus.ANSWERED, answer="已按要求整改（演示）", answered_at=timezone.now()
    )
    RectificationEvent.objects.create(order=order, action=RectificationAction.ANSWER, note="（演示）")


def _bring(inspection: Inspection, target: str, rng: random.Random, actor: Any) -> None:
    if target == "planned":
        return
    if target == "cancelled":
        services.inspection_cancel(
            actor=actor, inspection=inspection, reason="机构临时停业，改期检查（演示）"
        )
        return
    inspection = services.inspection_start(actor=actor, inspection=inspection)
    if target == "in_progress":
        half = _answers(inspection, [])[: inspection.entries.count() // 2]
        services.inspection_sync(actor=actor, inspection=inspection, answers=half)
        return
    clean = target == "closed_clean"
    fail = [] if clean else rng.sample(FINDINGS, k=rng.randint(1, 3))
    if target == "closed_published":
        fail = sorted(set(fail) | {"F03"})
    services.inspection_sync(
        actor=actor,
        inspection=inspection,
        answers=_answers(inspection, fail),
        signatures=_signatures(inspection),
    )
    services.inspection_submit(actor=actor, inspection=inspection, internal_note=f"{MARK} 机构配合检查。")
    if target == "submitted":
        return
    if target == "submitted_unpublished_late":
        # Concluded five weeks ago and still not published: shows on the hub as overdue.
        past = timezone.localdate() - timedelta(days=35)
        Inspection.objects.filter(pk=inspection.pk).update(
            concluded_on=past, publish_due=services.working_days_after(past, 20)
        )
        return
    if clean:
        services.inspection_close(actor=actor, inspection=inspection)
        services.inspection_publish(actor=actor, inspection=inspection)
        return
    orders = services.inspection_issue_orders(actor=actor, inspection=inspection)
    if target == "rectifying_open":
        services.inspection_publish(actor=actor, inspection=inspection)
    elif target == "rectifying_answered":
        for order in orders:
            _answer_order(order)
    elif target == "rectifying_overdue":
        past = timezone.localdate() - timedelta(days=60)
        RectificationOrder.objects.filter(inspection=inspection).update(
            issued_on=past, deadline=services.working_days_after(past, 7)
        )
        services.inspection_publish(actor=actor, inspection=inspection)
    elif target == "closed_published":
        for order in orders:
            _answer_order(order)
            services.rectification_verify(
                actor=actor,
                order=RectificationOrder.objects.get(pk=order.pk),
                accept=True,
                note="复核通过（演示）",
            )
        services.inspection_publish(actor=actor, inspection=inspection)


def run(*, seed: int = 1) -> dict[str, Any]:
    started = time.monotonic()
    if Inspection.objects.filter(internal_note__startswith=MARK).exists():
        return {"skipped": True, "seconds": 0.0}
    actor = _actor()
    if actor is None:
        return {"skipped": True, "reason": "no demo_province user (run demo_data first)", "seconds": 0.0}
    rng = random.Random(seed)
    with transaction.atomic():
        director = User.objects.filter(username="demo_director").first()
        director_inst = None
        if director is not None:
            assignment = director.role_assignments.filter(role=Role.DIRECTOR).first()
            director_inst = assignment.institution if assignment else None
        targets = _targets(rng, director_inst.pk if director_inst else None)
        # The demo director's centre first: one published, corrected result and one open notice.
        own: list[tuple[Inspection, str]] = []
        if director_inst is not None:
            for target in ("closed_published", "rectifying_open"):
                own.append(
                    (
                        services.inspection_open(
                            actor=actor,
                            institution=director_inst,
                            kind=InspectionKind.ROUTINE,
                            inspectors=_ensure_team(director_inst),
                            planned_on=timezone.localdate() - timedelta(days=10),
                            origin="demo",
                        ),
                        target,
                    )
                )
        for inspection, target in own:
            _bring(inspection, target, rng, actor)
        for index, inspection in enumerate(targets):
            if inspection.inspectors.count() < 2:
                services.inspection_assign_team(
                    actor=actor, inspection=inspection, inspectors=_ensure_team(inspection.institution)
                )
            _bring(inspection, PLAN[index % len(PLAN)], rng, actor)
        # The demo inspector of 玄武区 (made by demo_spotchecks) gets a checklist to fill on the phone.
        demo_inspector = User.objects.filter(username="demo_inspector").first()
        xuanwu_inst = Institution.objects.filter(county_id=XUANWU, status="operating").order_by("-id").first()
        if demo_inspector is not None and xuanwu_inst is not None:
            other = [u for u in _ensure_team(xuanwu_inst) if u.pk != demo_inspector.pk][:1]
            phone = services.inspection_open(
                actor=actor,
                institution=xuanwu_inst,
                kind=InspectionKind.ADHOC,
                inspectors=[demo_inspector, *other],
                planned_on=timezone.localdate(),
                reason="专项检查：视频监控与消防安全（演示）",
                origin="demo",
            )
            services.inspection_start(actor=actor, inspection=phone)
        # Ad-hoc inspections opened without a team: the county assigns one.
        for institution in Institution.objects.filter(county_id=XUANWU, status="operating").order_by("id")[
            8:10
        ]:
            services.inspection_open(
                actor=actor,
                institution=institution,
                kind=InspectionKind.ADHOC,
                inspectors=[],
                planned_on=timezone.localdate() + timedelta(days=3),
                reason="专项检查：食品安全（演示）",
                origin="demo",
            )
        overdue = services.rectification_sweep()
    return {
        "skipped": False,
        "inspections": len(targets) + len(own),
        "overdue": overdue,
        "seconds": round(time.monotonic() - started, 1),
    }
