"""Reads of the quality app that pages, the API and other apps use (aggregates in SQL)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, IntegerField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from .choices import GRADE_ORDER, AssessmentStatus, Grade
from .models import Assessment, AssessmentForm, AssessmentScore

# Provisional recognition rules: this deployment's setting, not from any standard. The criteria for
# 示范性 institutions and for 普惠 recognition were not found (domain_rules.md §6); a grade is one input
# the recognising office may look at, shown as such.
DEMONSTRATION_GRADES = ("A",)
INCLUSIVE_GRADES = ("A", "B")


def latest_grade(institution: Any) -> Assessment | None:
    """The institution's latest published assessment (its grade, date and form version), or None."""
    institution_id = getattr(institution, "pk", institution)
    return (
        Assessment.objects.filter(institution_id=institution_id, current=True).select_related("form").first()
    )


def dimension_totals(assessment: Assessment) -> list[dict[str, Any]]:
    """Per dimension of the assessment's form: the maximum, the self and the county totals, the
    standard's points, and how many items are scored (one GROUP BY)."""
    rows = (
        AssessmentScore.objects.filter(assessment=assessment)
        .values("item__dimension_id", "item__dimension__name", "item__dimension__order")
        .annotate(
            max_total=Sum("item__max_score"),
            self_total=Coalesce(Sum("self_score"), Value(0), output_field=IntegerField()),
            county_total=Coalesce(Sum("county_score"), Value(0), output_field=IntegerField()),
            items=Count("id"),
            self_scored=Count("id", filter=Q(self_score__isnull=False)),
            county_scored=Count("id", filter=Q(county_score__isnull=False)),
        )
        .order_by("item__dimension__order")
    )
    by_id = {r["item__dimension_id"]: r for r in rows}
    result = []
    for dimension in assessment.form.dimensions.all():
        row = by_id.get(dimension.pk, {})
        result.append(
            {
                "dimension": dimension,
                "name": dimension.name,
                "standard_points": dimension.max_points,
                "points_verified": dimension.points_verified,
                "max_total": row.get("max_total") or 0,
                "self_total": row.get("self_total") or 0,
                "county_total": row.get("county_total") or 0,
                "items": row.get("items") or 0,
                "self_scored": row.get("self_scored") or 0,
                "county_scored": row.get("county_scored") or 0,
            }
        )
    return result


def status_counts(assessments: QuerySet[Assessment]) -> dict[str, int]:
    counts = dict(assessments.order_by().values_list("status").annotate(n=Count("id")))
    return {status: counts.get(status, 0) for status in AssessmentStatus.values}


def grade_distribution(user: Any, level: str = "county") -> list[dict[str, Any]]:
    """Current (latest published) grades by region of the user's scope, one GROUP BY. `level` is
    "county" or "city"."""
    field = "institution__county" if level == "county" else "institution__city"
    grades = [*GRADE_ORDER, Grade.FAIL, Grade.NONE]
    annotations = {f"n_{g}": Count("id", filter=Q(grade=g)) for g in grades}
    rows = (
        Assessment.objects.for_user(user, "view")
        .filter(current=True)
        .values(f"{field}_id", f"{field}__name")
        .annotate(total=Count("id"), **annotations)
        .order_by(f"{field}_id")
    )
    return [
        {
            "code": r[f"{field}_id"],
            "name": r[f"{field}__name"],
            "total": r["total"],
            "grades": [(g, r[f"n_{g}"]) for g in grades],
        }
        for r in rows
    ]


def eligible(user: Any, grades: tuple[str, ...]) -> QuerySet[Assessment]:
    """Current published assessments in the user's scope with one of `grades` (provisional rule)."""
    return (
        Assessment.objects.for_user(user, "view")
        .filter(current=True, grade__in=grades)
        .select_related("institution", "institution__county", "form")
        .order_by("grade", "institution__name", "id")
    )


def form_summary(form: AssessmentForm) -> dict[str, Any]:
    """Counts for showing a form's state: items, baseline items, unverified ones, points (one query)."""
    from .models import FormItem

    agg = FormItem.objects.filter(dimension__form=form).aggregate(
        items=Count("id"),
        baseline=Count("id", filter=Q(baseline=True)),
        unverified=Count("id", filter=Q(verified=False)),
        provisional_points=Count("id", filter=Q(points_provisional=True)),
        max_total=Coalesce(Sum("max_score"), Value(0), output_field=IntegerField()),
    )
    return agg


def trust_card_section(institution: Any) -> dict[str, Any] | None:
    """This app's part of the public trust card: the published grade, its date, the form version and
    whether the cut-offs it was graded by are provisional. Nothing before a grade is published."""
    assessment = latest_grade(institution)
    if assessment is None:
        return None
    return {
        "template": "quality/_trust_card.html",
        "grade": assessment.grade,
        "grade_label": assessment.get_grade_display(),
        "graded": assessment.graded,
        "published_on": assessment.published_on,
        "form_name": str(assessment.form),
        "form_version": assessment.form.version,
        "standard": assessment.form.standard,
        "form_complete": assessment.form.complete,
        "cutoffs_provisional": assessment.cutoffs_provisional,
        "cutoffs": assessment.cutoffs_used,
    }
