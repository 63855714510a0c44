"""Scenario mode and suggested sites: what would change if places were added here, and where to add them.

Nothing here writes to the database: a scenario is a list of hypothetical additions carried by the
request (API body, page URL), and every answer is computed from the register as of a date.

- `scenario_effect(region, additions, as_of)`: every indicator of the region, and of each sub-region
  that changes, before and after the additions, the fifteen-minute coverage before and after and the
  communities newly covered. It runs `compute.py`'s computation twice, without and with the additions
  (`compute_detailed`), so the formulas are exactly the indicators' own.
- `suggest_sites(region, n, radius_m, as_of)`: a greedy maximal-covering pick of n community points
  at which a new centre would bring the most residents within a fifteen-minute walk (a straight line
  of `radius_m`, 1 km as in the indicator).

Residents per community are an estimate. The register has no population below the county (the
census figures are per city and county), so each community is given an even share of the population
of its nearest region with a figure: its township's if there is one, else its county's, else its
city's (`resident_estimates`). Communities differ in size by an order of magnitude, so the figure
ranks candidate sites within a county fairly and across counties roughly; the number of communities
covered is given beside it and decides ties.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db.models import Max, Min
from django.utils.translation import gettext as _

from tuoyu.institutions.models import Institution
from tuoyu.regions.constants import LEVEL_ORDER, SIGNIFICANT_DIGITS
from tuoyu.regions.geo import get_boundaries
from tuoyu.regions.models import Region

from .compute import (
    Addition,
    CommunityPoints,
    IndicatorValue,
    community_points,
    compute_detailed,
    covered_communities,
    fifteen_minute_radius,
    inclusive_on,
    operating_on,
    place_points,
    populations,
    within_pairs,
)
from .definitions import DEFINITIONS, IndicatorDefinition
from .models import PlanTarget
from .selectors import targets_for

SCENARIO_LEVELS = ("province", "city", "county")
MAX_ADDITIONS = 50
MIN_PLACES, MAX_PLACES = 1, 2000
MAX_SUGGESTIONS = 50
MIN_RADIUS_M, MAX_RADIUS_M = 200, 5000
# A county without a boundary polygon (the economic zones) is checked against the box of its points.
BOX_MARGIN_DEG = 0.02
_M_PER_DEG = 111_195.0


# -- input and validation ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AdditionInput:
    """One hypothetical addition as given: a new centre at (lat, lng), or places at an existing one.

    `township` optionally names the township the new centre belongs to; without it, the nearest
    township (by its point) of the county the point lies in.
    """

    places: int | None = None
    lat: float | None = None
    lng: float | None = None
    inclusive: bool = False
    institution: int | None = None
    township: str | None = None


@dataclass(frozen=True)
class Problem:
    """One field error: where (e.g. ("additions", 2, "lat")) and what."""

    loc: tuple[str | int, ...]
    msg: str


class ScenarioInvalid(Exception):
    """The scenario cannot be computed as given: field errors, each naming its field."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(f"{'.'.join(map(str, p.loc))}: {p.msg}" for p in self.problems))


@dataclass(frozen=True)
class ResolvedAddition:
    """A valid addition: what the computation counts, with the township (and institution) it went to."""

    index: int
    addition: Addition
    township_code: str
    township_name: str
    institution_id: int | None = None
    institution_name: str = ""

    @property
    def places(self) -> int:
        return self.addition.places

    @property
    def inclusive(self) -> bool:
        return self.addition.inclusive

    @property
    def lat(self) -> float | None:
        return self.addition.lat

    @property
    def lng(self) -> float | None:
        return self.addition.lng


def check_region(region: Region) -> None:
    if region.level not in SCENARIO_LEVELS:
        raise ScenarioInvalid([Problem(("region",), _("Choose a county, a city or the province."))])


