"""Template filters shared by every page."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def num(value: Any) -> str:
    """A whole number with thousands separators (221,000), as Chinese statistical tables print them.

    Django's zh-hans locale does not group digits, and intcomma follows the locale.
    """
    if value is None or value == "":
        return "—"
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return str(value)
