"""Double-random spot checks (双随机、一公开): conflict declarations of the inspectors register, annual
plans, batches, and reproducible draws with the inspections they open.

The inspectors register (执法检查人员名录库) itself is not a table: it is the officials holding an active
inspector role (rules.INSPECTOR_ROLES) with the unit and region of that `RoleAssignment`.

Who sees what: plans, batches and draws belong to the planning office's region; officials whose
grant covers that region see them (`region_q("...region_id")`). Conflict declarations belong to the
institution's township. Institution staff, parents and outsiders see none of it; published draws are
shown to the public by the public pages (names of institutions only, no inspectors).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tuoyu.core.scoping import Grants, ScopedQuerySet
from tuoyu.institutions.choices import InstitutionType

from .choices import ConflictRelation
from .rules import MAX_SEED, MAX_TEAM_SIZE, MIN_TEAM_SIZE, PLAN_LEVELS


class ConflictDeclarationQuerySet(ScopedQuerySet["ConflictDeclaration"]):
    def scope_q(self, grants: Grants) -> Q:
        return grants.region_q("institution__township_id")

    def current(self) -> ConflictDeclarationQuerySet:
        return self.filter(ended_on__isnull=True)


class ConflictDeclaration(models.Model):
    """A declared conflict of interest between an inspector and an institution (回避事由).

    Relative and other interest are declared for one inspector. "Own unit" (the institution is run by
    or attached to the inspector's unit, 本单位举办/隶属) is declared by the office for a unit, named as in
    `RoleAssignment.unit`, and applies to every inspector of that unit: Institution has no sponsor
    field, and the unit is where the interest lies, not the person.
    """

    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.CASCADE,
        related_name="conflict_declarations",
        verbose_name=_("institution"),
    )
    relation = models.CharField(_("relation"), max_length=12, choices=ConflictRelation.choices)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="conflict_declarations",
        verbose_name=_("inspector"),
    )
    unit = models.CharField(_("unit"), max_length=100, blank=True)
    declared_on = models.DateField(_("declared on"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ConflictDeclarationQuerySet.as_manager()

    class Meta:
        ordering = ["-declared_on", "-id"]
        verbose_name = _("conflict declaration")
        verbose_name_plural = _("conflict declarations")
        constraints = [
            # Own unit: for a unit, not a person; relative and other interest: for a person.
            models.CheckConstraint(
                condition=Q(relation="own_unit", inspector__isnull=True) & ~Q(unit="")
                | (~Q(relation="own_unit") & Q(inspector__isnull=False, unit="")),
                name="conflict_declaration_subject",
            ),
            models.UniqueConstraint(
                fields=["inspector", "institution", "relation"],
                condition=Q(inspector__isnull=False, ended_on__isnull=True),
                name="conflict_declaration_unique_person",
            ),
            models.UniqueConstraint(
                fields=["unit", "institution"],
                condition=Q(inspector__isnull=True, ended_on__isnull=True),
                name="conflict_declaration_unique_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.inspector or self.unit} · {self.get_relation_display()} · {self.institution}"

    def clean(self) -> None:
        if self.relation == ConflictRelation.OWN_UNIT:
            if self.inspector_id:
                raise ValidationError({"inspector": _("An own-unit declaration names a unit, not a person.")})
            if not self.unit.strip():
                raise ValidationError({"unit": _("Name the unit the institution belongs to.")})
        else:
            if not self.inspector_id:
                raise ValidationError({"inspector": _("Name the inspector who declares the relation.")})
            if self.unit:
                raise ValidationError({"unit": _("Only an own-unit declaration names a unit.")})

    @property
    def audit_region_code(self) -> str:
        return str(self.institution.township_id)


class PlanQuerySet(ScopedQuerySet["InspectionPlan"]):
    def scope_q(self, grants: Grants) -> Q:
        return grants.region_q("region_id")


class InspectionPlan(models.Model):
    """A county or higher office's annual spot-check plan (年度抽查计划) for its region."""

    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("office region")
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2020), MaxValueValidator(2100)]
    )
    title = models.CharField(_("plan title"), max_length=200)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "region_id"]
        verbose_name = _("annual spot-check plan")
        verbose_name_plural = _("annual spot-check plans")
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="spotcheck_plan_unique_year")]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.region_id and self.region.level not in PLAN_LEVELS:
            raise ValidationError({"region": _("Plans are made by a county or higher office.")})

    @property
    def audit_region_code(self) -> str:
        return str(self.region_id)


class BatchQuerySet(ScopedQuerySet["Batch"]):
    def scope_q(self, grants: Grants) -> Q:
        return grants.region_q("plan__region_id")


