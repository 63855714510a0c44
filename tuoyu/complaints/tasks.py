"""Background tasks of the complaints app (django-tasks).

django-tasks has no scheduler: run `manage.py escalate_complaints` (or `--enqueue` with `db_worker`
running) from cron each morning, e.g. `15 6 * * * ... manage.py escalate_complaints`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django_tasks import task


@task()
def escalate_complaints_task(day: str | None = None) -> dict[str, Any]:
    """Move every overdue open complaint up one level (county → city → province)."""
    from .services import escalate_overdue

    on = dt.date.fromisoformat(day) if day else timezone.localdate()
    return {"day": on.isoformat(), "escalated": escalate_overdue(today=on)}
