"""`manage.py load_plan_targets file.csv --plan NAME`: add or update a plan period's targets (no code)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tuoyu.planning.services import PLAN_14TH, plan_targets_load


class Command(BaseCommand):
    help = "Load plan targets from a CSV (columns as tuoyu/planning/data/plan_targets.csv)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--plan", default=PLAN_14TH, help="The plan's name, e.g. 江苏省“十五五”托育服务发展规划"
        )

    def handle(self, *args: Any, file: Path, plan: str, **options: Any) -> None:
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        try:
            written = plan_targets_load(actor=None, path=file, plan=plan)
        except (ValidationError, KeyError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{written} targets loaded for {plan}.")
