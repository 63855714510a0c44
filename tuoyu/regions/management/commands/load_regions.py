"""Load division codes: Jiangsu from the shipped data, or any province from CSV files."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tuoyu.core.imports import ImportFailed
from tuoyu.regions.services import JIANGSU_FILES, regions_load, regions_load_jiangsu


class Command(BaseCommand):
    help = (
        "Load administrative divisions. "
        "Without FILE: Jiangsu (divisions, communities, 2020 census population). "
        "FILE columns: code,name,level,parent_code,kind "
        "(or code,name,township_code,kind for communities). "
        "All or nothing; loading again reports what changed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="*", help="CSV files, parents before children")

    def handle(self, *args: Any, files: list[str], **options: Any) -> None:
        try:
            if files:
                report = regions_load(sources=files)
                self.stdout.write(self.style.SUCCESS(f"regions: {report.summary()}"))
            else:
                report, population = regions_load_jiangsu()
                self.stdout.write(
                    self.style.SUCCESS(
                        f"regions ({', '.join(p.name for p in JIANGSU_FILES)}): {report.summary()}"
                    )
                )
                self.stdout.write(self.style.SUCCESS(f"population: {population.summary()}"))
        except ImportFailed as exc:
            for error in exc.errors[:100]:
                self.stderr.write(str(error))
            if len(exc.errors) > 100:
                self.stderr.write(f"... and {len(exc.errors) - 100} more")
            raise CommandError(f"{len(exc.errors)} error(s); nothing was loaded.") from exc
        if report.not_in_file:
            sample = ", ".join(report.not_in_file[:10])
            self.stdout.write(
                self.style.WARNING(
                    f"{len(report.not_in_file)} region(s) in the database are not in the file "
                    f"(kept): {sample}"
                )
            )
