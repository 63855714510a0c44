"""Writes of the quality app: the assessment form (province) and the assessment state machine.

    (start) ──▶ self_assessing ──self_submit──▶ self_submitted ──county_submit──▶ county_submitted
    self_submitted ──return──▶ self_assessing          county_submitted ──reopen──▶ self_submitted
    county_submitted ──publish──▶ published

- start, self scores, self_submit: the institution's director (`change` on the institution).
- county scores, return, county_submit, reopen: an official with `review` or `inspect` over it.
- publish (the county confirms and publishes): an official with `review` over it.

Every transition checks the table below and the actor's scope, records an AssessmentTransition
(who, when, why) and an audit record, in one transaction. A transition the table does not allow
raises `TransitionNotAllowed` (409 in the API). The form is edited only as a draft version; activating
it retires the previous version, and assessments keep the version they started on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoyu.core.api import Conflict
from tuoyu.core.audit import audit
from tuoyu.core.files import EXTENSIONS, sniff_content_type
from tuoyu.institutions.models import Institution

from .choices import AssessmentStatus, FormStatus, Grade, ValueType
from .models import (
    Assessment,
    AssessmentEvidence,
    AssessmentForm,
    AssessmentScore,
    AssessmentTransition,
    FormDimension,
    FormItem,
)

S = AssessmentStatus
# The one table of allowed transitions: (from, to) → the action (service) that performs it.
TRANSITIONS: dict[tuple[str, str], str] = {
    (S.SELF_ASSESSING, S.SELF_SUBMITTED): "self_submit",
    (S.SELF_SUBMITTED, S.SELF_ASSESSING): "return",
    (S.SELF_SUBMITTED, S.COUNTY_SUBMITTED): "county_submit",
    (S.COUNTY_SUBMITTED, S.SELF_SUBMITTED): "reopen",
    (S.COUNTY_SUBMITTED, S.PUBLISHED): "publish",
}
# Which grants (any of them) each action needs over the institution (accounts/choices.py: ROLE_ACTIONS).
ACTION_GRANTS: dict[str, tuple[str, ...]] = {
    "start": ("change",),
    "self_score": ("change",),
    "self_submit": ("change",),
    "return": ("review", "inspect"),
    "county_score": ("review", "inspect"),
    "county_submit": ("review", "inspect"),
    "reopen": ("review", "inspect"),
    "publish": ("review",),
}
EVIDENCE_MAX_BYTES = 5 * 1024 * 1024


class TransitionNotAllowed(Conflict):
    """The assessment's (or form's) current state does not allow what was asked (409 with the reason)."""


# --- Permissions ----------------------------------------------------------------------------------


def may(actor: Any, institution_id: int, action: str) -> bool:
    """Whether `actor` holds one of the grants `action` needs over the institution."""
    return any(
        Institution.objects.for_user(actor, grant).filter(pk=institution_id).exists()
        for grant in ACTION_GRANTS[action]
    )


def _require(actor: Any, institution_id: int, action: str) -> None:
    if not may(actor, institution_id, action):
        raise PermissionDenied(_("You may not do this for this institution."))


def can_edit_forms(actor: Any) -> bool:
    """Province officials with `manage` (and superusers) edit the assessment form."""
    if not getattr(actor, "is_authenticated", False):
        return False
    if actor.is_superuser:
        return True
    from tuoyu.accounts.choices import ROLE_ACTIONS, Action

    return any(
        a.region is not None and a.region.level == "province" and Action.MANAGE in ROLE_ACTIONS[a.role]
        for a in actor.active_assignments()
    )


def _require_form_editor(actor: Any) -> None:
    if not can_edit_forms(actor):
        raise PermissionDenied(_("Only province officials who manage may edit the assessment form."))


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


# --- The grade --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cutoffs:
    """Minimum percent of the maximum total for A, B and C (below C: D)."""

    a: int
    b: int
    c: int


def cutoffs_of(form: AssessmentForm) -> Cutoffs | None:
    if not form.has_cutoffs:
        return None
    return Cutoffs(a=form.cutoff_a, b=form.cutoff_b, c=form.cutoff_c)  # type: ignore[arg-type]


def compute_grade(*, total: int, max_total: int, baseline_failed: bool, cutoffs: Cutoffs | None) -> str:
    """A failed baseline item fails the assessment whatever the total; otherwise the total's share of
    the maximum against the cut-offs (A ≥ a%, B ≥ b%, C ≥ c%, else D). No cut-offs (or no points on the
    form): no grade."""
    if baseline_failed:
        return Grade.FAIL
    if cutoffs is None or max_total <= 0:
        return Grade.NONE
    # Integer arithmetic: total/max ≥ cut/100 ⇔ 100·total ≥ cut·max (no rounding at the boundary).
    for grade, cut in (("A", cutoffs.a), ("B", cutoffs.b), ("C", cutoffs.c)):
        if 100 * total >= cut * max_total:
            return grade
    return Grade.D


def baseline_failures(assessment: Assessment) -> list[str]:
    """Clauses of baseline items the county did not score in full (one query)."""
    return list(
        assessment.scores.filter(item__baseline=True)
        .filter(Q(county_score__isnull=True) | Q(county_score__lt=F("item__max_score")))
        .order_by("item__dimension__order", "item__order")
        .values_list("item__clause", flat=True)
    )


# --- The form ---------------------------------------------------------------------------------------


def form_active(standard: str | None = None) -> AssessmentForm | None:
    queryset = AssessmentForm.objects.filter(status=FormStatus.ACTIVE)
    if standard:
        queryset = queryset.filter(standard=standard)
    return queryset.order_by("-activated_at", "-id").first()


def _require_draft(form: AssessmentForm) -> None:
    if form.status != FormStatus.DRAFT:
        raise TransitionNotAllowed(
            _("An active or retired form version cannot be changed: make a new version and edit that.")
        )


@transaction.atomic
def form_new_version(*, actor: Any, form: AssessmentForm) -> AssessmentForm:
    """Copy a form version into a new draft (the next version number) for the province to edit."""
    _require_form_editor(actor)
    if AssessmentForm.objects.filter(standard=form.standard, status=FormStatus.DRAFT).exists():
        raise TransitionNotAllowed(_("A draft version of this form exists already: edit it."))
    latest = AssessmentForm.objects.filter(standard=form.standard).aggregate(v=Max("version"))["v"] or 0
    copy = AssessmentForm.objects.create(
        name=form.name,
        standard=form.standard,
        version=latest + 1,
        effective_on=timezone.localdate(),
        status=FormStatus.DRAFT,
        source_note=form.source_note,
        complete=form.complete,
        cutoff_a=form.cutoff_a,
        cutoff_b=form.cutoff_b,
        cutoff_c=form.cutoff_c,
        cutoffs_provisional=form.cutoffs_provisional,
        cutoffs_source=form.cutoffs_source,
        based_on=form,
    )
    for dimension in form.dimensions.prefetch_related("items"):
        new_dim = FormDimension.objects.create(
            form=copy,
            code=dimension.code,
            name=dimension.name,
            order=dimension.order,
            max_points=dimension.max_points,
            points_verified=dimension.points_verified,
            source=dimension.source,
        )
        FormItem.objects.bulk_create(
            FormItem(
                dimension=new_dim,
                clause=i.clause,
                text=i.text,
                how_to_assess=i.how_to_assess,
                max_score=i.max_score,
                value_type=i.value_type,
                baseline=i.baseline,
                verified=i.verified,
                points_provisional=i.points_provisional,
                source=i.source,
                order=i.order,
            )
            for i in dimension.items.all()
        )
    audit(actor=actor, action="quality.form_new_version", obj=copy, detail={"from": form.pk})
    return copy


@transaction.atomic
def form_update(
    *,
    actor: Any,
    form: AssessmentForm,
    name: str,
    effective_on: Any,
    complete: bool,
    source_note: str,
    cutoff_a: int | None,
    cutoff_b: int | None,
    cutoff_c: int | None,
    cutoffs_provisional: bool,
    cutoffs_source: str,
) -> AssessmentForm:
    """Change a draft version's heading, completeness and grade cut-offs."""
    _require_form_editor(actor)
    form = AssessmentForm.objects.select_for_update().get(pk=form.pk)
    _require_draft(form)
    if not cutoffs_provisional and cutoff_a is not None and not cutoffs_source.strip():
        raise ValidationError(
            {"cutoffs_source": _("Name the document the cut-offs come from, or keep them provisional.")}
        )
    form.name, form.effective_on, form.complete, form.source_note = name, effective_on, complete, source_note
    form.cutoff_a, form.cutoff_b, form.cutoff_c = cutoff_a, cutoff_b, cutoff_c
    form.cutoffs_provisional, form.cutoffs_source = cutoffs_provisional, cutoffs_source
    form.full_clean()
    form.save()
    audit(
        actor=actor,
        action="quality.form_update",
        obj=form,
        detail={"cutoffs": [cutoff_a, cutoff_b, cutoff_c], "provisional": cutoffs_provisional},
    )
    return form


