"""Exit 0 if the PostgreSQL database URL given as argument answers, 1 otherwise (used by `make test`)."""

from __future__ import annotations

import sys


def main(url: str) -> int:
    import psycopg

    # Connect to the server's maintenance database: the test database is created by the test run.
    try:
        with psycopg.connect(url, connect_timeout=3, dbname="postgres") as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        print(f"PostgreSQL not reachable at {url}: {exc}".strip(), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
