"""Recount deadlines that were estimated across a year whose holiday schedule was not loaded."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tuoyu.filings.models import Filing
from tuoyu.filings.services import filing_recompute_deadlines


class Command(BaseCommand):
    help = "After adding a year's holiday schedule to holidays_override.csv: recount provisional deadlines."

    def handle(self, *args: Any, **options: Any) -> None:
        exact = filing_recompute_deadlines()
        left = Filing.objects.filter(deadlines_provisional=True).count()
        self.stdout.write(f"{exact} filing(s) now have exact deadlines; {left} still provisional.")
