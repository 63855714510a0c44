"""Reads over institutions that need the acting user or span apps."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from tuoyu.regions.models import Region

from .choices import OperatingStatus
from .models import Institution, InstitutionQuerySet

# Which institution column holds the code of a region at each level.
LEVEL_FIELD = {"province": None, "city": "city_id", "county": "county_id", "township": "township_id"}


def staff_institutions(user: Any, action: str = "care") -> list[Institution]:
    """Institutions where the user is on the staff with `action` (daily records: "care"), by name —
    what the institution end's daily pages offer to choose from."""
    from tuoyu.core.scoping import grants_for

    ids = grants_for(user, action).institution_ids
    return list(Institution.objects.filter(pk__in=ids).order_by("name")) if ids else []


def institutions_visible(user: Any, action: str = "view") -> InstitutionQuerySet:
    return Institution.objects.for_user(user, action)


def region_figures(queryset: InstitutionQuerySet, region: Region) -> dict[str, int]:
    """Counts for one region: institutions, operating ones, their places, inclusive ones (one query)."""
    lo, hi = region.subtree_bounds()
    return _figures(queryset.filter(township_id__gte=lo, township_id__lte=hi))


def _figures(queryset: InstitutionQuerySet) -> dict[str, int]:
    operating = Q(status=OperatingStatus.OPERATING)
    return queryset.aggregate(
        institutions=Count("id"),
        operating=Count("id", filter=operating),
        places=Coalesce(Sum("places", filter=operating), 0),
        inclusive=Count("id", filter=operating & Q(inclusive=True)),
    )


def subregion_figures(queryset: InstitutionQuerySet, region: Region) -> list[dict[str, Any]]:
    """Each child region of `region` with its institution counts and places, in one GROUP BY."""
    child_level = region.child_level
    if child_level is None or child_level not in LEVEL_FIELD or LEVEL_FIELD[child_level] is None:
        return []
    column = LEVEL_FIELD[child_level]
    assert column is not None
    lo, hi = region.subtree_bounds()
    operating = Q(status=OperatingStatus.OPERATING)
    rows = (
        queryset.filter(township_id__gte=lo, township_id__lte=hi)
        .values(column)
        .annotate(
            institutions=Count("id"),
            operating=Count("id", filter=operating),
            places=Coalesce(Sum("places", filter=operating), 0),
            inclusive=Count("id", filter=operating & Q(inclusive=True)),
        )
    )
    by_code = {r[column]: r for r in rows}
    result = []
    for child in region.children.order_by("code"):
        figures = by_code.get(child.code, {})
        result.append(
            {
                "region": child,
                "institutions": figures.get("institutions", 0),
                "operating": figures.get("operating", 0),
                "places": figures.get("places", 0),
                "inclusive": figures.get("inclusive", 0),
            }
        )
    return result


def county_figures(queryset: InstitutionQuerySet, region: Region) -> dict[str, dict[str, Any]]:
    """For maps: every county in `region` with its institution count and places (one GROUP BY)."""
    lo, hi = region.subtree_bounds()
    operating = Q(status=OperatingStatus.OPERATING)
    rows = (
        queryset.filter(township_id__gte=lo, township_id__lte=hi)
        .values("county_id")
        .annotate(institutions=Count("id"), places=Coalesce(Sum("places", filter=operating), 0))
    )
    by_code = {r["county_id"]: r for r in rows}
    result = {}
    for code, name in Region.objects.filter(level="county", code__gte=lo, code__lte=hi).values_list(
        "code", "name"
    ):
        row = by_code.get(code, {})
        result[code] = {
            "name": name,
            "institutions": row.get("institutions", 0),
            "places": row.get("places", 0),
        }
    return result
