"""Background tasks of the health app (django-tasks).

django-tasks has no scheduler: run `manage.py record_daily_counts --enqueue` from cron each evening
with `db_worker` running (or the command inline), e.g. `55 23 * * * ... manage.py record_daily_counts`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django_tasks import task


@task()
def record_daily_counts_task(day: str | None = None) -> dict[str, Any]:
    """Store each operating institution's counts for `day` (ISO date; default today)."""
    from .statistics import record_daily_counts

    on = dt.date.fromisoformat(day) if day else timezone.localdate()
    return {"day": on.isoformat(), "rows": record_daily_counts(on)}
