"""``manage.py demo_data``: fill the database with a synthetic Jiangsu for demos and load tests."""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tuoyu.devtools.demo import SCALES, DemoDataError, demo_data_generate, demo_summary


class Command(BaseCommand):
    """Thin wrapper around tuoyu.devtools.demo: parse options, run, print the summary and logins."""

    help = (
        "Generate demo data: institutions, synthetic county population and points, demo logins. "
        "--scale province rebuilds the plan's 2021 baseline (4,423 institutions, 221,000 places); "
        "--scale small puts 3 institutions in each district of Nanjing. Deterministic for a --seed. "
        "--reset deletes ALL institutions and the demo_ users first; --if-empty does nothing when "
        "institutions exist."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=sorted(SCALES), default="small")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--password", required=True, help="Password of every demo login.")
        when = parser.add_mutually_exclusive_group()
        when.add_argument(
            "--reset",
            action="store_true",
            help="Delete all institutions, demo_ users and earlier demo data first.",
        )
        when.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if any institution exists (so `make demo` can run twice).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        try:
            outcome = demo_data_generate(
                scale=options["scale"],
                seed=options["seed"],
                password=options["password"],
                reset=options["reset"],
                if_empty=options["if_empty"],
                # Progress goes to the real stderr: the bars redraw with "\r", which Django's
                # OutputWrapper would end with a newline each time.
                progress_stream=sys.stderr if options["verbosity"] >= 1 else None,
            )
        except DemoDataError as exc:
            raise CommandError(str(exc)) from exc
        if outcome.skipped:
            self.stdout.write(self.style.WARNING(outcome.message))
            return
        elapsed = time.monotonic() - started
        summary = demo_summary()
        write = self.stdout.write
        write(
            self.style.SUCCESS(
                f"Demo data generated (scale {options['scale']}, seed {options['seed']}) in {elapsed:.1f} s"
            )
        )
        write(
            "Institutions by status: " + ", ".join(f"{status} {n}" for status, n in summary.by_status.items())
        )
        write(f"Operating places: {summary.operating_places:,}")
        per_thousand = "-" if summary.places_per_thousand is None else f"{summary.places_per_thousand:.2f}"
        write(f"Places per 1,000 residents: {per_thousand} (census population {summary.population:,})")
        write(f"Inclusive (普惠) institutions: {summary.inclusive}")
        write(f"Demo logins (password: {options['password']}):")
        for login in outcome.logins:
            scope = f" @ {login.scope}" if login.scope else ""
            write(f"  {login.username:<22} {login.role:<18} {login.display_name}{scope}")
        if options["verbosity"] >= 2:
            for stage, seconds in outcome.stage_seconds.items():
                write(f"  {stage:<20} {seconds:6.2f} s")
