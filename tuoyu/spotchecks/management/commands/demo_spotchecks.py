"""Add demo spot checks (after demo_data): `manage.py demo_spotchecks --seed 1`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tuoyu.spotchecks.demo import add_demo_spotchecks


class Command(BaseCommand):
    help = (
        "Create demo inspectors in every county, conflict declarations, this year's plans with a batch, "
        "and their draws (which open routine inspections). Idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--password",
            default="",
            help="Password of the demo_inspector login (default: the same as demo_county_xuanwu's)",
        )

    def handle(self, *args: Any, seed: int, password: str, **options: Any) -> None:
        add_demo_spotchecks(seed=seed, password=password, stdout=self.stdout)