@transaction.atomic
def form_dimension_update(
    *, actor: Any, dimension: FormDimension, max_points: int | None, points_verified: bool, source: str
) -> FormDimension:
    _require_form_editor(actor)
    _require_draft(dimension.form)
    dimension.max_points, dimension.points_verified, dimension.source = max_points, points_verified, source
    dimension.full_clean()
    dimension.save()
    audit(actor=actor, action="quality.dimension_update", obj=dimension, detail={"max_points": max_points})
    return dimension


@transaction.atomic
def form_item_save(
    *,
    actor: Any,
    dimension: FormDimension,
    item: FormItem | None = None,
    clause: str,
    text: str,
    how_to_assess: str = "",
    max_score: int,
    value_type: str = ValueType.YES_NO,
    baseline: bool = False,
    verified: bool = False,
    points_provisional: bool = True,
    source: str = "",
) -> FormItem:
    """Add an item to a draft version's dimension, or change one."""
    _require_form_editor(actor)
    _require_draft(dimension.form)
    if item is None:
        last = dimension.items.aggregate(o=Max("order"))["o"] or 0
        item = FormItem(dimension=dimension, order=last + 1)
    elif item.dimension.form_id != dimension.form_id:
        raise ValidationError({"dimension": _("The item belongs to another form version.")})
    item.dimension = dimension
    item.clause, item.text, item.how_to_assess = clause.strip(), text.strip(), how_to_assess
    item.max_score, item.value_type, item.baseline = max_score, value_type, baseline
    item.verified, item.points_provisional, item.source = verified, points_provisional, source
    if value_type == ValueType.YES_NO and max_score < 1:
        raise ValidationError({"max_score": _("A yes / no item needs at least 1 point.")})
    item.full_clean()
    item.save()
    audit(
        actor=actor,
        action="quality.item_save",
        obj=item,
        detail={"clause": item.clause, "max_score": max_score, "baseline": baseline},
    )
    return item


