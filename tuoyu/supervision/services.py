"""Writes of the supervision app: every change goes through a service here.

The inspection state machine (one service per transition, each recorded with who, when and why):

    planned ──start──▶ in_progress ──submit──▶ submitted ──issue_orders──▶ rectifying ──close──▶ closed
       │                   │                       └────────close (no failing item)────────────▶ closed
       └──cancel───────────┴──▶ cancelled

`rectifying → closed` happens by itself when the inspector verifies the last rectification order.
A failed high-risk item opens a follow-up inspection (kind follow_up, same team) when the inspection
closes, planned `rules.FOLLOW_UP_WORKING_DAYS` working days later: the corrections of the gravest
findings are checked on site, not only on paper (this deployment's rule).

Rectification orders: open ──answer──▶ answered ──verify──▶ closed; answered ──return──▶ open.
`rectification_sweep` marks open orders past their deadline overdue (once) and posts a credit record.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoyu.accounts.choices import Role
from tuoyu.core.api import Conflict
from tuoyu.core.audit import audit
from tuoyu.core.files import EXTENSIONS, sniff_content_type
from tuoyu.filings.calendar import add_working_days_estimated
from tuoyu.institutions.models import Institution

from . import rules
from .choices import (
    CONCLUDED_STATUSES,
    InspectionKind,
    InspectionStatus,
    RectificationAction,
    RectificationStatus,
    Result,
    Risk,
    SignatureRole,
)
from .models import (
    ChecklistEntry,
    ChecklistPhoto,
    Inspection,
    InspectionItem,
    InspectionSignature,
    InspectionTransition,
    RectificationEvent,
    RectificationEvidence,
    RectificationOrder,
    SyncReceipt,
)

S = InspectionStatus
# The one table of allowed transitions: (from, to) → the service (action) that performs it.
TRANSITIONS: dict[tuple[str, str], str] = {
    (S.PLANNED, S.IN_PROGRESS): "start",
    (S.PLANNED, S.CANCELLED): "cancel",
    (S.IN_PROGRESS, S.CANCELLED): "cancel",
    (S.IN_PROGRESS, S.SUBMITTED): "submit",
    (S.SUBMITTED, S.RECTIFYING): "issue_orders",
    (S.SUBMITTED, S.CLOSED): "close",
    (S.RECTIFYING, S.CLOSED): "close",
}
INSPECTOR_ROLES = (Role.OFFICIAL_INSPECTOR, Role.OFFICIAL_ADMIN)


class TransitionNotAllowed(Conflict):
    """The inspection's or order's current state does not allow what was asked (answered 409)."""


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _has_grant(actor: Any, institution_id: int, action: str) -> bool:
    if actor is None:
        return False
    return Institution.objects.for_user(actor, action).filter(pk=institution_id).exists()


def can_inspect(actor: Any, inspection: Inspection) -> bool:
    """A member of the team with the inspect grant, or an administrator (manage) of the region."""
    if _has_grant(actor, inspection.institution_id, "manage") and getattr(actor, "is_official", False):
        return True
    return _has_grant(actor, inspection.institution_id, "inspect") and (
        inspection.inspectors.filter(pk=actor.pk).exists()
    )


def can_manage(actor: Any, inspection: Inspection) -> bool:
    """An administrator of a region that covers the institution (assigns teams, cancels)."""
    return bool(getattr(actor, "is_official", False)) and _has_grant(
        actor, inspection.institution_id, "manage"
    )


def can_answer(actor: Any, order: RectificationOrder) -> bool:
    """The institution's director (the change grant on the institution, held by staff)."""
    return bool(getattr(actor, "is_staff_member", False)) and _has_grant(
        actor, order.inspection.institution_id, "change"
    )


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("You may not do this for this inspection."))


def _lock(inspection: Inspection) -> Inspection:
    return Inspection.objects.select_for_update().select_related("institution").get(pk=inspection.pk)


def _check(inspection: Inspection, to_status: str) -> str:
    action = TRANSITIONS.get((inspection.status, to_status))
    if action is None:
        raise TransitionNotAllowed(
            _("An inspection that is {current} cannot become {target}.").format(
                current=InspectionStatus(inspection.status).label, target=InspectionStatus(to_status).label
            )
        )
    return action


