"""Collect the day's non-urgent notifications into one digest per parent: `manage.py send_daily_digest`.

The digest rows are what a delivery channel (SMS, WeChat) would be handed; that channel is not
connected, so parents read their digest on the site (/parents/notifications/).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from tuoyu.parents.services import digest_send


class Command(BaseCommand):
    help = "Collect each parent's non-urgent notifications of a day into one daily digest (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--day", help="The day (YYYY-MM-DD); default today.")
        parser.add_argument("--enqueue", action="store_true", help="Enqueue the task for the worker.")

    def handle(self, *args: Any, day: str | None, enqueue: bool, **options: Any) -> None:
        try:
            when = dt.date.fromisoformat(day) if day else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"--day: {exc}") from exc
        if enqueue:
            from tuoyu.parents.tasks import send_daily_digest

            result = send_daily_digest.enqueue(day=when.isoformat())
            self.stdout.write(f"Enqueued daily digest for {when}: {result.id}")
            return
        outcome = digest_send(day=when)
        self.stdout.write(
            f"Daily digest {when}: {outcome.digests} digests, {outcome.notifications} notifications."
        )