@transaction.atomic
def form_item_delete(*, actor: Any, item: FormItem) -> None:
    _require_form_editor(actor)
    _require_draft(item.dimension.form)
    audit(actor=actor, action="quality.item_delete", obj=item.dimension.form, detail={"clause": item.clause})
    item.delete()


@transaction.atomic
def form_activate(*, actor: Any, form: AssessmentForm) -> AssessmentForm:
    """Make a draft the active version; the previous active version is retired. Assessments already
    started stay on the version they started on."""
    _require_form_editor(actor)
    form = AssessmentForm.objects.select_for_update().get(pk=form.pk)
    _require_draft(form)
    if not FormItem.objects.filter(dimension__form=form).exists():
        raise TransitionNotAllowed(_("A form without items cannot be activated."))
    retired = AssessmentForm.objects.filter(standard=form.standard, status=FormStatus.ACTIVE)
    retired_ids = list(retired.values_list("pk", flat=True))
    retired.update(status=FormStatus.RETIRED)
    form.status = FormStatus.ACTIVE
    form.activated_at = timezone.now()
    form.save(update_fields=["status", "activated_at"])
    audit(actor=actor, action="quality.form_activate", obj=form, detail={"retired": retired_ids})
    return form


# --- Assessments --------------------------------------------------------------------------------------