class Batch(models.Model):
    """One batch of an annual plan (抽查批次): its scope, window, team size and strata with rates."""

    plan = models.ForeignKey(
        InspectionPlan, on_delete=models.CASCADE, related_name="batches", verbose_name=_("spot-check plan")
    )
    name = models.CharField(_("name"), max_length=200)
    scope_region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("scope")
    )
    # InstitutionType values; empty means every kind.
    institution_kinds = models.JSONField(_("institution kinds"), default=list, blank=True)
    operating_only = models.BooleanField(_("operating institutions only"), default=True)
    window_start = models.DateField(_("window start"))
    window_end = models.DateField(_("window end"))
    team_size = models.PositiveSmallIntegerField(
        _("inspectors per team"),
        default=MIN_TEAM_SIZE,
        validators=[MinValueValidator(MIN_TEAM_SIZE), MaxValueValidator(MAX_TEAM_SIZE)],
    )
    # [{key, rate_bp, lookback_days}] in rules.STRATA order (validated by the service).
    strata = models.JSONField(_("strata"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = BatchQuerySet.as_manager()

    class Meta:
        ordering = ["window_start", "id"]
        verbose_name = _("spot-check batch")
        verbose_name_plural = _("spot-check batches")
        constraints = [
            models.CheckConstraint(
                condition=Q(team_size__gte=MIN_TEAM_SIZE), name="spotcheck_batch_team_size"
            ),
            models.CheckConstraint(
                condition=Q(window_end__gte=models.F("window_start")), name="spotcheck_batch_window_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} · {self.name}"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.window_start and self.window_end and self.window_end < self.window_start:
            errors["window_end"] = _("The window ends before it starts.")
        if self.plan_id and self.window_start and self.window_start.year != self.plan.year:
            errors["window_start"] = _("The window lies in the plan's year.")
        if self.plan_id and self.window_end and self.window_end.year != self.plan.year:
            errors["window_end"] = _("The window lies in the plan's year.")
        if self.plan_id and self.scope_region_id and not self.plan.region.contains(str(self.scope_region_id)):
            errors["scope_region"] = _("The scope lies within the plan's region.")
        unknown = [k for k in self.institution_kinds or [] if k not in InstitutionType.values]
        if unknown:
            errors["institution_kinds"] = _("Unknown institution kind: {kinds}").format(
                kinds=", ".join(unknown)
            )
        if errors:
            raise ValidationError(errors)

    @property
    def audit_region_code(self) -> str:
        return str(self.plan.region_id)

    @property
    def kinds_display(self) -> list[str]:
        labels = dict(InstitutionType.choices)
        return [str(labels.get(k, k)) for k in self.institution_kinds or []]


class DrawQuerySet(ScopedQuerySet["Draw"]):
    def scope_q(self, grants: Grants) -> Q:
        return grants.region_q("batch__plan__region_id")

    def published(self) -> DrawQuerySet:
        return self.filter(published=True)


class Draw(models.Model):
    """The draw of one batch: the seed, every input it used and its result, stored so that anyone with
    access can re-run it (`replay`) and get the same institutions and teams."""

    batch = models.OneToOneField(
        Batch, on_delete=models.PROTECT, related_name="draw", verbose_name=_("batch")
    )
    seed = models.BigIntegerField(_("seed"), validators=[MinValueValidator(0), MaxValueValidator(MAX_SEED)])
    algorithm = models.CharField(_("algorithm"), max_length=20)
    inputs = models.JSONField(_("inputs"))
    result = models.JSONField(_("result"))
    digest = models.CharField(_("SHA-256 of inputs and result"), max_length=64)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    drawn_at = models.DateTimeField(_("drawn at"), auto_now_add=True)
    # 一公开: results are published when drawn.
    published = models.BooleanField(_("published"), default=True)

    objects = DrawQuerySet.as_manager()

    class Meta:
        ordering = ["-drawn_at", "-id"]
        verbose_name = _("draw")
        verbose_name_plural = _("draws")

    def __str__(self) -> str:
        return f"{self.batch} · #{self.pk}"

    @property
    def audit_region_code(self) -> str:
        return str(self.batch.plan.region_id)


class AssignmentQuerySet(ScopedQuerySet["DrawAssignment"]):
    def scope_q(self, grants: Grants) -> Q:
        return grants.region_q("draw__batch__plan__region_id")


class DrawAssignment(models.Model):
    """One institution drawn in a draw, with its team and the routine inspection the draw opened
    (none when too few inspectors were left after exclusions)."""

    draw = models.ForeignKey(
        Draw, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("draw")
    )
    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.PROTECT, related_name="+", verbose_name=_("institution")
    )
    stratum = models.CharField(_("stratum"), max_length=20)
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="+", blank=True, verbose_name=_("team")
    )
    available = models.PositiveSmallIntegerField(_("inspectors available"), default=0)
    inspection = models.OneToOneField(
        "supervision.Inspection",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="draw_assignment",
        verbose_name=_("inspection"),
    )

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["draw", "institution_id"]
        verbose_name = _("drawn institution")
        verbose_name_plural = _("drawn institutions")
        constraints = [
            models.UniqueConstraint(fields=["draw", "institution"], name="spotcheck_assignment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.draw} · {self.institution}"
