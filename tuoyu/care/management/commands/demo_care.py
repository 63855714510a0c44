"""Add demo care records (after demo_children): `manage.py demo_care --seed 1`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tuoyu.care.demo import add_demo_care, care_demo_reset


class Command(BaseCommand):
    help = "Create demo weekly menus for every operating institution, and a day of care at the demo centre."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--reset", action="store_true", help="First delete ALL care rows (development only)."
        )

    def handle(self, *args: Any, seed: int, reset: bool, **options: Any) -> None:
        if reset:
            self.stdout.write(f"{care_demo_reset()} care rows deleted.")
        add_demo_care(seed=seed, stdout=self.stdout)
