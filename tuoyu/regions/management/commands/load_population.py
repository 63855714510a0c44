"""Load resident population per region and year from CSV."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tuoyu.core.imports import ImportFailed
from tuoyu.regions.services import population_load


class Command(BaseCommand):
    help = "Load resident population: CSV columns code,year,population[,source]. All or nothing; idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument(
            "--source", default="", help="Where the figures come from, when the file has no source column"
        )

    def handle(self, *args: Any, file: str, source: str, **options: Any) -> None:
        try:
            report = population_load(source=file, default_source=source)
        except ImportFailed as exc:
            for error in exc.errors[:100]:
                self.stderr.write(str(error))
            raise CommandError(f"{len(exc.errors)} error(s); nothing was loaded.") from exc
        self.stdout.write(self.style.SUCCESS(f"population: {report.summary()}"))
