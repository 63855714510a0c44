"""Reads of the planning dashboard (管理端 home): one region's indicators, trends, gaps and map values.

Everything comes from the stored snapshots (`IndicatorSnapshot`), never from a recomputation on a page
view: the dashboard uses the latest snapshot on or before the requested date that has the region and
says which date that is. Only when the region has no snapshot at all is it computed once, on the fly,
for that region's subtree (nothing is stored) — and the page says so.

Two lists are read live, in one query each, with the same rules as the indicators on the data's date
(`compute.operating_on`, `compute.inclusive_on`): the townships without an operating inclusive
institution and the counties without an operating demonstration one. Their counts are the gaps of the
two coverage tiles (denominator − numerator) unless the register changed after the snapshot was taken.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q

from tuoyu.institutions.choices import DesignationKind
from tuoyu.institutions.models import Designation, Institution
from tuoyu.regions.constants import CHILD_LEVEL
from tuoyu.regions.models import Region

from .compute import COUNTY_KINDS, TOWNSHIP_KINDS, compute_indicators, inclusive_on, operating_on
from .definitions import DEFINITIONS, IndicatorDefinition
from .models import IndicatorSnapshot, PlanTarget
from .selectors import INDICATOR_LEVELS, IndicatorRow, indicator_rows, targets_for

DEFAULT_INDICATOR = "places_per_1000"
TREND_MONTHS = 24
SCARCITY_KEY = "places_per_1000"


@dataclass(frozen=True)
class TrendPoint:
    day: dt.date
    value: float | None


@dataclass
class Tile:
    """One indicator of the region against its target, with its monthly history."""

    row: IndicatorRow
    trend: list[TrendPoint]

    @property
    def key(self) -> str:
        return self.row.key

    @property
    def year_before(self) -> TrendPoint | None:
        """The value about a year before the latest point (the closest snapshot 11–13 months earlier)."""
        if not self.trend:
            return None
        last = self.trend[-1].day
        candidates = [p for p in self.trend if 335 <= (last - p.day).days <= 395 and p.value is not None]
        return min(candidates, key=lambda p: abs((last - p.day).days - 365), default=None)

    @property
    def change(self) -> float | None:
        before = self.year_before
        if before is None or before.value is None or self.row.value is None:
            return None
        return self.row.value - before.value


@dataclass
class RankedRegion:
    region: Region
    row: IndicatorRow | None

    @property
    def value(self) -> float | None:
        return self.row.value if self.row is not None else None


@dataclass
class ScarceCounty:
    """A county's places against its population, and the places missing to reach the target."""

    region: Region
    places: float
    population: float | None
    per_1000: float | None
    shortfall: int | None  # places to add to reach the target (0 when met); None without population


@dataclass
class Dashboard:
    region: Region
    requested: dt.date
    as_of: dt.date  # the date of the data shown (a snapshot's date, or the requested one if computed)
    source: str  # "snapshot" | "computed" (no snapshot for the region at all: computed once, not stored)
    computed_at: dt.datetime | None
    indicator: IndicatorDefinition
    choices: list[IndicatorDefinition]
    tiles: list[Tile]
    child_level: str | None
    ranking: list[RankedRegion]
    ranking_available: bool  # the chosen indicator is computed at the sub-regions' level
    townships_without_inclusive: list[tuple[Region, list[Region]]]  # grouped by county
    townships_total: int
    counties_without_demonstration: list[Region]
    counties_total: int
    scarcity: list[ScarceCounty]
    scarcity_target: PlanTarget | None

    @property
    def townships_without_inclusive_count(self) -> int:
        return sum(len(group) for _county, group in self.townships_without_inclusive)

    @property
    def chosen_tile(self) -> Tile | None:
        return next((t for t in self.tiles if t.key == self.indicator.key), None)


def indicator_choices(level: str) -> list[IndicatorDefinition]:
    """The indicators a region of this level can be compared and mapped by (those with data)."""
    return [d for d in DEFINITIONS if level in d.levels and d.available]


