"""Writing the audit log. Services call `audit()`; views of sensitive records call `audit_view()`."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest

from .models import AuditLog


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit(
    *,
    actor: Any | None,
    action: str,
    obj: models.Model | None = None,
    region_code: str = "",
    detail: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AuditLog:
    """Record that `actor` (a user, or None for the system) did `action` to `obj`."""
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditLog.objects.create(
        actor=actor if is_user else None,
        actor_name=actor.get_username() if is_user and actor is not None else "system",
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        region_code=region_code or getattr(obj, "audit_region_code", "") or "",
        detail=detail or {},
        ip=client_ip(request),
    )


def audit_view(*, actor: Any, obj: models.Model, request: HttpRequest | None = None) -> AuditLog:
    """Record that somebody looked at a record holding personal data (who viewed what)."""
    return audit(actor=actor, action="view", obj=obj, request=request)
