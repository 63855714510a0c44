"""Writes of the credit app: posting and revoking records, recomputing tiers, and the sweep that reads
the facts the credit app collects itself (filing compliance, serious incidents, demonstration status).

The rule (score, window, cut-offs, overriding records) is in `rules.py`: the project's own, not an
official one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoyu.core.api import Conflict
from tuoyu.core.audit import audit

from .choices import CreditSource
from .models import CreditRecord, CreditStanding, CreditTierChange
from .rules import CreditRule, current_rule, months_before, points_for, severity_for


def credit_record_add(
    *,
    institution: Any,
    source: str,
    source_ref: str,
    points: int,
    reason: str,
    occurred_on: date,
    actor: Any = None,
    person_name: str = "",
    severity: str = "",
) -> CreditRecord:
    """Post a credit record (other apps call this). Idempotent on (source, source_ref): posting the
    same fact twice returns the first record. The tier of the institution is recomputed after commit.

    `severity` (optional) is the rules.POINTS key the points came from; when omitted it is inferred
    from the points, so that overriding records (rules.OVERRIDES) are recognised."""
    with transaction.atomic():
        existing = CreditRecord.objects.filter(source=source, source_ref=source_ref).first()
        if existing is not None:
            return existing
        record = CreditRecord(
            institution=institution,
            source=source,
            source_ref=source_ref,
            severity=severity or severity_for(source, points),
            points=points,
            reason=reason[:300],
            occurred_on=occurred_on,
            person_name=person_name,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        record.full_clean()
        record.save()
        audit(
            actor=actor, action="credit_record_add", obj=record, detail={"source": source, "points": points}
        )
        transaction.on_commit(partial(credit_recompute, institution_ids=[record.institution_id]))
    return record


def may_revoke(user: Any, record: CreditRecord) -> bool:
    """Officials with "manage" over the institution's region may revoke (a director's own "manage" on
    the institution does not reach its credit)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    grants = user.grants("manage")
    return bool(grants.covers_code(record.institution.township_id))


