"""Persona expectations for the planning dashboard endpoints and pages (merged by scoping_cases.py)."""

from __future__ import annotations

from typing import Any

API_CASES: dict[tuple[str, str], tuple[Any, Any]] = {}
PAGE_CASES: dict[str, tuple[Any, dict[str, int]]] = {}
