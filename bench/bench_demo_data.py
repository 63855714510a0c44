"""Benchmark: province-scale demo data on a fresh SQLite file, then the institution list endpoint.

Run from the project root: ``.venv/bin/python bench/bench_demo_data.py [--requests 200] [--keep]``.

1. ``migrate`` and ``demo_data --scale province --seed 1 --password x`` in subprocesses, each timed,
   against a temporary SQLite file (``DATABASE_URL``), so the settings read that URL.
2. In this process (same ``DATABASE_URL``): a bearer token for ``demo_province`` from
   ``POST /api/v1/auth/token``, then ``GET /api/v1/institutions?region=<code>&limit=50&offset=<k>``
   for the province, a city and a county, N requests each, walking through the pages.

Prints figures only; it asserts nothing about speed (this is not a test).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "x"  # noqa: S105 - the throwaway demo password of a temporary database
REGIONS = [
    ("province Jiangsu", "320000000000"),
    ("city Nanjing", "320100000000"),
    ("county Jiangning", "320115000000"),
]
PAGE = 50
Query = dict[str, str | int]


def run_timed(args: list[str], env: dict[str, str]) -> float:
    """Run ``manage.py <args>`` in a subprocess and return its wall-clock seconds (exit on failure)."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"manage.py {' '.join(args)} failed with exit code {result.returncode}")
    return elapsed


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile of ``values`` (fraction in 0..1)."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def bench_api(requests: int) -> None:
    """Time the institution list for each region as demo_province (django.setup() must have run)."""
    from django.test import Client

    # The test client's default host "testserver" is not in ALLOWED_HOSTS outside the test runner.
    client = Client(HTTP_HOST="localhost")
    response = client.post(
        "/api/v1/auth/token",
        data=json.dumps({"username": "demo_province", "password": PASSWORD}),
        content_type="application/json",
    )
    if response.status_code != 200:
        raise SystemExit(f"token request failed: {response.status_code} {response.content[:200]!r}")
    auth = {"Authorization": f"Bearer {response.json()['token']}"}

    print(
        f"\nGET /api/v1/institutions?region=<code>&limit={PAGE}&offset=<k> as demo_province, "
        f"{requests} requests each (ms)"
    )
    print(f"{'region':<18} {'count':>6} {'p50':>8} {'p95':>8} {'max':>8}")
    for label, code in REGIONS:
        query: Query = {"region": code, "limit": PAGE, "offset": 0}
        first = client.get("/api/v1/institutions", query, headers=auth)
        if first.status_code != 200:
            raise SystemExit(f"{label}: {first.status_code} {first.content[:200]!r}")
        count = first.json()["count"]
        pages = max(1, (count + PAGE - 1) // PAGE)
        timings: list[float] = []
        for i in range(requests):
            # Walk the pages in order and wrap around, so deep offsets are measured too.
            offset = (i % pages) * PAGE
            started = time.perf_counter()
            response = client.get(
                "/api/v1/institutions", {"region": code, "limit": PAGE, "offset": offset}, headers=auth
            )
            timings.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{label} offset {offset}: {response.status_code}")
        print(
            f"{label:<18} {count:>6} {statistics.median(timings):>8.2f} {percentile(timings, 0.95):>8.2f} "
            f"{max(timings):>8.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per region (default 200)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary database afterwards")
    options = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="tuoyu-bench-"))
    database = workdir / "bench.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"  # four slashes in all: an absolute path
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    env = dict(os.environ)
    try:
        print(f"database: {database}")
        print(f"migrate: {run_timed(['migrate', '--noinput'], env):.1f} s")
        seconds = run_timed(
            ["demo_data", "--scale", "province", "--seed", "1", "--password", PASSWORD, "--verbosity", "0"],
            env,
        )
        print(f"demo_data --scale province --seed 1 (incl. loading regions, process start): {seconds:.1f} s")

        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        bench_api(options.requests)
    finally:
        if options.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
