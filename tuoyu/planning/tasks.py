"""Background tasks of the planning app (django-tasks).

django-tasks runs tasks a worker picks up (`manage.py db_worker`) but has no scheduler: nothing
enqueues `recompute_indicators_monthly` by itself on the 1st. Schedule it with cron (or a systemd
timer) on the 1st of each month, either enqueuing it for the worker or running the command inline:

    5 0 1 * *  cd /srv/tuoyu && .venv/bin/python manage.py recompute_indicators --enqueue
    5 0 1 * *  cd /srv/tuoyu && .venv/bin/python manage.py recompute_indicators
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django_tasks import task


@task()
def recompute_indicators_monthly(as_of: str | None = None) -> dict[str, Any]:
    """Recompute every indicator for every region as of `as_of` (ISO date; default today) and store it."""
    from .services import indicators_recompute

    day = dt.date.fromisoformat(as_of) if as_of else timezone.localdate()
    result = indicators_recompute(as_of=day)
    return {"as_of": day.isoformat(), "rows": result.rows, "regions": result.regions,
            "kept_locked": result.kept_locked, "seconds": round(result.seconds, 3)}  # fmt: skip
