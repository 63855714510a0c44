"""Mark rectification orders past their deadline overdue and post the late-rectification credit record."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tuoyu.supervision.services import rectification_sweep


class Command(BaseCommand):
    help = "Mark overdue rectification orders (run daily)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = rectification_sweep()
        self.stdout.write(f"{count} rectification orders marked overdue.")
