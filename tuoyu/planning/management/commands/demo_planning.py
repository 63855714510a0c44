"""`manage.py demo_planning --seed 1`: demo residential projects and designations the indicators need."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tuoyu.planning.demo import demo_planning_generate


class Command(BaseCommand):
    help = "Add demo new residential projects, demonstration and service-centre designations (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, seed: int, **options: Any) -> None:
        demo_planning_generate(seed=seed, stdout=self.stdout)  # type: ignore[arg-type]
