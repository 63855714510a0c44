"""Formatting of statistical report figures in templates."""

from __future__ import annotations

from typing import Any

from django import template

from tuoyu.planning.selectors_reports import format_value

register = template.Library()


@register.filter
def report_value(cell: Any, row: Any) -> str:
    """A stored figure as the form shows it (whole numbers for counts, two decimals for rates)."""
    return format_value(cell, row)
