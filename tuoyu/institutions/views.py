"""Government register tools for one region: overview, Excel export, bulk import (under /gov/registry/).

Access: officials only (others 403, anonymous to login). The region must lie within the user's
"view" grants, else 404 as if it did not exist; importing needs the "manage" grant on the region,
and an official who may see the region but not manage it gets 403.
"""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from tuoyu.core.audit import audit
from tuoyu.core.imports import ImportFailed, RowError
from tuoyu.core.scoping import grants_for
from tuoyu.core.views import RoleRequiredMixin
from tuoyu.regions.models import Region

from .choices import FilingStatus, InstitutionType, OperatingStatus, Ownership
from .exports import export_registry
from .forms import RegistryImportForm
from .imports import import_institutions, write_template
from .models import Institution, InstitutionQuerySet
from .selectors import LEVEL_FIELD

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# At most this many row messages are shown on the page; the count says how many there were.
MAX_SHOWN_ERRORS = 500


def _attachment(response: HttpResponse, ascii_name: str, name: str) -> HttpResponse:
    # RFC 6266 / 5987: an ASCII fallback for old clients, the Chinese name for everyone else.
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return response


class RegistryRegionMixin(RoleRequiredMixin):
    """An official's page about one region; `action` is the grant it needs on that region."""

    required_check = "is_official"
    action = "view"
    request: HttpRequest
    kwargs: dict[str, Any]

    def get_region(self) -> Region:
        region = get_object_or_404(Region, code=self.kwargs["code"])
        user = self.request.user
        if not grants_for(user, "view").covers_code(region.code):
            raise Http404
        if self.action != "view" and not grants_for(user, self.action).covers_code(region.code):
            raise PermissionDenied
        return region

    def institutions(self, region: Region) -> InstitutionQuerySet:
        lo, hi = region.subtree_bounds()
        return Institution.objects.for_user(self.request.user, "view").filter(
            township_id__gte=lo, township_id__lte=hi
        )


# --- overview -----------------------------------------------------------------------------------

# (key prefix, institution field, choices, heading) of each breakdown. Designations other than
# inclusive (示范性 and the like) are not modelled yet; they join here when they are.
BREAKDOWNS: tuple[tuple[str, str, Any, Any], ...] = (
    ("filing", "filing_status", FilingStatus, gettext_lazy("Filing status")),
    ("status", "status", OperatingStatus, gettext_lazy("Operating status")),
    ("type", "type", InstitutionType, gettext_lazy("Type")),
    ("ownership", "ownership", Ownership, gettext_lazy("Ownership")),
)


def _overview_aggregates() -> dict[str, Any]:
    """Every count of the overview as conditional aggregates: one query per region or per GROUP BY."""
    aggregates: dict[str, Any] = {
        "total": Count("id"),
        "places": Coalesce(Sum("places", filter=Q(status=OperatingStatus.OPERATING)), 0),
    }
    for prefix, field, choices, _heading in BREAKDOWNS:
        for value in choices.values:
            aggregates[f"{prefix}_{value}"] = Count("id", filter=Q(**{field: value}))
    aggregates["designation_inclusive"] = Count("id", filter=Q(inclusive=True))
    return aggregates


def _overview_columns() -> list[dict[str, Any]]:
    groups = [
        {"heading": heading, "columns": [(f"{prefix}_{value}", label) for value, label in choices.choices]}
        for prefix, _field, choices, heading in BREAKDOWNS
    ]
    groups.append(
        {"heading": gettext_lazy("Designation"), "columns": [("designation_inclusive", _("Inclusive"))]}
    )
    return groups


