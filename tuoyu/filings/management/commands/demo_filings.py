"""Add demo filings in 玄武区 (run after the demo generator): `manage.py demo_filings --seed 1`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tuoyu.filings.demo import add_demo_filings


class Command(BaseCommand):
    help = "Create demo filings in 玄武区: one overdue for receipt, one received, one rejected."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, seed: int, **options: Any) -> None:
        created = add_demo_filings(seed)
        self.stdout.write(f"{len(created)} demo filings created.")
