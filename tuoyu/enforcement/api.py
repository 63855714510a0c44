"""Enforcement API (mounted at /api/v1/enforcement): actions, closure cases (placements per child, fee
settlement, hand-over, close) and emergencies (timeline entries, close).

Objects come through `for_user` (404 outside the caller's scope); who may act on a visible object is
decided by `services.py` (403). Children's names appear only in a closure case, to callers in its scope.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from tuoyu.core.api import ErrorSchema, FieldError, InputSchema
from tuoyu.core.audit import audit_view
from tuoyu.institutions.models import Institution

from . import services
from .choices import ActionKind, EmergencyKind, EmergencySeverity, HandoverItem, PlacementOutcome
from .models import ClosureCase, ClosureChild, ClosureHandover, Emergency, EnforcementAction
from .rules import RULE_CHOICES, RULES
from .selectors import age_label, case_progress, placement_suggestions

router = Router(tags=["enforcement"])

MAX_ID = 2**31 - 1
READ_ERRORS = {401: ErrorSchema, 404: ErrorSchema, 422: ErrorSchema}
WRITE_ERRORS = {
    400: ErrorSchema,
    401: ErrorSchema,
    403: ErrorSchema,
    404: ErrorSchema,
    409: ErrorSchema,
    422: ErrorSchema,
}
RULE_KEYS = tuple(k for k, _label in RULE_CHOICES)
MAX_AMOUNT = Decimal("99999999.99")


# --- Schemas --------------------------------------------------------------------------------------


class EnforcementPaging(Schema):
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=10_000_000)


class EnforcementRuleOut(Schema):
    key: str
    document: str
    article: str
    label: str
    text: str
    kinds: list[str]
    fine_min: Decimal | None
    fine_max: Decimal | None
    effective: date
    verified: bool


class EnforcementActionOut(Schema):
    id: int
    institution_id: int
    institution_name: str
    kind: str
    rule: str
    basis: str
    decision_number: str
    decided_on: date
    facts: str
    amount: Decimal | None
    correct_by: date | None
    inspection_id: int | None
    complaint_ref: str
    published: bool
    decided_by: str
    acknowledged_at: datetime | None
    ban_ids: list[int]


class EnforcementActionPage(Schema):
    count: int
    items: list[EnforcementActionOut]


class EnforcementActionFilters(EnforcementPaging):
    institution: int | None = Field(None, ge=1, le=MAX_ID)
    kind: ActionKind | None = None


class EnforcementBannedPersonIn(InputSchema):
    id_number: str = Field(min_length=15, max_length=18)
    name: str = Field(min_length=1, max_length=50)


class EnforcementActionIn(InputSchema):
    institution_id: int = Field(ge=1, le=MAX_ID)
    kind: ActionKind
    rule: str = Field(description="A rule key from GET /api/v1/enforcement/rules", max_length=20)
    decision_number: str = Field(min_length=1, max_length=60)
    decided_on: date
    facts: str = Field(min_length=1, max_length=3000)
    amount: Decimal | None = Field(None, gt=0, le=MAX_AMOUNT, decimal_places=2)
    correct_by: date | None = None
    inspection_id: int | None = Field(None, ge=1, le=MAX_ID)
    complaint_ref: str = Field("", max_length=40)
    published: bool = True
    banned_persons: list[EnforcementBannedPersonIn] = Field(default_factory=list, max_length=20)


class ClosureSuggestionOut(Schema):
    institution_id: int
    name: str
    distance_km: float
    vacancies: int


class ClosureChildOut(Schema):
    id: int
    child_id: int
    child_name: str
    age: str
    class_kind: str
    outcome: str
    placed_institution_id: int | None
    placed_institution_name: str | None
    placement_note: str
    placed_on: date | None
    prepaid: Decimal
    refunded: Decimal
    fee_status: str
    settled_on: date | None
    suggestions: list[ClosureSuggestionOut]


class ClosureHandoverOut(Schema):
    item: str
    label: str
    received_by: str
    received_on: date | None
    note: str


class ClosureStepOut(Schema):
    key: str
    label: str
    done: bool


class ClosureCaseOut(Schema):
    id: int
    institution_id: int
    institution_name: str
    status: str
    reason: str
    at_institution_request: bool
    action_id: int | None
    opened_at: datetime
    enrolment_stopped_at: datetime | None
    parents_notified_at: datetime | None
    closed_on: date | None
    can_close: bool
    steps: list[ClosureStepOut]
    children: list[ClosureChildOut]
    handovers: list[ClosureHandoverOut]


class ClosureCaseIn(InputSchema):
    institution_id: int = Field(ge=1, le=MAX_ID)
    reason: str = Field(min_length=1, max_length=2000)


class ClosurePlacementIn(InputSchema):
    outcome: PlacementOutcome
    institution_id: int | None = Field(None, ge=1, le=MAX_ID)
    note: str = Field("", max_length=300)
    placed_on: date | None = None


class ClosureFeeIn(InputSchema):
    prepaid: Decimal = Field(ge=0, le=MAX_AMOUNT, decimal_places=2)
    refunded: Decimal = Field(ge=0, le=MAX_AMOUNT, decimal_places=2)
    settled_on: date | None = None
    note: str = Field("", max_length=300)


class ClosureHandoverIn(InputSchema):
    item: HandoverItem
    received_by: str = Field(min_length=1, max_length=100)
    received_on: date | None = None
    note: str = Field("", max_length=300)


class ClosureCloseIn(InputSchema):
    closed_on: date | None = None
    summary: str = Field("", max_length=2000)


class ClosureCancelIn(InputSchema):
    reason: str = Field(min_length=1, max_length=500)


class EmergencyEntryOut(Schema):
    id: int
    kind: str
    text: str
    severity: str
    author: str
    at: datetime


class EmergencyOut(Schema):
    id: int
    institution_id: int
    institution_name: str
    kind: str
    severity: str
    title: str
    description: str
    status: str
    source_alert_id: int | None
    opened_by: str
    opened_at: datetime
    closed_at: datetime | None
    summary: str
    entries: list[EmergencyEntryOut]


class EmergencyPage(Schema):
    count: int
    items: list[EmergencyOut]


class EmergencyFilters(EnforcementPaging):
    institution: int | None = Field(None, ge=1, le=MAX_ID)
    open: bool | None = None


class EmergencyIn(InputSchema):
    institution_id: int = Field(ge=1, le=MAX_ID)
    kind: EmergencyKind
    severity: EmergencySeverity
    title: str = Field(min_length=1, max_length=120)
    description: str = Field(min_length=1, max_length=3000)
    source_alert_id: int | None = Field(None, ge=1, le=MAX_ID)


class EmergencyEntryIn(InputSchema):
    text: str = Field(min_length=1, max_length=2000)
    severity: EmergencySeverity | None = None


class EmergencyCloseIn(InputSchema):
    summary: str = Field(min_length=1, max_length=3000)


# --- Helpers --------------------------------------------------------------------------------------


def _name(user: Any) -> str:
    return str(user) if user is not None else ""


def _action_item(a: EnforcementAction) -> dict[str, Any]:
    return {
        "id": a.pk,
        "institution_id": a.institution_id,
        "institution_name": a.institution.name,
        "kind": a.kind,
        "rule": a.rule,
        "basis": a.basis,
        "decision_number": a.decision_number,
        "decided_on": a.decided_on,
        "facts": a.facts,
        "amount": a.amount,
        "correct_by": a.correct_by,
        "inspection_id": a.inspection_id,
        "complaint_ref": a.complaint_ref,
        "published": a.published,
        "decided_by": _name(a.decided_by),
        "acknowledged_at": a.acknowledged_at,
        "ban_ids": [b.pk for b in a.bans.all()],
    }


def _actions(user: Any) -> QuerySet[EnforcementAction]:
    return (
        EnforcementAction.objects.for_user(user, "view")
        .select_related("institution", "decided_by")
        .prefetch_related("bans")
    )


def _case_item(case: ClosureCase) -> dict[str, Any]:
    rows = list(
        ClosureChild.objects.filter(case=case).select_related("child", "placed_institution").order_by("pk")
    )
    suggestions = placement_suggestions(case, rows) if case.status == "open" else {}
    progress = case_progress(case)
    return {
        "id": case.pk,
        "institution_id": case.institution_id,
        "institution_name": case.institution.name,
        "status": case.status,
        "reason": case.reason,
        "at_institution_request": case.at_institution_request,
        "action_id": case.action_id,
        "opened_at": case.opened_at,
        "enrolment_stopped_at": case.enrolment_stopped_at,
        "parents_notified_at": case.parents_notified_at,
        "closed_on": case.closed_on,
        "can_close": case.status == "open" and progress.can_close,
        "steps": [{"key": s["key"], "label": str(s["label"]), "done": s["done"]} for s in progress.steps],
        "children": [
            {
                "id": r.pk,
                "child_id": r.child_id,
                "child_name": r.child.name,
                "age": age_label(r.child.birth_date),
                "class_kind": r.class_kind,
                "outcome": r.outcome,
                "placed_institution_id": r.placed_institution_id,
                "placed_institution_name": r.placed_institution.name if r.placed_institution else None,
                "placement_note": r.placement_note,
                "placed_on": r.placed_on,
                "prepaid": r.prepaid,
                "refunded": r.refunded,
                "fee_status": r.fee_status,
                "settled_on": r.settled_on,
                "suggestions": [s.__dict__ for s in suggestions.get(r.pk, [])],
            }
            for r in rows
        ],
        "handovers": [
            {
                "item": h.item,
                "label": h.get_item_display(),
                "received_by": h.received_by,
                "received_on": h.received_on,
                "note": h.note,
            }
            for h in case.handovers.all()
        ],
    }


def _visible_case(request: HttpRequest, case_id: int) -> ClosureCase:
    return get_object_or_404(
        ClosureCase.objects.for_user(request.user, "view").select_related("institution"), pk=case_id
    )


def _emergency_item(e: Emergency) -> dict[str, Any]:
    return {
        "id": e.pk,
        "institution_id": e.institution_id,
        "institution_name": e.institution.name,
        "kind": e.kind,
        "severity": e.severity,
        "title": e.title,
        "description": e.description,
        "status": e.status,
        "source_alert_id": e.source_alert_id,
        "opened_by": _name(e.opened_by),
        "opened_at": e.opened_at,
        "closed_at": e.closed_at,
        "summary": e.summary,
        "entries": [
            {
                "id": x.pk,
                "kind": x.kind,
                "text": x.text,
                "severity": x.severity,
                "author": _name(x.author),
                "at": x.at,
            }
            for x in e.entries.all()
        ],
    }


def _emergencies(user: Any) -> QuerySet[Emergency]:
    return (
        Emergency.objects.for_user(user, "view")
        .select_related("institution", "opened_by")
        .prefetch_related("entries__author")
    )


def _visible_institution(request: HttpRequest, institution_id: int) -> Institution:
    institution = Institution.objects.for_user(request.user, "view").filter(pk=institution_id).first()
    if institution is None:
        raise FieldError("institution_id", _("No such institution."))
    return institution


# --- Rules and actions ----------------------------------------------------------------------------


@router.get(
    "/rules", response={200: list[EnforcementRuleOut], 401: ErrorSchema}, url_name="enforcement_rules"
)
def rule_list(request: HttpRequest) -> list[dict[str, Any]]:
    """The legal bases an action may cite, with the kinds of action and fine range each allows."""
    return [
        {
            "key": r.key,
            "document": r.document,
            "article": r.article,
            "label": str(r.label),
            "text": r.text,
            "kinds": sorted(r.kinds),
            "fine_min": r.fine_min,
            "fine_max": r.fine_max,
            "effective": r.effective,
            "verified": r.verified,
        }
        for r in RULES
    ]


@router.get(
    "/actions", response={200: EnforcementActionPage, **READ_ERRORS}, url_name="enforcement_action_list"
)
def action_list(request: HttpRequest, filters: Query[EnforcementActionFilters]) -> dict[str, Any]:
    """Actions against institutions in the caller's scope (officials: their regions; staff: their own)."""
    queryset = _actions(request.user)
    if filters.institution:
        queryset = queryset.filter(institution_id=filters.institution)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    queryset = queryset.order_by("-decided_on", "-id")
    count = queryset.count()
    rows = list(queryset[filters.offset : filters.offset + filters.limit])
    return {"count": count, "items": [_action_item(a) for a in rows]}