def _move(inspection: Inspection, to_status: str, actor: Any, reason: str = "", **detail: Any) -> None:
    action = _check(inspection, to_status)
    from_status = inspection.status
    inspection.status = to_status
    inspection.full_clean()
    inspection.save()
    InspectionTransition.objects.create(
        inspection=inspection, from_status=from_status, to_status=to_status, actor=_user(actor), reason=reason
    )
    audit(
        actor=actor,
        action=f"inspection.{action}",
        obj=inspection,
        detail={"from": from_status, "to": to_status, "reason": reason, **detail},
    )


def working_days_after(start: date, n: int) -> date:
    """The n-th working day after `start`; past the calendar's known years, Monday–Friday is assumed."""
    return add_working_days_estimated(start, n)[0]


# --- Opening and the team -------------------------------------------------------------------------


def inspection_open(
    *,
    actor: Any,
    institution: Any,
    kind: str,
    inspectors: list[Any],
    planned_on: date,
    reason: str = "",
    origin: str = "",
    follow_up_of: Inspection | None = None,
) -> Inspection:
    """Open an inspection of `institution` for `inspectors` (other apps call this: a draw opens its
    routine inspections, a serious complaint an ad-hoc one). Returns the new inspection."""
    with transaction.atomic():
        inspection = Inspection(
            institution=institution,
            kind=kind,
            planned_on=planned_on,
            reason=reason,
            origin=origin,
            follow_up_of=follow_up_of,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        inspection.full_clean()
        inspection.save()
        if inspectors:
            inspection.inspectors.set(inspectors)
        InspectionTransition.objects.create(
            inspection=inspection,
            from_status=S.PLANNED,
            to_status=S.PLANNED,
            actor=_user(actor),
            reason=reason or origin,
        )
        audit(actor=actor, action="inspection_open", obj=inspection, detail={"kind": kind, "origin": origin})
    return inspection


def eligible_inspectors(institution: Institution) -> Any:
    """Officials who may inspect `institution`: an inspector or administrator role in a region whose
    subtree holds the institution's township."""
    from tuoyu.accounts.models import RoleAssignment, User

    township = str(institution.township_id)
    candidates = RoleAssignment.objects.filter(active=True, role__in=INSPECTOR_ROLES).select_related("region")
    ids = [a.user_id for a in candidates if a.region and _covers(a.region, township)]
    return User.objects.filter(pk__in=ids, is_active=True).order_by("username")


def _covers(region: Any, code: str) -> bool:
    lo, hi = region.subtree_bounds()
    return bool(lo <= code <= hi)


@transaction.atomic
def inspection_open_adhoc(
    *, actor: Any, institution: Institution, kind: str, planned_on: date, reason: str, inspectors: list[Any]
) -> Inspection:
    """An official opens an ad-hoc (or complaint, follow-up) inspection of an institution in their region."""
    if not (getattr(actor, "is_official", False) and _has_grant(actor, institution.pk, "manage")):
        raise PermissionDenied(_("You may not open an inspection of this institution."))
    if kind == InspectionKind.ROUTINE:
        raise ValidationError({"kind": _("Routine inspections come from a draw.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why this inspection is needed.")})
    if inspectors:
        _validate_team(institution, inspectors)
    return inspection_open(
        actor=actor,
        institution=institution,
        kind=kind,
        inspectors=inspectors,
        planned_on=planned_on,
        reason=reason,
        origin=_("opened by {user}").format(user=actor)[:80],
    )


def _validate_team(institution: Institution, inspectors: list[Any]) -> None:
    if len({u.pk for u in inspectors}) < rules.MIN_TEAM:
        raise ValidationError(
            {"inspectors": _("A team has at least {n} inspectors.").format(n=rules.MIN_TEAM)}
        )
    eligible = set(eligible_inspectors(institution).values_list("pk", flat=True))
    outside = [str(u) for u in inspectors if u.pk not in eligible]
    if outside:
        raise ValidationError(
            {
                "inspectors": _("Not an inspector of a region covering this institution: {names}.").format(
                    names=", ".join(outside)
                )
            }
        )


@transaction.atomic
def inspection_assign_team(*, actor: Any, inspection: Inspection, inspectors: list[Any]) -> Inspection:
    """A county (or higher) administrator assigns a team of at least two eligible inspectors."""
    inspection = _lock(inspection)
    _require(can_manage(actor, inspection))
    if inspection.status != S.PLANNED:
        raise TransitionNotAllowed(_("The team can only be changed before the inspection starts."))
    _validate_team(inspection.institution, inspectors)
    inspection.inspectors.set(inspectors)
    audit(
        actor=actor,
        action="inspection.assign_team",
        obj=inspection,
        detail={"inspectors": sorted(u.pk for u in inspectors)},
    )
    return inspection


# --- Transitions ----------------------------------------------------------------------------------


@transaction.atomic
def inspection_start(*, actor: Any, inspection: Inspection) -> Inspection:
    """The team starts on site: the checklist is fixed now (every item in force, key items first)."""
    inspection = _lock(inspection)
    _require(can_inspect(actor, inspection))
    _check(inspection, S.IN_PROGRESS)
    if inspection.inspectors.count() < rules.MIN_TEAM:
        raise TransitionNotAllowed(
            _("Assign a team of at least {n} inspectors first.").format(n=rules.MIN_TEAM)
        )
    items = InspectionItem.objects.filter(in_force=True).order_by("-kind", "position", "code")
    # "-kind": key before general (k > g).
    ChecklistEntry.objects.bulk_create(
        [
            ChecklistEntry(
                inspection=inspection,
                item=item,
                code=item.code,
                title=item.title,
                kind=item.kind,
                risk=item.risk,
                source=item.source[:200],
                position=index,
            )
            for index, item in enumerate(items)
        ]
    )
    inspection.started_at = timezone.now()
    _move(inspection, S.IN_PROGRESS, actor, items=len(items))
    return inspection


@transaction.atomic
def inspection_cancel(*, actor: Any, inspection: Inspection, reason: str) -> Inspection:
    inspection = _lock(inspection)
    _require(can_manage(actor, inspection))
    _check(inspection, S.CANCELLED)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the inspection is cancelled.")})
    _move(inspection, S.CANCELLED, actor, reason=reason)
    return inspection


def unanswered(inspection: Inspection) -> int:
    return inspection.entries.filter(result="").count()


@transaction.atomic
def inspection_submit(*, actor: Any, inspection: Inspection, internal_note: str | None = None) -> Inspection:
    """The checklist is complete and signed: the result is known (the conclusion). Each failed item
    posts a credit record weighted by its risk; the publication window starts today."""
    from tuoyu.credit.rules import points_for
    from tuoyu.credit.services import credit_record_add

    inspection = _lock(inspection)
    _require(can_inspect(actor, inspection))
    _check(inspection, S.SUBMITTED)
    errors: dict[str, str] = {}
    missing = unanswered(inspection)
    if missing:
        errors["entries"] = _("{n} checklist items are not answered yet.").format(n=missing)
    if inspection.entries.filter(result=Result.FAIL, note="").exists():
        errors["note"] = _("Describe each failing item in its note.")
    roles = set(inspection.signatures.values_list("role", flat=True))
    if roles != set(SignatureRole.values):
        errors["signatures"] = _("Both the inspector and the institution's representative must sign.")
    if errors:
        raise ValidationError(errors)
    today = timezone.localdate()
    inspection.concluded_on = today
    inspection.publish_due = working_days_after(today, rules.publish_working_days())
    if internal_note is not None:
        inspection.internal_note = internal_note
    failed = list(inspection.entries.filter(result=Result.FAIL))
    _move(inspection, S.SUBMITTED, actor, failed=len(failed))
    for entry in failed:
        credit_record_add(
            institution=inspection.institution,
            source="inspection",
            source_ref=f"inspection:{inspection.pk}:item:{entry.item_id}",
            points=points_for("inspection", entry.risk),
            reason=f"{entry.code} {entry.title}",
            occurred_on=today,
            actor=actor,
        )
    return inspection


@transaction.atomic
def inspection_issue_orders(*, actor: Any, inspection: Inspection) -> list[RectificationOrder]:
    """Issue a rectification notice for each failed item, with a deadline by risk; tell the director."""
    inspection = _lock(inspection)
    _require(can_inspect(actor, inspection))
    _check(inspection, S.RECTIFYING)
    failed = list(inspection.entries.filter(result=Result.FAIL).order_by("position"))
    if not failed:
        raise TransitionNotAllowed(_("No item failed: close the inspection instead."))
    today = timezone.localdate()
    orders = []
    for entry in failed:
        order = RectificationOrder.objects.create(
            inspection=inspection,
            entry=entry,
            issued_on=today,
            deadline=working_days_after(today, rules.rectification_days(entry.risk)),
        )
        RectificationEvent.objects.create(order=order, action=RectificationAction.ISSUE, actor=_user(actor))
        orders.append(order)
    _move(inspection, S.RECTIFYING, actor, orders=len(orders))
    _notify_directors(
        inspection,
        title=_("Rectification notice: {n} items to correct").format(n=len(orders)),
        body="; ".join(f"{o.entry.title} ({o.deadline:%Y-%m-%d})" for o in orders),
    )
    return orders


def _notify_directors(inspection: Inspection, *, title: str, body: str = "") -> None:
    from django.urls import reverse

    from tuoyu.accounts.models import RoleAssignment
    from tuoyu.parents.choices import NotificationKind
    from tuoyu.parents.services import notify_users

    ids = list(
        RoleAssignment.objects.filter(
            institution_id=inspection.institution_id, role=Role.DIRECTOR, active=True
        ).values_list("user_id", flat=True)
    )
    if ids:
        notify_users(
            user_ids=ids,
            kind=NotificationKind.SUPERVISION,
            title=title,
            body=body[:1000],
            link=reverse("supervision:inst_home"),
        )


@transaction.atomic
def inspection_close(*, actor: Any, inspection: Inspection, reason: str = "") -> Inspection:
    """Close: straight after submission when nothing failed, or once every order is corrected. A
    failed high-risk item then opens a follow-up inspection with the same team."""
    inspection = _lock(inspection)
    _require(can_inspect(actor, inspection))
    _check(inspection, S.CLOSED)
    if inspection.status == S.SUBMITTED and inspection.entries.filter(result=Result.FAIL).exists():
        raise TransitionNotAllowed(_("Items failed: issue the rectification notices first."))
    if inspection.orders.exclude(status=RectificationStatus.CLOSED).exists():
        raise TransitionNotAllowed(_("Rectification orders are still open."))
    inspection.closed_at = timezone.now()
    _move(inspection, S.CLOSED, actor, reason=reason)
    if inspection.entries.filter(result=Result.FAIL, risk=Risk.HIGH).exists():
        inspection_open(
            actor=actor,
            institution=inspection.institution,
            kind=InspectionKind.FOLLOW_UP,
            inspectors=list(inspection.inspectors.all()),
            planned_on=working_days_after(timezone.localdate(), rules.FOLLOW_UP_WORKING_DAYS),
            reason=_(
                "Follow-up of inspection {id}: high-risk findings corrected on paper are checked on site."
            ).format(id=inspection.pk),
            origin=f"follow-up {inspection.pk}",
            follow_up_of=inspection,
        )
    return inspection


@transaction.atomic
def inspection_publish(*, actor: Any, inspection: Inspection) -> Inspection:
    """Publish the result on the institution's public trust card (一公开)."""
    inspection = _lock(inspection)
    _require(can_inspect(actor, inspection))
    if inspection.status not in CONCLUDED_STATUSES:
        raise TransitionNotAllowed(_("Only a concluded inspection can be published."))
    if inspection.published_at is not None:
        raise TransitionNotAllowed(_("This result is already published."))
    inspection.published_at = timezone.now()
    inspection.save(update_fields=["published_at"])
    audit(
        actor=actor, action="inspection.publish", obj=inspection, detail={"due": str(inspection.publish_due)}
    )
    return inspection


# --- Offline sync ---------------------------------------------------------------------------------


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def _decode(data: str, field: str, limit: int, allowed: tuple[str, ...]) -> tuple[bytes, str]:
    if "," in data[:64] and data.startswith("data:"):
        data = data.split(",", 1)[1]
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError({field: _("Not valid base64.")}) from None
    if len(raw) > limit:
        raise ValidationError({field: _("Larger than {kb} KB.").format(kb=limit // 1024)})
    content_type = sniff_content_type(raw[:16], allowed=allowed)
    if content_type is None:
        raise ValidationError({field: _("Not a picture of an accepted kind.")})
    return raw, content_type


def _aware(value: datetime) -> datetime:
    return value if timezone.is_aware(value) else timezone.make_aware(value)


@transaction.atomic
def inspection_sync(
    *,
    actor: Any,
    inspection: Inspection,
    answers: Iterable[dict[str, Any]],
    signatures: Iterable[dict[str, Any]] = (),
) -> dict[str, int]:
    """Apply what a phone kept offline. Each answer and signature carries a client reference: one
    already received with the same content is skipped; with other content the whole sync is refused
    (409, nothing applied). A later answer to the same item replaces an earlier one."""
    inspection = _lock(inspection)
    _require(can_inspect(actor, inspection))
    answers, signatures = list(answers), list(signatures)
    refs = [a["client_ref"] for a in answers] + [s["client_ref"] for s in signatures]
    if len(refs) != len(set(refs)):
        raise ValidationError({"client_ref": _("A client reference appears twice in one sync.")})
    known = dict(inspection.receipts.filter(client_ref__in=refs).values_list("client_ref", "digest"))
    new_answers: list[tuple[dict[str, Any], str]] = []
    new_signatures: list[tuple[dict[str, Any], str]] = []
    duplicates = 0
    for kind, rows, bucket in (("answer", answers, new_answers), ("signature", signatures, new_signatures)):
        for row in rows:
            digest = _digest(row)
            if row["client_ref"] in known:
                if known[row["client_ref"]] != digest:
                    raise Conflict(
                        _("The {kind} {ref} was already received with different content.").format(
                            kind=kind, ref=row["client_ref"]
                        )
                    )
                duplicates += 1
            else:
                bucket.append((row, digest))
    if (new_answers or new_signatures) and inspection.status != S.IN_PROGRESS:
        raise TransitionNotAllowed(
            _("Answers can only be sent while the inspection is in progress (it is {status}).").format(
                status=InspectionStatus(inspection.status).label
            )
        )
    entries = {e.item_id: e for e in inspection.entries.all()}
    applied = 0
    for row, digest in new_answers:
        entry = entries.get(row["item_id"])
        if entry is None:
            raise ValidationError(
                {"item_id": _("Item {id} is not on this checklist.").format(id=row["item_id"])}
            )
        answered_at = _aware(row["answered_at"])
        if entry.answered_at is None or answered_at >= entry.answered_at:
            entry.result = row["result"]
            entry.note = row.get("note", "")
            entry.answered_at = answered_at
            entry.answered_by = _user(actor)
            entry.client_ref = row["client_ref"]
            entry.full_clean()
            entry.save()
        for photo in row.get("photos", []):
            raw, content_type = _decode(
                photo["data_base64"], "photos", rules.PHOTO_MAX_BYTES, ("image/jpeg", "image/png")
            )
            if ChecklistPhoto.objects.filter(inspection=inspection, client_ref=photo["client_ref"]).exists():
                continue
            item = ChecklistPhoto(
                inspection=inspection,
                entry=entry,
                content_type=content_type,
                taken_at=_aware(photo["taken_at"]),
                client_ref=photo["client_ref"],
            )
            item.file.save(f"photo{EXTENSIONS[content_type]}", ContentFile(raw), save=False)
            item.save()
        SyncReceipt.objects.create(
            inspection=inspection,
            client_ref=row["client_ref"],
            kind="answer",
            digest=digest,
            received_by=_user(actor),
        )
        applied += 1
    for row, digest in new_signatures:
        raw, _ct = _decode(row["png_base64"], "signatures", rules.SIGNATURE_MAX_BYTES, ("image/png",))
        signature = InspectionSignature.objects.filter(inspection=inspection, role=row["role"]).first()
        if signature is None:
            signature = InspectionSignature(inspection=inspection, role=row["role"])
        elif signature.file:
            signature.file.delete(save=False)
        signature.signer_name = row["signer_name"]
        signature.signed_at = _aware(row["signed_at"])
        signature.client_ref = row["client_ref"]
        signature.file.save("signature.png", ContentFile(raw), save=False)
        signature.full_clean()
        signature.save()
        SyncReceipt.objects.create(
            inspection=inspection,
            client_ref=row["client_ref"],
            kind="signature",
            digest=digest,
            received_by=_user(actor),
        )
        applied += 1
    if applied:
        audit(
            actor=actor,
            action="inspection.sync",
            obj=inspection,
            detail={"applied": applied, "duplicates": duplicates},
        )
    return {"applied": applied, "duplicates": duplicates, "unanswered": unanswered(inspection)}


# --- Rectification --------------------------------------------------------------------------------


def _lock_order(order: RectificationOrder) -> RectificationOrder:
    return (
        RectificationOrder.objects.select_for_update()
        .select_related("inspection__institution", "entry")
        .get(pk=order.pk)
    )


@transaction.atomic
def rectification_answer(
    *, actor: Any, order: RectificationOrder, answer: str, files: Iterable[tuple[str, bytes]] = ()
) -> RectificationOrder:
    """The director says what was corrected and sends evidence (JPEG, PNG or PDF files)."""
    order = _lock_order(order)
    if not can_answer(actor, order):
        raise PermissionDenied(_("Only the institution's director answers a rectification notice."))
    if order.status != RectificationStatus.OPEN:
        raise TransitionNotAllowed(_("This notice is not waiting for an answer."))
    if not answer.strip():
        raise ValidationError({"answer": _("Say what was corrected.")})
    for name, raw in files:
        if len(raw) > rules.EVIDENCE_MAX_BYTES:
            raise ValidationError(
                {"files": _("A file is larger than {mb} MB.").format(mb=rules.EVIDENCE_MAX_BYTES // 2**20)}
            )
        content_type = sniff_content_type(raw[:16])
        if content_type is None:
            raise ValidationError({"files": _("Send JPEG, PNG or PDF files.")})
        evidence = RectificationEvidence(
            order=order, original_name=name[:200], content_type=content_type, uploaded_by=_user(actor)
        )
        evidence.file.save(f"evidence{EXTENSIONS[content_type]}", ContentFile(raw), save=False)
        evidence.save()
    order.answer = answer.strip()
    order.answered_at = timezone.now()
    order.status = RectificationStatus.ANSWERED
    order.save()
    RectificationEvent.objects.create(
        order=order, action=RectificationAction.ANSWER, actor=_user(actor), note=answer
    )
    audit(actor=actor, action="rectification.answer", obj=order)
    return order


@transaction.atomic
def rectification_verify(
    *, actor: Any, order: RectificationOrder, accept: bool, note: str = ""
) -> RectificationOrder:
    """The inspector checks the answer: accepted closes the order (and the inspection with the last
    one); returned sends it back to the institution with the reason."""
    order = _lock_order(order)
    _require(can_inspect(actor, order.inspection))
    if order.status != RectificationStatus.ANSWERED:
        raise TransitionNotAllowed(_("Only an answered notice can be verified."))
    if accept:
        order.status = RectificationStatus.CLOSED
        order.closed_at = timezone.now()
        action = RectificationAction.VERIFY
    else:
        if not note.strip():
            raise ValidationError({"note": _("Say why the answer is returned.")})
        order.status = RectificationStatus.OPEN
        action = RectificationAction.RETURN
    order.save()
    RectificationEvent.objects.create(order=order, action=action, actor=_user(actor), note=note)
    audit(actor=actor, action=f"rectification.{action}", obj=order, detail={"note": note})
    if accept and not order.inspection.orders.exclude(status=RectificationStatus.CLOSED).exists():
        inspection_close(actor=actor, inspection=order.inspection, reason=_("Every finding corrected."))
    elif not accept:
        _notify_directors(order.inspection, title=_("A rectification answer was returned"), body=note)
    return order


def rectification_sweep(today: date | None = None) -> int:
    """Mark open orders past their deadline overdue (once each) and post the late-rectification credit
    record (idempotent on its source_ref). Returns how many were marked."""
    from tuoyu.credit.rules import points_for
    from tuoyu.credit.services import credit_record_add

    today = today or timezone.localdate()
    marked = 0
    late = RectificationOrder.objects.filter(
        status=RectificationStatus.OPEN, deadline__lt=today, overdue_on__isnull=True
    ).select_related("inspection__institution", "entry")
    for order in late.iterator(chunk_size=500):
        with transaction.atomic():
            updated = RectificationOrder.objects.filter(pk=order.pk, overdue_on__isnull=True).update(
                overdue_on=today
            )
            if not updated:
                continue
            RectificationEvent.objects.create(order=order, action=RectificationAction.OVERDUE)
            credit_record_add(
                institution=order.inspection.institution,
                source="rectification",
                source_ref=f"rectification:{order.pk}",
                points=points_for("rectification", "late"),
                reason=f"{order.entry.code} {order.entry.title}"[:300],
                occurred_on=today,
            )
            audit(actor=None, action="rectification.overdue", obj=order)
            marked += 1
    return marked
