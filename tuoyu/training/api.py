"""Training API (see the module docstring of each endpoint)."""

from ninja import Router

router = Router(tags=["training"])
