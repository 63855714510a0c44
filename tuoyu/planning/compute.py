"""Computing every plan indicator for every region as of a date, in a constant number of queries.

`compute_indicators(as_of)` answers for the province, every city and county, and every township for the
indicators that make sense there (`definitions.py: levels`). Counting is done by the database with one
GROUP BY per level on the institution's denormalised `city_id`/`county_id`/`township_id` (the
province is the first two digits of `city_id`); Python only adds up region rows (≈1,600) and, for
the fifteen-minute walk, runs one vectorised spatial query over the community points. The number of
queries does not depend on the number of regions or institutions (tests/test_compute.py checks it).

"As of a date" — what the records allow:

- An institution counts as operating on day d when its dates say so: `operating_since` ≤ d and no
  `closed_on` ≤ d (the services set them when the status changes; the demo draws them). Without an
  `operating_since` (entered before the dates were kept) it counts if it is *operating now* and was
  entered in the register on or before d (`created_at`). A closed institution counts on the days
  between its two dates; one closed without an `operating_since` (it never operated, or the date is
  unknown) does not. A suspended one (停业整顿) counts on no day: its suspension is not dated.
  Reopening after closure restarts the dates (institutions/services.py), so the earlier period is lost:
  the monthly snapshots keep what the register said at the time.
- Inclusive (普惠) on d: an inclusive designation granted on or before d and not revoked by d; an
  institution flagged inclusive without any inclusive designation on record counts on every date.
  Demonstration (示范性, any level) and comprehensive service centre (托育综合服务中心): a designation of
  that kind active on d. Public (公办): `ownership` now (no history).
- Workforce: employments with start_on ≤ d and (no end_on or end_on > d), distinct people, at any
  institution, grouped by the institution's region.
- Training bases: `active` now, accredited_on ≤ d and (no end or accreditation_ends_on > d), at the
  level of the region they serve.
- Population: each region's own figure of the latest year ≤ d's year; else the sum of its children's
  figures, only when every child has one.
- Residential projects: homes delivered on or before d; facility accepted or delivered on or before d.
- Communities: their point now (regions keep no history of points).

Scenario mode (`scenarios.py`) runs the same computation with hypothetical `Addition`s: their places
are counted as operating on the date (inclusive ones also in the inclusive places and, in a township
without one, the inclusive township coverage) and their points serve the fifteen-minute walk. A
hypothetical centre is never public, demonstration or a service centre. The fifteen-minute building
blocks (`community_points`, `place_points`, `covered_communities`) are also what the site suggestions use.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from tuoyu.institutions.choices import DesignationKind, OperatingStatus, Ownership
from tuoyu.institutions.models import Designation, Institution
from tuoyu.regions.choices import COVERAGE_TOWNSHIP_KINDS, RegionKind
from tuoyu.regions.constants import SIGNIFICANT_DIGITS, ancestor_codes
from tuoyu.regions.models import Region, RegionPopulation

from .choices import NoDataReason
from .definitions import BY_KEY, DEFINITIONS, FIFTEEN_MINUTE_RADIUS_M

LEVELS = ("province", "city", "county", "township")
# 县（市、区）: the plan's county coverage counts city districts, counties and county-level cities; the
# economic zones (经济功能区) are county-level in the code table but are not counties.
COUNTY_KINDS = (RegionKind.DISTRICT, RegionKind.COUNTY, RegionKind.COUNTY_CITY)
TOWNSHIP_KINDS = tuple(str(k) for k in COVERAGE_TOWNSHIP_KINDS)
EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True, slots=True)
class IndicatorValue:
    """One indicator for one region: value = f(numerator, denominator), or None with the reason."""

    region_code: str
    key: str
    value: float | None
    numerator: float | None
    denominator: float | None
    reason: str = ""
    excluded: int | None = None

    @property
    def unit(self) -> str:
        return BY_KEY[self.key].unit


@dataclass(frozen=True, slots=True)
class Addition:
    """Places that do not exist (scenario mode): a new institution, or more places at an existing one.

    Counted in `township_code` as operating on the date; its point (if any) serves the fifteen-minute walk.
    """

    township_code: str
    places: int
    inclusive: bool
    lat: float | None = None
    lng: float | None = None


@dataclass(frozen=True, slots=True)
class CommunityPoints:
    """The community points of a region as parallel arrays; NaN where a community has no point."""

    codes: np.ndarray
    lat: np.ndarray
    lng: np.ndarray

    @property
    def has_point(self) -> np.ndarray:
        return ~(np.isnan(self.lat) | np.isnan(self.lng))

    def __len__(self) -> int:
        return len(self.codes)


@dataclass(frozen=True, slots=True)
class Computed:
    """A computation's values, and the fifteen-minute detail behind them (None without communities)."""

    values: list[IndicatorValue]
    communities: CommunityPoints | None
    covered: np.ndarray | None


