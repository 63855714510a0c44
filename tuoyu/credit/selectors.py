"""Reads of the credit app: current tiers (the spot-check draw's strata), the tier distribution by
region, an institution's credit with its records and changes, a person's records, and the public
trust-card section."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from .choices import CreditSource
from .models import CreditRecord, CreditStanding, CreditTierChange
from .rules import TIERS, current_rule, months_before

# Records the public sees on the trust card (by kind and date; never the reason text, which may
# name people): findings of inspections, enforcement actions, substantiated complaints.
PUBLIC_SOURCES = (CreditSource.INSPECTION, CreditSource.ENFORCEMENT, CreditSource.COMPLAINT)


def current_tiers(institution_ids: Iterable[int]) -> dict[int, str]:
    """The current credit tier ("A".."D") of each institution asked for; institutions without a
    computed tier are left out. (The spot-check draw reads this for its strata.)"""
    ids = list(institution_ids)
    result: dict[int, str] = {}
    for start in range(0, len(ids), 5000):
        result.update(
            CreditStanding.objects.filter(institution_id__in=ids[start : start + 5000]).values_list(
                "institution_id", "tier"
            )
        )
    return result


def institutions_in_tiers(tiers: Iterable[str]) -> QuerySet[Any]:
    """Ids of institutions whose current tier is one of `tiers` (a values_list QuerySet)."""
    return CreditStanding.objects.filter(tier__in=list(tiers)).values_list("institution_id", flat=True)


# --- The government's pages ----------------------------------------------------------------------


LEVEL_BELOW = {
    "province": ("city", "city_id"),
    "city": ("county", "county_id"),
    "county": ("township", "township_id"),
}


@dataclass
class DistributionRow:
    code: str
    name: str
    counts: dict[str, int]
    total: int

    @property
    def cells(self) -> list[tuple[str, int]]:
        return [(tier, self.counts.get(tier, 0)) for tier in TIERS]

    @property
    def low(self) -> int:
        return self.counts.get("C", 0) + self.counts.get("D", 0)


def tier_distribution(user: Any, region: Any) -> list[DistributionRow]:
    """Institutions per tier for each region one level below `region` (within the user's scope), in
    one GROUP BY. Institutions not computed yet are left out."""
    from tuoyu.regions.models import Region

    _level, column = LEVEL_BELOW.get(region.level, ("township", "township_id"))
    lo, hi = region.subtree_bounds()
    rows = (
        CreditStanding.objects.for_user(user, "view")
        .filter(institution__township_id__gte=lo, institution__township_id__lte=hi)
        .values(f"institution__{column}", "tier")
        .annotate(n=Count("pk"))
        .order_by()
    )
    table: dict[str, dict[str, int]] = {}
    for row in rows:
        code = row[f"institution__{column}"]
        if code is None:
            continue
        table.setdefault(code, {})[row["tier"]] = row["n"]
    names = dict(Region.objects.filter(code__in=list(table)).values_list("code", "name"))
    return sorted(
        (
            DistributionRow(code, names.get(code, code), counts, sum(counts.values()))
            for code, counts in table.items()
        ),
        key=lambda r: r.code,
    )


def recent_changes(user: Any, limit: int = 20) -> list[CreditTierChange]:
    """The latest tier changes in scope, each with its causing records and institution."""
    return list(
        CreditTierChange.objects.for_user(user, "view")
        .select_related("institution")
        .prefetch_related(Prefetch("causes", queryset=CreditRecord.objects.order_by("occurred_on", "id")))
        .order_by("-changed_at", "-id")[:limit]
    )


def institution_credit(institution: Any) -> dict[str, Any]:
    """Everything an institution's credit page shows: standing, records (counting, expired, revoked),
    and every tier change with the records that caused it."""
    rule = current_rule()
    standing = CreditStanding.objects.filter(institution=institution).first()
    as_of = standing.as_of if standing else timezone.localdate()
    window_start = months_before(as_of, rule.window_months)
    records = list(CreditRecord.objects.filter(institution=institution).select_related("created_by"))
    counting, expired, revoked = [], [], []
    for record in records:
        if record.revoked_at is not None:
            revoked.append(record)
        elif record.occurred_on <= window_start:
            expired.append(record)
        else:
            counting.append(record)
    changes = list(
        CreditTierChange.objects.filter(institution=institution)
        .prefetch_related(Prefetch("causes", queryset=CreditRecord.objects.order_by("occurred_on", "id")))
        .order_by("-changed_at", "-id")
    )
    return {
        "standing": standing,
        "rule": rule,
        "counting": counting,
        "expired": expired,
        "revoked": revoked,
        "changes": changes,
        "points_total": sum(r.points for r in counting),
        "window_start": window_start,
    }


def person_records(user: Any, name: str) -> QuerySet[CreditRecord]:
    """Records naming a responsible person across the institutions in the user's scope."""
    return (
        CreditRecord.objects.for_user(user, "view")
        .filter(person_name=name.strip())
        .select_related("institution", "institution__county")
        .order_by("-occurred_on", "-id")
    )


def standings_in_scope(user: Any, tiers: Iterable[str], region: Any = None) -> QuerySet[CreditStanding]:
    """Standings of the given tiers in the user's scope (optionally under one region), worst first."""
    queryset = CreditStanding.objects.for_user(user, "view").filter(tier__in=list(tiers))
    if region is not None:
        lo, hi = region.subtree_bounds()
        queryset = queryset.filter(institution__township_id__gte=lo, institution__township_id__lte=hi)
    return queryset.select_related("institution", "institution__county", "institution__city").order_by(
        "-tier", "score", "institution__name", "institution_id"
    )


# --- Public trust card ---------------------------------------------------------------------------


def trust_card_section(institution: Any) -> dict[str, Any] | None:
    """This app's part of the public trust card: the tier, its date and the public reasons (records
    in force from inspections, enforcement and substantiated complaints, by kind and date: no names,
    no reason text). None before the institution's tier is computed."""
    standing = CreditStanding.objects.filter(institution=institution).first()
    if standing is None:
        return None
    rule = current_rule()
    window_start = months_before(standing.as_of, rule.window_months)
    labels = dict(CreditSource.choices)
    reasons = [
        {"kind": labels.get(source, source), "severity": severity, "date": occurred_on}
        for source, severity, occurred_on in CreditRecord.objects.filter(
            institution=institution,
            source__in=PUBLIC_SOURCES,
            revoked_at__isnull=True,
            occurred_on__gt=window_start,
            occurred_on__lte=standing.as_of,
        )
        .order_by("-occurred_on", "-id")
        .values_list("source", "severity", "occurred_on")[:20]
    ]
    return {
        "template": "credit/_trust_card.html",
        "tier": standing.tier,
        "tier_label": standing.get_tier_display(),
        "since": standing.tier_since,
        "as_of": standing.as_of,
        "reasons": reasons,
        "rule": rule,
    }


def tier_totals(user: Any) -> dict[str, int]:
    """Institutions per tier in the user's scope (one GROUP BY)."""
    counts = dict(
        CreditStanding.objects.for_user(user, "view").values_list("tier").annotate(n=Count("pk")).order_by()
    )
    return {tier: counts.get(tier, 0) for tier in TIERS}


def low_tier_q() -> Q:
    return Q(tier__in=["C", "D"])
