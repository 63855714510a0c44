"""Reads of the spotchecks app: the inspectors register, and what a draw reads from the database
(candidates with their strata facts, the inspector pool, eligibility and exclusions).

The draw reads the database only here, once, when it is made; everything read is stored in
`Draw.inputs`, and a replay reads nothing but that.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from tuoyu.accounts.models import RoleAssignment
from tuoyu.core.scoping import grants_for
from tuoyu.institutions.choices import OperatingStatus
from tuoyu.institutions.models import Institution
from tuoyu.regions.constants import ancestor_codes
from tuoyu.regions.models import Region

from .choices import ConflictRelation, ExclusionReason, StratumKey
from .models import Batch, ConflictDeclaration, Draw
from .rules import INSPECTOR_ROLES, LOOKBACK_STRATA

RELATION_REASON = {
    ConflictRelation.OWN_UNIT: ExclusionReason.OWN_UNIT,
    ConflictRelation.RELATIVE: ExclusionReason.RELATIVE,
    ConflictRelation.OTHER: ExclusionReason.OTHER,
}


# --- The inspectors register ---------------------------------------------------------------------


def inspector_assignments() -> QuerySet[RoleAssignment]:
    """Every active inspector role of an active user (the 执法检查人员名录库 across the province)."""
    return RoleAssignment.objects.filter(role__in=INSPECTOR_ROLES, active=True, user__is_active=True)


def register_regions(user: Any) -> list[Region]:
    """The regions a user may open the register for: the top regions of their view grants."""
    grants = grants_for(user, "view")
    if grants.everything:
        return list(Region.objects.filter(level="province"))
    regions = [
        a.region for a in user.active_assignments() if a.region is not None and "view" in _actions(a.role)
    ]
    tops = [r for r in regions if not any(o.code != r.code and o.contains(r.code) for o in regions)]
    return sorted({r.code: r for r in tops}.values(), key=lambda r: r.code)


def plan_regions(user: Any) -> list[Region]:
    """Regions whose office the user may plan for: their "manage" grants at county level or higher."""
    from .rules import PLAN_LEVELS

    if not getattr(user, "is_authenticated", False):
        return []
    if getattr(user, "is_superuser", False):
        return list(Region.objects.filter(level="province"))
    regions = [
        a.region
        for a in user.active_assignments()
        if a.region is not None and "manage" in _actions(a.role) and a.region.level in PLAN_LEVELS
    ]
    return sorted({r.code: r for r in regions}.values(), key=lambda r: r.code)


def scope_choices(region: Region) -> list[Region]:
    """What a batch of `region`'s plan may cover: the region and two levels below it, down to townships."""
    from tuoyu.regions.constants import LEVEL_ORDER

    start = LEVEL_ORDER.index(region.level)
    levels = [level for level in LEVEL_ORDER[start : start + 3] if level != "community"]
    return list(Region.objects.within(region).filter(level__in=levels).order_by("code"))


def _actions(role: str) -> frozenset[str]:
    from tuoyu.accounts.choices import ROLE_ACTIONS

    return ROLE_ACTIONS.get(role, frozenset())


def register(region: Region) -> QuerySet[RoleAssignment]:
    """Inspectors whose region lies within `region`, with the number of current declarations each has."""
    lo, hi = region.subtree_bounds()
    return (
        inspector_assignments()
        .filter(region_id__gte=lo, region_id__lte=hi)
        .select_related("user", "region")
        .annotate(
            declarations=Count(
                "user__conflict_declarations",
                filter=Q(user__conflict_declarations__ended_on__isnull=True),
                distinct=True,
            )
        )
        .order_by("region_id", "unit", "user__display_name", "user_id")
    )


def units_within(region: Region) -> list[str]:
    """The units of the inspectors within `region` (for the own-unit declaration form)."""
    lo, hi = region.subtree_bounds()
    units = inspector_assignments().filter(region_id__gte=lo, region_id__lte=hi).exclude(unit="")
    return sorted(set(units.values_list("unit", flat=True)))


def unit_declarations(user: Any, region: Region) -> QuerySet[ConflictDeclaration]:
    lo, hi = region.subtree_bounds()
    return (
        ConflictDeclaration.objects.for_user(user, "view")
        .current()
        .filter(
            relation=ConflictRelation.OWN_UNIT,
            institution__township_id__gte=lo,
            institution__township_id__lte=hi,
        )
        .select_related("institution")
        .order_by("unit", "institution__name")
    )


def is_inspector(user: Any) -> bool:
    return inspector_assignments().filter(user=user).exists()


# --- What a draw reads ---------------------------------------------------------------------------


