"""Benchmark: "institutions near a point" at province scale, grid index vs. bounding-box prefilter.

Run from the project root against the demo database (``var/tuoyu.sqlite3`` by default, or
``DATABASE_URL``): ``.venv/bin/python bench/bench_public_api.py [--points 200] [--seed 1]``.

For N random points inside Jiangsu's county boundaries and radii of 1, 3 and 10 km, prints p50/p95
in milliseconds of:

- ``grid``: ``spatial.nearby_grid`` (the one-row data-version query + the in-memory 0.01° grid);
- ``grid, cached``: the grid alone, without the version query (what a TTL on the check would give);
- ``bbox``: ``spatial.nearby_bbox`` (SQL ``lat/lng__range`` prefilter, no index, + haversine);
- ``full scan``: every listed point read and measured in Python (what both avoid);
- ``API``: the whole ``GET /api/v1/public/institutions?near=…&radius_m=…&limit=20`` request.

Read-only: it writes nothing to the database. Prints figures; asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from tuoyu.institutions import spatial  # noqa: E402
from tuoyu.institutions.models import Institution  # noqa: E402
from tuoyu.regions.geo import get_boundaries  # noqa: E402

RADII = (1000, 3000, 10_000)


def random_points(n: int, rng: random.Random) -> list[tuple[float, float]]:
    """n (lat, lng) points uniformly inside the province's counties (rejection in the bounding box)."""
    boundaries = get_boundaries()
    points: list[tuple[float, float]] = []
    while len(points) < n:
        lat, lng = rng.uniform(30.75, 35.15), rng.uniform(116.35, 121.95)
        if boundaries.county_at(lng, lat) is not None:
            points.append((lat, lng))
    return points


def timed(fn: Callable[..., Any], *args: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn(*args)
    return (time.perf_counter() - started) * 1000, result


def full_scan(queryset: Any, lat: float, lng: float, radius: int) -> list[tuple[float, int]]:
    """Every listed point read and measured: the baseline both prefilters avoid."""
    rows = queryset.exclude(lat=None).values_list("id", "lat", "lng")
    return sorted((d, pk) for pk, a, b in rows if (d := spatial.haversine_m(lat, lng, a, b)) <= radius)


def summary(ms: list[float]) -> str:
    q = statistics.quantiles(ms, n=20)
    return f"p50 {statistics.median(ms):7.2f} ms   p95 {q[18]:7.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--points", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    listed = Institution.objects.publicly_listed()
    total = Institution.objects.count()
    with_point = listed.exclude(lat=None).count()
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    print(f"institutions: {total} in all, {with_point} publicly listed with a point")
    if not with_point:
        sys.exit("no publicly listed institutions: run `manage.py demo_data --scale province` first")

    points = random_points(args.points, random.Random(args.seed))
    build_ms, grid = timed(spatial.public_grid)
    print(f"grid build (first request of a process): {build_ms:.1f} ms, {len(grid.cells)} cells of 0.01°\n")

    client = Client(HTTP_HOST="localhost")
    for radius in RADII:
        rows: dict[str, list[float]] = {
            "grid": [],
            "grid, cached": [],
            "bbox": [],
            "full scan": [],
            "API": [],
        }
        found: list[int] = []
        for lat, lng in points:
            ms, hits = timed(spatial.nearby_grid, lat, lng, radius)
            rows["grid"].append(ms)
            found.append(len(hits))
            rows["grid, cached"].append(timed(grid.within, lat, lng, radius)[0])
            ms, bbox_hits = timed(spatial.nearby_bbox, listed, lat, lng, radius)
            rows["bbox"].append(ms)
            assert [pk for _d, pk in bbox_hits] == [pk for _d, pk in hits], "grid and bbox disagree"
            rows["full scan"].append(timed(full_scan, listed, lat, lng, radius)[0])
            url = f"/api/v1/public/institutions?near={lat:.6f},{lng:.6f}&radius_m={radius}&limit=20"
            ms, response = timed(client.get, url)
            assert response.status_code == 200, response.content[:200]
            rows["API"].append(ms)
        print(
            f"radius {radius:>6} m: institutions found per point p50 {statistics.median(found):.0f}, "
            f"max {max(found)}"
        )
        for name, ms_list in rows.items():
            print(f"  {name:<13} {summary(ms_list)}")
        print()


if __name__ == "__main__":
    main()
