"""Add demo quality assessments (after the other demo commands): `manage.py demo_quality --seed 1`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tuoyu.quality.demo import add_demo_quality


class Command(BaseCommand):
    help = "Create demo WS/T 821 quality assessments in every state across a few hundred institutions."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, seed: int, **options: Any) -> None:
        add_demo_quality(seed=seed, stdout=self.stdout)
