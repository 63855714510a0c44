"""Add demo complaints (after demo_supervision): `manage.py demo_complaints --seed 1`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tuoyu.complaints.demo import add_demo_complaints


class Command(BaseCommand):
    help = "Create demo complaints across the province in every state, some escalated, some substantiated."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--count", type=int, default=300)

    def handle(self, *args: Any, seed: int, count: int, **options: Any) -> None:
        add_demo_complaints(seed=seed, count=count, stdout=self.stdout)
