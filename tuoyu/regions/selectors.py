"""Reads over the administrative tree: effective population and sub-region listings."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Max

from .constants import LEVEL_ORDER
from .models import Region, RegionPopulation


def latest_population_year() -> int | None:
    return RegionPopulation.objects.aggregate(y=Max("year"))["y"]


def population_for(regions: Iterable[Region], year: int | None = None) -> dict[str, int | None]:
    """Resident population of each region in `year` (default: the latest year with figures).

    A region's own figure wins; a region without one gets the sum of its children's, but only when
    every child has a figure (a partial sum would understate the denominator of every indicator).
    Two queries per distinct top region, whatever the size of the subtree.
    """
    regions = list(regions)
    result: dict[str, int | None] = {r.code: None for r in regions}
    if not regions:
        return result
    year = year or latest_population_year()
    if year is None:
        return result
    for root in _roots(regions):
        lo, hi = root.subtree_bounds()
        figures = dict(
            RegionPopulation.objects.filter(year=year, region_id__gte=lo, region_id__lte=hi).values_list(
                "region_id", "population"
            )
        )
        if not figures:
            continue
        # Only levels down to the deepest figure can contribute to a sum.
        deepest = max(LEVEL_ORDER.index(_level_of(code)) for code in figures)
        levels = LEVEL_ORDER[LEVEL_ORDER.index(root.level) : deepest + 1]
        children: dict[str, list[str]] = defaultdict(list)
        for code, parent in Region.objects.filter(code__gte=lo, code__lte=hi, level__in=levels).values_list(
            "code", "parent_id"
        ):
            if parent:
                children[parent].append(code)
        memo: dict[str, int | None] = {}

        def effective(
            code: str,
            figures: dict[str, int] = figures,
            children: dict[str, list[str]] = children,
            memo: dict[str, int | None] = memo,
        ) -> int | None:
            if code in memo:
                return memo[code]
            value: int | None
            if code in figures:
                value = figures[code]
            elif children.get(code):
                parts = [effective(c) for c in children[code]]
                value = None if any(p is None for p in parts) else sum(p for p in parts if p is not None)
            else:
                value = None
            memo[code] = value
            return value

        for region in regions:
            if root.contains(region.code):
                result[region.code] = effective(region.code)
    return result


def _level_of(code: str) -> str:
    if code[9:] != "000":
        return "community"
    if code[6:] != "000000":
        return "township"
    if code[4:] != "00000000":
        return "county"
    if code[2:] != "0000000000":
        return "city"
    return "province"


def _roots(regions: list[Region]) -> list[Region]:
    """The regions not inside another region of the list."""
    ordered = sorted(regions, key=lambda r: LEVEL_ORDER.index(r.level))
    roots: list[Region] = []
    for region in ordered:
        if not any(root.contains(region.code) for root in roots):
            roots.append(region)
    return roots


def widest_region(grants: Any) -> Region | None:
    """The highest region a user's grants cover (everything: the first province), or None without any.

    The pages officials open without choosing a region (dashboard, indicators, scenarios, reports,
    workforce statistics, training) start here. A grant's range starts at the region's own code.
    """
    if grants.everything:
        return Region.objects.filter(level="province").order_by("code").first()
    granted = Region.objects.filter(code__in=[lo for lo, _hi in grants.region_ranges])
    return min(granted, key=lambda r: (LEVEL_ORDER.index(r.level), r.code), default=None)
