"""WS/T 821—2023 quality assessment: the assessment form as versioned data, and assessments scored
first by the institution, then by the county, with the grade that follows.

The form's items, points, veto (baseline) flags and grade cut-offs are data a province edits
(`services.form_*`). Activating a version retires the previous one; an assessment keeps the version it
started on and, once assessed, a snapshot of the totals, the grade and the cut-offs it was graded by.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tuoyu.core.files import PrivateStorage
from tuoyu.core.scoping import Grants, ScopedQuerySet

from .choices import OPEN_STATUSES, AssessmentStatus, FormStatus, Grade, ValueType

evidence_storage = PrivateStorage("quality")


class AssessmentForm(models.Model):
    """One version of an assessment form (评估表), e.g. WS/T 821—2023 as adopted by this province."""

    name = models.CharField(_("name"), max_length=200)
    standard = models.CharField(_("standard"), max_length=60)
    version = models.PositiveSmallIntegerField(_("version"))
    effective_on = models.DateField(_("effective date"))
    status = models.CharField(_("status"), max_length=8, choices=FormStatus.choices, default=FormStatus.DRAFT)
    source_note = models.TextField(_("source note"), blank=True)
    # The province says the item list is the whole standard (Annex A). Until then the UI says incomplete.
    complete = models.BooleanField(_("item list complete"), default=False)
    # Grade cut-offs: the minimum share (percent) of the form's maximum total for A, B and C; below C is
    # D. None of them were found in the standard: they are this deployment's setting.
    cutoff_a = models.PositiveSmallIntegerField(
        _("cut-off for A (%)"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    cutoff_b = models.PositiveSmallIntegerField(
        _("cut-off for B (%)"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    cutoff_c = models.PositiveSmallIntegerField(
        _("cut-off for C (%)"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    cutoffs_provisional = models.BooleanField(_("cut-offs are provisional"), default=True)
    cutoffs_source = models.CharField(_("source of the cut-offs"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    based_on = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("based on")
    )

    class Meta:
        ordering = ["standard", "-version"]
        verbose_name = _("assessment form")
        verbose_name_plural = _("assessment forms")
        constraints = [
            models.UniqueConstraint(fields=["standard", "version"], name="quality_form_standard_version"),
            models.UniqueConstraint(
                fields=["standard"], condition=Q(status="active"), name="quality_form_one_active"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.standard} v{self.version}"

    def clean(self) -> None:
        cuts = [self.cutoff_a, self.cutoff_b, self.cutoff_c]
        if any(c is None for c in cuts) and any(c is not None for c in cuts):
            raise ValidationError({"cutoff_a": _("Set all three cut-offs, or none.")})
        if all(c is not None for c in cuts) and not (
            self.cutoff_a > self.cutoff_b > self.cutoff_c  # type: ignore[operator]
        ):
            raise ValidationError({"cutoff_a": _("The cut-offs must fall from A to B to C.")})

    @property
    def has_cutoffs(self) -> bool:
        return self.cutoff_a is not None and self.cutoff_b is not None and self.cutoff_c is not None

    @property
    def editable(self) -> bool:
        return self.status == FormStatus.DRAFT


class FormDimension(models.Model):
    """One of the seven dimensions of WS/T 821 (办托条件 … 机构管理) on one form version."""

    form = models.ForeignKey(
        AssessmentForm, on_delete=models.CASCADE, related_name="dimensions", verbose_name=_("form")
    )
    code = models.CharField(
        _("clause"), max_length=8, help_text=_("The body clause of the standard, e.g. 4.")
    )
    name = models.CharField(_("name"), max_length=40)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    # The standard's points for the dimension, as reported (not the sum of the items on this form).
    max_points = models.PositiveSmallIntegerField(_("points in the standard"), null=True, blank=True)
    points_verified = models.BooleanField(_("points verified"), default=False)
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        ordering = ["form", "order", "id"]
        verbose_name = _("assessment dimension")
        verbose_name_plural = _("assessment dimensions")
        constraints = [models.UniqueConstraint(fields=["form", "code"], name="quality_dimension_code")]

    def __str__(self) -> str:
        return self.name


class FormItem(models.Model):
    """One item (评估指标) of a form: what is checked, how, its points and whether failing it vetoes."""

    dimension = models.ForeignKey(
        FormDimension, on_delete=models.CASCADE, related_name="items", verbose_name=_("dimension")
    )
    clause = models.CharField(_("clause"), max_length=20)
    text = models.CharField(_("item"), max_length=300)
    how_to_assess = models.TextField(_("how to assess"), blank=True)
    max_score = models.PositiveSmallIntegerField(
        _("maximum score"), validators=[MaxValueValidator(1000)], default=10
    )
    value_type = models.CharField(
        _("value type"), max_length=8, choices=ValueType.choices, default=ValueType.YES_NO
    )
    # A baseline (基础标准) item: not meeting it in full fails the whole assessment (一票否决).
    baseline = models.BooleanField(_("baseline (veto)"), default=False)
    verified = models.BooleanField(_("verified against the standard"), default=False)
    # The item's points are this deployment's setting (the standard's item points were not found).
    points_provisional = models.BooleanField(_("points are provisional"), default=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["dimension__order", "order", "id"]
        verbose_name = _("assessment item")
        verbose_name_plural = _("assessment items")
        constraints = [
            models.CheckConstraint(
                condition=~Q(value_type="yes_no") | Q(max_score__gte=1), name="quality_yes_no_item_has_points"
            )
        ]

    def __str__(self) -> str:
        return f"{self.clause} {self.text[:40]}"


class AssessmentQuerySet(ScopedQuerySet["Assessment"]):
    def scope_q(self, grants: Grants) -> Q:
        # Officials: assessments of institutions in their regions; staff: their institution's.
        return grants.region_q("institution__township_id") | Q(institution_id__in=grants.institution_ids)

    def open(self) -> AssessmentQuerySet:
        return self.filter(status__in=OPEN_STATUSES)


class Assessment(models.Model):
    """One quality assessment of an institution: its self-assessment, the county's assessment, the grade."""

    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="quality_assessments",
        verbose_name=_("institution"),
    )
    form = models.ForeignKey(
        AssessmentForm, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("form version")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=AssessmentStatus.choices, default=AssessmentStatus.SELF_ASSESSING
    )
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    self_submitted_at = models.DateTimeField(_("self-assessment submitted at"), null=True, blank=True)
    assessed_at = models.DateTimeField(_("county assessment submitted at"), null=True, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assessed by"),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    # Snapshot at the county's submission: what the grade was computed from.
    self_total = models.PositiveIntegerField(_("self-assessment total"), null=True, blank=True)
    county_total = models.PositiveIntegerField(_("county total"), null=True, blank=True)
    max_total = models.PositiveIntegerField(_("maximum total"), null=True, blank=True)
    baseline_failed = models.JSONField(_("baseline items not met"), default=list, blank=True)
    grade = models.CharField(_("grade"), max_length=4, choices=Grade.choices, blank=True)
    cutoffs_used = models.JSONField(_("cut-offs used"), default=dict, blank=True)
    cutoffs_provisional = models.BooleanField(_("graded by provisional cut-offs"), default=False)
    county_note = models.TextField(_("county's conclusion"), blank=True)
    # The institution's latest published assessment (one per institution): what the trust card and
    # the grade distribution read, in one indexed filter.
    current = models.BooleanField(_("latest published"), default=False)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("quality assessment")
        verbose_name_plural = _("quality assessments")
        indexes = [models.Index(fields=["current", "grade"], name="quality_current_grade")]
        constraints = [
            models.UniqueConstraint(
                fields=["institution"],
                condition=Q(status__in=[s.value for s in OPEN_STATUSES]),
                name="quality_one_open_per_institution",
            ),
            models.UniqueConstraint(
                fields=["institution"], condition=Q(current=True), name="quality_one_current_per_institution"
            ),
            models.CheckConstraint(
                condition=~Q(current=True) | Q(status="published"), name="quality_current_is_published"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.institution} · {self.form} · {self.get_status_display()}"

    @property
    def audit_region_code(self) -> str:
        return str(self.institution.township_id)

    @property
    def graded(self) -> bool:
        return self.grade in {Grade.A, Grade.B, Grade.C, Grade.D}


class AssessmentScore(models.Model):
    """The scores of one item in one assessment: the institution's own and the county's, with notes."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="scores", verbose_name=_("assessment")
    )
    item = models.ForeignKey(FormItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("item"))
    self_score = models.PositiveSmallIntegerField(_("self-assessed score"), null=True, blank=True)
    self_note = models.CharField(_("self-assessment note"), max_length=500, blank=True)
    county_score = models.PositiveSmallIntegerField(_("county score"), null=True, blank=True)
    county_note = models.CharField(_("county note"), max_length=500, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["assessment", "item__dimension__order", "item__order", "item_id"]
        verbose_name = _("assessment score")
        verbose_name_plural = _("assessment scores")
        constraints = [models.UniqueConstraint(fields=["assessment", "item"], name="quality_score_item")]

    def __str__(self) -> str:
        return f"{self.assessment_id}/{self.item_id}: {self.self_score} / {self.county_score}"


class AssessmentTransition(models.Model):
    """One step of an assessment: from which status to which, who, when and why."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("assessment")
    )
    from_status = models.CharField(_("from"), max_length=16, choices=AssessmentStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=AssessmentStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("assessment transition")
        verbose_name_plural = _("assessment transitions")

    def __str__(self) -> str:
        return f"{self.assessment_id}: {self.from_status} → {self.to_status}"


def _evidence_path(instance: AssessmentEvidence, filename: str) -> str:
    ext = "." + filename.rsplit(".", 1)[-1] if "." in filename else ""
    return f"{instance.score.assessment_id}/{uuid.uuid4().hex}{ext}"


class EvidenceQuerySet(ScopedQuerySet["AssessmentEvidence"]):
    def scope_q(self, grants: Grants) -> Q:
        return grants.region_q("score__assessment__institution__township_id") | Q(
            score__assessment__institution_id__in=grants.institution_ids
        )


class AssessmentEvidence(models.Model):
    """A file the institution attaches to an item as evidence (stored privately, sent by a scoped view)."""

    score = models.ForeignKey(
        AssessmentScore, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("score")
    )
    file = models.FileField(_("file"), storage=evidence_storage, upload_to=_evidence_path, max_length=200)
    original_name = models.CharField(_("original name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["score", "id"]
        verbose_name = _("assessment evidence")
        verbose_name_plural = _("assessment evidence")

    def __str__(self) -> str:
        return self.original_name

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.pk, "name": self.original_name, "size": self.size}