def credit_record_revoke(*, actor: Any, record: CreditRecord, reason: str) -> CreditRecord:
    """Revoke a record posted in error (e.g. a finding overturned on review), with the reason. The
    record stays on the institution's credit page as revoked, and the tier is recomputed."""
    if not may_revoke(actor, record):
        raise PermissionDenied(_("Only officials who manage this region may revoke credit records."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for revoking the record.")})
    with transaction.atomic():
        locked = CreditRecord.objects.select_for_update().get(pk=record.pk)
        if locked.revoked_at is not None:
            raise Conflict(_("This record is already revoked."))
        locked.revoked_at = timezone.now()
        locked.revoked_reason = reason[:300]
        locked.full_clean()
        locked.save(update_fields=["revoked_at", "revoked_reason"])
        audit(actor=actor, action="credit_record_revoke", obj=locked, detail={"reason": reason[:300]})
        transaction.on_commit(partial(credit_recompute, institution_ids=[locked.institution_id]))
    return locked


# --- Recompute ------------------------------------------------------------------------------------


@dataclass
class RecomputeResult:
    """What a recompute did: institutions computed, standings created and updated, tier changes."""

    computed: int = 0
    created: int = 0
    updated: int = 0
    changes: list[CreditTierChange] = field(default_factory=list)


def _override_q(rule: CreditRule) -> Q:
    q = Q(pk__in=[])
    for source, severity in rule.overrides:
        q |= Q(source=source, severity=severity)
    return q


@dataclass(frozen=True)
class _Computation:
    as_of: date
    at: datetime  # when it ran: records created after it, or revoked after it, were not seen


@dataclass(frozen=True)
class _Changed:
    """An institution whose tier moves: the stored computation (None if never computed) and both results."""

    pk: int
    before: _Computation | None
    from_tier: str
    from_score: int
    tier: str
    score: int
    forced: bool


def _counted(rec: Mapping[str, Any], comp: _Computation, rule: CreditRule) -> tuple[bool, bool]:
    """Whether a record counted in a computation, and whether it forced D there."""
    seen = rec["created_at"] <= comp.at and (rec["revoked_at"] is None or rec["revoked_at"] > comp.at)
    window_start = months_before(comp.as_of, rule.window_months)
    counted = seen and window_start < rec["occurred_on"] <= comp.as_of
    override_start = months_before(comp.as_of, rule.override_months)
    forced = (
        counted and rec["occurred_on"] > override_start and rule.is_override(rec["source"], rec["severity"])
    )
    return counted, forced


def credit_recompute(
    *, institution_ids: Iterable[int] | None = None, as_of: date | None = None
) -> RecomputeResult:
    """Recompute the tier of the given institutions (all when None) for `as_of` (today by default).

    A constant number of queries whatever the number of institutions: their ids, one GROUP BY over
    the records that count, the stored standings; then bulk inserts and updates of the standings
    that changed, and a tier change (with the records that caused it) for each institution whose
    tier moved."""
    from tuoyu.institutions.models import Institution

    rule = current_rule()
    as_of = as_of or timezone.localdate()
    now = timezone.now()
    window_start = months_before(as_of, rule.window_months)
    override_start = months_before(as_of, rule.override_months)
    ids_filter = None if institution_ids is None else sorted(set(institution_ids))
    result = RecomputeResult()
    with transaction.atomic():
        institutions = Institution.objects.all()
        records = CreditRecord.objects.counting(as_of, window_start)
        standings = CreditStanding.objects.all()
        if ids_filter is not None:
            institutions = institutions.filter(pk__in=ids_filter)
            records = records.filter(institution_id__in=ids_filter)
            standings = standings.filter(institution_id__in=ids_filter)
        all_ids = list(institutions.values_list("pk", flat=True))
        sums = {
            row["institution_id"]: row
            for row in records.values("institution_id").annotate(
                points=Sum("points"),
                last_override=Max(
                    "occurred_on", filter=_override_q(rule) & Q(occurred_on__gt=override_start)
                ),
            )
        }
        stored = {s.institution_id: s for s in standings.select_for_update()}
        to_create: list[CreditStanding] = []
        to_update: list[CreditStanding] = []
        changed: list[_Changed] = []
        for pk in all_ids:
            row = sums.get(pk)
            score = rule.base + (row["points"] or 0 if row else 0)
            last_override = row["last_override"] if row else None
            override_until = (
                months_before(last_override, -rule.override_months) if last_override is not None else None
            )
            tier = rule.tier_for(score, overridden=last_override is not None)
            standing = stored.get(pk)
            previous_tier = standing.tier if standing else rule.base_tier
            if tier != previous_tier:
                changed.append(
                    _Changed(
                        pk=pk,
                        before=_Computation(standing.as_of, standing.computed_at) if standing else None,
                        from_tier=previous_tier,
                        from_score=standing.score if standing else rule.base,
                        tier=tier,
                        score=score,
                        forced=last_override is not None,
                    )
                )
            if standing is None:
                to_create.append(
                    CreditStanding(
                        institution_id=pk,
                        tier=tier,
                        score=score,
                        override_until=override_until,
                        as_of=as_of,
                        computed_at=now,
                        tier_since=now,
                    )
                )
            elif (standing.tier, standing.score, standing.override_until) != (tier, score, override_until):
                # Unchanged standings keep their computation date: the causes of a later change are
                # counted from the computation whose result is stored.
                if tier != standing.tier:
                    standing.tier_since = now
                standing.tier, standing.score, standing.override_until = tier, score, override_until
                standing.as_of, standing.computed_at = as_of, now
                to_update.append(standing)
        CreditStanding.objects.bulk_create(to_create, batch_size=2000)
        CreditStanding.objects.bulk_update(
            to_update,
            ["tier", "score", "override_until", "as_of", "computed_at", "tier_since"],
            batch_size=2000,
        )
        result.computed, result.created, result.updated = len(all_ids), len(to_create), len(to_update)
        if changed:
            result.changes = _record_changes(changed, rule, _Computation(as_of, now))
    return result


def _record_changes(changed: list[_Changed], rule: CreditRule, now: _Computation) -> list[CreditTierChange]:
    """Tier changes with their causes: the records whose counting (or forcing D) differs between the
    stored computation and this one — added, revoked, expired, or past their overriding period."""
    by_pk = {c.pk: c for c in changed}
    earliest = min(
        [months_before(c.before.as_of, rule.window_months) for c in changed if c.before is not None]
        + [months_before(now.as_of, rule.window_months)]
    )
    causes: dict[int, list[int]] = defaultdict(list)
    rows = (
        CreditRecord.objects.filter(institution_id__in=list(by_pk), occurred_on__gt=earliest)
        .order_by("occurred_on", "id")
        .values("id", "institution_id", "occurred_on", "created_at", "revoked_at", "source", "severity")
    )
    for rec in rows:
        before_comp = by_pk[rec["institution_id"]].before
        before = _counted(rec, before_comp, rule) if before_comp else (False, False)
        if before != _counted(rec, now, rule):
            causes[rec["institution_id"]].append(rec["id"])
    changes = [
        CreditTierChange(
            institution_id=c.pk,
            from_tier=c.from_tier,
            to_tier=c.tier,
            from_score=c.from_score,
            score=c.score,
            overridden=c.forced,
            as_of=now.as_of,
            changed_at=now.at,
        )
        for c in changed
    ]
    CreditTierChange.objects.bulk_create(changes, batch_size=2000)
    through = CreditTierChange.causes.through
    through.objects.bulk_create(
        [
            through(credittierchange_id=change.pk, creditrecord_id=record_id)
            for change in changes
            for record_id in causes.get(change.institution_id, [])
        ],
        batch_size=5000,
    )
    return changes


# --- Sweep: the facts the credit app reads itself ------------------------------------------------


@dataclass
class SweepResult:
    posted: dict[str, int] = field(default_factory=dict)
    revoked: int = 0
    recompute: RecomputeResult | None = None


def _post_many(rows: list[CreditRecord]) -> int:
    """Insert the records whose (source, source_ref) is not stored yet; the number inserted."""
    if not rows:
        return 0
    existing: set[tuple[str, str]] = set()
    refs = [r.source_ref for r in rows]
    for start in range(0, len(refs), 5000):
        existing |= set(
            CreditRecord.objects.filter(
                source__in={r.source for r in rows}, source_ref__in=refs[start : start + 5000]
            ).values_list("source", "source_ref")
        )
    fresh = [r for r in rows if (r.source, r.source_ref) not in existing]
    CreditRecord.objects.bulk_create(fresh, batch_size=2000, ignore_conflicts=True)
    return len(fresh)


def _filing_rows(as_of: date, rule: CreditRule) -> list[CreditRecord]:
    """Operating without a confirmed filing past the grace period (one record per institution and
    year), and filings found non-compliant (one per filing)."""
    from tuoyu.filings.choices import FilingStatus as FilingState
    from tuoyu.filings.models import Filing
    from tuoyu.institutions.choices import FilingStatus, OperatingStatus
    from tuoyu.institutions.models import Institution

    grace_start = as_of - timedelta(days=rule.filing_grace_days)
    overdue = (
        Institution.objects.filter(status=OperatingStatus.OPERATING)
        .exclude(filing_status=FilingStatus.FILED)
        .filter(
            Q(operating_since__lte=grace_start)
            | Q(operating_since__isnull=True, created_at__date__lte=grace_start)
        )
        .values_list("pk", "legal_representative")
    )
    points = points_for(CreditSource.FILING, "overdue")
    rows = [
        CreditRecord(
            institution_id=pk,
            source=CreditSource.FILING,
            source_ref=f"filing:overdue:{pk}:{as_of.year}",
            severity="overdue",
            points=points,
            reason=_("Operating without a confirmed filing for more than {days} days ({year})").format(
                days=rule.filing_grace_days, year=as_of.year
            ),
            occurred_on=as_of,
            person_name=(person or "")[:60],
        )
        for pk, person in overdue
    ]
    window_start = months_before(as_of, rule.window_months)
    rejected = Filing.objects.filter(
        status=FilingState.REJECTED, decided_at__isnull=False, decided_at__date__gt=window_start
    ).values_list("pk", "institution_id", "decided_at")
    points = points_for(CreditSource.FILING, "rejected")
    rows += [
        CreditRecord(
            institution_id=institution_id,
            source=CreditSource.FILING,
            source_ref=f"filing:{pk}:rejected",
            severity="rejected",
            points=points,
            reason=_("Filing found non-compliant (notice published)"),
            occurred_on=timezone.localdate(decided_at),
        )
        for pk, institution_id, decided_at in rejected
    ]
    return rows


def _incident_rows(as_of: date, rule: CreditRule) -> list[CreditRecord]:
    """Serious and critical incidents within the window (no child's data in the reason)."""
    from tuoyu.care.choices import IncidentKind, Severity
    from tuoyu.care.models import Incident

    since = months_before(as_of, rule.window_months)
    incidents = Incident.objects.filter(
        severity__in=[Severity.SERIOUS, Severity.CRITICAL], occurred_at__date__gt=since
    ).values_list("pk", "institution_id", "severity", "kind", "occurred_at")
    kinds = dict(IncidentKind.choices)
    labels = dict(Severity.choices)
    return [
        CreditRecord(
            institution_id=institution_id,
            source=CreditSource.INCIDENT,
            source_ref=f"incident:{pk}",
            severity=severity,
            points=points_for(CreditSource.INCIDENT, severity),
            reason=_("{severity} incident: {kind}").format(
                severity=labels.get(severity, severity), kind=kinds.get(kind, kind)
            ),
            occurred_on=timezone.localdate(occurred_at),
        )
        for pk, institution_id, severity, kind, occurred_at in incidents
    ]


def _designation_rows(as_of: date, rule: CreditRule) -> list[CreditRecord]:
    """Demonstration designations in force, granted within the window: an award."""
    from tuoyu.institutions.choices import DesignationKind, DesignationLevel
    from tuoyu.institutions.models import Designation

    since = months_before(as_of, rule.window_months)
    levels = dict(DesignationLevel.choices)
    designations = Designation.objects.filter(
        kind=DesignationKind.DEMONSTRATION, revoked_on__isnull=True, granted_on__gt=since
    ).values_list("pk", "institution_id", "level", "granted_on", "granted_by")
    points = points_for(CreditSource.AWARD, "demonstration")
    return [
        CreditRecord(
            institution_id=institution_id,
            source=CreditSource.AWARD,
            source_ref=f"designation:{pk}",
            severity="demonstration",
            points=points,
            reason=_("{level} demonstration institution ({grantor})").format(
                level=levels.get(level, level), grantor=granted_by
            )[:300],
            occurred_on=granted_on,
        )
        for pk, institution_id, level, granted_on, granted_by in designations
    ]


def credit_sweep(*, as_of: date | None = None, actor: Any = None) -> SweepResult:
    """Post the records the credit app reads itself and recompute the institutions they touch.
    Idempotent: each fact has a stable `source_ref`, so running it again posts nothing new. Awards
    whose designation has since been revoked are revoked too."""
    from tuoyu.institutions.models import Designation

    rule = current_rule()
    as_of = as_of or timezone.localdate()
    result = SweepResult()
    with transaction.atomic():
        batches = {
            "filing": _filing_rows(as_of, rule),
            "incident": _incident_rows(as_of, rule),
            "award": _designation_rows(as_of, rule),
        }
        touched: set[int] = set()
        for name, rows in batches.items():
            result.posted[name] = _post_many(rows)
            touched |= {r.institution_id for r in rows}
        revoked_designations = Designation.objects.filter(revoked_on__isnull=False).values_list(
            "pk", flat=True
        )
        stale = CreditRecord.objects.filter(
            source=CreditSource.AWARD,
            revoked_at__isnull=True,
            source_ref__in=[f"designation:{pk}" for pk in revoked_designations],
        )
        touched |= set(stale.values_list("institution_id", flat=True))
        result.revoked = stale.update(
            revoked_at=timezone.now(), revoked_reason=_("The designation was revoked.")
        )
        if any(result.posted.values()) or result.revoked:
            audit(
                actor=actor,
                action="credit_sweep",
                detail={"posted": result.posted, "revoked": result.revoked, "as_of": as_of.isoformat()},
            )
    if touched:
        # Past a few thousand ids one pass over all institutions is cheaper than a long IN list.
        ids = touched if len(touched) <= 2000 else None
        result.recompute = credit_recompute(institution_ids=ids, as_of=as_of)
    return result