@dataclass(frozen=True, slots=True)
class _Region:
    code: str
    level: str
    kind: str
    parent: str | None


def end_of_day(day: dt.date) -> dt.datetime:
    """The first instant after `day` in the project's time zone."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def operating_on(day: dt.date) -> Q:
    """Operating on the day: the one rule every indicator uses (see the module docstring)."""
    dated = Q(operating_since__lte=day) & (Q(closed_on__isnull=True) | Q(closed_on__gt=day))
    undated = Q(operating_since__isnull=True, created_at__lt=end_of_day(day))
    return (Q(status=OperatingStatus.OPERATING) & (dated | undated)) | (
        Q(status=OperatingStatus.CLOSED, closed_on__isnull=False) & dated
    )


def _designation_active(kind: str, day: dt.date, prefix: str = "") -> Exists:
    return Exists(
        Designation.objects.filter(
            institution=OuterRef(f"{prefix}pk"), kind=kind, granted_on__lte=day
        ).filter(Q(revoked_on__isnull=True) | Q(revoked_on__gt=day))
    )


def inclusive_on(day: dt.date) -> Q:
    """Inclusive on the day: an active inclusive designation, or the flag with no designation on record."""
    any_designation = Exists(
        Designation.objects.filter(institution=OuterRef("pk"), kind=DesignationKind.INCLUSIVE)
    )
    return Q(_designation_active(DesignationKind.INCLUSIVE, day)) | (Q(inclusive=True) & ~Q(any_designation))


def _pad(code: str) -> str:
    return code.ljust(12, "0")


def _grouped(
    queryset: QuerySet[Any], columns: dict[str, str], aggregates: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    """One GROUP BY per level: {region code: {aggregate: value}}.

    `columns` maps a level to the code column to group on: the level's own column (`city_id` for
    cities) as it is, a finer one (`city_id` for the province) by its significant prefix.
    """
    result: dict[str, dict[str, Any]] = {}
    for level, column in columns.items():
        digits = SIGNIFICANT_DIGITS[level]
        own_column = column.rsplit("__", 1)[-1] == f"{level}_id"
        expr = F(column) if own_column else Substr(column, 1, digits)
        # Aliases are prefixed: an aggregate may not share a model field's name (Sum("places") as places).
        rows = (
            queryset.annotate(_g=expr).values("_g").annotate(**{f"agg_{k}": v for k, v in aggregates.items()})
        )
        for row in rows.order_by():
            group = row.pop("_g")
            if group:
                result[_pad(group)] = {k.removeprefix("agg_"): v for k, v in row.items()}
    return result


class _Computation:
    def __init__(self, as_of: dt.date, root: Region | None, additions: Sequence[Addition] = ()) -> None:
        self.as_of = as_of
        self.root = root
        self.additions = tuple(additions)
        self.bounds = root.subtree_bounds() if root is not None else None
        self.values: list[IndicatorValue] = []
        self.communities: CommunityPoints | None = None
        self.covered: np.ndarray | None = None
        self.places: dict[str, Any] = {}
        self.regions = self._regions()
        self.by_level: dict[str, list[_Region]] = defaultdict(list)
        for region in self.regions.values():
            self.by_level[region.level].append(region)

    # -- helpers --------------------------------------------------------------------------------

    def _in_root(self, queryset: QuerySet[Any], column: str) -> QuerySet[Any]:
        if self.bounds is None:
            return queryset
        lo, hi = self.bounds
        return queryset.filter(**{f"{column}__gte": lo, f"{column}__lte": hi})

    def _regions(self) -> dict[str, _Region]:
        rows = self._in_root(Region.objects.filter(level__in=LEVELS), "code").values_list(
            "code", "level", "kind", "parent_id"
        )
        return {code: _Region(code, level, kind, parent) for code, level, kind, parent in rows}

    def _ancestors_and_self(self, region: _Region) -> list[str]:
        return [c for c in [*ancestor_codes(region.code, region.level), region.code] if c in self.regions]

    def _count_units(self, level: str, kinds: Iterable[str]) -> dict[str, int]:
        """Per region: how many units of `level` and `kinds` lie in it (itself included)."""
        wanted = set(kinds)
        counts: dict[str, int] = defaultdict(int)
        for region in self.by_level[level]:
            if region.kind in wanted:
                for code in self._ancestors_and_self(region):
                    counts[code] += 1
        return counts

    def _emit(
        self,
        key: str,
        numerators: dict[str, Any],
        denominators: dict[str, Any] | None,
        *,
        scale: float = 100.0,
        reason_if_empty: str = NoDataReason.EMPTY,
        excluded: dict[str, int] | None = None,
    ) -> None:
        """One value per region at the indicator's levels; no denominator means a plain count."""
        definition = BY_KEY[key]
        for level in definition.levels:
            for region in self.by_level[level]:
                numerator = float(numerators.get(region.code) or 0)
                extra = excluded.get(region.code, 0) if excluded is not None else None
                if denominators is None:
                    self.values.append(IndicatorValue(region.code, key, numerator, numerator, None))
                    continue
                denominator = denominators.get(region.code)
                if not denominator:
                    self.values.append(
                        IndicatorValue(region.code, key, None, numerator, denominator, reason_if_empty, extra)
                    )
                    continue
                value = round(numerator / float(denominator) * scale, 4)
                self.values.append(
                    IndicatorValue(region.code, key, value, numerator, float(denominator), "", extra)
                )

    def _no_value(self, key: str, reason: str) -> None:
        for level in BY_KEY[key].levels:
            for region in self.by_level[level]:
                self.values.append(IndicatorValue(region.code, key, None, None, None, reason))

    # -- the indicators -------------------------------------------------------------------------

    def run(self) -> list[IndicatorValue]:
        self._institution_indicators()
        self._children()
        self._workforce()
        self._training_bases()
        self._residential()
        self._fifteen_minutes()
        for definition in DEFINITIONS:
            if not definition.available:
                self._no_value(definition.key, NoDataReason.NO_SOURCE)
        return self.values

    def _population(self) -> dict[str, int]:
        """Each region's latest figure of a year ≤ as_of's year, else the sum of all its children's."""
        own: dict[str, int] = {}
        rows = self._in_root(RegionPopulation.objects.filter(year__lte=self.as_of.year), "region_id")
        for code, population in rows.order_by("region_id", "year").values_list("region_id", "population"):
            own[code] = population  # ordered by year: the latest wins
        children: dict[str, list[str]] = defaultdict(list)
        for region in self.regions.values():
            if region.parent:
                children[region.parent].append(region.code)
        result: dict[str, int] = {}
        for level in reversed(LEVELS):
            for region in self.by_level[level]:
                if region.code in own:
                    result[region.code] = own[region.code]
                elif children.get(region.code) and all(c in result for c in children[region.code]):
                    result[region.code] = sum(result[c] for c in children[region.code])
        return result

    def _institution_indicators(self) -> None:
        day = self.as_of
        operating = self._in_root(Institution.objects.filter(operating_on(day)), "township_id")
        inclusive = inclusive_on(day)
        demonstration = Q(_designation_active(DesignationKind.DEMONSTRATION, day))
        centre = Q(_designation_active(DesignationKind.SERVICE_CENTRE, day))
        counties = Q(county__kind__in=COUNTY_KINDS)
        rows = _grouped(
            operating,
            {"province": "city_id", "city": "city_id", "county": "county_id", "township": "township_id"},
            {
                "places": Sum("places"),
                "inclusive_places": Sum("places", filter=inclusive),
                "inclusive_townships": Count(
                    "township_id", distinct=True, filter=inclusive & Q(township__kind__in=TOWNSHIP_KINDS)
                ),
                "demonstration_counties": Count("county_id", distinct=True, filter=demonstration & counties),
                "public_counties": Count(
                    "county_id", distinct=True, filter=Q(ownership=Ownership.PUBLIC) & counties
                ),
                "centres": Count("id", filter=centre),
                "centre_cities": Count("city_id", distinct=True, filter=centre),
            },
        )

        if self.additions:
            self._add_hypothetical(rows)

        def column(name: str) -> dict[str, Any]:
            return {code: row.get(name) for code, row in rows.items()}

        recorded = set(Designation.objects.values_list("kind", flat=True).distinct().order_by())
        places = column("places")
        self.places = places
        population = self._population()
        self._emit(
            "places_per_1000",
            places,
            population,
            scale=1000.0,
            reason_if_empty=NoDataReason.NO_POPULATION,
        )
        self._emit(
            "inclusive_township_coverage",
            column("inclusive_townships"),
            self._count_units("township", TOWNSHIP_KINDS),
        )
        county_units = self._count_units("county", COUNTY_KINDS)
        if DesignationKind.DEMONSTRATION in recorded:
            self._emit("demonstration_county_coverage", column("demonstration_counties"), county_units)
        else:
            self._no_value("demonstration_county_coverage", NoDataReason.NO_RECORDS)
        self._emit("public_county_coverage", column("public_counties"), county_units)
        if DesignationKind.SERVICE_CENTRE in recorded:
            self._emit("service_centres", column("centres"), None)
            self._emit(
                "service_centre_city_coverage",
                column("centre_cities"),
                self._count_units("city", [RegionKind.PREFECTURE_CITY]),
            )
        else:
            self._no_value("service_centres", NoDataReason.NO_RECORDS)
            self._no_value("service_centre_city_coverage", NoDataReason.NO_RECORDS)
        self._emit("inclusive_places_share", column("inclusive_places"), places)

    def _children(self) -> None:
        """Occupancy: children holding a place on the date (the children register's enrolments) in
        operating institutions ÷ those institutions' filed places."""
        from tuoyu.children.models import Enrolment

        day = self.as_of
        if not Enrolment.objects.exists():
            self._no_value("occupancy_rate", NoDataReason.NO_RECORDS)
            return
        current = self._in_root(
            Enrolment.objects.filter(start_on__lte=day)
            .filter(Q(left_on__isnull=True) | Q(left_on__gt=day))
            .filter(institution__in=Institution.objects.filter(operating_on(day)).values("pk")),
            "institution__township_id",
        )
        rows = _grouped(
            current,
            {
                "province": "institution__city_id",
                "city": "institution__city_id",
                "county": "institution__county_id",
                "township": "institution__township_id",
            },
            {"children": Count("id")},
        )
        self._emit("occupancy_rate", {c: r["children"] for c, r in rows.items()}, self.places)

    def _add_hypothetical(self, rows: dict[str, dict[str, Any]]) -> None:
        """Scenario mode: each addition's places counted in its township and the regions above it."""
        with_inclusive = {code for code, row in rows.items() if row.get("inclusive_townships")}
        for addition in self.additions:
            township = self.regions.get(addition.township_code)
            if township is None:  # outside the computed subtree
                continue
            opens_inclusive = (
                addition.inclusive and township.kind in TOWNSHIP_KINDS and township.code not in with_inclusive
            )
            if opens_inclusive:
                with_inclusive.add(township.code)
            for code in self._ancestors_and_self(township):
                row = rows.setdefault(code, {})
                row["places"] = (row.get("places") or 0) + addition.places
                if addition.inclusive:
                    row["inclusive_places"] = (row.get("inclusive_places") or 0) + addition.places
                if opens_inclusive:
                    row["inclusive_townships"] = (row.get("inclusive_townships") or 0) + 1

    def _workforce(self) -> None:
        from tuoyu.workforce.choices import StaffRole
        from tuoyu.workforce.models import Employment

        day = self.as_of
        if not Employment.objects.exists():
            self._no_value("workforce", NoDataReason.NO_RECORDS)
            self._no_value("caregivers", NoDataReason.NO_RECORDS)
            return
        jobs = self._in_root(
            Employment.objects.filter(start_on__lte=day).filter(Q(end_on__isnull=True) | Q(end_on__gt=day)),
            "institution__township_id",
        )
        rows = _grouped(
            jobs,
            {
                "province": "institution__city_id",
                "city": "institution__city_id",
                "county": "institution__county_id",
                "township": "institution__township_id",
            },
            {
                "people": Count("person_id", distinct=True),
                "caregivers": Count("person_id", distinct=True, filter=Q(role=StaffRole.CAREGIVER)),
            },
        )
        self._emit("workforce", {c: r["people"] for c, r in rows.items()}, None)
        self._emit("caregivers", {c: r["caregivers"] for c, r in rows.items()}, None)

    def _training_bases(self) -> None:
        from tuoyu.training.models import TrainingBase

        day = self.as_of
        if not TrainingBase.objects.exists():
            self._no_value("training_base_coverage", NoDataReason.NO_RECORDS)
            return
        bases = TrainingBase.objects.filter(
            active=True, accredited_on__lte=day, level=F("region__level")
        ).filter(Q(accreditation_ends_on__isnull=True) | Q(accreditation_ends_on__gt=day))
        covered = set(
            self._in_root(bases, "region_id").values_list("region_id", flat=True).distinct().order_by()
        )
        units: dict[str, int] = defaultdict(int)
        with_base: dict[str, int] = defaultdict(int)
        for region in self.regions.values():
            is_unit = region.level in ("province", "city") or (
                region.level == "county" and region.kind in COUNTY_KINDS
            )
            if not is_unit:
                continue
            for code in self._ancestors_and_self(region):
                units[code] += 1
                if region.code in covered:
                    with_base[code] += 1
        self._emit("training_base_coverage", with_base, units)

    def _residential(self) -> None:
        from .models import ResidentialProject

        day = self.as_of
        delivered = self._in_root(ResidentialProject.objects.filter(delivered_on__lte=day), "township_id")
        facility = Q(has_childcare_facility=True) & (
            Q(facility_accepted_on__lte=day) | Q(facility_delivered_on__lte=day)
        )
        rows = _grouped(
            delivered,
            {"province": "county_id", "city": "county_id", "county": "county_id", "township": "township_id"},
            {"projects": Count("id"), "with_facility": Count("id", filter=facility)},
        )
        reason = NoDataReason.EMPTY if ResidentialProject.objects.exists() else NoDataReason.NO_RECORDS
        self._emit(
            "new_residential_coverage",
            {c: r["with_facility"] for c, r in rows.items()},
            {c: r["projects"] for c, r in rows.items()},
            reason_if_empty=reason,
        )

    def _fifteen_minutes(self) -> None:
        radius = fifteen_minute_radius()
        communities = community_points(self.root)
        if not len(communities):
            self._no_value("fifteen_minute_coverage", NoDataReason.NO_RECORDS)
            return
        points = place_points(self.as_of, communities, radius, self.additions)
        covered = covered_communities(communities, points, radius)
        self.communities, self.covered = communities, covered
        codes, has_point = communities.codes, communities.has_point
        by_level_total: dict[str, int] = {}
        by_level_covered: dict[str, int] = {}
        by_level_excluded: dict[str, int] = {}
        for level in ("province", "city", "county", "township"):
            prefixes = codes.astype(f"U{SIGNIFICANT_DIGITS[level]}")
            for target, mask in (
                (by_level_total, has_point),
                (by_level_covered, covered),
                (by_level_excluded, ~has_point),
            ):
                keys, counts = np.unique(prefixes[mask], return_counts=True)
                target.update({_pad(str(k)): int(n) for k, n in zip(keys, counts, strict=True)})
        self._emit(
            "fifteen_minute_coverage",
            by_level_covered,
            by_level_total,
            excluded={code: by_level_excluded.get(code, 0) for code in self.regions},
        )


