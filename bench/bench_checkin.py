"""Benchmark: POST /api/v1/attendance/events (check-in) under WSGI on PostgreSQL, driven by wrk.

Issue #5 asks for ≥1,000 requests/s with p99 < 100 ms on the project's 2-core machine.

Run from the project root (PostgreSQL on 127.0.0.1:5432 and `wrk` installed: `apt-get install -y wrk`):

    .venv/bin/python bench/bench_checkin.py [--institutions 500] [--children 40000] [--duration 20]
        [--connections 16] [--threads 1] [--workers 2] [--blocking-threads 2] [--history-days 20] [--fresh]

What it does:
1. builds (once; `--fresh` rebuilds) its own PostgreSQL database `tuoyu_bench` (override with
   `--db-url`): a province-like slice — one province, 10 cities, 50 counties, 250 townships,
   `--institutions` institutions with 2 classes each, `--children` enrolled children spread over them,
   one caregiver account per institution with an API token;
2. gives every child `--history-days` earlier weekdays of attendance (once; 800,000 day rows and 1.6
   million events at the defaults), so that the tables, their indexes and the planner's statistics look
   like a real morning's; then deletes today's rows and starts the app under granian WSGI
   (`granian --interface wsgi config.wsgi:application`) with DATABASE_URL pointing at that database;
3. drives it with wrk (`bench/checkin_wrk.lua`): every request is a valid new check-in of a child not
   yet in today (token of the child's institution, unique client_ref), plus ~5% retries that resend an
   earlier request byte for byte (same client_ref);
4. prints requests/s, p50/p95/p99 latency, status counts, machine load, CPU per request of the server's
   processes, of PostgreSQL's backends, of wrk and of the whole machine (a figure other load changes less
   than requests/s), and checks in SQL that no child has two check-in events or two day rows on the day
   (the retries did not double count).

On PostgreSQL the plain check-ins and their retries are answered by `tuoyu/attendance/fastpath.py` (one
prepared statement; ARCHITECTURE.md, "Attendance"); `TUOYU_CHECKIN_FAST_PATH=0` in the environment
measures the Django endpoint instead.

It is a benchmark, not a test: it prints figures and exits non-zero only when the double-count check
fails. The machine's other load (`nproc`, load average) is printed with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LUA = ROOT / "bench" / "checkin_wrk.lua"


def free_port() -> int:
    """A port nobody listens on (other processes on this machine run their own servers)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


PORT = free_port()


def sh(cmd: list[str], env: dict[str, str] | None = None, **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, env=env, check=True, text=True, capture_output=True, cwd=ROOT, **kw)  # type: ignore[call-overload]  # noqa: S603


def psql(admin_url: str, sql: str) -> str:
    return sh(["psql", admin_url, "-Atc", sql]).stdout.strip()


def ensure_database(db_url: str, fresh: bool) -> bool:
    """Create the database when missing (or when --fresh). True when it must be populated."""
    name = db_url.rsplit("/", 1)[1]
    admin = db_url.rsplit("/", 1)[0] + "/postgres"
    query = f"SELECT 1 FROM pg_database WHERE datname = '{name}'"  # noqa: S608 - the bench's own db name
    exists = psql(admin, query) == "1"
    if exists and fresh:
        psql(admin, f'DROP DATABASE "{name}"')
        exists = False
    if not exists:
        psql(admin, f'CREATE DATABASE "{name}"')
        return True
    try:
        count = psql(db_url, "SELECT count(*) FROM children_child")
    except subprocess.CalledProcessError:
        return True
    return count == "0"


def populate(env: dict[str, str], institutions: int, children: int) -> None:
    """Migrate and fill the database with bulk inserts (run in a child process with DATABASE_URL set)."""
    print("migrating …", flush=True)
    sh([sys.executable, "manage.py", "migrate", "--no-input"], env=env)
    print(f"populating {institutions} institutions, {children} children …", flush=True)
    sh([sys.executable, str(Path(__file__)), "--populate-only", str(institutions), str(children)], env=env)


