"""Reads of indicators: one region's values (from the date's snapshot, else computed), with targets."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from tuoyu.core.scoping import grants_for
from tuoyu.regions.models import Region
from tuoyu.regions.selectors import widest_region

from .choices import NoDataReason
from .compute import IndicatorValue, compute_indicators
from .definitions import DEFINITIONS, IndicatorDefinition
from .models import IndicatorSnapshot, PlanTarget

INDICATOR_LEVELS = ("province", "city", "county", "township")


@dataclass
class IndicatorRow:
    """An indicator of one region as shown: its definition, value, target and whether it is met."""

    definition: IndicatorDefinition
    value: float | None
    numerator: float | None
    denominator: float | None
    reason: str
    excluded: int | None
    target: PlanTarget | None

    @property
    def key(self) -> str:
        return self.definition.key

    @property
    def met(self) -> bool | None:
        return self.target.is_met(self.value) if self.target is not None else None

    @property
    def reason_text(self) -> str:
        return str(NoDataReason(self.reason).label) if self.reason else ""


@dataclass
class RegionIndicators:
    region: Region
    as_of: dt.date
    source: str  # "snapshot" or "computed"
    computed_at: dt.datetime | None
    rows: list[IndicatorRow]
    children: list[tuple[Region, dict[str, IndicatorRow]]]


def targets_for(as_of: dt.date) -> dict[tuple[str, str], PlanTarget]:
    return {(t.key, t.level): t for t in PlanTarget.objects.for_date(as_of)}


def _target(targets: dict[tuple[str, str], PlanTarget], key: str, level: str) -> PlanTarget | None:
    return targets.get((key, level)) or targets.get((key, ""))


def indicator_rows(
    level: str, values: dict[str, Any], targets: dict[tuple[str, str], PlanTarget]
) -> dict[str, IndicatorRow]:
    rows: dict[str, IndicatorRow] = {}
    for definition in DEFINITIONS:
        if level not in definition.levels:
            continue
        v = values.get(definition.key)
        rows[definition.key] = IndicatorRow(
            definition=definition,
            value=getattr(v, "value", None),
            numerator=getattr(v, "numerator", None),
            denominator=getattr(v, "denominator", None),
            reason=getattr(v, "reason", "")
            if v is not None
            else (NoDataReason.NO_RECORDS if definition.available else NoDataReason.NO_SOURCE),
            excluded=getattr(v, "excluded", None),
            target=_target(targets, definition.key, level),
        )
    return rows


def region_indicators(region: Region, as_of: dt.date) -> RegionIndicators:
    """The region's indicators and its children's: the date's snapshot if it has the region, else computed.

    Computing covers only the region's subtree and stores nothing.
    """
    children = list(region.children.filter(level__in=INDICATOR_LEVELS).order_by("code"))
    codes = [region.code, *(c.code for c in children)]
    snapshot = list(IndicatorSnapshot.objects.filter(as_of=as_of, region_id__in=codes))
    by_region: dict[str, dict[str, Any]] = {code: {} for code in codes}
    computed_at = None
    if any(s.region_id == region.code for s in snapshot):
        source = "snapshot"
        for s in snapshot:
            by_region[s.region_id][s.key] = s
            computed_at = max(computed_at, s.computed_at) if computed_at else s.computed_at
    else:
        source = "computed"
        value: IndicatorValue
        for value in compute_indicators(as_of, root=region):
            if value.region_code in by_region:
                by_region[value.region_code][value.key] = value
    targets = targets_for(as_of)
    return RegionIndicators(
        region=region,
        as_of=as_of,
        source=source,
        computed_at=computed_at,
        rows=list(indicator_rows(region.level, by_region[region.code], targets).values()),
        children=[(c, indicator_rows(c.level, by_region[c.code], targets)) for c in children],
    )


def may_see_indicators(user: Any) -> bool:
    """Officials (any government role, national observers included) and superusers."""
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_official", False))


def covers(user: Any, region: Region) -> bool:
    return grants_for(user, "view").covers_code(region.code)


def default_region(user: Any) -> Region | None:
    """The widest region the user's grants cover (the province for national observers)."""
    return widest_region(grants_for(user, "view"))


def parse_as_of(raw: str | None) -> dt.date:
    """A YYYY-MM-DD date not in the future (ValueError with a message otherwise); empty means today."""
    from django.utils import timezone

    today = timezone.localdate()
    if not raw:
        return today
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        raise ValueError(_("Give the date as YYYY-MM-DD.")) from None
    if day > today:
        raise ValueError(_("The date is in the future."))
    if day.year < 2000:
        raise ValueError(_("The date is too early."))
    return day
