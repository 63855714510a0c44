"""`manage.py record_daily_counts [--date YYYY-MM-DD] [--enqueue]`: store every operating institution's
daily counts (enrolled, present, abnormal checks, overdue immunisations, growth flags, ratio breaches)
as `DailyCount` rows, replacing that day's rows."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from tuoyu.health.statistics import record_daily_counts
from tuoyu.health.tasks import record_daily_counts_task


def _date(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise CommandError(f"--date must be YYYY-MM-DD, not {raw!r}") from None


class Command(BaseCommand):
    help = "Store each operating institution's daily health and attendance counts for a day (default today)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=_date, default=None, help="YYYY-MM-DD (default: today)")
        parser.add_argument("--enqueue", action="store_true", help="Hand it to the background worker.")

    def handle(self, *args: Any, date: dt.date | None, enqueue: bool, **options: Any) -> None:
        day = date or timezone.localdate()
        if day > timezone.localdate():
            raise CommandError("--date is in the future.")
        if enqueue:
            result = record_daily_counts_task.enqueue(day=day.isoformat())
            self.stdout.write(f"Enqueued the daily counts of {day} (task {result.id}).")
            return
        started = time.monotonic()
        rows = record_daily_counts(day)
        self.stdout.write(
            f"Daily counts of {day}: {rows} institutions in {time.monotonic() - started:.1f} s."
        )
