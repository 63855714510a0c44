"""Small charts of the dashboard as inline SVG, drawn on the server (no script, no CDN, works offline)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

SPARK_W, SPARK_H, PAD = 140, 36, 3
BAR_W, BAR_H = 160, 14


def _fmt(value: float) -> str:
    return f"{value:.1f}"


@register.simple_tag
def sparkline(trend: Sequence[Any], target: Any = None, label: str = "") -> SafeString:
    """A line of the trend's values (oldest left) with the target as a dashed line when it is in view."""
    points = [(p.day, p.value) for p in trend if p.value is not None]
    if len(points) < 2:
        return mark_safe("")  # noqa: S308 - a constant
    values = [v for _d, v in points]
    target_value = getattr(target, "value", None)
    low, high = min(values), max(values)
    if target_value is not None and low * 0.8 <= target_value <= high * 1.25 + 1e-9:
        low, high = min(low, target_value), max(high, target_value)
    else:
        target_value = None
    span = (high - low) or 1.0
    first, last = points[0][0], points[-1][0]
    days = max(1, (last - first).days)

    def xy(day: Any, value: float) -> tuple[float, float]:
        x = PAD + (SPARK_W - 2 * PAD) * (day - first).days / days
        y = SPARK_H - PAD - (SPARK_H - 2 * PAD) * (value - low) / span
        return x, y

    line = " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in (xy(d, v) for d, v in points))
    end_x, end_y = xy(*points[-1])
    parts = [
        f'<svg class="spark" viewBox="0 0 {SPARK_W} {SPARK_H}" width="{SPARK_W}" height="{SPARK_H}" '
        f'role="img" aria-label="{escape(label)}"><title>{escape(label)}</title>',
    ]
    if target_value is not None:
        _x, ty = xy(first, target_value)
        parts.append(
            f'<line x1="{PAD}" x2="{SPARK_W - PAD}" y1="{_fmt(ty)}" y2="{_fmt(ty)}" class="spark-target"/>'
        )
    parts.append(f'<polyline points="{line}" class="spark-line"/>')
    parts.append(f'<circle cx="{_fmt(end_x)}" cy="{_fmt(end_y)}" r="2.5" class="spark-end"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - numbers and escaped text only


@register.simple_tag
def value_bar(value: float | None, maximum: float | None, target: Any = None) -> SafeString:
    """A horizontal bar of value ÷ maximum, with a tick at the target."""
    if value is None or not maximum:
        return mark_safe("")  # noqa: S308 - a constant
    target_value = getattr(target, "value", None)
    top = max(maximum, target_value or 0.0)
    width = BAR_W * max(0.0, value) / top
    met = target.is_met(value) if target is not None else None
    css = "bar-met" if met else "bar-short" if met is False else "bar"
    tick = ""
    if target_value is not None:
        tx = BAR_W * target_value / top
        tick = f'<line x1="{_fmt(tx)}" x2="{_fmt(tx)}" y1="0" y2="{BAR_H}" class="bar-target"/>'
    return format_html(
        '<svg class="valuebar" viewBox="0 0 {} {}" width="{}" height="{}" aria-hidden="true">'
        '<rect x="0" y="2" width="{}" height="{}" class="{}"/>{}</svg>',
        BAR_W,
        BAR_H,
        BAR_W,
        BAR_H,
        _fmt(width),
        BAR_H - 4,
        css,
        mark_safe(tick),  # noqa: S308 - numbers only
    )


@register.simple_tag
def signed_change(change: float | None, unit: str) -> str:
    """A change with its sign, in the indicator's precision ("+0.25", "+4,130", "−3.7 points")."""
    if change is None:
        return "—"
    sign = "+" if change > 0 else "−" if change < 0 else "±"
    size = abs(change)
    if unit in ("count", "people"):
        return f"{sign}{size:,.0f}"
    if unit == "per_1000":
        return f"{sign}{size:.2f}"
    return f"{sign}{size:.1f}"
