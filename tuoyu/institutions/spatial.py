"""Nearest publicly listed institutions without a GIS database.

Two ways to answer "what is within r metres of this point", both exact (haversine on the rows that
survive a cheap prefilter), measured against each other in ``bench/bench_public_api.py``:

- ``nearby_grid``: an in-memory grid of every publicly listed point, cells of 0.01° × 0.01°
  (about 1.1 km × 0.95 km in Jiangsu), built once per process and rebuilt when a one-row
  ``Max(updated_at)`` + ``Count`` check over the table says the data changed. A query reads only the
  cells that overlap the radius's bounding box. This is what the public API uses.
- ``nearby_bbox``: a ``lat__range``/``lng__range`` bounding-box prefilter in SQL. Without an index
  on (lat, lng) the database still scans the table, but Python only sees the rows in the box. The
  next step for it is a composite (lat, lng) index (a migration in institutions).

Coordinates are CGCS2000/WGS84 degrees, as stored on ``Institution``.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Max

from .models import Institution, InstitutionQuerySet

EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG), the usual haversine radius
CELL_DEG = 0.01
# China's extent (with a margin): a point outside cannot be a place in the register.
CHINA_LAT = (3.5, 53.6)
CHINA_LNG = (73.4, 135.1)


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres between two points given in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat: float, lng: float, radius_m: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lng, max_lng) enclosing the circle of radius_m around the point."""
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    # Longitude degrees shrink with cos(lat); take the widest latitude of the box to stay enclosing.
    cos_lat = math.cos(math.radians(min(89.0, abs(lat) + dlat)))
    dlng = math.degrees(radius_m / (EARTH_RADIUS_M * max(cos_lat, 1e-6)))
    return lat - dlat, lat + dlat, lng - dlng, lng + dlng


def cell_of(lat: float, lng: float) -> tuple[int, int]:
    """The grid cell key of a point: floor(lat / 0.01), floor(lng / 0.01)."""
    return math.floor(lat / CELL_DEG), math.floor(lng / CELL_DEG)


@dataclass(frozen=True, slots=True)
class PublicPoint:
    """What the grid keeps of one publicly listed institution: enough to filter without the DB."""

    id: int
    lat: float
    lng: float
    type: str
    inclusive: bool
    age_min_months: int
    age_max_months: int


POINT_FIELDS = ("id", "lat", "lng", "type", "inclusive", "age_min_months", "age_max_months")
Predicate = Callable[[PublicPoint], bool]


def point_filter(
    *, inclusive: bool | None = None, type: str | None = None, age_months: int | None = None
) -> Predicate:
    """The public filters as a predicate on grid points (the same meaning as ``filter_queryset``)."""

    def keep(p: PublicPoint) -> bool:
        if inclusive is not None and p.inclusive != inclusive:
            return False
        if type and p.type != type:
            return False
        return age_months is None or p.age_min_months <= age_months <= p.age_max_months

    return keep


def filter_queryset(
    queryset: InstitutionQuerySet,
    *,
    inclusive: bool | None = None,
    type: str | None = None,
    age_months: int | None = None,
) -> InstitutionQuerySet:
    """The public filters in SQL (the same meaning as ``point_filter``)."""
    if inclusive is not None:
        queryset = queryset.filter(inclusive=inclusive)
    if type:
        queryset = queryset.filter(type=type)
    if age_months is not None:
        queryset = queryset.filter(age_min_months__lte=age_months, age_max_months__gte=age_months)
    return queryset


