"""Background tasks of the parent end (django-tasks).

django-tasks has no scheduler: run the daily digest from cron (or a systemd timer) in the evening,
either enqueuing it for the worker (`manage.py db_worker`) or running the command inline:

    0 19 * * *  cd /srv/tuoyu && .venv/bin/python manage.py send_daily_digest --enqueue
    0 19 * * *  cd /srv/tuoyu && .venv/bin/python manage.py send_daily_digest
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django_tasks import task


@task()
def send_daily_digest(day: str | None = None) -> dict[str, Any]:
    """Collect each parent's non-urgent notifications of `day` (ISO date; default today) into one
    digest. Idempotent: a second run for the same day collects nothing twice."""
    from .services import digest_send

    when = dt.date.fromisoformat(day) if day else timezone.localdate()
    result = digest_send(day=when)
    return {"day": when.isoformat(), "digests": result.digests, "notifications": result.notifications}