def _lock(assessment: Assessment) -> Assessment:
    return Assessment.objects.select_for_update().select_related("institution", "form").get(pk=assessment.pk)


def _record(
    assessment: Assessment, from_status: str, actor: Any, action: str, reason: str = "", **detail: Any
) -> None:
    AssessmentTransition.objects.create(
        assessment=assessment,
        from_status=from_status,
        to_status=assessment.status,
        actor=_user(actor),
        reason=reason,
    )
    audit(
        actor=actor,
        action=f"quality.{action}",
        obj=assessment,
        detail={"from": from_status, "to": assessment.status, "reason": reason, **detail},
    )


def _check(assessment: Assessment, action: str, actor: Any) -> str:
    """The target status of `action` from the assessment's status (the transition table), after the
    actor's grant is checked; `TransitionNotAllowed` when the table has no such step."""
    _require(actor, assessment.institution_id, action)
    target = next((t for (f, t), a in TRANSITIONS.items() if a == action and f == assessment.status), None)
    if target is None:
        raise TransitionNotAllowed(
            _("An assessment that is “{current}” does not allow this step.").format(
                current=AssessmentStatus(assessment.status).label
            )
        )
    return action


@transaction.atomic
def assessment_start(*, actor: Any, institution: Institution) -> Assessment:
    """The director starts a self-assessment on the active form (one open assessment at a time)."""
    _require(actor, institution.pk, "start")
    form = form_active()
    if form is None:
        raise TransitionNotAllowed(_("No assessment form is active: the province has not activated one."))
    if Assessment.objects.open().filter(institution=institution).exists():
        raise TransitionNotAllowed(_("This institution has an assessment in progress already."))
    assessment = Assessment(institution=institution, form=form, started_by=_user(actor))
    assessment.full_clean()
    assessment.save()
    items = FormItem.objects.filter(dimension__form=form).values_list("pk", flat=True)
    AssessmentScore.objects.bulk_create(AssessmentScore(assessment=assessment, item_id=pk) for pk in items)
    _record(assessment, "", actor, "start", form=form.pk)
    return assessment


def _validate_score(item: FormItem, score: int) -> None:
    if score < 0 or score > item.max_score:
        raise ValidationError({"score": _("A score from 0 to {max}.").format(max=item.max_score)})
    if item.value_type == ValueType.YES_NO and score not in {0, item.max_score}:
        raise ValidationError(
            {"score": _("This item is met ({max}) or not met (0).").format(max=item.max_score)}
        )


@transaction.atomic
def assessment_score(
    *, actor: Any, assessment: Assessment, item: FormItem, score: int, note: str = ""
) -> AssessmentScore:
    """Score one item: the institution while self-assessing, the county once the self-assessment is in."""
    assessment = _lock(assessment)
    if assessment.status == S.SELF_ASSESSING:
        side = "self"
    elif assessment.status == S.SELF_SUBMITTED:
        side = "county"
    else:
        _require(actor, assessment.institution_id, "county_score")
        raise TransitionNotAllowed(_("This assessment is no longer being scored."))
    _require(actor, assessment.institution_id, f"{side}_score")
    row = AssessmentScore.objects.filter(assessment=assessment, item=item).select_related("item").first()
    if row is None:
        raise ValidationError({"item": _("The item is not on this assessment's form.")})
    _validate_score(row.item, score)
    if len(note) > 500:
        raise ValidationError({"note": _("At most 500 characters.")})
    setattr(row, f"{side}_score", score)
    setattr(row, f"{side}_note", note)
    row.full_clean()
    row.save()
    audit(
        actor=actor,
        action=f"quality.{side}_score",
        obj=assessment,
        detail={"item": row.item.clause, "score": score},
    )
    return row


