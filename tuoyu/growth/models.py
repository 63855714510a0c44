"""Growth records (成长档案): a child's measurements with their WHO z-scores, flags and WS/T 423 grades.

Scores are computed once, when the measurement is recorded (services.growth_measurement_record), and
stored with the versions of the standards used, so a later change of tables never rewrites history.
Scoped like the child: staff of the child's institution, officials over its township, the guardians.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tuoyu.children.models import child_scope_q
from tuoyu.core.scoping import Grants, ScopedQuerySet

from .choices import Grade, Position
from .rules import FLAG_RULES


class GrowthMeasurementQuerySet(ScopedQuerySet["GrowthMeasurement"]):
    def scope_q(self, grants: Grants) -> Q:
        return child_scope_q(grants, "child__")


class GrowthMeasurement(models.Model):
    """One measurement of a child (weight, length or height, head circumference) on one day."""

    child = models.ForeignKey(
        "children.Child",
        on_delete=models.CASCADE,
        related_name="growth_measurements",
        verbose_name=_("child"),
    )
    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="growth_measurements",
        verbose_name=_("institution"),
        help_text=_("Where the child was enrolled when measured."),
    )
    measured_on = models.DateField(_("measured on"))
    age_days = models.PositiveIntegerField(_("age in days"))
    weight_kg = models.DecimalField(_("weight (kg)"), max_digits=5, decimal_places=2, null=True, blank=True)
    length_cm = models.DecimalField(
        _("length/height (cm)"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    position = models.CharField(_("measured"), max_length=8, choices=Position.choices, blank=True)
    head_cm = models.DecimalField(
        _("head circumference (cm)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    # WHO 2006 z-scores, two decimals; null where the indicator does not apply.
    z_wfa = models.FloatField(_("weight-for-age z"), null=True, blank=True)
    z_lhfa = models.FloatField(_("length/height-for-age z"), null=True, blank=True)
    z_wflh = models.FloatField(_("weight-for-length/height z"), null=True, blank=True)
    z_bfa = models.FloatField(_("BMI-for-age z"), null=True, blank=True)
    z_hcfa = models.FloatField(_("head-circumference-for-age z"), null=True, blank=True)
    # Flags (rules.FLAG_RULES); booleans so that counts upward are plain SQL aggregates.
    underweight = models.BooleanField(_("underweight"), default=False)
    severe_underweight = models.BooleanField(_("severely underweight"), default=False)
    stunting = models.BooleanField(_("stunting"), default=False)
    severe_stunting = models.BooleanField(_("severe stunting"), default=False)
    wasting = models.BooleanField(_("wasting"), default=False)
    severe_wasting = models.BooleanField(_("severe wasting"), default=False)
    overweight = models.BooleanField(_("overweight"), default=False)
    obesity = models.BooleanField(_("obesity"), default=False)
    implausible = models.CharField(
        _("implausible z-scores"),
        max_length=40,
        blank=True,
        help_text=_("Indicators outside WHO's plausibility limits, comma-separated: check the measurement."),
    )
    # WS/T 423—2022 five-level grades (表1).
    grade_wfa = models.CharField(_("weight grade"), max_length=12, choices=Grade.choices, blank=True)
    grade_lhfa = models.CharField(_("length/height grade"), max_length=12, choices=Grade.choices, blank=True)
    grade_hcfa = models.CharField(
        _("head circumference grade"), max_length=12, choices=Grade.choices, blank=True
    )
    who_version = models.CharField(_("WHO standard used"), max_length=40)
    wst_version = models.CharField(_("WS/T 423 tables used"), max_length=40, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = GrowthMeasurementQuerySet.as_manager()

    class Meta:
        ordering = ["child", "measured_on", "id"]
        verbose_name = _("growth measurement")
        verbose_name_plural = _("growth measurements")
        constraints = [
            models.UniqueConstraint(fields=["child", "measured_on"], name="growth_one_per_child_day"),
            models.CheckConstraint(
                condition=Q(weight_kg__isnull=False) | Q(length_cm__isnull=False) | Q(head_cm__isnull=False),
                name="growth_something_measured",
            ),
            models.CheckConstraint(
                condition=Q(length_cm__isnull=True) | ~Q(position=""), name="growth_length_has_position"
            ),
        ]
        indexes = [
            # Latest per child (ORDER BY measured_on DESC, id DESC LIMIT 1) and series.
            models.Index(fields=["child", "-measured_on", "-id"], name="growth_child_latest"),
            models.Index(fields=["institution", "measured_on"], name="growth_institution_day"),
        ]

    def __str__(self) -> str:
        return f"{self.child} {self.measured_on}"

    @property
    def audit_region_code(self) -> str:
        institution = self.institution
        return str(institution.township_id) if institution is not None else ""

    @property
    def zscores(self) -> dict[str, float | None]:
        return {
            "wfa": self.z_wfa,
            "lhfa": self.z_lhfa,
            "wflh": self.z_wflh,
            "bfa": self.z_bfa,
            "hcfa": self.z_hcfa,
        }

    @property
    def flags(self) -> list[str]:
        return [rule.code for rule in FLAG_RULES if getattr(self, rule.code)]

    def flag_rules(self) -> list[Any]:
        return [rule for rule in FLAG_RULES if getattr(self, rule.code)]

    @property
    def age_months(self) -> float:
        return self.age_days / 30.4375
