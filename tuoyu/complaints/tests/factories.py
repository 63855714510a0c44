"""Complaints for tests, made through the services (so events, deadlines and side effects are real)."""

from __future__ import annotations

from typing import Any

from tuoyu.complaints import services
from tuoyu.complaints.models import Complaint

NAME, PHONE = "赵投诉人", "13912345678"


def complaint(
    world: Any,
    *,
    status: str = "received",
    category: str = "fees",
    institution: str = "inst_xuanwu",
    anonymous: bool = False,
    forwarded: bool = False,
    outcome: str = "substantiated",
    by: str | None = None,
) -> Complaint:
    """A complaint about a world institution, moved to `status` by its county's official; `by` names the
    signed-in persona who made it (default: nobody signed in)."""
    inst = world.institutions[institution]
    c = services.complaint_submit(
        institution=inst,
        category=category,
        description="收费与公示的收费目录不一致，多收伙食费。",
        anonymous=anonymous,
        contact_name="" if anonymous else NAME,
        contact_phone="" if anonymous else PHONE,
        actor=world.user(by) if by else None,
    )
    official = world.user("county_official" if institution == "inst_xuanwu" else "province_official")
    if status in {"accepted", "investigating", "concluded"} or forwarded:
        c = services.complaint_accept(actor=official, complaint=c)
    if forwarded:
        c = services.complaint_forward(actor=official, complaint=c)
    if status in {"investigating", "concluded"}:
        c = services.complaint_investigate(actor=official, complaint=c)
    if status == "concluded":
        c = services.complaint_conclude(
            actor=official, complaint=c, outcome=outcome, reply="经核查属实，已责令整改。"
        )
    return c