def candidates(batch: Batch, today: date | None = None) -> list[dict[str, Any]]:
    """The batch's candidates sorted by id, each with the facts its stratum depends on."""
    from tuoyu.complaints.selectors import institutions_with_complaints
    from tuoyu.credit.selectors import current_tiers
    from tuoyu.supervision.selectors import institutions_with_serious_findings

    today = today or timezone.localdate()
    lo, hi = batch.scope_region.subtree_bounds()
    base = Institution.objects.filter(township_id__gte=lo, township_id__lte=hi)
    if batch.operating_only:
        base = base.filter(status=OperatingStatus.OPERATING)
    if batch.institution_kinds:
        base = base.filter(type__in=batch.institution_kinds)
    rows = list(base.order_by("pk").values_list("pk", "name"))
    lookback = {
        s["key"]: int(s.get("lookback_days") or 0) for s in batch.strata if s["key"] in LOOKBACK_STRATA
    }
    serious: set[int] = set()
    complaints: set[int] = set()
    # Intersected in SQL with the batch's candidates (the other apps answer QuerySets of ids).
    if StratumKey.SERIOUS_FINDINGS in lookback:
        since = today - timedelta(days=lookback[StratumKey.SERIOUS_FINDINGS])
        serious = set(
            base.filter(pk__in=institutions_with_serious_findings(since)).values_list("pk", flat=True)
        )
    if StratumKey.COMPLAINTS in lookback:
        since = today - timedelta(days=lookback[StratumKey.COMPLAINTS])
        complaints = set(base.filter(pk__in=institutions_with_complaints(since)).values_list("pk", flat=True))
    tiers = current_tiers([pk for pk, _name in rows]) if rows else {}
    return [
        {
            "id": pk,
            "name": name,
            "serious": pk in serious,
            "complaints": pk in complaints,
            "tier": tiers.get(pk, "") or "",
        }
        for pk, name in rows
    ]


def inspector_pool(scope_region: Region, office_region: Region) -> list[dict[str, Any]]:
    """Inspectors who may cover some institution of the scope (their region is the scope's ancestor or
    lies within it), one entry per user with all their inspector units and regions; `preferred` when
    one of their regions lies within the planning office's region."""
    lo, hi = scope_region.subtree_bounds()
    above = ancestor_codes(scope_region.code, scope_region.level)
    rows = (
        inspector_assignments()
        .filter(Q(region_id__gte=lo, region_id__lte=hi) | Q(region_id__in=above))
        .select_related("user", "region")
        .order_by("user_id", "region_id")
    )
    office_lo, office_hi = office_region.subtree_bounds()
    pool: dict[int, dict[str, Any]] = {}
    for a in rows:
        entry = pool.setdefault(
            a.user_id,
            {
                "id": a.user_id,
                "name": str(a.user),
                "units": [],
                "regions": [],
                "preferred": False,
                "_bounds": [],
            },
        )
        if a.unit and a.unit not in entry["units"]:
            entry["units"].append(a.unit)
        if a.region_id not in entry["regions"] and a.region is not None:
            entry["regions"].append(a.region_id)
            entry["_bounds"].append(a.region.subtree_bounds())
        if a.region_id and office_lo <= a.region_id <= office_hi:
            entry["preferred"] = True
    return [pool[k] for k in sorted(pool)]


