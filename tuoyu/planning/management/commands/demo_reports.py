"""`manage.py demo_reports --seed 1`: last month's statistical reports of 南京市 and 无锡市."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tuoyu.planning.demo_reports import demo_reports_generate


class Command(BaseCommand):
    help = "Add last month's demo statistical reports for the counties of 南京市 and 无锡市 (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, seed: int, **options: Any) -> None:
        try:
            demo_reports_generate(seed=seed, stdout=self.stdout)  # type: ignore[arg-type]
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