@router.post(
    "/actions", response={201: EnforcementActionOut, **WRITE_ERRORS}, url_name="enforcement_action_create"
)
def action_create(request: HttpRequest, payload: EnforcementActionIn) -> Status[Any]:
    """Decide an action (officials with "manage" over the region; 403 otherwise). The amount must lie in
    the rule's range (422 naming `amount`); a suspension suspends the institution; a closure opens a case."""
    from tuoyu.supervision.models import Inspection

    institution = _visible_institution(request, payload.institution_id)
    if payload.rule not in RULE_KEYS:
        raise FieldError("rule", _("Unknown legal basis."))
    inspection = None
    if payload.inspection_id is not None:
        inspection = (
            Inspection.objects.for_user(request.user, "view").filter(pk=payload.inspection_id).first()
        )
        if inspection is None:
            raise FieldError("inspection_id", _("No such inspection."))
    action = services.enforcement_action_create(
        actor=request.user,
        institution=institution,
        kind=payload.kind,
        rule=payload.rule,
        decision_number=payload.decision_number,
        decided_on=payload.decided_on,
        facts=payload.facts,
        amount=payload.amount,
        correct_by=payload.correct_by,
        inspection=inspection,
        complaint_ref=payload.complaint_ref,
        published=payload.published,
        banned_persons=[(p.id_number, p.name) for p in payload.banned_persons],
    )
    return Status(201, _action_item(_actions(request.user).get(pk=action.pk)))


