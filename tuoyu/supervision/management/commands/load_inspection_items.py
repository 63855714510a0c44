"""Load the shipped inspection items (随机抽查事项清单); --update overwrites edited rows."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tuoyu.supervision.loading import load_items
from tuoyu.supervision.models import InspectionItem


class Command(BaseCommand):
    help = "Load the shipped inspection items; existing rows are kept unless --update."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--update", action="store_true", help="Overwrite the shipped fields of existing items"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        created, updated = load_items(InspectionItem, update=options["update"])
        self.stdout.write(f"{created} inspection items created, {updated} updated.")
