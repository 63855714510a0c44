"""Filing (备案) API: submit, receipt, confirm, reject."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["filings"])
