"""Loading the shipped 随机抽查事项清单 (items_data.ITEMS) into InspectionItem."""

from __future__ import annotations

from typing import Any

from .items_data import ITEMS


def load_items(item_model: Any, *, update: bool = False) -> tuple[int, int]:
    """Create missing items; with update=True also overwrite shipped fields of existing ones (a
    province's own edits are otherwise kept). Returns (created, updated)."""
    existing = {i.code: i for i in item_model.objects.all()}
    created = updated = 0
    new = []
    for position, (code, kind, risk, category, title, document, article, tag) in enumerate(ITEMS, start=1):
        values = {
            "kind": kind,
            "risk": risk,
            "category": category,
            "title": title,
            "source_document": document,
            "source_article": article,
            "source_tag": tag,
            "position": position * 10,
        }
        row = existing.get(code)
        if row is None:
            new.append(item_model(code=code, **values))
            created += 1
        elif update:
            for key, value in values.items():
                setattr(row, key, value)
            row.save()
            updated += 1
    item_model.objects.bulk_create(new)
    return created, updated