class _Locator:
    """Where points of one region fall: inside it or not, and in which township."""

    def __init__(self, region: Region) -> None:
        self.region = region
        self.lo, self.hi = region.subtree_bounds()
        self.boundaries = get_boundaries()
        rows = Region.objects.filter(level="township", code__gte=self.lo, code__lte=self.hi).values_list(
            "code", "name", "lat", "lng"
        )
        self.townships = {code: (name, lat, lng) for code, name, lat, lng in rows}
        self._box: tuple[float, float, float, float] | None | bool = False  # False: not read yet

    def _own_polygon(self) -> bool:
        return self.region.level == "county" and self.boundaries.geometry(self.region.code) is not None

    def _has_polygons(self) -> bool:
        return any(self.lo <= code <= self.hi for code in self.boundaries.codes())

    def _points_box(self) -> tuple[float, float, float, float] | None:
        if self._box is False:
            box = Region.objects.filter(
                code__gte=self.lo, code__lte=self.hi, level__in=("township", "community"), lat__isnull=False
            ).aggregate(Min("lat"), Max("lat"), Min("lng"), Max("lng"))
            values = (box["lat__min"], box["lat__max"], box["lng__min"], box["lng__max"])
            self._box = None if any(v is None for v in values) else values  # type: ignore[assignment]
        return self._box  # type: ignore[return-value]

    def county_of(self, lat: float, lng: float) -> tuple[bool, str | None]:
        """(inside the region?, the county the point is in when the boundaries tell)."""
        if self._own_polygon():
            inside = self.boundaries.distance_deg(self.region.code, lng, lat) <= self.boundaries.snap_deg
            return inside, self.region.code
        if self.region.level != "county" and self._has_polygons():
            county = self.boundaries.county_at(lng, lat)
            return county is not None and self.lo <= county <= self.hi, county
        box = self._points_box()
        if box is None:
            return False, None
        min_lat, max_lat, min_lng, max_lng = box
        inside = (
            min_lat - BOX_MARGIN_DEG <= lat <= max_lat + BOX_MARGIN_DEG
            and min_lng - BOX_MARGIN_DEG <= lng <= max_lng + BOX_MARGIN_DEG
        )
        return inside, None

    def township_at(self, lat: float, lng: float, county: str | None) -> str | None:
        """The nearest township point (within the point's county when known), else the township of the
        nearest community point."""
        with_point = [
            (c, la, ln) for c, (_n, la, ln) in self.townships.items() if la is not None and ln is not None
        ]
        if county is not None:
            c_lo, c_hi = Region(code=county, level="county").subtree_bounds()
            in_county = [t for t in with_point if c_lo <= t[0] <= c_hi]
            with_point = in_county or with_point
        if with_point:
            return min(
                with_point, key=lambda t: _squared_distance(lat, lng, float(t[1] or 0), float(t[2] or 0))
            )[0]
        communities = Region.objects.filter(
            level="community", code__gte=self.lo, code__lte=self.hi, lat__isnull=False, lng__isnull=False
        ).values_list("code", "lat", "lng")
        nearest = min(
            communities,
            key=lambda c: _squared_distance(lat, lng, float(c[1] or 0), float(c[2] or 0)),
            default=None,
        )
        if nearest is not None:
            township = nearest[0][:9] + "000"
            if township in self.townships:
                return township
        return next(iter(self.townships)) if len(self.townships) == 1 else None


