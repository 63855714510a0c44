"""Give demo classes an enrolment and put demo caregivers in them: `manage.py demo_ratios --seed 1`.

Run after `demo_staff` (which runs this step itself on a fresh database). Does nothing if any class
assignment exists. `--reset` first removes every assignment and every declared enrolment: for
development databases only.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tuoyu.workforce.demo_ratios import add_demo_ratios, ratios_reset


class Command(BaseCommand):
    help = "Declare demo enrolment per class and assign demo caregivers to classes (a few classes breach)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--reset",
            action="store_true",
            help="First delete ALL class assignments and enrolment counts (development databases only).",
        )

    def handle(self, *args: Any, seed: int, reset: bool, **options: Any) -> None:
        if reset:
            deleted = ratios_reset()
            self.stdout.write(f"{deleted} class assignments deleted.")
        add_demo_ratios(seed=seed, stdout=self.stdout)
