"""Browser tests run in transactional databases, which are flushed between tests: the plan's targets,
loaded by a data migration, are gone after the first one. Load them again where missing."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _plan_targets(transactional_db):  # type: ignore[no-untyped-def]
    from tuoyu.planning.models import PlanTarget
    from tuoyu.planning.services import plan_targets_load

    if not PlanTarget.objects.exists():
        plan_targets_load(actor=None)
