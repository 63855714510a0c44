"""Demo inspections in every state, rectification notices and published results."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tuoyu.supervision.demo import run


class Command(BaseCommand):
    help = "Fill demo inspections (after demo_spotchecks if it ran). Idempotent."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        result = run(seed=options["seed"])
        self.stdout.write(str(result))
