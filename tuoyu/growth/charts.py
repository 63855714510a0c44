"""Server-rendered SVG growth charts: WHO curves at −3, −2, 0, +2 and +3 SD with the child's points.

No JavaScript and no external library: the SVG scales to the page width (readable at 390 px).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from . import who
from .models import GrowthMeasurement

W, H = 600, 380
LEFT, RIGHT, TOP, BOTTOM = 46, 14, 30, 40
CURVES: tuple[tuple[float, str, str], ...] = (
    (-3, "#c62828", "4 3"),
    (-2, "#ef6c00", ""),
    (0, "#2e7d32", ""),
    (2, "#ef6c00", ""),
    (3, "#c62828", "4 3"),
)
DAYS_PER_MONTH = 30.4375
Curve = tuple[float, str, str, list[tuple[float, float]]]
GREY, DARK, POINT = "#546e7a", "#37474f", "#1565c0"


@dataclass
class Chart:
    key: str
    title: str
    svg: SafeString


def _nice_step(span: float, target: int = 6) -> float:
    raw = span / target
    magnitude = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if raw <= m * magnitude:
            return m * magnitude
    return 10 * magnitude


def _svg(
    *,
    key: str,
    title: str,
    x_label: str,
    y_label: str,
    x_range: tuple[float, float],
    curves: Sequence[tuple[float, str, str, list[tuple[float, float]]]],
    points: Iterable[tuple[float, float, str]],
    x_step: float,
) -> SafeString:
    xs0, xs1 = x_range
    ys = [y for *_rest, line in curves for _x, y in line]
    pts = list(points)
    ys += [p[1] for p in pts]
    y0, y1 = (min(ys), max(ys)) if ys else (0.0, 1.0)
    pad = (y1 - y0) * 0.04 or 1
    y0, y1 = max(0.0, y0 - pad), y1 + pad

    def px(x: float) -> float:
        return LEFT + (x - xs0) / (xs1 - xs0) * (W - LEFT - RIGHT)

    def py(y: float) -> float:
        return H - BOTTOM - (y - y0) / (y1 - y0) * (H - TOP - BOTTOM)

    def text(
        x: float, y: float, body: str, *, size: int = 15, anchor: str = "start", fill: str = GREY
    ) -> str:
        attrs = f'x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}"'
        return f"<text {attrs}>{body}</text>"

    def grid(x1: float, x2: float, y1: float, y2: float) -> str:
        return f'<line x1="{x1:.1f}" x2="{x2:.1f}" y1="{y1:.1f}" y2="{y2:.1f}" stroke="#eceff1"/>'

    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM
    out = [
        f'<svg class="growth-chart" data-testid="chart-{key}" viewBox="0 0 {W} {H}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="#fff" stroke="#cfd8dc"/>',
    ]
    y_step = _nice_step(y1 - y0)
    y = math.ceil(y0 / y_step) * y_step
    while y <= y1:
        out.append(grid(LEFT, W - RIGHT, py(y), py(y)))
        out.append(text(LEFT - 5, py(y) + 4, f"{y:g}", anchor="end"))
        y += y_step
    x = math.ceil(xs0 / x_step) * x_step
    while x <= xs1 + 1e-9:
        out.append(grid(px(x), px(x), TOP, H - BOTTOM))
        out.append(text(px(x), H - BOTTOM + 16, f"{x:g}", anchor="middle"))
        x += x_step
    out.append(text((LEFT + W - RIGHT) / 2, H - 6, escape(x_label), anchor="middle", fill=DARK))
    out.append(text(LEFT, TOP - 10, escape(y_label), fill=DARK))
    for z, colour, dash, line in curves:
        if not line:
            continue
        path = " ".join(f"{px(a):.1f},{py(b):.1f}" for a, b in line)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="1.6"{dash_attr}/>')
        lx, ly = line[-1]
        out.append(
            text(px(lx) - 2, py(ly) - 3, "0" if z == 0 else f"{z:+g}", size=11, anchor="end", fill=colour)
        )
    if len(pts) > 1:
        path = " ".join(f"{px(a):.1f},{py(b):.1f}" for a, b, _t in pts)
        out.append(f'<polyline points="{path}" fill="none" stroke="{POINT}" stroke-width="1.4"/>')
    for a, b, tip in pts:
        out.append(
            f'<circle data-testid="growth-point" cx="{px(a):.1f}" cy="{py(b):.1f}" r="4.5" fill="{POINT}" '
            f'stroke="#fff"><title>{escape(tip)}</title></circle>'
        )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - numbers and escaped text only


def _age_curves(
    indicator: str, sex: str, max_days: int
) -> list[tuple[float, str, str, list[tuple[float, float]]]]:
    days = list(range(0, max_days + 1, 7))
    if days[-1] != max_days:
        days.append(max_days)
    if indicator == "lhfa" and max_days >= who.STANDING_FROM_DAYS:
        # Show WHO's step from lying length to standing height at 24 months.
        days = sorted(set(days) | {who.STANDING_FROM_DAYS - 1, who.STANDING_FROM_DAYS})
    curves: list[Curve] = []
    for z, colour, dash in CURVES:
        line = []
        for d in days:
            lms = who.lms_for_age(indicator, sex, d)  # type: ignore[arg-type]
            if lms is not None:
                line.append((d / DAYS_PER_MONTH, lms.sd(z)))
        curves.append((z, colour, dash, line))
    return curves


def _length_curves(table: str, sex: str) -> list[Curve]:
    low, high = who.WFL_RANGE if table == "wfl" else who.WFH_RANGE
    steps = int(round((high - low) * 2))
    curves: list[Curve] = []
    for z, colour, dash in CURVES:
        line = []
        for i in range(steps + 1):
            cm = low + i * 0.5
            lms = who.lms_for_length(table, sex, cm)  # type: ignore[arg-type]
            if lms is not None:
                line.append((cm, lms.sd(z)))
        curves.append((z, colour, dash, line))
    return curves


def growth_charts(sex: str, series: Sequence[GrowthMeasurement]) -> list[Chart]:
    """Weight-for-age, length/height-for-age and weight-for-length/height, with the child's points."""
    oldest = max((m.age_days for m in series), default=0)
    months = max(24, min(60, math.ceil((oldest / DAYS_PER_MONTH + 3) / 6) * 6))
    max_days = min(who.MAX_AGE_DAYS, int(months * DAYS_PER_MONTH))
    month_label = _("Age (months)")
    charts: list[Chart] = []

    title = _("Weight-for-age (WHO 2006)")
    wfa_pts = [
        (
            m.age_days / DAYS_PER_MONTH,
            float(m.weight_kg),
            f"{m.measured_on:%Y-%m-%d} · {m.weight_kg} kg · z {m.z_wfa}",
        )
        for m in series
        if m.weight_kg is not None and m.age_days <= max_days
    ]
    charts.append(Chart("wfa", title, _svg(
        key="wfa", title=title, x_label=month_label, y_label=_("kg"), x_range=(0, months),
        curves=_age_curves("wfa", sex, max_days), points=wfa_pts, x_step=6,
    )))  # fmt: skip

    title = _("Length/height-for-age (WHO 2006)")
    lh_pts = []
    for m in series:
        if m.length_cm is None or m.age_days > max_days:
            continue
        adjusted = who.adjusted_length(m.age_days, float(m.length_cm), m.position or None)  # type: ignore[arg-type]
        lh_pts.append(
            (
                m.age_days / DAYS_PER_MONTH,
                adjusted,
                f"{m.measured_on:%Y-%m-%d} · {adjusted:g} cm · z {m.z_lhfa}",
            )
        )
    charts.append(Chart("lhfa", title, _svg(
        key="lhfa", title=title, x_label=month_label, y_label=_("cm"), x_range=(0, months),
        curves=_age_curves("lhfa", sex, max_days), points=lh_pts, x_step=6,
    )))  # fmt: skip

    latest_age = series[-1].age_days if series else 0
    table = "wfl" if latest_age < who.STANDING_FROM_DAYS else "wfh"
    low, high = who.WFL_RANGE if table == "wfl" else who.WFH_RANGE
    title = _("Weight-for-length (WHO 2006)") if table == "wfl" else _("Weight-for-height (WHO 2006)")
    wl_pts = []
    for m in series:
        if m.length_cm is None or m.weight_kg is None:
            continue
        adjusted = who.adjusted_length(m.age_days, float(m.length_cm), m.position or None)  # type: ignore[arg-type]
        if low <= adjusted <= high:
            wl_pts.append(
                (
                    adjusted,
                    float(m.weight_kg),
                    f"{m.measured_on:%Y-%m-%d} · {adjusted:g} cm, {m.weight_kg} kg · z {m.z_wflh}",
                )
            )
    charts.append(Chart("wflh", title, _svg(
        key="wflh", title=title, x_label=_("Length/height (cm)"), y_label=_("kg"), x_range=(low, high),
        curves=_length_curves(table, sex), points=wl_pts, x_step=10,
    )))  # fmt: skip
    return charts
