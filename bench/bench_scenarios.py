"""Benchmark: scenario mode and suggested sites at county, city and province scale.

Run from the project root against a province demo database (``DATABASE_URL``; build one as in the
Makefile's ``setup`` target)::

    DATABASE_URL=sqlite:////tmp/scen_demo.sqlite3 .venv/bin/python bench/bench_scenarios.py [--runs 5]

Prints, in seconds (best and median of the runs), for 江宁区 (a county), 南京市 and 江苏省:

- ``suggest``: ``suggest_sites(region, 10)`` — the communities, the places near them, the fifteen-minute
  STRtree, the resident estimates and the greedy pick (targets: < 1 s for a county, a few s for the
  province);
- ``scenario``: ``scenario_effect(region, additions)`` with the 10 suggested sites added as inclusive
  centres of 100 places — the indicator computation twice (without and with the additions);
- ``API``: ``POST /api/v1/planning/scenarios`` with the same additions and
  ``GET /api/v1/planning/scenarios/suggestions?n=10``, as the demo national observer;
- ``page``: ``GET /gov/planning/scenarios/`` with the additions and ``suggest=10``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
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
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils.http import urlencode  # noqa: E402

from tuoyu.planning.scenarios import AdditionInput, scenario_effect, suggest_sites  # noqa: E402
from tuoyu.regions.models import Region  # noqa: E402

REGIONS = ("320115000000", "320100000000", "320000000000")  # 江宁区, 南京市, 江苏省


def figures(seconds: list[float]) -> str:
    return f"best {min(seconds):.3f} s   median {statistics.median(seconds):.3f} s"


def timed(runs: int, call: Callable[[], Any]) -> tuple[list[float], Any, int]:
    times, result, queries = [], None, 0
    for _ in range(runs):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            result = call()
        times.append(time.perf_counter() - started)
        queries = len(captured.captured_queries)
    return times, result, queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sites", type=int, default=10)
    args = parser.parse_args()
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    today = dt.date.today()  # noqa: DTZ011 - a benchmark of today's register

    from django.test import Client

    from tuoyu.accounts.models import User

    observer = User.objects.filter(username="demo_national").first()
    client = None
    if observer is not None:
        # The test client's default host "testserver" is not in ALLOWED_HOSTS outside the test runner.
        client = Client(HTTP_HOST="localhost")
        client.force_login(observer)

    for code in REGIONS:
        region = Region.objects.get(code=code)
        times, result, queries = timed(args.runs, lambda r=region: suggest_sites(r, args.sites, as_of=today))
        print(f"\n{region.name} ({region.level}): {result.communities} communities with a point, "
              f"{result.uncovered_before} without a place within {result.radius_m:.0f} m")  # fmt: skip
        print(f"  suggest_sites(n={args.sites}): {len(result.sites)} sites covering "
              f"{result.uncovered_before - result.uncovered_after} communities, "
              f"{queries} queries   {figures(times)}")  # fmt: skip
        additions = [AdditionInput(places=100, inclusive=True, lat=s.lat, lng=s.lng) for s in result.sites]
        times, effect, queries = timed(args.runs, lambda r=region, a=additions: scenario_effect(r, a, today))
        changed = sum(len(r.changes) for r in effect.sub_regions)
        print(f"  scenario_effect({len(additions)} additions): fifteen-minute "
              f"{effect.coverage_before.covered} → {effect.coverage_after.covered}, "
              f"{len(effect.sub_regions)} sub-regions ({changed} values) change, "
              f"{queries} queries   {figures(times)}")  # fmt: skip
        if client is None:
            continue
        body = {"region": code, "additions": [{"places": 100, "inclusive": True, "lat": a.lat, "lng": a.lng}
                                              for a in additions]}  # fmt: skip
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            response = client.post("/api/v1/planning/scenarios", body, content_type="application/json")
            times.append(time.perf_counter() - started)
            assert response.status_code == 200, response.content[:300]
        print(f"  POST /api/v1/planning/scenarios   {figures(times)}")
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            response = client.get(f"/api/v1/planning/scenarios/suggestions?region={code}&n={args.sites}")
            times.append(time.perf_counter() - started)
            assert response.status_code == 200, response.content[:300]
        print(f"  GET /api/v1/planning/scenarios/suggestions?n={args.sites}   {figures(times)}")
        query = [("region", code), ("suggest", str(args.sites))]
        for a in additions:
            query += [("lat", str(a.lat)), ("lng", str(a.lng)), ("places", "100"), ("inclusive", "1")]
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            response = client.get(f"/gov/planning/scenarios/?{urlencode(query)}")
            times.append(time.perf_counter() - started)
            assert response.status_code == 200, response.status_code
        print(f"  GET /gov/planning/scenarios/ (page, {len(response.content) // 1024} KB)   {figures(times)}")
    if client is None:
        print("\nAPI and page: skipped (no demo_national login in this database)")


if __name__ == "__main__":
    main()
