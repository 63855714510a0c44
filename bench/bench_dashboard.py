"""Benchmark: the planning dashboard (管理端 home) at province scale (target < 300 ms per page).

Run from the project root against a province demo database (``DATABASE_URL``; build one as in the
Makefile's ``setup`` target, whose ``demo_planning`` step also stores 24 monthly snapshots)::

    DATABASE_URL=sqlite:////tmp/dash_demo.sqlite3 .venv/bin/python bench/bench_dashboard.py [--runs 10]

Prints, in milliseconds (best and median of the runs, after one warm-up request), with the number of
queries, for the national observer (``demo_national``):

- ``page``: ``GET /gov/planning/dashboard/?region=<province>`` — tiles with 24-month trends, cities
  ranked, townships without an inclusive institution, counties without a demonstration one, counties
  by scarcity; read from the latest snapshot (never recomputed on a page view);
- ``map``: ``GET /api/v1/planning/dashboard/map?region=<province>`` — the cities' polygons (unions of
  their counties) with their values; and the same for one county (township circles, institution dots);
- ``page, county``: the dashboard of that county.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from tuoyu.accounts.models import User  # noqa: E402
from tuoyu.planning.models import IndicatorSnapshot  # noqa: E402
from tuoyu.regions.models import Region  # noqa: E402

COUNTY = "320115000000"  # 南京市江宁区


def measure(client: Client, url: str, runs: int) -> str:
    response = client.get(url)  # warm-up (templates, boundaries cache)
    if response.status_code != 200:
        return f"HTTP {response.status_code}"
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    return (
        f"best {min(times):6.1f} ms   median {statistics.median(times):6.1f} ms   "
        f"{len(queries.captured_queries)} queries, {len(response.content) // 1024} KB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    province = Region.objects.filter(level="province").order_by("code").first()
    observer = User.objects.filter(username="demo_national").first()
    if province is None or observer is None:
        sys.exit("No province or no demo_national login: build the province demo first.")
    dates = IndicatorSnapshot.objects.filter(region=province).values_list("as_of", flat=True).distinct()
    print(f"snapshots of {province.name}: {dates.count()} dates, latest {max(dates, default=None)}")
    client = Client(HTTP_HOST="localhost")
    client.force_login(observer)
    pages = {
        "page, province": f"/gov/planning/dashboard/?region={province.code}",
        "map, province": f"/api/v1/planning/dashboard/map?region={province.code}",
        "page, county": f"/gov/planning/dashboard/?region={COUNTY}",
        "map, county": f"/api/v1/planning/dashboard/map?region={COUNTY}",
    }
    for name, url in pages.items():
        print(f"{name:16} {measure(client, url, args.runs)}")


if __name__ == "__main__":
    main()
