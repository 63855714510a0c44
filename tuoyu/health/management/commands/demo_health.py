"""Demo health records (after demo_children and demo_attendance): `manage.py demo_health --seed 1`.

Today's morning checks at province scale (~2% abnormal), a month for the demo director's institution,
a fever-with-rash cluster in one township of 玄武区 (the alert opens through the rule), and vaccine
doses by the schedule (`--doses nanjing` (default) or `--doses all`), ~5% of children with one overdue.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tuoyu.health.demo import add_demo_health


class Command(BaseCommand):
    help = "Create demo morning/noon checks, a township symptom cluster and vaccine doses."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--doses",
            choices=["nanjing", "all"],
            default="nanjing",
            help="Children to give vaccine doses: those of 南京市 (default) or all.",
        )

    def handle(self, *args: Any, seed: int, doses: str, **options: Any) -> None:
        result = add_demo_health(seed=seed, doses=doses, stdout=self.stdout)
        self.stdout.write(f"demo_health done in {result['seconds']} s.")
