"""The scenario page's rows: one hypothetical addition each, parsed from the page's GET parameters.

The rows travel as repeated parameters (`lat`, `lng`, `places`, `inclusive`, `institution`, one value
per row, in order), so a scenario is a plain URL that works without JavaScript and can be shared. This
form only parses one row; the rules (places 1–2000, point inside the region, ...) are checked by
`scenarios.resolve_additions`, the same for the page and the API.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from .scenarios import MAX_ADDITIONS, AdditionInput

ROW_FIELDS = ("lat", "lng", "places", "inclusive", "institution")
# Rows beyond this are not even parsed (the scenario itself allows MAX_ADDITIONS).
MAX_ROWS = MAX_ADDITIONS + 10


class ScenarioRowForm(forms.Form):
    lat = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    lng = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180)
    places = forms.IntegerField(label=_("Places"), required=False)
    inclusive = forms.TypedChoiceField(
        label=_("Inclusive"),
        choices=[("1", _("yes")), ("0", _("no"))],
        coerce=lambda v: v == "1",
        required=False,
        empty_value=False,  # type: ignore[arg-type]  # a blank choice is "not inclusive"
    )
    institution = forms.IntegerField(label=_("Existing institution (number)"), required=False, min_value=1)

    def addition(self) -> AdditionInput:
        data = self.cleaned_data
        return AdditionInput(
            places=data["places"],
            lat=data["lat"],
            lng=data["lng"],
            inclusive=bool(data["inclusive"]),
            institution=data["institution"],
        )


def rows_from(query: QueryDict) -> list[dict[str, str]]:
    """The non-blank rows of the query, in order (a row with no point, places or institution is blank)."""
    lists = {name: query.getlist(name)[:MAX_ROWS] for name in ROW_FIELDS}
    count = max((len(v) for v in lists.values()), default=0)
    rows = []
    for i in range(count):
        row = {name: (values[i].strip() if i < len(values) else "") for name, values in lists.items()}
        if any(row[name] for name in ("lat", "lng", "places", "institution")):
            rows.append(row)
    return rows


def query_items(rows: list[dict[str, str]]) -> list[tuple[str, str]]:
    """The rows back as repeated parameters, in order."""
    return [(name, row.get(name, "")) for row in rows for name in ROW_FIELDS]


def parse_row(row: dict[str, Any]) -> tuple[AdditionInput | None, dict[str, list[str]]]:
    form = ScenarioRowForm(data=row)
    if form.is_valid():
        return form.addition(), {}
    return None, {field: [str(e) for e in errors] for field, errors in form.errors.items()}