def fifteen_minute_radius() -> float:
    """The fifteen-minute walk as a straight-line radius in metres (the indicator's parameter)."""
    return float(BY_KEY["fifteen_minute_coverage"].params.get("radius_m", FIFTEEN_MINUTE_RADIUS_M))


def community_points(root: Region | None) -> CommunityPoints:
    """Every community of the subtree (all of them without a root), in code order; one query."""
    communities = Region.objects.filter(level="community")
    if root is not None:
        lo, hi = root.subtree_bounds()
        communities = communities.filter(code__gte=lo, code__lte=hi)
    rows = list(communities.order_by("code").values_list("code", "lat", "lng"))
    return CommunityPoints(
        codes=np.array([r[0] for r in rows], dtype="U12"),
        lat=np.array([np.nan if r[1] is None else r[1] for r in rows], dtype=float),
        lng=np.array([np.nan if r[2] is None else r[2] for r in rows], dtype=float),
    )


def place_points(
    as_of: dt.date, communities: CommunityPoints, radius_m: float, additions: Sequence[Addition] = ()
) -> np.ndarray:
    """(lat, lng) rows of operating institutions with places that may serve the communities, and of the
    additions with a point. No query when no community has a point (nothing could be covered)."""
    has_point = communities.has_point
    if not has_point.any():
        return np.empty((0, 2))
    lat, lng = communities.lat, communities.lng
    # Institutions just outside the region still serve its edge: take the communities' box + radius.
    margin = radius_m / 111_000 * 1.5 + 0.01
    places = Institution.objects.filter(
        operating_on(as_of),
        places__gt=0,
        lat__isnull=False,
        lng__isnull=False,
        lat__gte=np.nanmin(lat) - margin,
        lat__lte=np.nanmax(lat) + margin,
        lng__gte=np.nanmin(lng) - margin,
        lng__lte=np.nanmax(lng) + margin,
    )
    points = np.array(list(places.values_list("lat", "lng")), dtype=float).reshape(-1, 2)
    extra = [(a.lat, a.lng) for a in additions if a.lat is not None and a.lng is not None and a.places > 0]
    if extra:
        points = np.vstack([points, np.array(extra, dtype=float)])
    return points