@transaction.atomic
def assessment_attach_evidence(
    *, actor: Any, assessment: Assessment, item: FormItem, upload: UploadedFile
) -> AssessmentEvidence:
    """Attach a file (PDF, JPEG, PNG; at most 5 MB) to an item while self-assessing."""
    assessment = _lock(assessment)
    _require(actor, assessment.institution_id, "self_score")
    if assessment.status != S.SELF_ASSESSING:
        raise TransitionNotAllowed(_("Evidence can only be added during the self-assessment."))
    row = AssessmentScore.objects.filter(assessment=assessment, item=item).first()
    if row is None:
        raise ValidationError({"item": _("The item is not on this assessment's form.")})
    size = upload.size or 0
    if size == 0 or size > EVIDENCE_MAX_BYTES:
        raise ValidationError({"file": _("A file of 1 byte to 5 MB.")})
    upload.seek(0)
    content_type = sniff_content_type(upload.read(16))
    if content_type is None:
        raise ValidationError({"file": _("Only PDF, JPEG and PNG files are accepted.")})
    upload.seek(0)
    original = (upload.name or "evidence").replace("\\", "/").rsplit("/", 1)[-1][:200]
    evidence = AssessmentEvidence(
        score=row, original_name=original, content_type=content_type, size=size, uploaded_by=_user(actor)
    )
    evidence.file.save(f"x{EXTENSIONS[content_type]}", upload, save=False)
    try:
        evidence.full_clean()
        evidence.save()
    except Exception:
        evidence.file.delete(save=False)
        raise
    audit(actor=actor, action="quality.attach_evidence", obj=assessment, detail={"item": item.clause})
    return evidence


def _unscored(assessment: Assessment, side: str) -> list[str]:
    return list(
        assessment.scores.filter(**{f"{side}_score__isnull": True})
        .order_by("item__dimension__order", "item__order")
        .values_list("item__clause", flat=True)[:20]
    )


@transaction.atomic
def assessment_self_submit(*, actor: Any, assessment: Assessment, reason: str = "") -> Assessment:
    """The director submits the self-assessment (every item scored) to the county."""
    assessment = _lock(assessment)
    action = _check(assessment, "self_submit", actor)
    missing = _unscored(assessment, "self")
    if missing:
        raise ValidationError(
            {"scores": _("Score every item first: {items}.").format(items=", ".join(missing))}
        )
    assessment.self_total = assessment.scores.aggregate(t=Sum("self_score"))["t"] or 0
    assessment.self_submitted_at = timezone.now()
    assessment.status = S.SELF_SUBMITTED
    assessment.full_clean()
    assessment.save()
    _record(assessment, S.SELF_ASSESSING, actor, action, reason, total=assessment.self_total)
    _notify_county(assessment)
    return assessment


@transaction.atomic
def assessment_return(*, actor: Any, assessment: Assessment, reason: str) -> Assessment:
    """The county sends a self-assessment back to the institution to be completed (with a reason)."""
    assessment = _lock(assessment)
    action = _check(assessment, "return", actor)
    if not reason.strip():
        raise ValidationError({"reason": _("Say what the institution should complete.")})
    assessment.status = S.SELF_ASSESSING
    assessment.save(update_fields=["status"])
    _record(assessment, S.SELF_SUBMITTED, actor, action, reason)
    return assessment


@transaction.atomic
def assessment_county_submit(*, actor: Any, assessment: Assessment, note: str = "") -> Assessment:
    """The county submits its assessment (every item scored); the grade is computed and kept with the
    cut-offs it used."""
    assessment = _lock(assessment)
    action = _check(assessment, "county_submit", actor)
    missing = _unscored(assessment, "county")
    if missing:
        raise ValidationError(
            {"scores": _("Score every item first: {items}.").format(items=", ".join(missing))}
        )
    sums = assessment.scores.aggregate(total=Sum("county_score"), max_total=Sum("item__max_score"))
    total, max_total = sums["total"] or 0, sums["max_total"] or 0
    failed = baseline_failures(assessment)
    form = assessment.form
    cut = cutoffs_of(form)
    assessment.county_total, assessment.max_total = total, max_total
    assessment.baseline_failed = failed
    assessment.grade = compute_grade(
        total=total, max_total=max_total, baseline_failed=bool(failed), cutoffs=cut
    )
    assessment.cutoffs_used = {"a": cut.a, "b": cut.b, "c": cut.c} if cut else {}
    assessment.cutoffs_provisional = bool(cut) and form.cutoffs_provisional
    assessment.county_note = note
    assessment.assessed_at = timezone.now()
    assessment.assessed_by = _user(actor)
    assessment.status = S.COUNTY_SUBMITTED
    assessment.full_clean()
    assessment.save()
    _record(assessment, S.SELF_SUBMITTED, actor, action, note, total=total, grade=assessment.grade)
    return assessment


