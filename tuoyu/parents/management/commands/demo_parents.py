"""Add demo data of the parent end (after demo_care): `manage.py demo_parents --seed 1`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tuoyu.parents.demo import DemoParentsError, add_demo_parents


class Command(BaseCommand):
    help = "Create demo messages, notifications and a daily digest for demo_parent (replaces its own rows)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, seed: int, **options: Any) -> None:
        try:
            add_demo_parents(seed=seed, stdout=self.stdout)
        except DemoParentsError as exc:
            raise CommandError(str(exc)) from exc
