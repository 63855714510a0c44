"""Demo credit records and tiers (runs last): `manage.py demo_credit --seed 1`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tuoyu.credit.demo import add_demo_credit


class Command(BaseCommand):
    help = "Run the credit sweep, post demo records and recompute every tier (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, seed: int, **options: Any) -> None:
        add_demo_credit(seed=seed, stdout=self.stdout)
