"""`manage.py demo_planning --seed 1 [--history-months 24]`: the planning demo records and trend history."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from tuoyu.planning.demo import HISTORY_MONTHS, demo_indicator_history, demo_planning_generate


class Command(BaseCommand):
    help = (
        "Add demo new residential projects, demonstration and service-centre designations, and monthly "
        "indicator snapshots for the dashboard's trends (idempotent)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--history-months",
            type=int,
            default=HISTORY_MONTHS,
            help="Snapshots on the 1st of each of the last N months that have none (0: none).",
        )

    def handle(self, *args: Any, seed: int, history_months: int, **options: Any) -> None:
        demo_planning_generate(seed=seed, stdout=self.stdout)  # type: ignore[arg-type]
        if history_months > 0:
            started = time.perf_counter()
            done = demo_indicator_history(
                today=timezone.localdate(),
                months=history_months,
                stdout=self.stdout if options.get("verbosity", 1) > 1 else None,  # type: ignore[arg-type]
            )
            seconds = time.perf_counter() - started
            self.stdout.write(f"Indicator history: {len(done)} monthly snapshots added in {seconds:.1f} s.")
