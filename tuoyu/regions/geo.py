"""County boundaries of Jiangsu and point -> county lookup, without a GIS database.

Coordinates are always ``(lng, lat)`` — longitude first, as in GeoJSON — in degrees of
CGCS2000 (EPSG:4490), which is within about 1 m of WGS84. GCJ-02/BD-09 coordinates from
Chinese web map APIs are offset by hundreds of metres and must be converted first.

The boundaries come from a GeoJSON FeatureCollection whose features carry a 12-digit
statistical ``code`` property (a 6-digit ``adcode`` is also accepted and padded). By default
that is the shipped ``data/jiangsu_counties.geojson``; the setting ``TUOYU_BOUNDARIES_FILE``
points to a replacement, e.g. licensed data with a map review number (审图号).
"""

from __future__ import annotations

import functools
import json
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import shapely

DEFAULT_BOUNDARIES_FILE = Path(__file__).resolve().parent / "data" / "jiangsu_counties.geojson"

# The shipped polygons were simplified one by one at 0.005 degrees, which leaves slivers
# between neighbours and trims the coast by up to about that much. A point that falls in such
# a gap is given the nearest county within this distance instead of None.
DEFAULT_SNAP_DEG = 0.005


class CountyBoundaries:
    """The county-level polygons of one province, indexed for point lookup.

    Where simplified neighbours overlap, a point belongs to the county with the lowest code,
    so every lookup method gives the same answer for the same point.
    """

    def __init__(self, geojson_text: str, snap_deg: float = DEFAULT_SNAP_DEG) -> None:
        self._text = geojson_text
        self.snap_deg = snap_deg
        features = sorted(json.loads(geojson_text)["features"], key=_feature_code)
        self._codes: list[str] = [_feature_code(f) for f in features]
        self._names: dict[str, str] = {
            code: f["properties"].get("name", "") for code, f in zip(self._codes, features, strict=True)
        }
        self._geoms = np.array([shapely.from_geojson(json.dumps(f["geometry"])) for f in features])
        # Prepared polygons make the many point-in-polygon tests below fast.
        shapely.prepare(self._geoms)
        self._index = {code: i for i, code in enumerate(self._codes)}
        self._tree = shapely.STRtree(self._geoms)

    @classmethod
    def from_file(cls, path: str | Path, snap_deg: float = DEFAULT_SNAP_DEG) -> CountyBoundaries:
        """Boundaries read from a GeoJSON file."""
        return cls(Path(path).read_text(encoding="utf-8"), snap_deg=snap_deg)

    def codes(self) -> list[str]:
        """The 12-digit codes of all counties, sorted."""
        return list(self._codes)

    def name(self, code: str) -> str | None:
        """The county's name as written in the boundary file, or None for an unknown code."""
        return self._names.get(code)

    def geometry(self, code: str) -> shapely.Geometry | None:
        """The county's (Multi)Polygon, or None for a code without a boundary."""
        i = self._index.get(code)
        return None if i is None else self._geoms[i]

    def county_at(self, lng: float, lat: float) -> str | None:
        """The code of the county containing the point (lng, lat); None outside the province."""
        point = shapely.Point(lng, lat)
        hits = self._tree.query(point, predicate="intersects")
        if hits.size == 0 and self.snap_deg > 0:
            hits = self._tree.query_nearest(point, max_distance=self.snap_deg, all_matches=True)
        return self._codes[int(hits.min())] if hits.size else None

    def counties_at(self, points: Sequence[tuple[float, float]]) -> list[str | None]:
        """The county code for each (lng, lat) point, like county_at but in one vectorised query."""
        if len(points) == 0:
            return []
        geoms = shapely.points(np.asarray(points, dtype=float).reshape(-1, 2))
        none = len(self._codes)  # sentinel index meaning "no county"
        best = np.full(len(geoms), none)
        point_idx, tree_idx = self._tree.query(geoms, predicate="intersects")
        # Lowest matching index per point, the same tie-break as county_at.
        np.minimum.at(best, point_idx, tree_idx)
        missing = np.flatnonzero(best == none)
        if missing.size and self.snap_deg > 0:
            near_point, near_tree = self._tree.query_nearest(
                geoms[missing], max_distance=self.snap_deg, all_matches=True
            )
            np.minimum.at(best, missing[near_point], near_tree)
        return [None if i == none else self._codes[i] for i in best.tolist()]

    def distance_deg(self, code: str, lng: float, lat: float) -> float:
        """Distance in degrees from the point (lng, lat) to the county; 0 inside it.

        Raises KeyError for a code without a boundary.
        """
        return float(shapely.distance(self._geoms[self._index[code]], shapely.Point(lng, lat)))

    def random_points_in(
        self, code_or_geom: str | shapely.Geometry, n: int, rng: random.Random
    ) -> list[tuple[float, float]]:
        """``n`` uniformly random (lng, lat) points inside a county or any polygon.

        Rejection sampling within the bounds, drawing only from ``rng``, so the same seed gives
        the same points. For a county code, points are also ones county_at maps back to that
        code (neither a sliver another county owns nor outside). Raises KeyError for an unknown code.
        """
        if isinstance(code_or_geom, str):
            code: str | None = code_or_geom
            geom = self._geoms[self._index[code_or_geom]]
        else:
            code, geom = None, code_or_geom
            shapely.prepare(geom)
        min_x, min_y, max_x, max_y = geom.bounds
        points: list[tuple[float, float]] = []
        # Jiangsu's counties fill at least a few percent of their bounds; this only stops a
        # degenerate (e.g. zero-area) polygon from looping forever.
        attempts_left = 1000 * (n + 10)
        while len(points) < n:
            if attempts_left == 0:
                raise ValueError("could not place points inside the polygon")
            attempts_left -= 1
            lng, lat = rng.uniform(min_x, max_x), rng.uniform(min_y, max_y)
            if shapely.contains_xy(geom, lng, lat) and (code is None or self.county_at(lng, lat) == code):
                points.append((lng, lat))
        return points

    def geojson_text(self) -> str:
        """The boundary file's content, to serve to browser maps as is."""
        return self._text


def _feature_code(feature: dict[str, Any]) -> str:
    """The 12-digit code of a boundary feature (a 6-digit adcode is padded with zeros)."""
    props = feature["properties"]
    return str(props.get("code") or props["adcode"]).ljust(12, "0")


def boundaries_file() -> Path:
    """The boundary file in use: settings.TUOYU_BOUNDARIES_FILE, else the shipped one."""
    # Imported here so the module also works where Django settings are not configured.
    from django.conf import settings

    configured = getattr(settings, "TUOYU_BOUNDARIES_FILE", None) if settings.configured else None
    if configured:
        return Path(configured)
    return DEFAULT_BOUNDARIES_FILE


@functools.lru_cache(maxsize=1)
def get_boundaries() -> CountyBoundaries:
    """The process-wide boundaries, loaded on first use (get_boundaries.cache_clear() reloads)."""
    return CountyBoundaries.from_file(boundaries_file())