def _populate_here(n_inst: int, n_children: int) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import transaction
    from django.utils import timezone

    from tuoyu.accounts.models import ApiToken, RoleAssignment, User, hash_token
    from tuoyu.children.models import Child, Enrolment
    from tuoyu.institutions.models import Institution, InstitutionClass
    from tuoyu.regions.models import Region

    started = time.perf_counter()
    with transaction.atomic():
        province = Region.objects.create(
            code="320000000000", name="江苏省", level="province", kind="province"
        )
        cities, counties, townships = [], [], []
        for c in range(10):
            cities.append(
                Region(
                    code=f"32{c + 1:02d}00000000",
                    name=f"市{c}",
                    level="city",
                    kind="prefecture_city",
                    parent=province,
                )
            )
        Region.objects.bulk_create(cities)
        for i in range(50):
            city = cities[i % 10]
            counties.append(
                Region(
                    code=f"{city.code[:4]}{i // 10 + 1:02d}000000",
                    name=f"区{i}",
                    level="county",
                    kind="district",
                    parent=city,
                )
            )
        Region.objects.bulk_create(counties)
        for i in range(250):
            county = counties[i % 50]
            townships.append(
                Region(
                    code=f"{county.code[:6]}{i // 50 + 1:03d}000",
                    name=f"街道{i}",
                    level="township",
                    kind="subdistrict",
                    parent=county,
                )
            )
        Region.objects.bulk_create(townships)
        insts = []
        for i in range(n_inst):
            t = townships[i % len(townships)]
            insts.append(
                Institution(
                    name=f"托育中心{i}",
                    uscc=f"52{i:016d}",
                    type="private_run",
                    ownership="private",
                    places=200,
                    status="operating",
                    filing_status="filed",
                    address="路1号",
                    township=t,
                    county_id=t.parent_id,
                    city_id=counties[(i % 250) % 50].parent_id,
                )
            )
        Institution.objects.bulk_create(insts, batch_size=1000)
        classes = []
        for inst in insts:
            classes += [
                InstitutionClass(institution=inst, name="托小一班", kind="toddler", capacity=15),
                InstitutionClass(institution=inst, name="托大一班", kind="older", capacity=20),
            ]
        InstitutionClass.objects.bulk_create(classes, batch_size=2000)
        today = timezone.localdate()
        kids = []
        for i in range(n_children):
            klass = classes[i % len(classes)]
            kids.append(
                Child(
                    name=f"儿童{i}",
                    sex="MF"[i % 2],
                    birth_date=today - timedelta(days=400 + i % 500),
                    institution_id=klass.institution_id,
                    klass=klass,
                )
            )
        Child.objects.bulk_create(kids, batch_size=5000)
        Enrolment.objects.bulk_create(
            [
                Enrolment(
                    child=k,
                    institution_id=k.institution_id,
                    klass_id=k.klass_id,
                    service_mode="full_day",
                    start_on=today - timedelta(days=60),
                )
                for k in kids
            ],
            batch_size=5000,
        )
        users = [
            User(
                username=f"bench_cg_{i}",
                password="!",  # noqa: S106 - Django's unusable-password marker
                display_name=f"保育员{i}",
            )
            for i in range(n_inst)
        ]
        User.objects.bulk_create(users, batch_size=2000)
        RoleAssignment.objects.bulk_create(
            [
                RoleAssignment(user=u, role="caregiver", institution=inst)
                for u, inst in zip(users, insts, strict=True)
            ]
        )
        tokens = []
        lines = []
        for u, inst in zip(users, insts, strict=True):
            raw = secrets.token_urlsafe(32)
            tokens.append(
                ApiToken(
                    user=u,
                    key_hash=hash_token(raw),
                    prefix=raw[:8],
                    expires_at=timezone.now() + timedelta(days=30),
                )
            )
            lines.append((inst.pk, raw))
        ApiToken.objects.bulk_create(tokens, batch_size=2000)
    token_of = dict(lines)
    with open(ROOT / "var" / "bench_checkin_children.txt", "w") as out:
        for k in kids:
            out.write(f"{token_of[k.institution_id]} {k.pk}\n")
    print(f"populated in {time.perf_counter() - started:.1f} s", flush=True)


