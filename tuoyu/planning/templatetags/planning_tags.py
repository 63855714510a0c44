"""Formatting of indicator values in templates."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


def _number(value: float, unit: str) -> str:
    if unit in ("count", "people"):
        return f"{value:,.0f}"
    if unit == "per_1000":
        return f"{value:.2f}"
    return f"{value:.1f}"


@register.filter
def indicator_value(row: Any) -> str:
    """The value with its unit (e.g. "2.61", "87.5%", "41,300"), or "—" when there is none."""
    if row is None or row.value is None:
        return "—"
    text = _number(row.value, row.definition.unit)
    return f"{text}%" if row.definition.unit == "percent" else text


@register.filter
def plain_number(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