@router.get(
    "/actions/{action_id}", response={200: EnforcementActionOut, **READ_ERRORS}, url_name="enforcement_action"
)
def action_detail(request: HttpRequest, action_id: int = Path(..., ge=1, le=MAX_ID)) -> dict[str, Any]:
    """One action."""
    return _action_item(get_object_or_404(_actions(request.user), pk=action_id))


@router.post(
    "/actions/{action_id}/acknowledge",
    response={200: EnforcementActionOut, **WRITE_ERRORS},
    url_name="enforcement_action_acknowledge",
)
def action_acknowledge(request: HttpRequest, action_id: int = Path(..., ge=1, le=MAX_ID)) -> dict[str, Any]:
    """The institution's director acknowledges the decision (others 403)."""
    action = get_object_or_404(_actions(request.user), pk=action_id)
    services.enforcement_action_acknowledge(actor=request.user, action=action)
    return _action_item(_actions(request.user).get(pk=action.pk))


# --- Closure --------------------------------------------------------------------------------------


@router.post(
    "/closures", response={201: ClosureCaseOut, **WRITE_ERRORS}, url_name="enforcement_closure_create"
)
def closure_create(request: HttpRequest, payload: ClosureCaseIn) -> Status[Any]:
    """Open a closure (officials who manage the region, or the director): new enrolment stops at once and
    the parents are told; 409 when the institution has closed or a closure is in progress."""
    institution = _visible_institution(request, payload.institution_id)
    case = services.closure_case_open(actor=request.user, institution=institution, reason=payload.reason)
    return Status(201, _case_item(case))