class GridIndex:
    """Points bucketed by 0.01° cell; ``within`` reads only the cells overlapping the radius."""

    def __init__(self, points: Iterable[PublicPoint]) -> None:
        self.cells: dict[tuple[int, int], list[PublicPoint]] = {}
        self.size = 0
        for p in points:
            self.cells.setdefault(cell_of(p.lat, p.lng), []).append(p)
            self.size += 1

    def within(
        self, lat: float, lng: float, radius_m: float, keep: Predicate | None = None
    ) -> list[tuple[float, PublicPoint]]:
        """(distance_m, point) for every point within radius_m, nearest first (ties by id)."""
        min_lat, max_lat, min_lng, max_lng = bounding_box(lat, lng, radius_m)
        lo_i, lo_j = cell_of(min_lat, min_lng)
        hi_i, hi_j = cell_of(max_lat, max_lng)
        found = []
        cells = self.cells
        for i in range(lo_i, hi_i + 1):
            for j in range(lo_j, hi_j + 1):
                for p in cells.get((i, j), ()):
                    if keep is not None and not keep(p):
                        continue
                    d = haversine_m(lat, lng, p.lat, p.lng)
                    if d <= radius_m:
                        found.append((d, p))
        found.sort(key=lambda dp: (dp[0], dp[1].id))
        return found


_lock = threading.Lock()
_cache: dict[str, Any] = {"version": None, "grid": None, "checked": 0.0}


def _data_version() -> tuple[Any, ...]:
    """One aggregate row that changes whenever the public point set can have changed.

    ``updated_at`` moves on every ``save()`` (services always save: a filing decision, a closure, a
    moved address); the row count catches deletions. A bulk ``.update()`` bypasses ``save()`` and is
    not seen until the next rebuild (tests call ``reset_grid()``). Either way a stale grid can only
    offer candidates: the API re-reads the page's rows through ``publicly_listed()`` and the filters,
    so an institution that left the register never appears.
    """
    row = Institution.objects.aggregate(changed=Max("updated_at"), total=Count("id"))
    return (row["changed"], row["total"])


def public_grid(recheck_seconds: float | None = None) -> GridIndex:
    """The process-wide grid of publicly listed institutions with a point, rebuilt when data changed.

    The data-version query runs at most every ``recheck_seconds`` (``settings.
    TUOYU_PUBLIC_GRID_RECHECK_SECONDS``, default 0: on every call). It is a one-row aggregate, but on a
    table without an index on ``updated_at`` it is a table scan inside the database; a few seconds of
    allowed staleness removes it from most requests (see bench/bench_public_api.py).
    """
    if recheck_seconds is None:
        recheck_seconds = float(getattr(settings, "TUOYU_PUBLIC_GRID_RECHECK_SECONDS", 0))
    grid = _cache["grid"]
    now = time.monotonic()
    if grid is not None and recheck_seconds > 0 and now - _cache["checked"] < recheck_seconds:
        return grid  # type: ignore[no-any-return]
    version = _data_version()
    if grid is not None and _cache["version"] == version:
        _cache["checked"] = now
        return grid  # type: ignore[no-any-return]
    with _lock:
        rows = (
            Institution.objects.publicly_listed()
            .filter(lat__isnull=False, lng__isnull=False)
            .values_list(*POINT_FIELDS)
        )
        grid = GridIndex(PublicPoint(*row) for row in rows)
        _cache.update(version=version, grid=grid, checked=now)
    return grid


def reset_grid() -> None:
    """Forget the cached grid (tests that rewrite rows with ``.update()`` call this)."""
    _cache.update(version=None, grid=None, checked=0.0)


def nearby_grid(
    lat: float, lng: float, radius_m: float, keep: Predicate | None = None
) -> list[tuple[float, int]]:
    """(distance_m, institution id) within radius_m, nearest first, from the in-memory grid."""
    return [(d, p.id) for d, p in public_grid().within(lat, lng, radius_m, keep)]


def nearby_bbox(
    queryset: InstitutionQuerySet, lat: float, lng: float, radius_m: float
) -> list[tuple[float, int]]:
    """(distance_m, institution id) within radius_m, nearest first, prefiltered by a SQL bounding box."""
    min_lat, max_lat, min_lng, max_lng = bounding_box(lat, lng, radius_m)
    rows = queryset.filter(lat__range=(min_lat, max_lat), lng__range=(min_lng, max_lng)).values_list(
        "id", "lat", "lng"
    )
    # The range conditions exclude rows without a point; the model's constraint keeps lat/lng paired.
    found = [(haversine_m(lat, lng, la, ln), pk) for pk, la, ln in rows if la is not None and ln is not None]
    found = [(d, pk) for d, pk in found if d <= radius_m]
    found.sort()
    return found