@transaction.atomic
def assessment_reopen(*, actor: Any, assessment: Assessment, reason: str) -> Assessment:
    """The county reopens its scoring before publication (the computed grade is cleared)."""
    assessment = _lock(assessment)
    action = _check(assessment, "reopen", actor)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the assessment is reopened.")})
    assessment.status = S.SELF_SUBMITTED
    assessment.grade, assessment.county_total, assessment.baseline_failed = "", None, []
    assessment.cutoffs_used, assessment.cutoffs_provisional = {}, False
    assessment.save()
    _record(assessment, S.COUNTY_SUBMITTED, actor, action, reason)
    return assessment


@transaction.atomic
def assessment_publish(*, actor: Any, assessment: Assessment, reason: str = "") -> Assessment:
    """The county confirms the result and publishes it: it becomes the institution's current grade
    (trust card); an A grade posts a positive credit record."""
    assessment = _lock(assessment)
    action = _check(assessment, "publish", actor)
    Assessment.objects.filter(institution_id=assessment.institution_id, current=True).update(current=False)
    now = timezone.now()
    assessment.status = S.PUBLISHED
    assessment.published_at = now
    assessment.published_on = timezone.localdate(now)
    assessment.current = True
    assessment.full_clean()
    assessment.save()
    _record(assessment, S.COUNTY_SUBMITTED, actor, action, reason, grade=assessment.grade)
    if assessment.grade == Grade.A:
        post_credit(assessment, actor=actor)
    _notify_institution(assessment)
    return assessment


def post_credit(assessment: Assessment, *, actor: Any = None) -> None:
    """A published A grade is a positive credit record (idempotent on the assessment)."""
    from tuoyu.credit.choices import CreditSource
    from tuoyu.credit.rules import points_for
    from tuoyu.credit.services import credit_record_add

    credit_record_add(
        institution=assessment.institution,
        source=CreditSource.QUALITY,
        source_ref=f"quality:{assessment.pk}",
        points=points_for("quality", assessment.grade),
        reason=_("Quality assessment grade {grade} ({form})").format(
            grade=assessment.grade, form=assessment.form
        ),
        occurred_on=assessment.published_on or timezone.localdate(),
        actor=actor,
        severity=assessment.grade,
    )


def _notify_county(assessment: Assessment) -> None:
    """Tell the county's officials who assess that a self-assessment is waiting (after commit)."""
    from django.urls import reverse

    from tuoyu.accounts.models import RoleAssignment
    from tuoyu.parents.choices import NotificationKind
    from tuoyu.parents.services import notify_users

    county_id = assessment.institution.county_id
    if not county_id:
        return
    user_ids = list(
        RoleAssignment.objects.filter(
            active=True,
            region_id=county_id,
            role__in=["official_admin", "official_reviewer", "official_inspector"],
        ).values_list("user_id", flat=True)
    )
    if user_ids:
        notify_users(
            user_ids=user_ids,
            kind=NotificationKind.SUPERVISION,
            title=_("Quality self-assessment submitted: {name}").format(name=assessment.institution.name),
            link=reverse("quality:assessment", args=[assessment.pk]),
        )


def _notify_institution(assessment: Assessment) -> None:
    from django.urls import reverse

    from tuoyu.accounts.models import RoleAssignment
    from tuoyu.parents.choices import NotificationKind
    from tuoyu.parents.services import notify_users

    user_ids = list(
        RoleAssignment.objects.filter(
            active=True, institution_id=assessment.institution_id, role="director"
        ).values_list("user_id", flat=True)
    )
    if user_ids:
        notify_users(
            user_ids=user_ids,
            kind=NotificationKind.SUPERVISION,
            title=_("Quality assessment published: {grade}").format(grade=assessment.get_grade_display()),
            link=reverse("quality:assessment", args=[assessment.pk]),
        )
