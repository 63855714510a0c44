"""Loading the shipped assessment form (`data/wst821_2023.json`) into the database.

Used by migration 0002 (with the historical models) and by `manage.py load_quality_form`. Loading is
idempotent: a form with the same standard and version is left as it is (the province may have edited
it since).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).resolve().parent / "data" / "wst821_2023.json"


def read_form_data(path: Path = DATA_FILE) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def load_form(form_model: Any, dimension_model: Any, item_model: Any, path: Path = DATA_FILE) -> Any:
    """Create the form of `path` (active, unless the standard already has an active version); return it,
    or the existing one with the same standard and version."""
    data = read_form_data(path)
    existing = form_model.objects.filter(standard=data["standard"], version=data["version"]).first()
    if existing is not None:
        return existing
    cut = data.get("cutoffs") or {}
    has_active = form_model.objects.filter(standard=data["standard"], status="active").exists()
    form = form_model.objects.create(
        name=data["name"],
        standard=data["standard"],
        version=data["version"],
        effective_on=date.fromisoformat(data["effective_on"]),
        status="draft" if has_active else "active",
        source_note=data["source_note"],
        complete=bool(data.get("complete", False)),
        cutoff_a=cut.get("a"),
        cutoff_b=cut.get("b"),
        cutoff_c=cut.get("c"),
        cutoffs_provisional=bool(cut.get("provisional", True)),
        cutoffs_source=cut.get("source", ""),
    )
    item_defaults = data.get("item_defaults", {})
    dimension_defaults = data.get("dimension_defaults", {})
    for order, dim in enumerate(data["dimensions"], start=1):
        dimension = dimension_model.objects.create(
            form=form,
            code=dim["code"],
            name=dim["name"],
            order=order,
            max_points=dim.get("max_points"),
            points_verified=dim.get("points_verified", dimension_defaults.get("points_verified", False)),
            source=dim.get("source", dimension_defaults.get("source", "")),
        )
        item_model.objects.bulk_create(
            item_model(dimension=dimension, order=i, **{**item_defaults, **item})
            for i, item in enumerate(dim.get("items", []), start=1)
        )
    return form