@router.get(
    "/closures/{case_id}", response={200: ClosureCaseOut, **READ_ERRORS}, url_name="enforcement_closure"
)
def closure_detail(request: HttpRequest, case_id: int = Path(..., ge=1, le=MAX_ID)) -> dict[str, Any]:
    """The case with its steps, each child (age, placement, fees, suggested places) and the hand-over."""
    case = _visible_case(request, case_id)
    audit_view(actor=request.user, obj=case, request=request)
    return _case_item(case)


def _row(case: ClosureCase, row_id: int) -> ClosureChild:
    return get_object_or_404(ClosureChild, case=case, pk=row_id)


@router.post(
    "/closures/{case_id}/children/{row_id}/placement",
    response={200: ClosureCaseOut, **WRITE_ERRORS},
    url_name="enforcement_closure_place",
)
def closure_place(
    request: HttpRequest,
    payload: ClosurePlacementIn,
    case_id: int = Path(..., ge=1, le=MAX_ID),
    row_id: int = Path(..., ge=1, le=MAX_ID),
) -> dict[str, Any]:
    """Record where a child went; the child leaves the closing institution's register."""
    case = _visible_case(request, case_id)
    row = _row(case, row_id)
    target = None
    if payload.institution_id is not None:
        target = Institution.objects.filter(pk=payload.institution_id).first()
        if target is None:
            raise FieldError("institution_id", _("No such institution."))
    services.closure_child_place(
        actor=request.user,
        row=row,
        outcome=payload.outcome,
        institution=target,
        note=payload.note,
        placed_on=payload.placed_on,
    )
    return _case_item(_visible_case(request, case_id))


