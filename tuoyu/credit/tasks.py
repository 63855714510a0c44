"""Background tasks of the credit app (django-tasks; no scheduler: cron `manage.py credit_sweep
--enqueue --all` daily with `db_worker` running, or the command inline)."""

from __future__ import annotations

from typing import Any

from django_tasks import task


@task()
def credit_sweep_task(recompute_all: bool = True) -> dict[str, Any]:
    """The daily sweep, then (by default) a recompute of every institution as records expire."""
    from .services import credit_recompute, credit_sweep

    result = credit_sweep()
    changes = len(credit_recompute().changes) if recompute_all else 0
    return {"posted": result.posted, "revoked": result.revoked, "changes": changes}
