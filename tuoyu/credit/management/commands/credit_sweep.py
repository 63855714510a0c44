"""Post the credit records the credit app reads itself and recompute tiers: `manage.py credit_sweep`.

Run daily from cron (idempotent: each fact has a stable source_ref), e.g.
`30 1 * * * ... manage.py credit_sweep`, or with `--enqueue` through django-tasks (`db_worker`).
`--all` also recomputes every institution (records expire as the window moves on).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tuoyu.credit.services import credit_recompute, credit_sweep


class Command(BaseCommand):
    help = "Post filing, incident and designation credit records and recompute the tiers they touch."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="Then recompute every institution.")
        parser.add_argument("--enqueue", action="store_true", help="Enqueue the task instead of running it.")

    def handle(self, *args: Any, all: bool, enqueue: bool, **options: Any) -> None:  # noqa: A002
        if enqueue:
            from tuoyu.credit.tasks import credit_sweep_task

            credit_sweep_task.enqueue(recompute_all=all)
            self.stdout.write("Enqueued.")
            return
        result = credit_sweep()
        self.stdout.write(f"Posted {result.posted}, revoked {result.revoked}.")
        if all:
            recompute = credit_recompute()
            self.stdout.write(
                f"Recomputed {recompute.computed} institutions: {recompute.updated} updated, "
                f"{len(recompute.changes)} tier changes."
            )
