"""Inspections for tests, brought to each state through the services (the flow is the thing tested)."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

from django.utils import timezone

from tuoyu.accounts.choices import Role
from tuoyu.core.tests.factories import RoleAssignmentFactory, UserFactory
from tuoyu.supervision import services
from tuoyu.supervision.models import Inspection, InspectionItem, RectificationOrder

# The smallest valid PNG (1×1 pixel).
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)
PNG_B64 = base64.b64encode(PNG).decode()
JPEG_B64 = base64.b64encode(b"\xff\xd8\xff\xe0" + b"0" * 64).decode()


def inspector(world: Any, username: str, region: str = "xuanwu", unit: str = "玄武区卫生健康委员会") -> Any:
    user = UserFactory(username=username)
    if not user.role_assignments.filter(role=Role.OFFICIAL_INSPECTOR).exists():
        RoleAssignmentFactory(
            user=user, role=Role.OFFICIAL_INSPECTOR, region=world.regions[region], unit=unit
        )
    return user


def team(world: Any, region: str = "xuanwu") -> list[Any]:
    return [inspector(world, f"insp_{region}_1", region), inspector(world, f"insp_{region}_2", region)]


def answers(
    inspection: Inspection, fail: tuple[str, ...] = (), at: datetime | None = None
) -> list[dict[str, Any]]:
    """One answer per checklist item: the codes in `fail` fail (with a note), the others pass."""
    at = at or inspection.started_at or timezone.now()
    return [
        {
            "client_ref": f"a-{inspection.pk}-{e.code}",
            "item_id": e.item_id,
            "result": "fail" if e.code in fail else "pass",
            "note": f"{e.code} 不符合" if e.code in fail else "",
            "answered_at": at,
            "photos": [],
        }
        for e in inspection.entries.all()
    ]


def signatures(inspection: Inspection) -> list[dict[str, Any]]:
    now = timezone.now()
    return [
        {
            "client_ref": f"s-{inspection.pk}-{role}",
            "role": role,
            "signer_name": name,
            "png_base64": PNG_B64,
            "signed_at": now,
        }
        for role, name in (("inspector", "王检查"), ("institution", "李园长"))
    ]


def inspection(
    world: Any,
    status: str = "planned",
    institution: str = "inst_xuanwu",
    fail: tuple[str, ...] = ("C01", "F03"),
    members: list[Any] | None = None,
    kind: str = "routine",
) -> Inspection:
    """An inspection brought to `status` by the county official (an administrator of 玄武区)."""
    ensure_items()
    actor = world.user("county_official") if institution == "inst_xuanwu" else world.user("province_official")
    region = "xuanwu" if institution == "inst_xuanwu" else "jiangning"
    obj = services.inspection_open(
        actor=actor,
        institution=world.institutions[institution],
        kind=kind,
        inspectors=members if members is not None else team(world, region),
        planned_on=timezone.localdate(),
        origin="test",
    )
    if status == "planned":
        return obj
    if status == "cancelled":
        return services.inspection_cancel(actor=actor, inspection=obj, reason="测试")
    obj = services.inspection_start(actor=actor, inspection=obj)
    if status == "in_progress":
        return obj
    services.inspection_sync(
        actor=actor, inspection=obj, answers=answers(obj, fail), signatures=signatures(obj)
    )
    services.inspection_submit(actor=actor, inspection=obj)
    if status == "submitted":
        return Inspection.objects.get(pk=obj.pk)
    if fail:
        services.inspection_issue_orders(actor=actor, inspection=obj)
    if status == "rectifying":
        return Inspection.objects.get(pk=obj.pk)
    director = world.user("director") if institution == "inst_xuanwu" else None
    for order in RectificationOrder.objects.filter(inspection=obj):
        if director is not None:
            services.rectification_answer(actor=director, order=order, answer="已整改")
        else:
            RectificationOrder.objects.filter(pk=order.pk).update(status="answered", answer="已整改")
        services.rectification_verify(
            actor=actor, order=RectificationOrder.objects.get(pk=order.pk), accept=True
        )
    if not fail:
        services.inspection_close(actor=actor, inspection=obj)
    return Inspection.objects.get(pk=obj.pk)


def order(world: Any, status: str = "open") -> RectificationOrder:
    obj = inspection(world, "rectifying", fail=("C01",))
    result = RectificationOrder.objects.get(inspection=obj)
    if status == "answered":
        services.rectification_answer(actor=world.user("director"), order=result, answer="已整改")
        result.refresh_from_db()
    return result


def ensure_items() -> None:
    """The item list loaded by migration 0003 — gone after a transactional test flushed the database."""
    if not InspectionItem.objects.exists():
        from tuoyu.supervision.loading import load_items

        load_items(InspectionItem)


def item(code: str) -> InspectionItem:
    ensure_items()
    return InspectionItem.objects.get(code=code)
