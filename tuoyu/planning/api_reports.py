"""Planning reports API."""

from ninja import Router

router = Router(tags=["planning reports"])
