"""Statistical report pages (统计调查, under /gov/planning/reports/): the list for the official's region
and period, one report with its tables, history and the buttons the official may press, and its
Excel file and national export.

Officials only (others 403; anonymous users go to login). Reports and regions outside the official's
grants answer 404. Every step goes through services_reports.py (which checks the grant again).
"""

from __future__ import annotations

import io
import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from tuoyu.core.api import Conflict
from tuoyu.core.audit import audit
from tuoyu.core.scoping import grants_for
from tuoyu.core.views import RoleRequiredMixin
from tuoyu.institutions.views import XLSX, _attachment
from tuoyu.regions.models import Region

from . import services_reports as services
from .api_reports import check_national
from .choices import ReportPeriodKind, ReportStatus
from .exports_reports import national_export, report_filename, write_report_workbook
from .models import REPORT_LEVELS, StatReport
from .selectors import default_region
from .selectors_reports import last_period, period_bounds, report_tables, units_for

# Reports waiting for someone's step, shown at the top of the list (at most this many).
AWAITING_LIMIT = 50


class ReportsMixin(RoleRequiredMixin):
    required_check = "is_official"
    request: HttpRequest

    def get_report(self, pk: int) -> StatReport:
        return get_object_or_404(
            StatReport.objects.for_user(self.request.user, "view").select_related(
                "region", "submitted_by", "reviewed_by", "locked_by"
            ),
            pk=pk,
        )


class ReportListView(ReportsMixin, TemplateView):
    """`?kind=monthly&period=2026-10&region=<code>`: the unit's report and those of the units below it
    for the period (last month by default), and the reports waiting for the official's step."""

    template_name = "planning/reports.html"

    def get_region(self) -> Region:
        code = self.request.GET.get("region", "")
        region = Region.objects.filter(code=code).first() if code else default_region(self.request.user)
        if (
            region is None
            or region.level not in REPORT_LEVELS
            or not grants_for(self.request.user, "view").covers_code(region.code)
        ):
            raise Http404
        return region

    def get_period(self) -> tuple[str, str, str]:
        kind = self.request.GET.get("kind") or ReportPeriodKind.MONTHLY
        if kind not in ReportPeriodKind.values:
            kind = ReportPeriodKind.MONTHLY
        period = self.request.GET.get("period") or last_period(kind)
        try:
            period_bounds(kind, period)
        except ValueError as exc:
            return kind, last_period(kind), str(exc)
        return kind, period, ""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        region = self.get_region()
        kind, period, period_error = self.get_period()
        start, _end = period_bounds(kind, period)
        awaiting = []
        candidates = (
            StatReport.objects.for_user(user, "view")
            .filter(status__in=(ReportStatus.SUBMITTED, ReportStatus.APPROVED, ReportStatus.ACCEPTED))
            .select_related("region", "submitted_by")
            .order_by("-period_start", "region_id")
        )
        for report in candidates[: AWAITING_LIMIT * 4]:
            actions = [a for a in services.allowed_actions(user, report) if a != "return"]
            if actions:
                awaiting.append((report, actions))
            if len(awaiting) >= AWAITING_LIMIT:
                break
        grants = grants_for(user, "view")
        context.update(
            region=region,
            kind=kind,
            period=period,
            period_error=period_error,
            kinds=ReportPeriodKind.choices,
            lines=units_for(user, region, kind, start),
            awaiting=awaiting,
            breadcrumbs=[r for r in region.ancestors() if grants.covers_code(r.code)],
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Make the draft of a unit for the period (`region`, `kind`, `period`)."""
        region = get_object_or_404(Region, code=request.POST.get("region", ""))
        if not grants_for(request.user, "view").covers_code(region.code):
            raise Http404
        kind = request.POST.get("kind", "")
        try:
            start, end = period_bounds(kind, request.POST.get("period", ""))
            report = services.stat_report_create(
                actor=request.user, region=region, period_kind=kind, period_start=start, period_end=end
            )
        except ValueError as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except Conflict as exc:
            messages.error(request, str(exc))
        except IntegrityError:  # made at the same moment by someone else
            messages.error(request, _("This report already exists."))
        else:
            messages.success(request, _("Draft report made from the data."))
            return redirect("planning:report", report.pk)
        return redirect(f"{reverse('planning:reports')}?region={region.code}&kind={kind}")


class ReportView(ReportsMixin, TemplateView):
    """One report: its tables (the stored figures), the units still missing below, its history and the
    buttons for the steps the official may take."""

    template_name = "planning/report.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        report = kwargs.get("report") or self.get_report(self.kwargs["pk"])
        actions = services.allowed_actions(self.request.user, report)
        context.update(
            report=report,
            tables=report_tables(report),
            transitions=report.transitions.select_related("actor"),
            actions=actions,
            missing=services.missing_below(report) if report.status == ReportStatus.DRAFT else [],
            may_refresh=report.status == ReportStatus.DRAFT and "submit" in actions,
            national=report.region.level == "province"
            and report.status in (ReportStatus.ACCEPTED, ReportStatus.LOCKED),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        report = self.get_report(self.kwargs["pk"])
        action = request.POST.get("action", "")
        reason = request.POST.get("reason", "")[:4000]
        try:
            if action == "refresh":
                services.stat_report_refresh(actor=request.user, report=report)
            else:
                services.stat_report_transition(
                    actor=request.user, report=report, action=action, reason=reason
                )
        except PermissionDenied:
            raise
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except Conflict as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Done."))
        return redirect("planning:report", report.pk)


class ReportExcelView(ReportsMixin, View):
    """The report as .xlsx: its stored figures, Chinese headers, the sign-off record (audited)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        report = self.get_report(pk)
        buffer = io.BytesIO()
        write_report_workbook(report, buffer)
        audit(
            actor=request.user,
            action="planning.report_export",
            obj=report,
            detail={"period": report.period_label, "status": report.status},
            request=request,
        )
        ascii_name, name = report_filename(report)
        return _attachment(HttpResponse(buffer.getvalue(), content_type=XLSX), ascii_name, name)


class ReportNationalView(ReportsMixin, View):
    """The province's signed-off report as the national JSON document (docs/national_export.md)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        report = self.get_report(pk)
        try:
            check_national(report)
        except Conflict as exc:
            return HttpResponse(str(exc), status=409, content_type="text/plain; charset=utf-8")
        audit(
            actor=request.user,
            action="planning.report_national_export",
            obj=report,
            detail={"period": report.period_label},
            request=request,
        )
        body = json.dumps(national_export(report), ensure_ascii=False, indent=2)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        return _attachment(
            response,
            f"national_{report.region_id}_{report.period_kind}_{report.period_label}.json",
            f"国家级报送_{report.region.name}_{report.period_label_zh}.json",
        )
