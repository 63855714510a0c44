"""Writes of the spotchecks app: plans, batches, conflict declarations, draws (and their replay).

Who may do what (decided here, once):
- Plans, batches and draws: officials holding "manage" over the planning office's region (a county or
  higher office). A draw opens a routine inspection for every drawn institution with a full team
  (supervision.services.inspection_open). One draw per batch (a second is a Conflict, 409).
- Replay: anyone who may see the draw ("view"); it reads only the stored inputs.
- Conflict declarations: an inspector declares their own relation (relative, other interest), or an
  office with "manage" over the inspector's region records it; an own-unit declaration names a unit
  of the register and is recorded by an office with "manage" over the institution.
Refusals: `PermissionDenied` (403) for a visible object the actor may not act on, `ValidationError`
naming the field (422), `Conflict` (409) for a duplicate.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoyu.accounts.models import User
from tuoyu.core.api import Conflict
from tuoyu.core.audit import audit
from tuoyu.core.scoping import grants_for
from tuoyu.institutions.models import Institution
from tuoyu.regions.models import Region

from . import algorithm, selectors
from .choices import ConflictRelation, StratumKey
from .models import Batch, ConflictDeclaration, Draw, DrawAssignment, InspectionPlan
from .rules import (
    ALGORITHM,
    BP,
    LOOKBACK_STRATA,
    MAX_LOOKBACK_DAYS,
    MAX_SEED,
    MAX_TEAM_SIZE,
    MIN_DEFAULT_RATE_BP,
    MIN_TEAM_SIZE,
    STRATA_ORDER,
    rate_percent,
)


def can_manage(actor: Any, region_code: str) -> bool:
    return grants_for(actor, "manage").covers_code(region_code)


def _require_manage(actor: Any, region_code: str) -> None:
    if not can_manage(actor, region_code):
        raise PermissionDenied(_("Only an office with the manage role over this region may do this."))


# --- Plans and batches ---------------------------------------------------------------------------


def plan_create(*, actor: Any, region: Region, year: int, title: str = "", note: str = "") -> InspectionPlan:
    """A county or higher office files its annual spot-check plan (one per region and year)."""
    _require_manage(actor, region.code)
    plan = InspectionPlan(
        region=region,
        year=year,
        title=title.strip() or _("{year} spot-check plan of {region}").format(year=year, region=region.name),
        note=note,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    plan.full_clean(validate_constraints=False)
    if InspectionPlan.objects.filter(region=region, year=year).exists():
        raise Conflict(_("{region} already has a plan for {year}.").format(region=region.name, year=year))
    try:
        with transaction.atomic():
            plan.save()
            audit(actor=actor, action="spotcheck_plan_create", obj=plan, detail={"year": year})
    except IntegrityError as exc:
        raise Conflict(
            _("{region} already has a plan for {year}.").format(region=region.name, year=year)
        ) from exc
    return plan


def validate_strata(strata: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Check a batch's strata against the rules and answer them in the rules' order.

    Each: {key, rate_bp, lookback_days}. The default stratum is required and its rate is at least
    MIN_DEFAULT_RATE_BP; risk strata are at least the default rate; the tier-A stratum at most it.
    """
    seen: dict[str, dict[str, Any]] = {}
    for raw in strata:
        key = str(raw.get("key", ""))
        if key not in STRATA_ORDER:
            raise ValidationError({"strata": _("Unknown stratum: {key}").format(key=key)})
        if key in seen:
            raise ValidationError({"strata": _("Stratum {key} is given twice.").format(key=key)})
        rate = int(raw.get("rate_bp", -1))
        if not 0 <= rate <= BP:
            raise ValidationError({"strata": _("A sampling rate lies between 0% and 100%.")})
        lookback = int(raw.get("lookback_days") or 0)
        if key in LOOKBACK_STRATA:
            if not 1 <= lookback <= MAX_LOOKBACK_DAYS:
                raise ValidationError(
                    {
                        "strata": _("The look-back lies between 1 and {max} days.").format(
                            max=MAX_LOOKBACK_DAYS
                        )
                    }
                )
        else:
            lookback = 0
        seen[key] = {"key": key, "rate_bp": rate, "lookback_days": lookback}
    default = seen.get(StratumKey.DEFAULT)
    if default is None:
        raise ValidationError({"strata": _("The default stratum is required.")})
    if default["rate_bp"] < MIN_DEFAULT_RATE_BP:
        raise ValidationError(
            {
                "strata": _("The default sampling rate is at least {rate}%.").format(
                    rate=rate_percent(MIN_DEFAULT_RATE_BP)
                )
            }
        )
    for key, stratum in seen.items():
        if key == StratumKey.CREDIT_HIGH:
            if stratum["rate_bp"] > default["rate_bp"]:
                raise ValidationError(
                    {"strata": _("Tier A institutions are checked at most at the default rate.")}
                )
        elif key != StratumKey.DEFAULT and stratum["rate_bp"] < default["rate_bp"]:
            raise ValidationError({"strata": _("A risk stratum's rate is at least the default rate.")})
    return [seen[k] for k in STRATA_ORDER if k in seen]


