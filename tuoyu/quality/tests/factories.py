"""Test helpers of the quality app: the shipped form, and assessments driven through the services."""

from __future__ import annotations

from typing import Any

from tuoyu.quality import services
from tuoyu.quality.choices import AssessmentStatus, FormStatus
from tuoyu.quality.formdata import load_form
from tuoyu.quality.models import Assessment, AssessmentForm, FormDimension, FormItem


def ensure_form() -> AssessmentForm:
    """The shipped WS/T 821 form, active (migration 0002 loads it; transactional tests flush it)."""
    form = load_form(AssessmentForm, FormDimension, FormItem)
    if not AssessmentForm.objects.filter(status=FormStatus.ACTIVE).exists():
        AssessmentForm.objects.filter(pk=form.pk).update(status=FormStatus.ACTIVE)
        form.refresh_from_db()
    return services.form_active() or form


def score_all(
    assessment: Assessment, actor: Any, side: str, fail: set[str] = frozenset(), value: int | None = None
) -> None:  # type: ignore[assignment]
    """Score every item in full, except the clauses in `fail` (0)."""
    for row in assessment.scores.select_related("item"):
        score = 0 if row.item.clause in fail else (row.item.max_score if value is None else value)
        services.assessment_score(
            actor=actor, assessment=assessment, item=row.item, score=score, note=f"{side} note"
        )


def assessment(
    world: Any,
    status: str = AssessmentStatus.SELF_ASSESSING,
    fail: frozenset[str] | set[str] = frozenset(),
    new: bool = False,
) -> Assessment:
    """An assessment of inst_xuanwu brought to `status` by the director and the county official."""
    ensure_form()
    director, county = world.user("director"), world.user("county_official")
    institution = world.institutions["inst_xuanwu"]
    existing = Assessment.objects.filter(institution=institution, status=status).first()
    if existing is not None and not new:
        return existing
    a = services.assessment_start(actor=director, institution=institution)
    if status == AssessmentStatus.SELF_ASSESSING:
        return a
    score_all(a, director, "self")
    services.assessment_self_submit(actor=director, assessment=a)
    if status == AssessmentStatus.SELF_SUBMITTED:
        a.refresh_from_db()
        return a
    score_all(a, county, "county", fail=fail)
    services.assessment_county_submit(actor=county, assessment=a, note="结论")
    if status == AssessmentStatus.COUNTY_SUBMITTED:
        a.refresh_from_db()
        return a
    services.assessment_publish(actor=county, assessment=a)
    a.refresh_from_db()
    return a
