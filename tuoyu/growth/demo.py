"""Demo growth records: `manage.py demo_growth --seed 1` (after demo_children).

Every enrolled child gets one measurement in the last three months (province scale, ~155,000 rows).
The children of the demo director's institution get a monthly series over the last year instead,
except every tenth child whose series stopped four months ago, so the "due a measurement" list has
something to show.

Values are drawn from the WHO distributions: each child has its own z for length/height-for-age,
weight-for-length/height and head-circumference-for-age, z ~ N(0, 1) (plus a little noise per visit),
turned into a measurement by inverting the LMS transform at the child's age (weight at the child's
length: weight follows length as in real children); a few per cent therefore
fall below −2 (flagged). Weight is rounded to 0.1 kg, length/height and head to 0.1 cm; length lying
before 24 months, height standing after. Scores are computed by the same code as the service
(`services.measurement_scores`); rows are inserted in batches of 5,000 with one executemany each
(the ORM's bulk_create took most of the time at this scale).

Everything comes from `random.Random(seed)` in child-id order; dates count back from today. Skips if
any growth measurement exists; `growth_reset` deletes every growth row (development databases only).
"""

from __future__ import annotations

import random
import time
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, TextIO

from django.db import connection, transaction
from django.utils import timezone

from tuoyu.accounts.choices import Role
from tuoyu.accounts.models import RoleAssignment
from tuoyu.children.models import Child

from . import who
from .models import GrowthMeasurement
from .services import measurement_scores

BATCH_SIZE = 5000
DEMO_DIRECTOR = "demo_director"
SERIES_MONTHS = 12
STOPPED_EVERY = 10  # every tenth child at the director's institution is due
VISIT_NOISE = 0.12  # SD of the per-visit wobble around the child's own z


def growth_reset() -> int:
    deleted, _ = GrowthMeasurement.objects.all().delete()
    return deleted


def _director_institution_id() -> int | None:
    return (
        RoleAssignment.objects.filter(user__username=DEMO_DIRECTOR, role=Role.DIRECTOR, active=True)
        .values_list("institution_id", flat=True)
        .first()
    )


def _value(indicator: str, sex: str, age_days: int, z: float) -> Decimal | None:
    lms = who.lms_for_age(indicator, sex, age_days)  # type: ignore[arg-type]
    if lms is None:
        return None
    return Decimal(f"{lms.sd(z):.1f}")


def _row(
    rng: random.Random, child: tuple[int, str, date, int], zs: tuple[float, float, float], on: date
) -> dict[str, Any]:
    child_id, sex, birth, institution_id = child
    age = (on - birth).days
    z_w, z_l, z_h = (z + rng.gauss(0, VISIT_NOISE) for z in zs)
    length = _value("lhfa", sex, age, z_l)
    # Weight follows length (z drawn on weight-for-length/height), as in real children; weight-for-age
    # then comes out close to N(0, 1) too. Outside the length tables: weight-for-age.
    weight = None
    if length is not None:
        table = "wfl" if age < who.STANDING_FROM_DAYS else "wfh"
        lms = who.lms_for_length(table, sex, float(length))  # type: ignore[arg-type]
        weight = Decimal(f"{lms.sd(z_w):.1f}") if lms is not None else None
    if weight is None:
        weight = _value("wfa", sex, age, z_w)
    head = _value("hcfa", sex, age, z_h)
    position = who.expected_position(age) if length is not None else ""
    if weight is None and length is None and head is None:
        weight = Decimal("15.0")  # older than the tables: a plausible weight, no z-scores
    return {
        "child_id": child_id,
        "institution_id": institution_id,
        "measured_on": on,
        "age_days": age,
        "weight_kg": weight,
        "length_cm": length,
        "position": position,
        "head_cm": head,
        **measurement_scores(
            sex=sex, age_days=age, weight_kg=weight, length_cm=length, position=position, head_cm=head
        ),
    }


def _insert(rows: list[dict[str, Any]], now: Any) -> None:
    """One INSERT … VALUES statement run for many rows (executemany): the ORM's bulk_create spends most
    of its time preparing 30 values per row and, on SQLite, sends 33 rows per statement."""
    columns = [*rows[0], "recorded_by_id", "note", "created_at"]
    table = GrowthMeasurement._meta.db_table
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    # Identifiers come from the model and our own dict keys (quoted); values are parameters.
    sql = f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})"  # noqa: S608
    params = [(*row.values(), None, "", now) for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def add_demo_growth(
    *, seed: int = 1, stdout: TextIO | None = None, today: date | None = None
) -> dict[str, Any]:
    """Write the demo measurements; returns counts (and does nothing if any measurement exists)."""
    today = today or timezone.localdate()
    if GrowthMeasurement.objects.exists():
        if stdout:
            stdout.write("Growth measurements exist: nothing written.\n")
        return {"measurements": 0, "skipped": True}
    started = time.monotonic()
    rng = random.Random(seed)
    series_at = _director_institution_id()
    batch: list[dict[str, Any]] = []
    now = timezone.now()
    totals = {"children": 0, "measurements": 0, "series_children": 0}

    def flush() -> None:
        if batch:
            with transaction.atomic():
                _insert(batch, now)
            totals["measurements"] += len(batch)
            batch.clear()

    children = (
        Child.objects.filter(institution__isnull=False)
        .order_by("id")
        .values_list("id", "sex", "birth_date", "institution_id")
    )
    for child in children.iterator(chunk_size=BATCH_SIZE):
        totals["children"] += 1
        birth = child[2]
        zs = (rng.gauss(0, 1), rng.gauss(0, 1), rng.gauss(0, 1))
        if child[3] == series_at:
            totals["series_children"] += 1
            stop = 4 if totals["series_children"] % STOPPED_EVERY == 0 else 0
            offset = rng.randint(0, 20)
            for month in range(SERIES_MONTHS - 1, stop - 1, -1):
                on = today - timedelta(days=offset + round(month * 30.4375))
                if on >= birth + timedelta(days=14):
                    batch.append(_row(rng, child, zs, on))
        else:
            on = max(today - timedelta(days=rng.randint(0, 89)), birth)
            batch.append(_row(rng, child, zs, on))
        if len(batch) >= BATCH_SIZE:
            flush()
    flush()
    totals["seconds"] = round(time.monotonic() - started, 1)  # type: ignore[assignment]
    if stdout:
        stdout.write(
            f"{totals['measurements']} measurements for {totals['children']} children "
            f"({totals['series_children']} with a year's series) in {totals['seconds']} s.\n"
        )
    return totals
