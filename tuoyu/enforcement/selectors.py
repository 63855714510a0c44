"""Reads of the enforcement app that pages, the API and other apps use.

- `enrolment_stop_reason(institution)`: why the institution may take no new child (suspended, closed,
  or a closure case open) — read by children.services.application_accept.
- `placement_suggestions(case, rows)`: for each child of a closing institution, nearby institutions with
  a vacancy in a class for the child's age, nearest first — one query per age band, over a bounded
  box of candidates (never a loop over all institutions).
- `officials_covering(institution)`: the officials of the county, city and province over it.
- `trust_card_section(institution)`: published penalties and, once closed, the closure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, ExpressionWrapper, F, FloatField, Q, QuerySet, Sum, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoyu.accounts.choices import OFFICIAL_ROLES
from tuoyu.institutions.choices import OperatingStatus
from tuoyu.institutions.models import Institution

from .choices import ClosureStatus, FeeStatus, PlacementOutcome
from .models import ClosureCase, ClosureChild, EnforcementAction
from .rules import SUGGESTION_BOX_DEGREES, SUGGESTIONS_PER_CHILD, rule_for


def enrolment_stop_reason(institution: Institution) -> str | None:
    """Why `institution` may accept no new child now, or None."""
    if institution.status == OperatingStatus.SUSPENDED:
        return _("{name} is suspended: it may not accept new children.").format(name=institution.name)
    if institution.status == OperatingStatus.CLOSED:
        return _("{name} has closed: it may not accept new children.").format(name=institution.name)
    if ClosureCase.objects.filter(institution_id=institution.pk, status=ClosureStatus.OPEN).exists():
        return _("{name} is closing: new enrolment has stopped.").format(name=institution.name)
    return None


def province_code(institution: Institution) -> str:
    # Division codes are hierarchical (regions_load enforces it): the province is the first two digits.
    return str(institution.township_id)[:2] + "0" * 10


def officials_covering(institution: Institution) -> list[int]:
    """Users holding an active official role at the institution's county, city or province."""
    from tuoyu.accounts.models import RoleAssignment

    regions = {str(institution.county_id), str(institution.city_id), province_code(institution)}
    return list(
        RoleAssignment.objects.filter(active=True, role__in=sorted(OFFICIAL_ROLES), region_id__in=regions)
        .values_list("user_id", flat=True)
        .distinct()
    )


# --- Closure --------------------------------------------------------------------------------------


@dataclass
class Suggestion:
    institution_id: int
    name: str
    distance_km: float
    vacancies: int


@dataclass
class CaseProgress:
    children: int = 0
    placed: int = 0
    settled: int = 0
    handovers: int = 0
    handovers_done: int = 0
    steps: list[dict[str, Any]] = field(default_factory=list)

    @property
    def can_close(self) -> bool:
        return (
            self.placed == self.children
            and self.settled == self.children
            and self.handovers_done == self.handovers
        )


def case_progress(case: ClosureCase) -> CaseProgress:
    """Counts for the case's steps (two queries)."""
    counts = case.children.aggregate(
        n=Count("pk"),
        placed=Count("pk", filter=~Q(outcome=PlacementOutcome.PENDING)),
        settled=Count("pk", filter=Q(fee_status=FeeStatus.SETTLED)),
    )
    hand = case.handovers.aggregate(n=Count("pk"), done=Count("pk", filter=Q(received_on__isnull=False)))
    progress = CaseProgress(
        children=counts["n"],
        placed=counts["placed"],
        settled=counts["settled"],
        handovers=hand["n"],
        handovers_done=hand["done"],
    )
    progress.steps = [
        {"key": "open", "label": _("Case opened"), "done": True, "at": case.opened_at},
        {
            "key": "stop_enrolment",
            "label": _("New enrolment stopped"),
            "done": case.enrolment_stopped_at is not None,
            "at": case.enrolment_stopped_at,
        },
        {
            "key": "notify_parents",
            "label": _("Parents told"),
            "done": case.parents_notified_at is not None,
            "at": case.parents_notified_at,
        },
        {
            "key": "place_children",
            "label": _("Children placed"),
            "done": progress.placed == progress.children,
            "count": f"{progress.placed}/{progress.children}",
        },
        {
            "key": "settle_fees",
            "label": _("Prepaid fees settled"),
            "done": progress.settled == progress.children,
            "count": f"{progress.settled}/{progress.children}",
        },
        {
            "key": "hand_over",
            "label": _("Records handed over"),
            "done": progress.handovers_done == progress.handovers,
            "count": f"{progress.handovers_done}/{progress.handovers}",
        },
        {
            "key": "close",
            "label": _("Institution closed"),
            "done": case.status == ClosureStatus.CLOSED,
            "on": case.closed_on,
        },
    ]
    return progress