def covered_communities(communities: CommunityPoints, points: np.ndarray, radius_m: float) -> np.ndarray:
    """Per community: whether it lies within radius_m of one of the (lat, lng) points."""
    has_point = communities.has_point
    if not len(points) or not has_point.any():
        return np.zeros(len(communities), dtype=bool)
    return _within(communities.lat, communities.lng, has_point, points, radius_m)


def _within(
    lat: np.ndarray, lng: np.ndarray, has_point: np.ndarray, points: np.ndarray, radius_m: float
) -> np.ndarray:
    """Which community points lie within radius_m of any institution point (STRtree, then haversine)."""
    index = np.flatnonzero(has_point)
    covered = np.zeros(len(lat), dtype=bool)
    near, _ = within_pairs(lat[index], lng[index], points, radius_m)
    covered[index[near]] = True
    return covered


def within_pairs(
    lat: np.ndarray, lng: np.ndarray, points: np.ndarray, radius_m: float
) -> tuple[np.ndarray, np.ndarray]:
    """Every (i, j) with point i of (lat, lng) within radius_m of row j of `points` (lat, lng): STRtree, then
    the great-circle distance. NaN-free input; returns two index arrays of equal length."""
    empty = np.empty(0, dtype=np.intp)
    if not len(lat) or not len(points):
        return empty, empty
    tree = shapely.STRtree(shapely.points(points[:, 1], points[:, 0]))
    queries = shapely.points(lng, lat)
    # A degree of longitude shrinks with latitude: the prefilter uses the widest degree radius of the
    # area (≤ 60° N), then the exact great-circle distance decides.
    max_lat = min(max(float(np.max(np.abs(lat))), float(np.max(np.abs(points[:, 0])))) + 1, 60.0)
    prefilter_deg = np.degrees(radius_m / EARTH_RADIUS_M) / np.cos(np.radians(max_lat))
    pairs = tree.query(queries, predicate="dwithin", distance=prefilter_deg)
    if pairs.shape[1] == 0:
        return empty, empty
    a, b = pairs[0], pairs[1]
    p1, p2 = np.radians(lat[a]), np.radians(points[b, 0])
    dp, dl = p2 - p1, np.radians(points[b, 1] - lng[a])
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    distance = 2 * EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, np.sqrt(h)))
    keep = distance <= radius_m
    return a[keep], b[keep]


def compute_indicators(as_of: dt.date, root: Region | None = None) -> list[IndicatorValue]:
    """Every indicator for every region (province, cities, counties; townships where meaningful).

    With `root`, only that region and its subtree are computed (what the API does for a date without a
    snapshot); the values are the same as those of the full computation for those regions.
    """
    return _Computation(as_of, root).run()


def compute_detailed(
    as_of: dt.date, root: Region | None = None, additions: Sequence[Addition] = ()
) -> Computed:
    """`compute_indicators`, optionally with hypothetical additions, and which communities are covered."""
    computation = _Computation(as_of, root, additions)
    values = computation.run()
    return Computed(values=values, communities=computation.communities, covered=computation.covered)


def populations(as_of: dt.date, root: Region | None = None) -> dict[str, int]:
    """Each region's population as the indicators use it (own latest figure, else all children's sum)."""
    return _Computation(as_of, root)._population()
