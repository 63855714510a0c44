"""Template helpers of the growth app: z-scores in plain words, and the parent summary fragment."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from tuoyu.growth.selectors import latest_for_child

register = template.Library()


@register.filter
def z_words(z: float | None) -> str:
    """A z-score said plainly (WHO: −2 to +2 is the usual range for healthy children)."""
    if z is None:
        return _("not available")
    if z < -3:
        return _("well below the usual range")
    if z < -2:
        return _("below the usual range")
    if z <= 2:
        return _("within the usual range")
    if z <= 3:
        return _("above the usual range")
    return _("well above the usual range")


@register.filter
def zfmt(z: float | None) -> str:
    """A z-score to two decimals with its sign (−0.50, +1.20), or a dash."""
    return "—" if z is None else f"{z:+.2f}".replace("-", "−")


@register.filter
def z_class(z: float | None) -> str:
    if z is None:
        return "muted"
    return "" if -2 <= z <= 2 else "warn"


@register.inclusion_tag("growth/_parent_summary.html")
def growth_summary(child: Any) -> dict[str, Any]:
    """`{% growth_summary child %}`: the child's latest measurement for the parent's page."""
    return {"child": child, "measurement": latest_for_child(child)}
