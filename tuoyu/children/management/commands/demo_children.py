"""Fill the children register with demo children (after `demo_staff`): `manage.py demo_children --seed 1`.

Skips if demo enrolments exist. `--reset` first deletes EVERY row of the children register
(children, guardians, pick-up people, applications, enrolments, admission checks): development
databases only.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tuoyu.children.demo import add_demo_children, children_reset


class Command(BaseCommand):
    help = "Create demo children, guardians, enrolments and admission checks for the operating institutions."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--reset",
            action="store_true",
            help="First delete ALL rows of the children register (development databases only).",
        )

    def handle(self, *args: Any, seed: int, reset: bool, **options: Any) -> None:
        if reset:
            deleted = children_reset()
            self.stdout.write(f"{deleted} children register rows deleted.")
        add_demo_children(seed=seed, stdout=self.stdout)
