"""`manage.py escalate_complaints [--date YYYY-MM-DD] [--enqueue]`: move every overdue open complaint up
one handling level (county → city → province), reset its deadline and tell the new level's officials."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from tuoyu.complaints.services import escalate_overdue
from tuoyu.complaints.tasks import escalate_complaints_task


def _date(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise CommandError(f"--date must be YYYY-MM-DD, not {raw!r}") from None


class Command(BaseCommand):
    help = "Escalate overdue complaints one level up (run daily from cron)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=_date, default=None, help="YYYY-MM-DD (default: today)")
        parser.add_argument("--enqueue", action="store_true", help="Hand it to the background worker.")

    def handle(self, *args: Any, date: dt.date | None, enqueue: bool, **options: Any) -> None:
        day = date or timezone.localdate()
        if enqueue:
            result = escalate_complaints_task.enqueue(day=day.isoformat())
            self.stdout.write(f"Enqueued the escalation of {day} (task {result.id}).")
            return
        self.stdout.write(f"{escalate_overdue(today=day)} complaints escalated ({day}).")
