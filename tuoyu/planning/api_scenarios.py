"""Planning scenarios API."""

from ninja import Router

router = Router(tags=["planning scenarios"])
