"""Template context shared by every page: which ends the user may open."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def ends(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    authenticated = bool(user and user.is_authenticated)
    return {
        "can_gov": authenticated and user.is_official,  # type: ignore[union-attr]
        "can_inst": authenticated and user.is_staff_member,  # type: ignore[union-attr]
        "can_parent": authenticated and user.is_parent,  # type: ignore[union-attr]
    }
