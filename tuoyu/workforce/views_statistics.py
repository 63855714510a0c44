"""Workforce statistics pages for officials (mounted under /workforce/statistics/): the table of a
region by child region, and the same as an Excel file.

Access: officials with a region grant (national observers too); institution staff, parents and users
without a role get 403, anonymous users the login page. `?region=<code>` must lie within the official's
"view" grants, else 404 as if it did not exist; without it, the official's own (widest) region.
"""

from __future__ import annotations

import io
import re
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from tuoyu.core.audit import audit
from tuoyu.core.scoping import grants_for
from tuoyu.core.views import RoleRequiredMixin
from tuoyu.institutions.views import XLSX, _attachment
from tuoyu.regions.models import Region

from .choices import StaffRole
from .statistics import (
    Figures,
    InstitutionIssues,
    WorkforceStatistics,
    default_region,
    institutions_with_issues,
    may_see_statistics,
    workforce_statistics,
)

REGION_CODE = re.compile(r"^\d{12}$")
STATISTICS_LEVELS = {"province", "city", "county", "township"}


def statistics_region(user: Any, code: str | None) -> Region:
    """The region asked for (or the official's own), if the user may see its statistics.

    PermissionDenied for users without a region grant; Http404 for an unknown code, a region below
    township level, or one outside the user's grants.
    """
    if not may_see_statistics(user):
        raise PermissionDenied
    if not code:
        region = default_region(user)
        if region is None:
            raise Http404
        return region
    if not REGION_CODE.match(code):
        raise Http404
    region = get_object_or_404(Region, code=code, level__in=STATISTICS_LEVELS)
    if not grants_for(user, "view").covers_code(region.code):
        raise Http404
    return region


class StatisticsMixin(RoleRequiredMixin):
    required_check = "is_official"
    request: HttpRequest

    def get_region(self) -> Region:
        return statistics_region(self.request.user, self.request.GET.get("region"))


class StatisticsView(StatisticsMixin, TemplateView):
    """从业人员统计: staff, certified and trained shares, expiring documents per child region."""

    template_name = "workforce/statistics.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        region = self.get_region()
        grants = grants_for(self.request.user, "view")
        stats = workforce_statistics(self.request.user, region)
        context.update(
            region=region,
            stats=stats,
            breadcrumbs=[r for r in region.ancestors() if grants.covers_code(r.code)],
            roles=StaffRole.choices,
            plan_share=round(100 * stats.totals.staff / stats.plan.target, 1) if stats.plan else None,
        )
        return context


# --- export ---------------------------------------------------------------------------------------


def _percent(value: float | None) -> Any:
    return "" if value is None else value


def _figure_headers() -> list[str]:
    return [
        _("Institutions with staff"),
        _("Current staff"),
        *[str(label) for _value, label in StaffRole.choices],
        _("Certified"),
        _("Staff in roles with a certification rule"),
        _("Certified share (%)"),
        _("Trained (hours met)"),
        _("Heads and caregivers"),
        _("Trained share (%)"),
        _("Documents expired"),
        _("Documents expiring within 30 days"),
        _("Background checks overdue"),
        _("Background checks due within 30 days"),
    ]


def _figure_cells(f: Figures) -> list[Any]:
    return [
        f.institutions,
        f.staff,
        *[f.by_role.get(value, 0) for value in StaffRole.values],
        f.certified,
        f.certified_base,
        _percent(f.certified_share),
        f.trained,
        f.trained_base,
        _percent(f.trained_share),
        f.documents_expired,
        f.documents_expiring,
        f.checks_overdue,
        f.checks_due,
    ]


def _header(sheet: Any, titles: list[str]) -> None:
    sheet.append(titles)
    bold = Font(bold=True)
    for index, cell in enumerate(sheet[1], start=1):
        cell.font = bold
        sheet.column_dimensions[get_column_letter(index)].width = 12 if index > 1 else 28
    sheet.freeze_panes = "B2"


def write_statistics_workbook(
    stats: WorkforceStatistics, issues: list[InstitutionIssues], stream: IO[bytes]
) -> None:
    """Two sheets: the figures per child region (or institution) with totals; the institutions with
    expired or expiring documents or overdue checks. Headers in the active language; no personal data."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Workforce")[:31]
    first = _("Institution") if stats.rows_are_institutions else _("Region")
    _header(sheet, [first, *_figure_headers()])
    for row in stats.rows:
        sheet.append([row.name, *_figure_cells(row.figures)])
    sheet.append([_("Total"), *_figure_cells(stats.totals)])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.append([])
    sheet.append([_("{region}, as of {date}").format(region=stats.region.name, date=stats.today.isoformat())])
    if stats.plan:
        sheet.append(
            [
                _("{indicator}: {baseline} in {baseline_year}, target {target} by {target_year}").format(
                    indicator=stats.plan.indicator,
                    baseline=stats.plan.baseline,
                    baseline_year=stats.plan.baseline_year,
                    target=stats.plan.target_text,
                    target_year=stats.plan.target_year,
                )
            ]
        )

    second = workbook.create_sheet(_("Documents and checks")[:31])
    _header(
        second,
        [
            _("Institution"),
            _("County"),
            _("Township"),
            _("Current staff"),
            _("Documents expired"),
            _("Documents expiring within 30 days"),
            _("Background checks overdue"),
            _("Background checks due within 30 days"),
        ],
    )
    for item in issues:
        f = item.figures
        second.append(
            [
                item.name,
                item.county,
                item.township,
                f.staff,
                f.documents_expired,
                f.documents_expiring,
                f.checks_overdue,
                f.checks_due,
            ]
        )
    workbook.save(stream)


class StatisticsExportView(StatisticsMixin, View):
    """The statistics of a region as .xlsx (audited)."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        region = self.get_region()
        stats = workforce_statistics(request.user, region)
        issues = institutions_with_issues(request.user, region, stats.today)
        buffer = io.BytesIO()
        write_statistics_workbook(stats, issues, buffer)
        audit(
            actor=request.user,
            action="workforce.statistics_export",
            region_code=region.code,
            detail={"region": region.code, "rows": len(stats.rows), "institutions_flagged": len(issues)},
            request=request,
        )
        day = timezone.localdate().strftime("%Y%m%d")
        return _attachment(
            HttpResponse(buffer.getvalue(), content_type=XLSX),
            f"workforce_{region.code}_{day}.xlsx",
            f"从业人员统计_{region.name}_{day}.xlsx",
        )
