"""Add demo enforcement data (after the other supervision demos): `manage.py demo_enforcement --seed 1`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tuoyu.enforcement.demo import add_demo_enforcement


class Command(BaseCommand):
    help = (
        "Create demo warnings, orders, fines, a suspension, a closed and a closing institution, an emergency."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, seed: int, **options: Any) -> None:
        add_demo_enforcement(seed=seed, stdout=self.stdout)