def percent_to_bp(value: Decimal | float | int | str) -> int:
    """5 → 500, 12.5 → 1250 (two decimals at most)."""
    amount = Decimal(str(value))
    bp = amount * 100
    if bp != bp.to_integral_value():
        raise ValidationError({"strata": _("Give rates with at most two decimals.")})
    return int(bp)


def batch_create(
    *,
    actor: Any,
    plan: InspectionPlan,
    name: str,
    scope_region: Region,
    window_start: date,
    window_end: date,
    team_size: int = MIN_TEAM_SIZE,
    institution_kinds: Sequence[str] = (),
    operating_only: bool = True,
    strata: Sequence[dict[str, Any]] | None = None,
) -> Batch:
    """Add a batch to a plan: scope, window, team size (≥ 2) and strata (rules.STRATA by default)."""
    from .rules import default_strata

    _require_manage(actor, plan.region_id)
    if not MIN_TEAM_SIZE <= int(team_size) <= MAX_TEAM_SIZE:
        raise ValidationError(
            {
                "team_size": _("A team has between {min} and {max} inspectors.").format(
                    min=MIN_TEAM_SIZE, max=MAX_TEAM_SIZE
                )
            }
        )
    batch = Batch(
        plan=plan,
        name=name.strip(),
        scope_region=scope_region,
        institution_kinds=sorted(set(institution_kinds)),
        operating_only=operating_only,
        window_start=window_start,
        window_end=window_end,
        team_size=team_size,
        strata=validate_strata(default_strata() if strata is None else strata),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    with transaction.atomic():
        batch.full_clean()
        batch.save()
        audit(
            actor=actor,
            action="spotcheck_batch_create",
            obj=batch,
            detail={"scope": scope_region.code, "team_size": team_size, "strata": batch.strata},
        )
    return batch


# --- Conflict declarations -----------------------------------------------------------------------


def declaration_add(
    *,
    actor: Any,
    institution: Institution,
    relation: str,
    inspector: User | None = None,
    unit: str = "",
    declared_on: date | None = None,
    note: str = "",
) -> ConflictDeclaration:
    """Record a conflict of interest: a person's (relative, other interest) or a unit's (own unit)."""
    today = timezone.localdate()
    declared_on = declared_on or today
    if declared_on > today:
        raise ValidationError({"declared_on": _("This date is in the future.")})
    unit = unit.strip()
    if relation not in ConflictRelation.values:
        raise ValidationError({"relation": _("Unknown relation.")})
    if relation == ConflictRelation.OWN_UNIT:
        _require_manage(actor, str(institution.township_id))
        if not selectors.inspector_assignments().filter(unit=unit).exists():
            raise ValidationError({"unit": _("No inspector of the register has this unit.")})
        inspector = None
    else:
        if inspector is None:
            raise ValidationError({"inspector": _("Name the inspector who declares the relation.")})
        regions = list(
            selectors.inspector_assignments().filter(user=inspector).values_list("region_id", flat=True)
        )
        if not regions:
            raise ValidationError({"inspector": _("This person is not in the inspectors register.")})
        is_self = getattr(actor, "pk", None) == inspector.pk
        if not is_self and not any(can_manage(actor, code) for code in regions):
            raise PermissionDenied(_("Only the inspector or their office may declare this."))
        unit = ""
    declaration = ConflictDeclaration(
        institution=institution,
        relation=relation,
        inspector=inspector,
        unit=unit,
        declared_on=declared_on,
        note=note.strip(),
        declared_by=actor if getattr(actor, "pk", None) else None,
    )
    declaration.full_clean(validate_constraints=False)
    duplicate = ConflictDeclaration.objects.current().filter(institution=institution, relation=relation)
    duplicate = duplicate.filter(inspector=inspector) if inspector else duplicate.filter(unit=unit)
    if duplicate.exists():
        raise Conflict(_("This conflict is already declared."))
    with transaction.atomic():
        declaration.save()
        audit(
            actor=actor,
            action="spotcheck_declaration_add",
            obj=declaration,
            detail={"relation": relation, "inspector": getattr(inspector, "pk", None), "unit": unit},
        )
    return declaration


def declaration_end(
    *, actor: Any, declaration: ConflictDeclaration, ended_on: date | None = None
) -> ConflictDeclaration:
    """The conflict no longer holds (the relative left, the unit no longer runs the institution)."""
    if declaration.ended_on is not None:
        raise Conflict(_("This declaration has already ended."))
    if declaration.inspector_id is None or getattr(actor, "pk", None) != declaration.inspector_id:
        _require_manage(actor, str(declaration.institution.township_id))
    declaration.ended_on = ended_on or timezone.localdate()
    with transaction.atomic():
        declaration.full_clean(validate_constraints=False)
        declaration.save(update_fields=["ended_on"])
        audit(actor=actor, action="spotcheck_declaration_end", obj=declaration)
    return declaration


# --- The draw ------------------------------------------------------------------------------------


def draw_run(*, actor: Any, batch: Batch, seed: int | None = None) -> Draw:
    """Draw the batch's institutions and teams (see algorithm.py), store every input, open the
    routine inspections, publish. A second draw of the same batch is refused (409)."""
    from tuoyu.supervision.services import inspection_open

    plan = batch.plan
    _require_manage(actor, plan.region_id)
    if seed is None:
        seed = secrets.randbelow(MAX_SEED + 1)
    if not 0 <= seed <= MAX_SEED:
        raise ValidationError({"seed": _("A seed lies between 0 and {max}.").format(max=MAX_SEED)})
    today = timezone.localdate()
    with transaction.atomic():
        locked = (
            Batch.objects.select_for_update().select_related("plan__region", "scope_region").get(pk=batch.pk)
        )
        if Draw.objects.filter(batch=locked).exists():
            raise Conflict(_("This batch has already been drawn."))
        pool = selectors.inspector_pool(locked.scope_region, plan.region)
        base = {
            "algorithm": ALGORITHM,
            "seed": seed,
            "team_size": locked.team_size,
            "office_region": plan.region_id,
            "as_of": today.isoformat(),
            "strata": locked.strata,
            "candidates": selectors.candidates(locked, today),
        }
        inputs, result = algorithm.run(
            base, prepare_teams=lambda ids: selectors.team_inputs(ids, pool, today)
        )
        draw = Draw(
            batch=locked,
            seed=seed,
            algorithm=ALGORITHM,
            inputs=inputs,
            result=result,
            digest=algorithm.digest(inputs, result),
            drawn_by=actor if getattr(actor, "pk", None) else None,
        )
        draw.full_clean(exclude=["batch"])
        try:
            with transaction.atomic():
                draw.save()
        except IntegrityError as exc:  # drawn at the same moment by someone else
            raise Conflict(_("This batch has already been drawn.")) from exc
        users = User.objects.in_bulk([i for row in result["institutions"] for i in row["team"]])
        institutions = Institution.objects.in_bulk([row["id"] for row in result["institutions"]])
        planned_on = max(locked.window_start, min(today, locked.window_end))
        opened = 0
        for row in result["institutions"]:
            team = [users[i] for i in row["team"]]
            inspection = None
            if team:
                inspection = inspection_open(
                    actor=actor,
                    institution=institutions[row["id"]],
                    kind="routine",
                    inspectors=team,
                    planned_on=planned_on,
                    reason=str(locked),
                    origin=f"draw {draw.pk}",
                )
                opened += 1
            assignment = DrawAssignment.objects.create(
                draw=draw,
                institution_id=row["id"],
                stratum=row["stratum"],
                available=row["available"],
                inspection=inspection,
            )
            if team:
                assignment.team.set(team)
        audit(
            actor=actor,
            action="spotcheck_draw_run",
            obj=draw,
            detail={
                "batch": locked.pk,
                "seed": seed,
                "digest": draw.digest,
                "candidates": len(inputs["candidates"]),
                "drawn": len(result["institutions"]),
                "inspections_opened": opened,
                "exclusions": len(inputs["exclusions"]),
            },
        )
    return draw


def draw_replay(*, actor: Any, draw: Draw) -> dict[str, Any]:
    """Re-run a draw from its stored seed and inputs only (never the current database) and say whether
    the result is identical to the stored one, with the differences and the recomputed result."""
    inputs = {**draw.inputs, "seed": draw.seed}
    if inputs.get("algorithm") != ALGORITHM:
        raise Conflict(_("This draw was made with an algorithm this version cannot replay."))
    _inputs, recomputed = algorithm.run(inputs)
    diffs = algorithm.differences(draw.result, recomputed)
    digest_matches = algorithm.digest(draw.inputs, draw.result) == draw.digest
    identical = not diffs and digest_matches
    audit(actor=actor, action="spotcheck_draw_replay", obj=draw, detail={"identical": identical})
    return {
        "identical": identical,
        "digest_matches": digest_matches,
        "differences": diffs,
        "result": recomputed,
    }