def registry_overview(queryset: InstitutionQuerySet, region: Region) -> dict[str, Any]:
    """The region's counts by filing status, operating status, type, ownership and designation, and
    the same per child region: two queries (plus one for the child regions), whatever the numbers."""
    aggregates = _overview_aggregates()
    totals = queryset.aggregate(**aggregates)
    groups = _overview_columns()
    for group in groups:
        group["rows"] = [(label, totals[key]) for key, label in group["columns"]]
    children: list[dict[str, Any]] = []
    column = LEVEL_FIELD.get(region.child_level or "")
    if column:
        by_code = {row[column]: row for row in queryset.values(column).annotate(**aggregates).order_by()}
        keys = [key for group in groups for key, _label in group["columns"]]
        for child in region.children.order_by("code"):
            row = by_code.get(child.code, {})
            children.append(
                {
                    "region": child,
                    "total": row.get("total", 0),
                    "places": row.get("places", 0),
                    "values": [row.get(key, 0) for key in keys],
                }
            )
    return {"totals": totals, "groups": groups, "children": children}


class RegistryOverviewView(RegistryRegionMixin, TemplateView):
    """The register of a region in figures: filed, pending, non-compliant... by type and ownership."""

    template_name = "registry/overview.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        region = self.get_region()
        grants = grants_for(self.request.user, "view")
        context.update(
            region=region,
            breadcrumbs=[r for r in region.ancestors() if grants.covers_code(r.code)],
            can_import=grants_for(self.request.user, "manage").covers_code(region.code),
            **registry_overview(self.institutions(region), region),
        )
        return context


# --- export -------------------------------------------------------------------------------------


class RegistryExportView(RegistryRegionMixin, View):
    """The register of a region as .xlsx, one row per institution the official may see."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        region = self.get_region()
        buffer = io.BytesIO()
        rows = export_registry(self.institutions(region), buffer)
        audit(
            actor=request.user,
            action="registry.export",
            region_code=region.code,
            detail={"region": region.code, "rows": rows},
            request=request,
        )
        day = timezone.localdate().strftime("%Y%m%d")
        response = HttpResponse(buffer.getvalue(), content_type=XLSX)
        return _attachment(
            response, f"registry_{region.code}_{day}.xlsx", f"托育机构名册_{region.name}_{day}.xlsx"
        )


# --- import -------------------------------------------------------------------------------------


class RegistryImportTemplateView(RegistryRegionMixin, View):
    """An empty register with one example row, to fill in for the import."""

    action = "manage"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        region = self.get_region()
        buffer = io.BytesIO()
        write_template(region, buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX)
        return _attachment(
            response, f"registry_template_{region.code}.xlsx", f"托育机构导入模板_{region.name}.xlsx"
        )


def _error_lines(errors: list[RowError]) -> list[str]:
    return [str(e) if e.row else (f"{e.field}: {e.message}" if e.field else e.message) for e in errors]


class RegistryImportView(RegistryRegionMixin, TemplateView):
    """Upload a register file; every row is checked and either all institutions are created or none."""

    action = "manage"
    template_name = "registry/import.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("form", RegistryImportForm())
        context["region"] = self.region
        return context

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.region = self.get_region()
        return super().get(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.region = self.get_region()
        form = RegistryImportForm(request.POST, request.FILES)
        dry_run = "dry_run" in request.POST
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        upload = form.cleaned_data["file"]
        try:
            result = import_institutions(
                actor=request.user,
                region=self.region,
                data=upload.read(),
                filename=upload.name,
                dry_run=dry_run,
            )
        except ImportFailed as exc:
            lines = _error_lines(exc.errors)
            return self.render_to_response(
                self.get_context_data(
                    form=form,
                    dry_run=dry_run,
                    error_count=len(lines),
                    errors=lines[:MAX_SHOWN_ERRORS],
                    filename=upload.name,
                )
            )
        if result.dry_run:
            return self.render_to_response(
                self.get_context_data(form=form, checked=result.count, filename=upload.name)
            )
        messages.success(
            request,
            _("{count} institutions imported into {region}.").format(
                count=result.count, region=self.region.name
            ),
        )
        return redirect("registry:overview", code=self.region.code)
