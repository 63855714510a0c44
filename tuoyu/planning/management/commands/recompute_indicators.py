"""`manage.py recompute_indicators [--date YYYY-MM-DD] [--enqueue]`: store every region's indicators.

Replaces that date's snapshot in one transaction (locked rows are kept). With `--enqueue` the work is
handed to the background worker (django-tasks) instead; cron runs this on the 1st of each month
(see tasks.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from tuoyu.planning.services import indicators_recompute
from tuoyu.planning.tasks import recompute_indicators_monthly


def _date(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise CommandError(f"--date must be YYYY-MM-DD, not {raw!r}") from None


class Command(BaseCommand):
    help = "Recompute every plan indicator for every region as of a date (default today) and store it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=_date, default=None, help="YYYY-MM-DD (default: today)")
        parser.add_argument("--enqueue", action="store_true", help="Hand it to the background worker.")

    def handle(self, *args: Any, date: dt.date | None, enqueue: bool, **options: Any) -> None:
        as_of = date or timezone.localdate()
        if as_of > timezone.localdate():
            raise CommandError("--date is in the future.")
        if enqueue:
            result = recompute_indicators_monthly.enqueue(as_of=as_of.isoformat())
            self.stdout.write(f"Enqueued the recomputation as of {as_of} (task {result.id}).")
            return
        done = indicators_recompute(as_of=as_of)
        kept = f", {done.kept_locked} locked rows kept" if done.kept_locked else ""
        self.stdout.write(
            f"Indicators as of {as_of}: {done.rows} rows for {done.regions} regions{kept} "
            f"in {done.seconds:.2f} s."
        )