@router.post(
    "/closures/{case_id}/children/{row_id}/fee",
    response={200: ClosureCaseOut, **WRITE_ERRORS},
    url_name="enforcement_closure_fee",
)
def closure_fee(
    request: HttpRequest,
    payload: ClosureFeeIn,
    case_id: int = Path(..., ge=1, le=MAX_ID),
    row_id: int = Path(..., ge=1, le=MAX_ID),
) -> dict[str, Any]:
    """Settle a child's prepaid fees (the refund cannot exceed the prepaid amount: 422)."""
    case = _visible_case(request, case_id)
    services.closure_child_settle_fee(
        actor=request.user,
        row=_row(case, row_id),
        prepaid=payload.prepaid,
        refunded=payload.refunded,
        settled_on=payload.settled_on,
        note=payload.note,
    )
    return _case_item(_visible_case(request, case_id))


@router.post(
    "/closures/{case_id}/handover",
    response={200: ClosureCaseOut, **WRITE_ERRORS},
    url_name="enforcement_closure_handover",
)
def closure_handover(
    request: HttpRequest, payload: ClosureHandoverIn, case_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    """Record that a checklist item was handed over, and to whom."""
    case = _visible_case(request, case_id)
    item = get_object_or_404(ClosureHandover, case=case, item=payload.item)
    services.closure_handover_record(
        actor=request.user,
        item=item,
        received_by=payload.received_by,
        received_on=payload.received_on,
        note=payload.note,
    )
    return _case_item(_visible_case(request, case_id))


@router.post(
    "/closures/{case_id}/close",
    response={200: ClosureCaseOut, **WRITE_ERRORS},
    url_name="enforcement_closure_close",
)
def closure_close(
    request: HttpRequest, payload: ClosureCloseIn, case_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    """Close the institution: 409 while a child is unplaced, a fee unsettled or a record not handed over."""
    case = _visible_case(request, case_id)
    services.closure_case_close(
        actor=request.user, case=case, closed_on=payload.closed_on, summary=payload.summary
    )
    return _case_item(_visible_case(request, case_id))


@router.post(
    "/closures/{case_id}/cancel",
    response={200: ClosureCaseOut, **WRITE_ERRORS},
    url_name="enforcement_closure_cancel",
)
def closure_cancel(
    request: HttpRequest, payload: ClosureCancelIn, case_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    """Cancel an open closure (officials who manage the region)."""
    case = _visible_case(request, case_id)
    services.closure_case_cancel(actor=request.user, case=case, reason=payload.reason)
    return _case_item(_visible_case(request, case_id))


# --- Emergencies ----------------------------------------------------------------------------------


@router.get(
    "/emergencies", response={200: EmergencyPage, **READ_ERRORS}, url_name="enforcement_emergency_list"
)
def emergency_list(request: HttpRequest, filters: Query[EmergencyFilters]) -> dict[str, Any]:
    """Emergencies in the caller's scope, newest first."""
    queryset = _emergencies(request.user)
    if filters.institution:
        queryset = queryset.filter(institution_id=filters.institution)
    if filters.open is not None:
        queryset = queryset.filter(status="open" if filters.open else "closed")
    queryset = queryset.order_by("-opened_at", "-id")
    count = queryset.count()
    rows = list(queryset[filters.offset : filters.offset + filters.limit])
    return {"count": count, "items": [_emergency_item(e) for e in rows]}


@router.post(
    "/emergencies", response={201: EmergencyOut, **WRITE_ERRORS}, url_name="enforcement_emergency_create"
)
def emergency_create(request: HttpRequest, payload: EmergencyIn) -> Status[Any]:
    """Report an emergency (officials over the institution or its director); the county, city and
    province officials are notified (urgent when high)."""
    from tuoyu.health.models import SymptomClusterAlert

    institution = _visible_institution(request, payload.institution_id)
    alert = None
    if payload.source_alert_id is not None:
        alert = (
            SymptomClusterAlert.objects.for_user(request.user, "view")
            .filter(pk=payload.source_alert_id)
            .first()
        )
        if alert is None:
            raise FieldError("source_alert_id", _("No such alert."))
    emergency = services.emergency_open(
        actor=request.user,
        institution=institution,
        kind=payload.kind,
        severity=payload.severity,
        title=payload.title,
        description=payload.description,
        source_alert=alert,
    )
    return Status(201, _emergency_item(_emergencies(request.user).get(pk=emergency.pk)))


@router.get(
    "/emergencies/{emergency_id}",
    response={200: EmergencyOut, **READ_ERRORS},
    url_name="enforcement_emergency",
)
def emergency_detail(request: HttpRequest, emergency_id: int = Path(..., ge=1, le=MAX_ID)) -> dict[str, Any]:
    """One emergency with its timeline."""
    return _emergency_item(get_object_or_404(_emergencies(request.user), pk=emergency_id))


@router.post(
    "/emergencies/{emergency_id}/entries",
    response={201: EmergencyEntryOut, **WRITE_ERRORS},
    url_name="enforcement_emergency_entry",
)
def emergency_entry(
    request: HttpRequest, payload: EmergencyEntryIn, emergency_id: int = Path(..., ge=1, le=MAX_ID)
) -> Status[Any]:
    """Add to the timeline; a higher severity notifies the hierarchy again (409 once closed)."""
    emergency = get_object_or_404(_emergencies(request.user), pk=emergency_id)
    entry = services.emergency_add_entry(
        actor=request.user, emergency=emergency, text=payload.text, severity=payload.severity
    )
    return Status(
        201,
        {
            "id": entry.pk,
            "kind": entry.kind,
            "text": entry.text,
            "severity": entry.severity,
            "author": _name(entry.author),
            "at": entry.at,
        },
    )


@router.post(
    "/emergencies/{emergency_id}/close",
    response={200: EmergencyOut, **WRITE_ERRORS},
    url_name="enforcement_emergency_close",
)
def emergency_close(
    request: HttpRequest, payload: EmergencyCloseIn, emergency_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    """Close with a summary (officials who inspect or manage the region; 409 when closed already)."""
    emergency = get_object_or_404(_emergencies(request.user), pk=emergency_id)
    services.emergency_close(actor=request.user, emergency=emergency, summary=payload.summary)
    return _emergency_item(_emergencies(request.user).get(pk=emergency.pk))
