"""Workforce statistics API (mounted at /api/v1/workforce)."""

from ninja import Router

router = Router(tags=["workforce statistics"])
