"""Persona-suite cases of the parents app: each API operation and named page, status per persona.

The world's `own_child` (玄武 class) has the `parent` persona as guardian; director and caregiver of
its centre are the care staff who take part in its thread. Everyone else is not a participant (404).
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from tuoyu.core.tests.personas import ALL_PERSONAS
from tuoyu.core.tests.personas import expect_status as _status


def _own(w: Any) -> int:
    return int(w.children["own_child"].pk)


def _notification_of_parent(w: Any) -> str:
    from tuoyu.parents.services import notify_guardians

    note = notify_guardians(child=w.children["own_child"], kind="other", title="t")[0]
    return f"/api/v1/parents/notifications/{note.pk}/read"


def _by(allowed: set[str], other: int = 404, anonymous: int = 401) -> dict[str, int]:
    return {p: 200 if p in allowed else anonymous if p == "anonymous" else other for p in ALL_PERSONAS}


_authenticated = {p: 401 if p == "anonymous" else 200 for p in ALL_PERSONAS}
_participants = _by({"parent", "director", "caregiver"})

API_CASES: dict[tuple[str, str], tuple[Any, Any]] = {
    ("get", "/api/v1/parents/children"): (lambda w: "/api/v1/parents/children", _status(_authenticated)),
    ("get", "/api/v1/parents/children/{child_id}/messages"): (
        lambda w: f"/api/v1/parents/children/{_own(w)}/messages",
        _status(_participants),
    ),
    # The persona body lacks "body": 422 for every authenticated caller (validated before scoping).
    ("post", "/api/v1/parents/children/{child_id}/messages"): (
        lambda w: f"/api/v1/parents/children/{_own(w)}/messages",
        _status({p: 401 if p == "anonymous" else 422 for p in ALL_PERSONAS}),
    ),
    ("get", "/api/v1/parents/notifications"): (
        lambda w: "/api/v1/parents/notifications",
        _status(_authenticated),
    ),
    ("post", "/api/v1/parents/notifications/{notification_id}/read"): (
        _notification_of_parent,
        _status(_by({"parent"})),
    ),
}

_parent_page = {p: 200 if p == "parent" else 302 if p == "anonymous" else 403 for p in ALL_PERSONAS}
_staff_page = {
    p: 200 if p in {"director", "caregiver"} else 302 if p == "anonymous" else 403 for p in ALL_PERSONAS
}

PAGE_CASES: dict[str, tuple[Any, dict[str, int]]] = {
    "parents:home": (lambda w: reverse("parents:home"), _parent_page),
    "parents:signup": (
        lambda w: reverse("parents:signup"),
        {p: 200 if p == "anonymous" else 302 for p in ALL_PERSONAS},
    ),
    **{
        f"parents:{name}": (lambda w, name=name: reverse(f"parents:{name}", args=[_own(w)]), _parent_page)
        for name in ("child_today", "child_attendance", "child_absence", "child_messages")
    },
    "parents:notifications": (lambda w: reverse("parents:notifications"), _parent_page),
    "parents:staff_inbox": (lambda w: reverse("parents:staff_inbox"), _staff_page),
    "parents:staff_thread": (lambda w: reverse("parents:staff_thread", args=[_own(w)]), _staff_page),
}
