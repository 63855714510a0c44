"""Planning pages: a region's plan indicators, and a county's new residential projects.

Officials only (others 403; anonymous users go to login); a region outside the official's grants
answers 404. Adding a residential project needs "manage" on the county (administrators).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from tuoyu.core.scoping import grants_for
from tuoyu.core.views import RoleRequiredMixin
from tuoyu.regions.models import Region

from . import services
from .forms import ResidentialProjectForm
from .models import ResidentialProject
from .selectors import INDICATOR_LEVELS, covers, default_region, parse_as_of, region_indicators


class IndicatorsView(RoleRequiredMixin, TemplateView):
    """`?region=<code>&date=YYYY-MM-DD`: the region's indicators against target, and its sub-regions."""

    required_check = "is_official"
    template_name = "planning/indicators.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        code = self.request.GET.get("region", "")
        region = Region.objects.filter(code=code).first() if code else default_region(self.request.user)
        if region is None or region.level not in INDICATOR_LEVELS or not covers(self.request.user, region):
            raise Http404
        date_error = ""
        try:
            as_of = parse_as_of(self.request.GET.get("date"))
        except ValueError as exc:
            date_error, as_of = str(exc), timezone.localdate()
        result = region_indicators(region, as_of)
        grants = grants_for(self.request.user, "view")
        child_keys = [row.key for row in result.rows if row.definition.plan_number][:4]
        context.update(
            region=region,
            result=result,
            as_of=as_of,
            date_error=date_error,
            breadcrumbs=[r for r in region.ancestors() if grants.covers_code(r.code)],
            child_columns=[row.definition for row in result.rows if row.key in child_keys],
            children=[(child, [values.get(k) for k in child_keys]) for child, values in result.children],
        )
        return context


class ResidentialProjectsView(RoleRequiredMixin, TemplateView):
    """A county's new residential projects and their childcare facilities; administrators add them."""

    required_check = "is_official"
    template_name = "planning/residential.html"

    def get_county(self) -> Region:
        county = get_object_or_404(Region, code=self.kwargs["code"], level="county")
        if not covers(self.request.user, county):
            raise Http404
        return county

    def can_manage(self, county: Region) -> bool:
        return grants_for(self.request.user, "manage").covers_code(county.code)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        county = kwargs.get("county") or self.get_county()
        can_manage = self.can_manage(county)
        lo, hi = county.subtree_bounds()
        projects = (
            ResidentialProject.objects.for_user(self.request.user, "view")
            .filter(township_id__gte=lo, township_id__lte=hi)
            .select_related("township")
            .order_by("township_id", "name")
        )
        context.update(
            county=county,
            projects=projects,
            can_manage=can_manage,
            form=kwargs.get("form") or (ResidentialProjectForm(county=county) if can_manage else None),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        county = self.get_county()
        if not self.can_manage(county):
            raise PermissionDenied
        form = ResidentialProjectForm(request.POST, county=county)
        if form.is_valid():
            data = dict(form.cleaned_data)
            township = data.pop("township")
            try:
                services.residential_project_create(actor=request.user, township=township, **data)
            except ValidationError as exc:
                if not hasattr(exc, "error_dict"):
                    exc = ValidationError({None: exc.messages})  # type: ignore[dict-item]
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Project added."))
                return redirect("planning:residential", county.code)
        return self.render_to_response(self.get_context_data(county=county, form=form))
