"""Planning records: the plan's targets, dated indicator snapshots, new residential projects, and the
statistical reports (统计调查) with their transitions and frozen figures."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tuoyu.core.scoping import Grants, ScopedQuerySet

from .choices import (
    FACILITY_STEPS,
    Comparison,
    FacilityStatus,
    NoDataReason,
    ReportPeriodKind,
    ReportStatus,
)

# 左右 ("about") counts as met from this share of the target on (our reading; see data/SOURCES.md).
ABOUT_TOLERANCE = 0.95


class PlanTargetQuerySet(models.QuerySet["PlanTarget"]):
    def for_date(self, day: date) -> list[PlanTarget]:
        """Per (key, level): the target of the period containing the day, else of the latest earlier one."""
        chosen: dict[tuple[str, str], PlanTarget] = {}
        for target in self.filter(period_start__lte=day.year).order_by("period_start"):
            chosen[(target.key, target.level)] = target  # later periods replace earlier ones
        return list(chosen.values())


class PlanTarget(models.Model):
    """A target the plan sets for an indicator over a period (e.g. 4.5 places per 1,000 by 2025)."""

    plan = models.CharField(_("plan"), max_length=100)
    period_start = models.PositiveSmallIntegerField(
        _("period starts (year)"), validators=[MinValueValidator(2000)]
    )
    period_end = models.PositiveSmallIntegerField(
        _("period ends (year)"), validators=[MinValueValidator(2000)]
    )
    key = models.CharField(_("indicator"), max_length=40)
    # Blank: every level the indicator is computed for; else only that level.
    level = models.CharField(_("level"), max_length=10, blank=True)
    comparison = models.CharField(_("comparison"), max_length=5, choices=Comparison.choices)
    value = models.FloatField(_("target value"))
    text = models.CharField(_("as the plan writes it"), max_length=60)
    source = models.CharField(_("source"), max_length=200)

    objects = PlanTargetQuerySet.as_manager()

    class Meta:
        ordering = ["key", "period_start", "level"]
        verbose_name = _("plan target")
        verbose_name_plural = _("plan targets")
        constraints = [
            models.UniqueConstraint(fields=["period_start", "key", "level"], name="plan_target_unique"),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="plan_target_period_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.period_start}–{self.period_end}: {self.text}"

    def clean(self) -> None:
        from .definitions import BY_KEY

        if self.key and self.key not in BY_KEY:
            raise ValidationError({"key": _("Unknown indicator.")})
        if self.level and self.level not in ("province", "city", "county", "township"):
            raise ValidationError({"level": _("Unknown level.")})

    @property
    def period(self) -> str:
        return f"{self.period_start}–{self.period_end}"

    def is_met(self, value: float | None) -> bool | None:
        if value is None:
            return None
        if self.comparison == Comparison.AT_LEAST:
            return value >= self.value
        if self.comparison == Comparison.MORE_THAN:
            return value > self.value
        if self.comparison == Comparison.AT_MOST:
            return value <= self.value
        return value >= self.value * ABOUT_TOLERANCE


class IndicatorSnapshot(models.Model):
    """The value of one indicator for one region as of one date, as computed (and kept) at computed_at.

    One row per (as_of, region, key), except indicators without a data source (always "no data yet",
    not stored). Recomputing a date replaces its rows in one transaction, except
    locked ones: a locked row belongs to a submitted statistical report and must never change
    (the reporting capability sets `locked`; see services.indicator_snapshots_lock).
    """

    as_of = models.DateField(_("as of"))
    computed_at = models.DateTimeField(_("computed at"))
    region = models.ForeignKey(
        "regions.Region", on_delete=models.CASCADE, related_name="+", verbose_name=_("region")
    )
    key = models.CharField(_("indicator"), max_length=40)
    value = models.FloatField(_("value"), null=True, blank=True)
    numerator = models.FloatField(_("numerator"), null=True, blank=True)
    denominator = models.FloatField(_("denominator"), null=True, blank=True)
    reason = models.CharField(_("why no value"), max_length=16, choices=NoDataReason.choices, blank=True)
    # Units left out of the denominator for lack of data (communities without a point).
    excluded = models.PositiveIntegerField(_("excluded"), null=True, blank=True)
    locked = models.BooleanField(_("locked"), default=False)

    class Meta:
        ordering = ["as_of", "region_id", "key"]
        verbose_name = _("indicator snapshot")
        verbose_name_plural = _("indicator snapshots")
        constraints = [
            models.UniqueConstraint(fields=["as_of", "region", "key"], name="indicator_snapshot_unique"),
        ]
        # Trends: one region's indicator over time.
        indexes = [models.Index(fields=["region", "key", "as_of"], name="indicator_snapshot_trend")]

    def __str__(self) -> str:
        return f"{self.as_of} {self.region_id} {self.key}: {self.value}"


class ResidentialProjectQuerySet(ScopedQuerySet["ResidentialProject"]):
    def scope_q(self, grants: Grants) -> Q:
        return grants.region_q("township_id")


class ResidentialProject(models.Model):
    """A new residential project (新建居住区) and its supporting childcare facility (配套托育服务设施)."""

    county = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("county"),
        editable=False,
    )
    township = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="residential_projects",
        verbose_name=_("township"),
        limit_choices_to={"level": "township"},
    )
    name = models.CharField(_("name"), max_length=100)
    developer = models.CharField(_("developer"), max_length=100, blank=True)
    homes = models.PositiveIntegerField(
        _("homes"), validators=[MinValueValidator(1), MaxValueValidator(100000)]
    )
    delivered_on = models.DateField(
        _("homes delivered on"), null=True, blank=True, help_text=_("When the homes were handed over.")
    )
    has_childcare_facility = models.BooleanField(_("has a childcare facility"), default=False)
    facility_places = models.PositiveIntegerField(
        _("facility places"), default=0, validators=[MaxValueValidator(2000)]
    )
    facility_status = models.CharField(
        _("facility status"), max_length=10, choices=FacilityStatus.choices, default=FacilityStatus.NONE
    )
    facility_planned_on = models.DateField(_("planned on (同步规划)"), null=True, blank=True)
    facility_built_on = models.DateField(_("built on (同步建设)"), null=True, blank=True)
    facility_accepted_on = models.DateField(_("accepted on (同步验收)"), null=True, blank=True)
    facility_delivered_on = models.DateField(_("delivered on (同步交付)"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ResidentialProjectQuerySet.as_manager()

    class Meta:
        ordering = ["county_id", "township_id", "name"]
        verbose_name = _("new residential project")
        verbose_name_plural = _("new residential projects")
        constraints = [
            models.UniqueConstraint(fields=["township", "name"], name="residential_project_unique_name"),
            models.CheckConstraint(
                condition=Q(has_childcare_facility=True) | Q(facility_status="none", facility_places=0),
                name="residential_project_no_facility_no_status",
            ),
        ]
        indexes = [models.Index(fields=["county", "delivered_on"], name="residential_county_delivered")]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_region_code(self) -> str:
        return str(self.township_id)

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.has_childcare_facility and self.facility_status == FacilityStatus.NONE:
            errors["facility_status"] = _("Give the facility's status.")
        if not self.has_childcare_facility:
            if self.facility_status != FacilityStatus.NONE:
                errors["facility_status"] = _("A project without a facility has no facility status.")
            if self.facility_places:
                errors["facility_places"] = _("A project without a facility has no facility places.")
        reached = [s for s, _f in FACILITY_STEPS]
        reached = (
            reached[: reached.index(self.facility_status) + 1] if self.facility_status in reached else []
        )
        previous: date | None = None
        for step, field_name in FACILITY_STEPS:
            value = getattr(self, field_name)
            if step in reached and value is None:
                errors[field_name] = _("Give the date of this step.")
            elif step not in reached and value is not None:
                errors[field_name] = _("This step has not been reached yet.")
            if value is not None:
                if previous is not None and value < previous:
                    errors[field_name] = _("This step cannot come before the previous one.")
                previous = value
        township = getattr(self, "township", None) if self.township_id else None
        if township is not None and township.level != "township":
            errors["township"] = _("Choose a township.")
        if errors:
            raise ValidationError(errors)


# --- statistical reports (统计调查) ------------------------------------------------------------------

REPORT_LEVELS = ("province", "city", "county")


class StatReportQuerySet(ScopedQuerySet["StatReport"]):
    def scope_q(self, grants: Grants) -> Q:
        # A region grant covers the reports of its region and of every region below it.
        return grants.region_q("region_id")


class StatReport(models.Model):
    """One periodic statistical report (统计报表) of one county, city or province for a month or a year.

    Its figures are `StatReportCell` rows captured when it is submitted; they never change afterwards
    (a report returned for correction is captured again when it is submitted again). The way up the
    hierarchy and who may do what: services_reports.py.
    """

    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("reporting unit")
    )
    period_kind = models.CharField(_("period"), max_length=8, choices=ReportPeriodKind.choices)
    period_start = models.DateField(_("period starts"))
    period_end = models.DateField(_("period ends"))
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    # When the cells were last captured from the data (at creation, then at every submission).
    generated_at = models.DateTimeField(_("figures captured at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("created by"),
    )  # fmt: skip
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("submitted by"),
    )  # fmt: skip
    # Approved (by the city, for a county) or accepted (by the province, for a city or the province).
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("reviewed by"),
    )  # fmt: skip
    locked_at = models.DateTimeField(_("locked at"), null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("locked by"),
    )  # fmt: skip
    # The latest return for correction (退回修改), shown on the draft until it is submitted again.
    return_reason = models.TextField(_("returned because"), blank=True)

    objects = StatReportQuerySet.as_manager()

    class Meta:
        ordering = ["-period_start", "period_kind", "region_id"]
        verbose_name = _("statistical report")
        verbose_name_plural = _("statistical reports")
        constraints = [
            # One report per unit and period: creating it twice answers 409, never a duplicate.
            models.UniqueConstraint(
                fields=["region", "period_kind", "period_start"], name="stat_report_one_per_period"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="stat_report_period_order"
            ),
            models.CheckConstraint(
                condition=Q(status=ReportStatus.DRAFT) | Q(submitted_at__isnull=False),
                name="stat_report_submitted_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status=ReportStatus.LOCKED) | Q(locked_at__isnull=False),
                name="stat_report_locked_has_date",
            ),
        ]
        indexes = [models.Index(fields=["period_kind", "period_start", "status"], name="stat_report_period")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.period_label} {self.status}"

    @property
    def period_label(self) -> str:
        """2026-10 for a monthly report, 2026 for an annual one (also the API's `period`)."""
        if self.period_kind == ReportPeriodKind.MONTHLY:
            return self.period_start.strftime("%Y-%m")
        return str(self.period_start.year)

    @property
    def period_label_zh(self) -> str:
        """The period as Chinese forms write it (2026年10月, 2026年): the Excel file's 统计期."""
        if self.period_kind == ReportPeriodKind.MONTHLY:
            return f"{self.period_start.year}年{self.period_start.month}月"
        return f"{self.period_start.year}年"

    @property
    def audit_region_code(self) -> str:
        return str(self.region_id)

    @property
    def is_frozen(self) -> bool:
        """Submitted or later: the cells are what was reported and no longer follow the data."""
        return self.status != ReportStatus.DRAFT

    def clean(self) -> None:
        region = getattr(self, "region", None) if self.region_id else None
        if region is not None and region.level not in REPORT_LEVELS:
            raise ValidationError({"region": _("Reports are made by counties, cities and the province.")})


class StatReportTransition(models.Model):
    """One step of a statistical report: from which status to which, who did it, when and why."""

    report = models.ForeignKey(
        StatReport, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("report")
    )
    action = models.CharField(_("action"), max_length=10)
    from_status = models.CharField(_("from"), max_length=10, choices=ReportStatus.choices)
    to_status = models.CharField(_("to"), max_length=10, choices=ReportStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("by"),
    )  # fmt: skip
    at = models.DateTimeField(_("at"), auto_now_add=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("statistical report transition")
        verbose_name_plural = _("statistical report transitions")

    def __str__(self) -> str:
        return f"{self.report_id}: {self.from_status} → {self.to_status}"


class StatReportCell(models.Model):
    """One figure of a report: a row of one of its tables, for the reporting unit or one unit below it.

    `region` is the report's own region for the report's figure (本期数), or a county (in a city's
    report) or a city (in the province's) for the breakdown columns copied from their reports.
    """

    report = models.ForeignKey(StatReport, on_delete=models.CASCADE, related_name="cells")
    table = models.CharField(_("table"), max_length=8)
    row = models.CharField(_("row"), max_length=40)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    value = models.FloatField(_("value"), null=True, blank=True)
    numerator = models.FloatField(_("numerator"), null=True, blank=True)
    denominator = models.FloatField(_("denominator"), null=True, blank=True)
    reason = models.CharField(_("why no value"), max_length=16, choices=NoDataReason.choices, blank=True)
    # The plan's target as the plan writes it at capture time (plan indicators table only).
    target = models.CharField(_("target"), max_length=80, blank=True)
    met = models.BooleanField(_("target met"), null=True, blank=True)

    class Meta:
        ordering = ["report_id", "table", "id"]
        verbose_name = _("statistical report figure")
        verbose_name_plural = _("statistical report figures")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "table", "row", "region"], name="stat_report_cell_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.report_id} {self.table}.{self.row} {self.region_id}: {self.value}"