def choose_indicator(level: str, key: str | None) -> IndicatorDefinition:
    """The requested indicator if it is computed at this level, else places per 1,000 (or the first)."""
    choices = indicator_choices(level)
    by_key = {d.key: d for d in choices}
    return by_key.get(key or "") or by_key.get(DEFAULT_INDICATOR) or choices[0]


def snapshot_date(region: Region, day: dt.date) -> dt.date | None:
    """The latest snapshot date on or before `day` that has the region."""
    return (
        IndicatorSnapshot.objects.filter(region_id=region.code, as_of__lte=day)
        .order_by("-as_of")
        .values_list("as_of", flat=True)
        .first()
    )


def _months_before(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def _county_regions(region: Region) -> list[Region]:
    lo, hi = region.subtree_bounds()
    return list(
        Region.objects.filter(level="county", kind__in=COUNTY_KINDS, code__gte=lo, code__lte=hi)
        .select_related("parent")
        .order_by("code")
    )


def read_values(
    region: Region, day: dt.date, wanted: dict[str, set[str] | None]
) -> tuple[str, dt.date, dt.datetime | None, dict[str, dict[str, Any]]]:
    """Values of some regions as of the latest snapshot ≤ day: (source, date, computed_at, by region).

    `wanted` maps a region code to the keys needed (None: every key). Without any snapshot of the
    region, the region's subtree is computed on the fly (not stored) and the same shape is returned.
    """
    by_region: dict[str, dict[str, Any]] = defaultdict(dict)
    as_of = snapshot_date(region, day)
    if as_of is None:
        for value in compute_indicators(day, root=region):
            keys = wanted.get(value.region_code, set())
            if value.region_code in wanted and (keys is None or value.key in keys):
                by_region[value.region_code][value.key] = value
        return "computed", day, None, by_region
    condition = Q()
    every = [code for code, keys in wanted.items() if keys is None]
    if every:
        condition |= Q(region_id__in=every)
    per_key: dict[str, list[str]] = defaultdict(list)
    for code, keys in wanted.items():
        for key in keys or ():
            per_key[key].append(code)
    for key, codes in per_key.items():
        condition |= Q(key=key, region_id__in=codes)
    computed_at = None
    for snapshot in IndicatorSnapshot.objects.filter(condition, as_of=as_of):
        by_region[snapshot.region_id][snapshot.key] = snapshot
        computed_at = max(computed_at, snapshot.computed_at) if computed_at else snapshot.computed_at
    return "snapshot", as_of, computed_at, by_region


def _trends(region: Region, as_of: dt.date) -> dict[str, list[TrendPoint]]:
    rows = (
        IndicatorSnapshot.objects.filter(
            region_id=region.code, as_of__gte=_months_before(as_of, TREND_MONTHS), as_of__lte=as_of
        )
        .order_by("as_of")
        .values_list("key", "as_of", "value")
    )
    trends: dict[str, list[TrendPoint]] = defaultdict(list)
    for key, day, value in rows:
        trends[key].append(TrendPoint(day, value))
    return trends


def townships_without_inclusive(region: Region, day: dt.date) -> list[Region]:
    """Subdistricts, towns and townships of the region with no operating inclusive institution on the day."""
    lo, hi = region.subtree_bounds()
    covered = Institution.objects.filter(operating_on(day), inclusive_on(day)).values("township_id")
    return list(
        Region.objects.filter(level="township", kind__in=TOWNSHIP_KINDS, code__gte=lo, code__lte=hi)
        .exclude(code__in=covered)
        .select_related("parent")
        .order_by("code")
    )


def counties_without_demonstration(counties: list[Region], day: dt.date) -> list[Region]:
    """The counties (economic zones excluded) with no operating demonstration institution on the day."""
    active = Designation.objects.filter(
        institution=OuterRef("pk"), kind=DesignationKind.DEMONSTRATION, granted_on__lte=day
    ).filter(Q(revoked_on__isnull=True) | Q(revoked_on__gt=day))
    covered = set(
        Institution.objects.filter(
            operating_on(day), Exists(active), county_id__in=[c.code for c in counties]
        )
        .values_list("county_id", flat=True)
        .distinct()
        .order_by()
    )
    return [c for c in counties if c.code not in covered]


def _scarcity(
    counties: list[Region], values: dict[str, dict[str, Any]], target: PlanTarget | None
) -> list[ScarceCounty]:
    rows = []
    for county in counties:
        v = values.get(county.code, {}).get(SCARCITY_KEY)
        places = float(getattr(v, "numerator", None) or 0)
        population = getattr(v, "denominator", None)
        per_1000 = getattr(v, "value", None)
        shortfall = None
        if population and target is not None:
            shortfall = max(0, math.ceil(target.value * float(population) / 1000 - places - 1e-9))
        rows.append(ScarceCounty(county, places, population, per_1000, shortfall))
    # Scarcest first; counties without a population figure (no value) at the end.
    rows.sort(key=lambda r: (r.per_1000 is None, r.per_1000 or 0.0, r.region.code))
    return rows


def dashboard_for(region: Region, requested: dt.date, indicator_key: str | None = None) -> Dashboard:
    """Everything the dashboard shows for a region (province to township) as of a date."""
    indicator = choose_indicator(region.level, indicator_key)
    child_level = CHILD_LEVEL.get(region.level)
    if child_level not in INDICATOR_LEVELS:
        child_level = None
    children = (
        list(region.children.filter(level=child_level).order_by("code")) if child_level is not None else []
    )
    counties = _county_regions(region) if region.level in ("province", "city", "county") else []
    ranking_available = child_level is not None and child_level in indicator.levels
    wanted: dict[str, set[str] | None] = {region.code: None}
    for child in children:
        wanted[child.code] = {indicator.key} if ranking_available else set()
    for county in counties:
        if county.code != region.code:
            wanted.setdefault(county.code, set())
            keys = wanted[county.code]
            if keys is not None:
                keys.add(SCARCITY_KEY)
    source, as_of, computed_at, values = read_values(region, requested, wanted)
    targets = targets_for(as_of)
    own = indicator_rows(region.level, values.get(region.code, {}), targets)
    trends = _trends(region, as_of)
    tiles = [Tile(row, trends.get(row.key, [])) for row in own.values()]
    ranking: list[RankedRegion] = []
    if ranking_available:
        for child in children:
            child_rows = indicator_rows(child.level, values.get(child.code, {}), targets)
            ranking.append(RankedRegion(child, child_rows.get(indicator.key)))
        ranking.sort(key=lambda r: (r.value is None, -(r.value or 0.0), r.region.code))
    else:
        ranking = [RankedRegion(child, None) for child in children]
    lacking: dict[str, list[Region]] = defaultdict(list)
    county_by_code: dict[str, Region] = {}
    townships_total = 0
    if region.level in ("province", "city", "county", "township"):
        for township in townships_without_inclusive(region, as_of):
            lacking[str(township.parent_id)].append(township)
            if township.parent is not None:
                county_by_code[str(township.parent_id)] = township.parent
    coverage = own.get("inclusive_township_coverage")
    if coverage is not None and coverage.denominator:
        townships_total = int(coverage.denominator)
    scarcity_target = targets.get((SCARCITY_KEY, "county")) or targets.get((SCARCITY_KEY, ""))
    return Dashboard(
        region=region,
        requested=requested,
        as_of=as_of,
        source=source,
        computed_at=computed_at,
        indicator=indicator,
        choices=indicator_choices(region.level),
        tiles=tiles,
        child_level=child_level,
        ranking=ranking,
        ranking_available=ranking_available,
        townships_without_inclusive=[(county_by_code[code], lacking[code]) for code in sorted(lacking)],
        townships_total=townships_total,
        counties_without_demonstration=counties_without_demonstration(counties, as_of) if counties else [],
        counties_total=len(counties),
        scarcity=_scarcity(counties, values, scarcity_target) if counties else [],
        scarcity_target=scarcity_target,
    )


# -- the map --------------------------------------------------------------------------------------


@dataclass
class MapLayer:
    """The map of a region's sub-regions coloured by an indicator, as GeoJSON features."""

    region: Region
    child_level: str | None
    indicator: IndicatorDefinition
    as_of: dt.date
    source: str
    target: PlanTarget | None
    features: list[dict[str, Any]]


_SHAPES: dict[tuple[int, str], dict[str, Any] | None] = {}


def _geometry(code: str, level: str) -> dict[str, Any] | None:
    """A county's polygon, or a city's as the union of its counties (cached per boundary file)."""
    import json

    import shapely

    from tuoyu.regions.constants import SIGNIFICANT_DIGITS
    from tuoyu.regions.geo import get_boundaries

    boundaries = get_boundaries()
    cache_key = (id(boundaries), code)
    if cache_key not in _SHAPES:
        geometry = None
        if level == "county":
            geometry = boundaries.geometry(code)
        elif level == "city":
            prefix = code[: SIGNIFICANT_DIGITS["city"]]
            parts = [boundaries.geometry(c) for c in boundaries.codes() if c.startswith(prefix)]
            if parts:
                geometry = shapely.union_all(parts).simplify(0.005, preserve_topology=True)
        _SHAPES[cache_key] = json.loads(shapely.to_geojson(geometry)) if geometry is not None else None
    return _SHAPES[cache_key]


def _feature(geometry: dict[str, Any] | None, **properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def _display(row: IndicatorRow | None) -> str:
    from .templatetags.planning_tags import indicator_value

    return indicator_value(row)


def map_layer(
    region: Region,
    requested: dt.date,
    indicator: IndicatorDefinition,
    institutions: Any,
    link: Any,
) -> MapLayer:
    """Sub-regions with the indicator's value (polygons for cities and counties, points for townships)
    and, for a county or a township, its institutions operating on the data's date.

    `institutions` is the user's visible institutions; `link(code)` the dashboard URL of a region.
    """
    child_level = CHILD_LEVEL.get(region.level)
    if child_level not in INDICATOR_LEVELS:
        child_level = None
    children = (
        list(region.children.filter(level=child_level).order_by("code")) if child_level is not None else []
    )
    keys = {indicator.key, "inclusive_places_share"}
    wanted: dict[str, set[str] | None] = {region.code: None, **{c.code: set(keys) for c in children}}
    source, as_of, _at, values = read_values(region, requested, wanted)
    targets = targets_for(as_of)
    features = []
    lacking: set[str] = set()
    if child_level == "township":
        lacking = {t.code for t in townships_without_inclusive(region, as_of)}
    for child in children:
        rows = indicator_rows(child.level, values.get(child.code, {}), targets)
        row = rows.get(indicator.key)
        share = rows.get("inclusive_places_share")
        if child_level == "township":
            geometry = (
                {"type": "Point", "coordinates": [child.lng, child.lat]}
                if child.lat is not None and child.lng is not None
                else None
            )
        else:
            geometry = _geometry(child.code, child.level)
        features.append(
            _feature(
                geometry,
                kind="region",
                code=child.code,
                name=child.name,
                level=child.level,
                value=row.value if row is not None else None,
                display=_display(row),
                met=row.met if row is not None else None,
                places=share.denominator if share is not None else None,
                inclusive_places=share.numerator if share is not None else None,
                has_inclusive=(child.code not in lacking) if child_level == "township" else None,
                counts_for_coverage=child.kind in TOWNSHIP_KINDS if child_level == "township" else None,
                href=link(child.code),
            )
        )
    if region.level in ("county", "township"):
        from django.db.models import BooleanField, ExpressionWrapper

        lo, hi = region.subtree_bounds()
        rows_qs = (
            institutions.filter(operating_on(as_of), township_id__gte=lo, township_id__lte=hi)
            .filter(lat__isnull=False, lng__isnull=False)
            .annotate(is_inclusive=ExpressionWrapper(inclusive_on(as_of), output_field=BooleanField()))
            .order_by("id")
            .values_list("id", "name", "places", "lat", "lng", "is_inclusive")
        )
        for pk, name, places, lat, lng, is_inclusive in rows_qs:
            features.append(
                _feature(
                    {"type": "Point", "coordinates": [lng, lat]},
                    kind="institution",
                    id=pk,
                    name=name,
                    places=places,
                    inclusive=bool(is_inclusive),
                )
            )
    target = None
    if child_level is not None:
        target = targets.get((indicator.key, child_level)) or targets.get((indicator.key, ""))
    return MapLayer(region, child_level, indicator, as_of, source, target, features)
