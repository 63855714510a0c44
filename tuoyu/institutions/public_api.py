"""Public API: the register of filed institutions, no login needed."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["public"])