def _squared_distance(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Equirectangular, enough to rank distances of nearby points."""
    dx = (lng2 - lng1) * math.cos(math.radians((lat1 + lat2) / 2))
    return (lat2 - lat1) ** 2 + dx**2


def resolve_additions(
    region: Region, inputs: Sequence[AdditionInput], as_of: dt.date
) -> list[ResolvedAddition]:
    """Check every addition against the region; field errors for all of them at once (ScenarioInvalid)."""
    check_region(region)
    if len(inputs) > MAX_ADDITIONS:
        raise ScenarioInvalid(
            [Problem(("additions",), _("At most {n} additions in one scenario.").format(n=MAX_ADDITIONS))]
        )
    locator = _Locator(region)
    problems: list[Problem] = []
    institution_ids = {a.institution for a in inputs if a.institution is not None}
    institutions = {
        i.pk: i
        for i in Institution.objects.filter(
            operating_on(as_of),
            pk__in=institution_ids,
            township_id__gte=locator.lo,
            township_id__lte=locator.hi,
        ).only("pk", "name", "township_id", "lat", "lng")
    }
    inclusive_ids = set(
        Institution.objects.filter(inclusive_on(as_of), pk__in=list(institutions)).values_list(
            "pk", flat=True
        )
    )
    resolved: list[ResolvedAddition] = []
    for index, item in enumerate(inputs):

        def problem(name: str, msg: str, index: int = index) -> None:
            problems.append(Problem(("additions", index, name), msg))

        places_ok = item.places is not None and MIN_PLACES <= item.places <= MAX_PLACES
        if not places_ok:
            problem(
                "places",
                _("Give between {low} and {high} places.").format(low=MIN_PLACES, high=MAX_PLACES),
            )
        if item.institution is not None:
            institution = institutions.get(item.institution)
            if institution is None:
                problem(
                    "institution", _("No institution operating on the date with this number in the region.")
                )
                continue
            if places_ok:
                township = locator.townships.get(institution.township_id, ("", None, None))
                resolved.append(
                    ResolvedAddition(
                        index=index,
                        addition=Addition(
                            township_code=institution.township_id,
                            places=int(item.places or 0),
                            inclusive=institution.pk in inclusive_ids,
                            lat=institution.lat,
                            lng=institution.lng,
                        ),
                        township_code=institution.township_id,
                        township_name=township[0],
                        institution_id=institution.pk,
                        institution_name=institution.name,
                    )
                )
            continue
        lat, lng = item.lat, item.lng
        point_ok = True
        if lat is None or not math.isfinite(lat) or not -90 <= lat <= 90:
            problem("lat", _("Give a latitude in degrees (e.g. 32.05), or an institution."))
            point_ok = False
        if lng is None or not math.isfinite(lng) or not -180 <= lng <= 180:
            problem("lng", _("Give a longitude in degrees (e.g. 118.80), or an institution."))
            point_ok = False
        if not point_ok or lat is None or lng is None:
            continue
        inside, county = locator.county_of(lat, lng)
        if not inside:
            problem("lat", _("The point is outside {region}.").format(region=region.name))
            continue
        if item.township:
            township_code: str | None = item.township
            if township_code not in locator.townships:
                problem("township", _("No township with this code in {region}.").format(region=region.name))
                continue
        else:
            township_code = locator.township_at(lat, lng, county)
            if township_code is None:
                problem("township", _("Choose the township: it cannot be told from the point."))
                continue
        if places_ok:
            resolved.append(
                ResolvedAddition(
                    index=index,
                    addition=Addition(
                        township_code=township_code,
                        places=int(item.places or 0),
                        inclusive=bool(item.inclusive),
                        lat=float(lat),
                        lng=float(lng),
                    ),
                    township_code=township_code,
                    township_name=locator.townships[township_code][0],
                )
            )
    if problems:
        raise ScenarioInvalid(problems)
    return resolved


# -- the effect of a scenario ------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One indicator of one region before and after the scenario."""

    definition: IndicatorDefinition
    before: IndicatorValue | None
    after: IndicatorValue | None
    target: PlanTarget | None = None

    @property
    def key(self) -> str:
        return self.definition.key

    @property
    def value_before(self) -> float | None:
        return None if self.before is None else self.before.value

    @property
    def value_after(self) -> float | None:
        return None if self.after is None else self.after.value

    @property
    def delta(self) -> float | None:
        if self.value_before is None or self.value_after is None:
            return None
        return round(self.value_after - self.value_before, 4)

    @property
    def changed(self) -> bool:
        return _triple(self.before) != _triple(self.after)

    @property
    def met_before(self) -> bool | None:
        return self.target.is_met(self.value_before) if self.target is not None else None

    @property
    def met_after(self) -> bool | None:
        return self.target.is_met(self.value_after) if self.target is not None else None


def _triple(value: IndicatorValue | None) -> tuple[Any, ...]:
    return (None, None, None) if value is None else (value.value, value.numerator, value.denominator)


@dataclass(frozen=True)
class RegionChanges:
    code: str
    name: str
    level: str
    changes: list[Change]


@dataclass(frozen=True)
class Coverage:
    """Communities with a point within a fifteen-minute walk of a place, of all with a point."""

    covered: int
    total: int

    @property
    def percent(self) -> float | None:
        return round(self.covered / self.total * 100, 4) if self.total else None


@dataclass(frozen=True)
class CommunityRow:
    code: str
    name: str
    township_name: str
    lat: float
    lng: float


@dataclass
class ScenarioEffect:
    region: Region
    as_of: dt.date
    additions: list[ResolvedAddition]
    indicators: list[Change]
    sub_regions: list[RegionChanges]
    coverage_before: Coverage
    coverage_after: Coverage
    newly_covered: list[CommunityRow]
    communities: CommunityPoints | None = None
    covered_before: np.ndarray | None = None
    covered_after: np.ndarray | None = None

    def community_map(self) -> list[list[Any]]:
        """[lat, lng, state] per community with a point: 0 uncovered, 1 covered, 2 newly covered."""
        if self.communities is None or self.covered_before is None or self.covered_after is None:
            return []
        has = self.communities.has_point
        state = self.covered_before.astype(int) + 2 * (self.covered_after & ~self.covered_before)
        return [
            [round(float(la), 5), round(float(ln), 5), int(s)]
            for la, ln, s in zip(
                self.communities.lat[has], self.communities.lng[has], state[has], strict=True
            )
        ]


def _coverage(communities: CommunityPoints | None, covered: np.ndarray | None) -> Coverage:
    if communities is None or covered is None:
        return Coverage(0, 0)
    return Coverage(int(covered.sum()), int(communities.has_point.sum()))


def scenario_effect(region: Region, additions: Sequence[AdditionInput], as_of: dt.date) -> ScenarioEffect:
    """Every indicator of the region (and of each sub-region that changes) before and after the additions.

    Raises ScenarioInvalid naming each wrong field. Reads only.
    """
    resolved = resolve_additions(region, additions, as_of)
    before = compute_detailed(as_of, root=region)
    after = (
        compute_detailed(as_of, root=region, additions=[r.addition for r in resolved]) if resolved else before
    )
    values_before = {(v.region_code, v.key): v for v in before.values}
    values_after = {(v.region_code, v.key): v for v in after.values}
    targets = targets_for(as_of)

    def changes(code: str, level: str) -> list[Change]:
        return [
            Change(
                definition=d,
                before=values_before.get((code, d.key)),
                after=values_after.get((code, d.key)),
                target=targets.get((d.key, level)) or targets.get((d.key, "")),
            )
            for d in DEFINITIONS
            if level in d.levels
        ]

    changed_codes = sorted(
        {
            code
            for (code, key), v in values_after.items()
            if _triple(values_before.get((code, key))) != _triple(v)
        }
        - {region.code}
    )
    names = dict(Region.objects.filter(code__in=changed_codes).values_list("code", "name"))
    sub_regions = []
    for code in sorted(changed_codes, key=lambda c: (LEVEL_ORDER.index(_level_of(c)), c)):
        level = _level_of(code)
        sub_regions.append(
            RegionChanges(code, names.get(code, code), level, [c for c in changes(code, level) if c.changed])
        )

    newly: list[CommunityRow] = []
    if after.communities is not None and before.covered is not None and after.covered is not None:
        mask = after.covered & ~before.covered
        codes = [str(c) for c in after.communities.codes[mask]]
        rows = Region.objects.filter(code__in=codes).values_list("code", "name", "parent__name", "lat", "lng")
        newly = sorted(
            (
                CommunityRow(code, name, township or "", float(lat or 0), float(lng or 0))
                for code, name, township, lat, lng in rows
            ),
            key=lambda r: r.code,
        )
    return ScenarioEffect(
        region=region,
        as_of=as_of,
        additions=resolved,
        indicators=changes(region.code, region.level),
        sub_regions=sub_regions,
        coverage_before=_coverage(before.communities, before.covered),
        coverage_after=_coverage(after.communities, after.covered),
        newly_covered=newly,
        communities=after.communities,
        covered_before=before.covered,
        covered_after=after.covered,
    )


def _level_of(code: str) -> str:
    """The level of a padded code from its trailing zeros (province, city, county, township)."""
    for level in ("province", "city", "county"):
        if code[SIGNIFICANT_DIGITS[level] :].strip("0") == "":
            return level
    return "township"


# -- suggested sites ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Site:
    """One suggested site: a community point, and what a centre there would newly cover."""

    rank: int
    code: str
    name: str
    township_name: str
    lat: float
    lng: float
    communities: int
    residents: int
    covered_codes: list[str]


@dataclass
class Suggestions:
    region: Region
    as_of: dt.date
    radius_m: float
    communities: int  # with a point
    uncovered_before: int
    residents_uncovered_before: int
    sites: list[Site] = field(default_factory=list)
    estimate_basis: dict[str, int] = field(default_factory=dict)  # level of the figure → communities

    @property
    def uncovered_after(self) -> int:
        return self.uncovered_before - sum(s.communities for s in self.sites)

    @property
    def residents_uncovered_after(self) -> int:
        return max(0, self.residents_uncovered_before - sum(s.residents for s in self.sites))


def residents_note() -> str:
    """How residents are counted, for every place that shows the figure."""
    return _(
        "Residents are an estimate: the register has no population per community, so each community gets "
        "an even share of the population of its county (or of the nearest region above it with a figure)."
    )


def resident_estimates(
    region: Region, communities: CommunityPoints, as_of: dt.date
) -> tuple[np.ndarray, dict[str, int]]:
    """Estimated residents per community: the nearest region with a population figure (township, county,
    city, province), split evenly over its communities. NaN where no region up the tree has a figure.

    Also returns how many communities took their estimate from each level.
    """
    figures = populations(as_of, root=None)
    estimate = np.full(len(communities), np.nan)
    basis: dict[str, int] = {}
    if not len(communities):
        return estimate, basis
    codes = communities.codes
    source = np.full(len(codes), "", dtype="U12")
    for level in ("township", "county", "city", "province"):
        digits = SIGNIFICANT_DIGITS[level]
        open_ = source == ""
        if not open_.any():
            break
        padded = np.char.ljust(codes.astype(f"U{digits}"), 12, "0")
        has_figure = np.array([code in figures for code in padded.tolist()], dtype=bool)
        take = open_ & has_figure
        source[take] = padded[take]
        if take.any():
            basis[level] = int(take.sum())
    lo, hi = region.subtree_bounds()
    sources, counts = np.unique(source[source != ""], return_counts=True)
    for src, local_count in zip(sources.tolist(), counts.tolist(), strict=True):
        total = local_count
        if not lo <= src <= hi:
            # The figure's region is above this one (a city's figure for a county): count all its communities.
            s_lo, s_hi = Region(code=src, level=_level_of(src)).subtree_bounds()
            total = Region.objects.filter(level="community", code__gte=s_lo, code__lte=s_hi).count()
        estimate[source == src] = figures[src] / max(total, 1)
    return estimate, basis


def suggest_sites(
    region: Region,
    n: int,
    radius_m: float | None = None,
    as_of: dt.date | None = None,
    additions: Sequence[Addition] = (),
) -> Suggestions:
    """The next n sites (community points) that bring the most residents within radius_m of a place.

    Greedy maximal covering: each pick is the community point whose radius holds the most estimated
    residents (then communities) not yet covered, by an existing place, an addition or an earlier pick.
    """
    from django.utils import timezone

    check_region(region)
    as_of = as_of or timezone.localdate()
    radius = float(radius_m or fifteen_minute_radius())
    communities = community_points(region)
    has_point = communities.has_point
    points = place_points(as_of, communities, radius, additions)
    covered = covered_communities(communities, points, radius)
    residents, basis = resident_estimates(region, communities, as_of)
    weight = np.nan_to_num(residents, nan=0.0)
    demand = np.flatnonzero(has_point & ~covered)
    candidates = np.flatnonzero(has_point)
    result = Suggestions(
        region=region,
        as_of=as_of,
        radius_m=radius,
        communities=int(has_point.sum()),
        uncovered_before=len(demand),
        residents_uncovered_before=int(round(float(weight[demand].sum()))),
        estimate_basis=basis,
    )
    if not len(demand) or n <= 0:
        return result
    demand_points = np.column_stack([communities.lat[demand], communities.lng[demand]])
    cand, dem = within_pairs(communities.lat[candidates], communities.lng[candidates], demand_points, radius)
    order = np.argsort(cand, kind="stable")
    cand, dem = cand[order], dem[order]
    starts = np.searchsorted(cand, np.arange(len(candidates) + 1))
    demand_weight = weight[demand]
    taken = np.zeros(len(demand), dtype=bool)

    def gain(c: int) -> tuple[float, int]:
        members = dem[starts[c] : starts[c + 1]]
        free = members[~taken[members]]
        return float(demand_weight[free].sum()), len(free)

    # Lazy greedy: a candidate's gain only falls as others are picked, so a popped entry whose gain is
    # still current is the best. Ties go to the lower community code (candidates are in code order).
    heap: list[tuple[float, int, int]] = []
    for c in np.flatnonzero(starts[1:] > starts[:-1]).tolist():
        residents_gain, count = gain(c)
        heap.append((-residents_gain, -count, c))
    heapq.heapify(heap)
    picks: list[tuple[int, np.ndarray, float]] = []
    while heap and len(picks) < n:
        neg_res, neg_count, c = heapq.heappop(heap)
        current = gain(c)
        if current[1] == 0:
            continue
        if (-current[0], -current[1]) != (neg_res, neg_count):
            heapq.heappush(heap, (-current[0], -current[1], c))
            continue
        members = dem[starts[c] : starts[c + 1]]
        free = members[~taken[members]]
        taken[free] = True
        picks.append((int(candidates[c]), demand[free], current[0]))
    site_codes = [str(communities.codes[i]) for i, _f, _r in picks]
    names = {
        code: (name, township or "")
        for code, name, township in Region.objects.filter(code__in=site_codes).values_list(
            "code", "name", "parent__name"
        )
    }
    for rank, (i, free, residents_gain) in enumerate(picks, start=1):
        code = str(communities.codes[i])
        name, township = names.get(code, (code, ""))
        result.sites.append(
            Site(
                rank=rank,
                code=code,
                name=name,
                township_name=township,
                lat=float(communities.lat[i]),
                lng=float(communities.lng[i]),
                communities=len(free),
                residents=int(round(residents_gain)),
                covered_codes=sorted(str(c) for c in communities.codes[free]),
            )
        )
    return result