def _distance_expr(lat: float, lng: float) -> Any:
    """Squared equirectangular distance in degrees of latitude (enough to order by nearness)."""
    k = math.cos(math.radians(lat))
    return ExpressionWrapper(
        (F("institution__lat") - Value(lat)) * (F("institution__lat") - Value(lat))
        + (F("institution__lng") - Value(lng)) * Value(k) * (F("institution__lng") - Value(lng)) * Value(k),
        output_field=FloatField(),
    )


def nearby_vacancies(
    origin: Institution, kinds: list[str], *, limit: int = SUGGESTIONS_PER_CHILD
) -> list[Suggestion]:
    """Operating, publicly listed institutions near `origin` with a free place in a class of one of
    `kinds`, nearest first. Candidates come from a box around the origin (the lat/lng index), widened
    once when it holds too few; the vacancies are `children.selectors.class_vacancies`, summed in SQL."""
    from tuoyu.children.selectors import class_vacancies

    if origin.lat is None or origin.lng is None or not kinds:
        return []
    closing = ClosureCase.objects.filter(status=ClosureStatus.OPEN).values("institution_id")
    found: list[Suggestion] = []
    for box in SUGGESTION_BOX_DEGREES:
        lng_box = box / max(math.cos(math.radians(origin.lat)), 0.1)
        candidates = (
            Institution.objects.publicly_listed()
            .operating()
            .exclude(pk=origin.pk)
            .exclude(pk__in=closing)
            .filter(
                lat__gte=origin.lat - box,
                lat__lte=origin.lat + box,
                lng__gte=origin.lng - lng_box,
                lng__lte=origin.lng + lng_box,
            )
        )
        rows = (
            class_vacancies(candidates)
            .filter(kind__in=kinds, vacancies__gt=0)  # type: ignore[misc]  # an annotation
            .order_by()
            .values("institution_id", "institution__name")
            .annotate(free=Sum("vacancies"), d2=_distance_expr(origin.lat, origin.lng))
            .order_by("d2", "institution_id")[:limit]
        )
        found = [
            Suggestion(
                institution_id=r["institution_id"],
                name=r["institution__name"],
                distance_km=round(math.sqrt(r["d2"]) * 111.2, 1),
                vacancies=r["free"],
            )
            for r in rows
        ]
        if len(found) >= limit:
            break
    return found


def child_kinds(row: ClosureChild, on: Any = None) -> list[str]:
    from tuoyu.children import rules as child_rules

    return child_rules.fitting_kinds(row.child.birth_date, on or timezone.localdate())


def placement_suggestions(case: ClosureCase, rows: list[ClosureChild]) -> dict[int, list[Suggestion]]:
    """Suggestions per ClosureChild id for the unplaced `rows`: one query per distinct age band."""
    today = timezone.localdate()
    by_kinds: dict[tuple[str, ...], list[int]] = {}
    for row in rows:
        if row.placed:
            continue
        by_kinds.setdefault(tuple(sorted(child_kinds(row, today))), []).append(row.pk)
    result: dict[int, list[Suggestion]] = {}
    for kinds, ids in by_kinds.items():
        found = nearby_vacancies(case.institution, list(kinds))
        for pk in ids:
            result[pk] = found
    return result


def age_label(birth_date: Any, on: Any = None) -> str:
    from tuoyu.children.rules import age_in_months

    return _("{n} months").format(n=age_in_months(birth_date, on or timezone.localdate()))


# --- Public trust card ----------------------------------------------------------------------------


def published_actions(institution: Institution) -> QuerySet[EnforcementAction]:
    return (
        EnforcementAction.objects.published().filter(institution=institution).order_by("-decided_on", "-id")
    )


def trust_card_section(institution: Any) -> dict[str, Any] | None:
    """This app's part of the public trust card: published penalties (kind, date, basis, amount — no
    personal data) and, for a closed institution, the closure."""
    actions = [
        {
            "kind": a.get_kind_display(),
            "decided_on": a.decided_on,
            "decision_number": a.decision_number,
            "basis": (rule.basis if (rule := rule_for(a.rule)) else a.rule),
            "amount": a.amount,
        }
        for a in published_actions(institution)[:50]
    ]
    closure = (
        ClosureCase.objects.filter(institution=institution, status=ClosureStatus.CLOSED)
        .order_by("-closed_on")
        .values("closed_on", "at_institution_request")
        .first()
    )
    closed_on = institution.closed_on if institution.status == OperatingStatus.CLOSED else None
    if not actions and closed_on is None:
        return None
    return {
        "template": "enforcement/_trust_card.html",
        "actions": actions,
        "closed_on": closed_on or (closure["closed_on"] if closure else None),
        "closed": institution.status == OperatingStatus.CLOSED,
        "at_institution_request": bool(closure and closure["at_institution_request"]),
    }
