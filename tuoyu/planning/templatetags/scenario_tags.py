"""Formatting of the scenario page's before/after values (same number formats as the indicators page)."""

from __future__ import annotations

from django import template

from .planning_tags import _number

register = template.Library()


@register.filter
def scenario_value(value: float | None, unit: str) -> str:
    """A value in its unit's format ("2.61", "87.5%", "41,300"), or "—" without one."""
    if value is None:
        return "—"
    text = _number(value, unit)
    return f"{text}%" if unit == "percent" else text


@register.filter
def scenario_delta(value: float | None, unit: str) -> str:
    """A change with its sign ("+0.50", "−1.2"), "0" for none and "—" when it cannot be told.

    Percentages change by percentage points: no "%" sign on the change."""
    if value is None:
        return "—"
    if value == 0:
        return "0"
    text = _number(abs(value), unit)
    sign = "+" if value > 0 else "−"
    return f"{sign}{text}"
