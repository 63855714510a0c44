"""Add demo growth measurements (after demo_children): `manage.py demo_growth --seed 1`.

Does nothing if any measurement exists. `--reset` first deletes every growth row (development
databases only).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tuoyu.growth.demo import add_demo_growth, growth_reset


class Command(BaseCommand):
    help = "Create demo growth measurements (one per enrolled child; a series at the demo director's centre)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--reset", action="store_true", help="First delete ALL growth rows (development only)."
        )

    def handle(self, *args: Any, seed: int, reset: bool, **options: Any) -> None:
        if reset:
            self.stdout.write(f"{growth_reset()} growth rows deleted.")
        add_demo_growth(seed=seed, stdout=self.stdout)  # type: ignore[arg-type]
