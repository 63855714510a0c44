"""Benchmark: recomputing every plan indicator for every region at province scale (target < 2 s).

Run from the project root against a province demo database (``DATABASE_URL``; build one as in the
Makefile's ``setup`` target plus ``manage.py demo_planning --seed 1``)::

    DATABASE_URL=sqlite:////tmp/plan_demo.sqlite3 .venv/bin/python bench/bench_indicators.py [--runs 5]

Prints, in seconds (best and median of the runs):

- ``compute``: ``compute_indicators(as_of)`` for all regions (the SQL GROUP BYs, population, the
  fifteen-minute STRtree), with the number of queries;
- ``recompute``: ``indicators_recompute`` — compute, then replace the date's snapshot in one
  transaction (what ``manage.py recompute_indicators`` and the monthly task do). This writes the
  snapshot of ``--date`` into the database; ``--no-store`` skips it;
- ``API, no snapshot``: ``GET /api/v1/indicators?region=<province>&date=<a date without snapshot>``
  as a national observer (computed on the fly for the whole province, nothing stored).
"""

from __future__ import annotations

import argparse
import datetime as dt
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
from django.test.utils import CaptureQueriesContext  # noqa: E402

from tuoyu.planning.compute import compute_indicators  # noqa: E402
from tuoyu.planning.services import indicators_recompute  # noqa: E402


def figures(seconds: list[float]) -> str:
    return f"best {min(seconds):.3f} s   median {statistics.median(seconds):.3f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--date", type=dt.date.fromisoformat, default=dt.date.today())  # noqa: DTZ011 - a CLI default
    parser.add_argument("--no-store", action="store_true", help="Do not write the date's snapshot.")
    args = parser.parse_args()
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")

    times = []
    for _ in range(args.runs):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            values = compute_indicators(args.date)
        times.append(time.perf_counter() - started)
    regions = len({v.region_code for v in values})
    print(f"compute_indicators({args.date}): {len(values)} values, {regions} regions, "
          f"{len(queries.captured_queries)} queries   {figures(times)}")  # fmt: skip

    if not args.no_store:
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            result = indicators_recompute(as_of=args.date)
            times.append(time.perf_counter() - started)
        print(f"indicators_recompute({args.date}): {result.rows} rows stored   {figures(times)}")

    from django.test import Client

    from tuoyu.accounts.models import User

    observer = User.objects.filter(username="demo_national").first()
    if observer is None:
        print("API: skipped (no demo_national login in this database)")
        return
    # The test client's default host "testserver" is not in ALLOWED_HOSTS outside the test runner.
    client = Client(HTTP_HOST="localhost")
    client.force_login(observer)
    day = dt.date(2026, 1, 1) if args.date != dt.date(2026, 1, 1) else dt.date(2026, 1, 2)
    times = []
    for _ in range(args.runs):
        started = time.perf_counter()
        response = client.get(f"/api/v1/indicators?region=320000000000&date={day}")
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.content[:200]
    source = response.json()["source"]
    print(f"GET /api/v1/indicators?region=320000000000&date={day} ({source})   {figures(times)}")


if __name__ == "__main__":
    main()
