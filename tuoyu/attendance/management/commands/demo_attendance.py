"""Demo attendance after `demo_children`: `manage.py demo_attendance --seed 1` (see tuoyu/attendance/demo.py).

Re-running adds only what is missing; `--reset` first deletes the demo events and every day row, absence
and staff arrival of the days the demo writes (development databases only).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tuoyu.attendance.demo import add_demo_attendance


class Command(BaseCommand):
    help = (
        "Create demo check-ins, absences and staff attendance (today province-wide, "
        "30 days for the demo centre)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--reset", action="store_true", help="First delete the attendance of the demo's days."
        )

    def handle(self, *args: Any, seed: int, reset: bool, **options: Any) -> None:
        add_demo_attendance(seed=seed, stdout=self.stdout, reset=reset)
