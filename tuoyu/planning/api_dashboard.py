"""Planning dashboard API."""

from ninja import Router

router = Router(tags=["planning dashboard"])
