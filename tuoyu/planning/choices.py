"""Choices of the planning records (target comparisons, units, facility steps, no-data reasons)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Comparison(models.TextChoices):
    """How a value is compared with the plan's target (the plan writes 4.5左右, >90, 100, 7万左右)."""

    AT_LEAST = "ge", "≥"
    MORE_THAN = "gt", ">"
    AT_MOST = "le", "≤"
    ABOUT = "about", _("about")  # 左右: met from 95 % of the target on (see PlanTarget.is_met)


class Unit(models.TextChoices):
    PER_1000 = "per_1000", _("per 1,000 residents")
    PERCENT = "percent", "%"
    COUNT = "count", _("institutions")
    PEOPLE = "people", _("people")


class NoDataReason(models.TextChoices):
    """Why an indicator has no value: shown as "no data yet" with the reason, never as a number."""

    NO_SOURCE = "no_source", _("The platform does not record this data yet.")
    NO_RECORDS = "no_records", _("Nothing has been recorded for this yet.")
    NO_POPULATION = "no_population", _("No resident population figure for this region.")
    EMPTY = "empty", _("Nothing to count in this region (the denominator is zero).")


class FacilityStatus(models.TextChoices):
    """How far a new residential project's childcare facility has got.

    The plan asks for 同步规划、同步建设、同步验收、同步交付: planned, built, accepted and delivered
    together with the homes.
    """

    NONE = "none", _("No facility")
    PLANNED = "planned", _("Planned")  # 同步规划
    BUILT = "built", _("Built")  # 同步建设
    ACCEPTED = "accepted", _("Accepted")  # 同步验收
    DELIVERED = "delivered", _("Delivered")  # 同步交付


# The steps in order, with the date field each one needs.
FACILITY_STEPS: tuple[tuple[str, str], ...] = (
    (FacilityStatus.PLANNED, "facility_planned_on"),
    (FacilityStatus.BUILT, "facility_built_on"),
    (FacilityStatus.ACCEPTED, "facility_accepted_on"),
    (FacilityStatus.DELIVERED, "facility_delivered_on"),
)


class ReportPeriodKind(models.TextChoices):
    """How long a statistical report's period is (统计调查 报告期别)."""

    MONTHLY = "monthly", pgettext_lazy("report period", "Monthly")  # 月报
    ANNUAL = "annual", pgettext_lazy("report period", "Annual")  # 年报


class ReportStatus(models.TextChoices):
    """Where a statistical report stands on its way up the hierarchy (services_reports.TRANSITIONS)."""

    DRAFT = "draft", _("Draft")  # 草稿（待上报）
    SUBMITTED = "submitted", pgettext_lazy("report status", "Submitted")  # 已上报
    APPROVED = "approved", _("Approved by the city")  # 市级已审核 (county reports)
    ACCEPTED = "accepted", _("Accepted by the province")  # 省级已验收 (city and province reports)
    LOCKED = "locked", _("Locked")  # 已锁定