def fill_history(db_url: str, days: int) -> None:
    """Give every child `days` earlier weekdays of attendance (a day row and an in and out event each),
    once: a check-in on an empty table is planned and run against statistics no real morning has."""
    have = int(
        psql(db_url, "SELECT count(DISTINCT day) FROM attendance_attendanceday WHERE day < current_date")
    )
    if have >= days:
        return
    print(f"adding {days} weekdays of attendance history …", flush=True)
    started = time.perf_counter()
    days = int(days)
    sql = f"""
        TRUNCATE attendance_attendanceevent, attendance_attendanceday, attendance_absence;
        CREATE TEMP TABLE hist AS
            SELECT d::date AS day FROM generate_series(current_date - {days * 2}, current_date - 1, '1 day') d
            WHERE extract(isodow FROM d) < 6 ORDER BY d DESC LIMIT {days};
        INSERT INTO attendance_attendanceday
            (child_id, institution_id, klass_id, day, in_at, out_at, dropped_off_by, picked_up_by, status)
        SELECT c.id, c.institution_id, c.klass_id, h.day, h.day + time '08:00', h.day + time '17:00', '', '',
               'left'
        FROM hist h CROSS JOIN children_child c ORDER BY h.day, c.id;
        INSERT INTO attendance_attendanceevent
            (child_id, institution_id, klass_id, kind, at, day, client_ref, recorded_by_id, via, person_kind,
             guardian_id, pickup_person_id, person_name, created_at)
        SELECT d.child_id, d.institution_id, d.klass_id, k.kind,
               CASE k.kind WHEN 'in' THEN d.in_at ELSE d.out_at END, d.day,
               'h' || d.id || k.kind, NULL, 'staff', '', NULL, NULL, '', d.in_at
        FROM attendance_attendanceday d CROSS JOIN (VALUES ('in'), ('out')) k(kind) ORDER BY d.day, d.id;
        """  # noqa: S608 - integers only
    psql(db_url, sql)
    print(f"history added in {time.perf_counter() - started:.1f} s", flush=True)


def cpu_seconds(server_pgid: int, backend_pids: list[str]) -> dict[str, float]:
    """CPU seconds so far of the server's processes (its process group), of the given PostgreSQL backends,
    of wrk, and of the whole machine (/proc/stat): divided by the requests, a figure that other load on
    the machine does not change, unlike requests/s."""
    tick = os.sysconf("SC_CLK_TCK")
    server = backends = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
        if int(fields[2]) == server_pgid:  # pgrp
            server += used
        elif entry.name in backend_pids:
            backends += used
    machine = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    busy = sum(int(v) for i, v in enumerate(machine) if i not in (3, 4)) / tick  # all but idle and iowait
    wrk = os.times().children_user + os.times().children_system
    return {"server": server, "postgres": backends, "wrk": wrk, "machine": busy}


