"""Add demo training records (after demo_staff): `manage.py demo_training --seed 1`.

Does nothing if any training base or enrolment exists. `--reset` first deletes every training row
(bases, trainers, courses, sessions, enrolments): for development databases only.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tuoyu.training.demo import add_demo_training, training_reset


class Command(BaseCommand):
    help = "Create demo training bases, trainers, courses, sessions and enrolments for the demo staff."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--reset",
            action="store_true",
            help="First delete ALL training rows (development databases only).",
        )

    def handle(self, *args: Any, seed: int, reset: bool, **options: Any) -> None:
        if reset:
            deleted = training_reset()
            self.stdout.write(f"{deleted} training rows deleted.")
        add_demo_training(
            seed=seed,
            stdout=self.stdout,
            progress_stream=sys.stderr if options["verbosity"] >= 1 else None,
        )
