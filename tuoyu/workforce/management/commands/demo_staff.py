"""Add demo staff to every operating institution (after the demo generator): `manage.py demo_staff --seed 1`.

Does nothing if any employment exists. `--reset` first deletes every workforce row (people, jobs,
qualifications, background checks, alerts; not ban records): for development databases only.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tuoyu.workforce.demo import add_demo_staff, staff_reset


class Command(BaseCommand):
    help = "Create demo staff for every operating institution, sized on the 2021 baseline."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--reset",
            action="store_true",
            help="First delete ALL workforce rows except ban records (development databases only).",
        )

    def handle(self, *args: Any, seed: int, reset: bool, **options: Any) -> None:
        if reset:
            deleted = staff_reset()
            self.stdout.write(f"{deleted} workforce rows deleted.")
        add_demo_staff(
            seed=seed,
            stdout=self.stdout,
            progress_stream=sys.stderr if options["verbosity"] >= 1 else None,
        )