def start_server(env: dict[str, str], workers: int, threads: int) -> subprocess.Popen[bytes]:
    granian = str(ROOT / ".venv" / "bin" / "granian")
    cmd = [
        granian,
        "--interface",
        "wsgi",
        "--host",
        "127.0.0.1",
        "--port",
        str(PORT),
        "--workers",
        str(workers),
        "--blocking-threads",
        str(threads),
        "--log-level",
        "warning",
        "--no-access-log",
        "config.wsgi:application",
    ]
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, start_new_session=True)  # noqa: S603
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"granian exited with status {proc.returncode}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/api/v1/regions/320000000000", timeout=2)  # noqa: S310
            return proc
        except urllib.error.HTTPError:
            return proc
        except OSError:
            time.sleep(0.5)
    stop_server(proc)
    raise SystemExit("granian did not start")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db-url", default="postgres://postgres@127.0.0.1:5432/tuoyu_bench")
    parser.add_argument("--institutions", type=int, default=500)
    parser.add_argument("--children", type=int, default=40_000)
    parser.add_argument("--duration", type=int, default=20, help="seconds of load")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="granian worker processes (one per core)")
    parser.add_argument("--blocking-threads", type=int, default=2, help="granian threads per worker")
    parser.add_argument("--retry-share", type=float, default=0.05)
    parser.add_argument("--history-days", type=int, default=20, help="earlier weekdays of attendance")
    parser.add_argument("--fresh", action="store_true", help="rebuild the database")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")

    env = {
        **os.environ,
        "DATABASE_URL": args.db_url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "CONN_MAX_AGE": "600",
        "DEBUG": "0",
    }
    children_file = ROOT / "var" / "bench_checkin_children.txt"
    if ensure_database(args.db_url, args.fresh) or not children_file.exists():
        if (
            not args.fresh
            and psql(args.db_url, "SELECT 1 FROM pg_tables WHERE tablename='children_child'") == "1"
        ):
            # Populated by an earlier run whose children file is gone: rebuild from scratch.
            return main_fresh()
        populate(env, args.institutions, args.children)
    else:
        try:
            sh([sys.executable, "manage.py", "migrate", "--no-input"], env=env)
        except subprocess.CalledProcessError as exc:
            # Migrations rewritten since the database was built (a development tree): build it again.
            print("migrate failed, rebuilding the bench database:", exc.stderr.strip().splitlines()[-1:])
            return main_fresh()
    n_children = sum(1 for _ in children_file.open())
    fill_history(args.db_url, args.history_days)
    # Today's rows go; the history stays, so the tables and their statistics look like a morning's.
    for table in ("attendance_attendanceevent", "attendance_attendanceday", "attendance_absence"):
        psql(args.db_url, f"DELETE FROM {table} WHERE day >= current_date")  # noqa: S608 - own table names
    psql(args.db_url, "VACUUM ANALYZE")

    proc = start_server(env, args.workers, args.blocking_threads)
    try:
        # Warm up each worker's imports and connections on a few requests (not counted).
        wenv = {
            **os.environ,
            "CHILDREN_FILE": str(children_file),
            "RETRY_SHARE": str(args.retry_share),
            "OFFSET": str(n_children - 200),
            "MAX_NEW": "200",
            "REPORT": "0",
            "THREADS": "1",
        }
        sh(["wrk", "-t1", "-c4", "-d2s", "-s", str(LUA), f"http://127.0.0.1:{PORT}"], env=wenv)
        load_before = os.getloadavg()
        backends = psql(
            args.db_url,
            "SELECT string_agg(pid::text, ' ') FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()",
        ).split()
        cpu_before = cpu_seconds(proc.pid, backends)
        wenv.update(OFFSET="0", MAX_NEW=str(n_children - 200), REPORT="1", THREADS=str(args.threads))
        cmd = [
            "wrk",
            f"-t{args.threads}",
            f"-c{args.connections}",
            f"-d{args.duration}s",
            "--latency",
            "-s",
            str(LUA),
            f"http://127.0.0.1:{PORT}",
        ]
        print("running:", " ".join(cmd), flush=True)
        result = sh(cmd, env=wenv, timeout=args.duration + 120)
        cpu_after = cpu_seconds(proc.pid, backends)
        load_after = os.getloadavg()
    finally:
        stop_server(proc)
    out = result.stdout
    print(out)
    stats = json.loads(re.search(r"JSON (\{.*\})", out).group(1))  # type: ignore[union-attr]

    doubles = psql(
        args.db_url,
        "SELECT count(*) FROM (SELECT child_id, day FROM attendance_attendanceevent WHERE kind='in' "
        "GROUP BY child_id, day HAVING count(*) > 1) d",
    )
    day_doubles = psql(
        args.db_url,
        "SELECT count(*) FROM (SELECT child_id, day FROM attendance_attendanceday GROUP BY child_id, day "
        "HAVING count(*) > 1) d",
    )
    events = int(psql(args.db_url, "SELECT count(*) FROM attendance_attendanceevent"))
    days = int(psql(args.db_url, "SELECT count(*) FROM attendance_attendanceday"))
    print("=" * 72)
    print(
        f"machine: nproc={os.cpu_count()} load average before={load_before[0]:.2f} after={load_after[0]:.2f} "
        f"(other processes share these cores: the figure is provisional)"
    )
    print(
        f"server: granian WSGI, {args.workers} workers × {args.blocking_threads} threads; "
        f"wrk {args.threads} thread(s), {args.connections} connections, {args.duration} s"
    )
    print(
        f"requests/s: {stats['rps']:.0f}   requests: {stats['requests']}   "
        f"(new check-ins {stats['new']}, retries {stats['retries']})"
    )
    print(
        f"latency ms: p50 {stats['p50']:.1f}   p95 {stats['p95']:.1f}   p99 {stats['p99']:.1f}   "
        f"max {stats['max']:.1f}"
    )
    print(f"statuses: {stats['status']}   socket errors: {stats['errors']}")
    print(
        f"database: {events} events, {days} day rows; children with two check-ins: {doubles}; "
        f"duplicate day rows: {day_doubles}"
    )
    per = {k: 1000 * (cpu_after[k] - cpu_before[k]) / max(stats["requests"], 1) for k in cpu_after}
    print(
        f"CPU ms per request: Python (granian workers) {per['server']:.2f}   PostgreSQL backends "
        f"{per['postgres']:.2f}   wrk {per['wrk']:.2f}   whole machine {per['machine']:.2f} "
        f"(2 cores give {2000 / max(per['machine'], 0.001):.0f} requests/s at this cost)"
    )
    target = stats["rps"] >= 1000 and stats["p99"] < 100
    print(f"target ≥1,000 req/s and p99 < 100 ms: {'met' if target else 'NOT met'}")
    return 0 if doubles == "0" and day_doubles == "0" else 1


def main_fresh() -> int:
    sys.argv.append("--fresh")
    return main()


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--populate-only":
        _populate_here(int(sys.argv[2]), int(sys.argv[3]))
        sys.exit(0)
    sys.exit(main())