def team_inputs(
    institution_ids: list[int], pool: list[dict[str, Any]], today: date | None = None
) -> dict[str, Any]:
    """For the drawn institutions: the inspectors eligible for each (region covers it) and every
    exclusion with its reason; the inspector list is cut to those eligible somewhere."""
    from tuoyu.supervision.choices import InspectionStatus
    from tuoyu.supervision.models import Inspection

    today = today or timezone.localdate()
    townships = dict(Institution.objects.filter(pk__in=institution_ids).values_list("pk", "township_id"))
    eligible: dict[str, list[int]] = {}
    for institution_id in institution_ids:
        township = townships.get(institution_id, "")
        eligible[str(institution_id)] = [
            i["id"] for i in pool if any(lo <= township <= hi for lo, hi in i["_bounds"])
        ]
    used = {i for ids in eligible.values() for i in ids}
    inspectors = [{k: v for k, v in i.items() if k != "_bounds"} for i in pool if i["id"] in used]
    by_unit: dict[str, list[int]] = defaultdict(list)
    for i in inspectors:
        for unit in i["units"]:
            by_unit[unit].append(i["id"])
    exclusions: list[dict[str, Any]] = []

    def exclude(institution_id: int, inspector_id: int, reason: str, detail: dict[str, Any]) -> None:
        if inspector_id in eligible.get(str(institution_id), []):
            exclusions.append(
                {
                    "institution": institution_id,
                    "inspector": inspector_id,
                    "reason": str(reason),
                    "detail": detail,
                }
            )

    declarations = (
        ConflictDeclaration.objects.current()
        .filter(institution_id__in=institution_ids, declared_on__lte=today)
        .order_by("pk")
        .values_list("pk", "institution_id", "relation", "inspector_id", "unit", "declared_on")
    )
    for pk, institution_id, relation, inspector_id, unit, declared_on in declarations:
        detail = {"declaration": pk, "declared_on": declared_on.isoformat()}
        reason = RELATION_REASON[ConflictRelation(relation)]
        if relation == ConflictRelation.OWN_UNIT:
            for member in by_unit.get(unit, []):
                exclude(institution_id, member, reason, {**detail, "unit": unit})
        elif inspector_id is not None:
            exclude(institution_id, inspector_id, reason, detail)

    latest: dict[int, tuple[int, date]] = {}
    for pk, institution_id, planned_on in (
        Inspection.objects.filter(institution_id__in=institution_ids)
        .exclude(status=InspectionStatus.CANCELLED)
        .order_by("institution_id", "-planned_on", "-pk")
        .values_list("pk", "institution_id", "planned_on")
    ):
        latest.setdefault(institution_id, (pk, planned_on))
    members = Inspection.inspectors.through.objects.filter(
        inspection_id__in=[pk for pk, _day in latest.values()]
    ).values_list("inspection_id", "user_id")
    on_inspection: dict[int, list[int]] = defaultdict(list)
    for inspection_id, user_id in members:
        on_inspection[inspection_id].append(user_id)
    for institution_id, (inspection_id, planned_on) in latest.items():
        for user_id in sorted(on_inspection.get(inspection_id, [])):
            exclude(
                institution_id,
                user_id,
                ExclusionReason.LAST_INSPECTION,
                {"inspection": inspection_id, "planned_on": planned_on.isoformat()},
            )
    exclusions.sort(key=lambda e: (e["institution"], e["inspector"], e["reason"]))
    return {"inspectors": inspectors, "eligible": eligible, "exclusions": exclusions}


# --- Published draws -----------------------------------------------------------------------------


def published_draws() -> QuerySet[Draw]:
    return Draw.objects.published().select_related("batch__plan__region", "batch__scope_region")


def draw_detail(draw: Draw) -> dict[str, Any]:
    """A draw as pages and the API show it: strata with labels, each drawn institution with its team
    (names and units from the stored inputs, as they were at the draw) and inspection, the exclusions."""
    from .choices import ExclusionReason as Reason
    from .rules import rate_percent

    inputs, result = draw.inputs, draw.result
    inspectors = {i["id"]: i for i in inputs.get("inspectors", [])}
    candidates = {c["id"]: c for c in inputs.get("candidates", [])}
    stratum_labels = dict(StratumKey.choices)
    reason_labels = dict(Reason.choices)
    inspections = dict(draw.assignments.values_list("institution_id", "inspection_id"))

    def member(inspector_id: int) -> dict[str, Any]:
        entry = inspectors.get(inspector_id, {})
        return {"id": inspector_id, "name": entry.get("name", ""), "unit": "、".join(entry.get("units", []))}

    institutions = [
        {
            "institution_id": row["id"],
            "name": row.get("name") or candidates.get(row["id"], {}).get("name", ""),
            "stratum": row["stratum"],
            "stratum_label": str(stratum_labels.get(row["stratum"], row["stratum"])),
            "available": row["available"],
            "team": [member(i) for i in row["team"]],
            "no_team": not row["team"],
            "inspection_id": inspections.get(row["id"]),
        }
        for row in result.get("institutions", [])
    ]
    exclusions = [
        {
            "institution_id": e["institution"],
            "institution_name": candidates.get(e["institution"], {}).get("name", ""),
            "inspector_id": e["inspector"],
            "inspector_name": inspectors.get(e["inspector"], {}).get("name", ""),
            "reason": e["reason"],
            "reason_label": str(reason_labels.get(e["reason"], e["reason"])),
            "detail": e.get("detail", {}),
        }
        for e in inputs.get("exclusions", [])
    ]
    strata = [
        {
            "key": s["key"],
            "label": str(stratum_labels.get(s["key"], s["key"])),
            "rate_percent": rate_percent(s["rate_bp"]),
            "size": s["size"],
            "drawn": s["drawn"],
        }
        for s in result.get("strata", [])
    ]
    return {
        "id": draw.pk,
        "batch_id": draw.batch_id,
        "seed": draw.seed,
        "algorithm": draw.algorithm,
        "drawn_at": draw.drawn_at,
        "drawn_by": str(draw.drawn_by) if draw.drawn_by else "",
        "published": draw.published,
        "digest": draw.digest,
        "team_size": inputs.get("team_size"),
        "candidates": len(inputs.get("candidates", [])),
        "strata": strata,
        "institutions": institutions,
        "exclusions": exclusions,
        "inspectors": list(inspectors.values()),
    }
