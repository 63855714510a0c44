"""The UI shell: a home page per end (government, institution, parent) and the public face."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.generic import ListView, TemplateView

from tuoyu.accounts.choices import OFFICIAL_ROLES, STAFF_ROLES, Role
from tuoyu.core.scoping import grants_for
from tuoyu.core.views import RoleRequiredMixin, ScopedDetailView, ScopedListView
from tuoyu.institutions.choices import InstitutionType
from tuoyu.institutions.models import Institution
from tuoyu.institutions.selectors import county_figures, region_figures, subregion_figures
from tuoyu.regions.choices import RegionLevel
from tuoyu.regions.models import Region
from tuoyu.regions.selectors import population_for


def home(request: HttpRequest) -> HttpResponse:
    """The front door: the user's ends when logged in, the public register summary for everyone."""
    province = Region.objects.filter(level=RegionLevel.PROVINCE).order_by("code").first()
    context: dict[str, Any] = {"province": province}
    if province is not None:
        public = Institution.objects.publicly_listed()
        context["figures"] = region_figures(public, province)
        context["cities"] = subregion_figures(public, province)
    return render(request, "portal/home.html", context)


def _home_regions(user: Any) -> list[Region]:
    """The regions an official's assignments are bound to (a national observer: every province)."""
    if user.is_superuser or user.has_role(Role.NATIONAL_OBSERVER):
        return list(Region.objects.filter(level=RegionLevel.PROVINCE))
    regions = {
        a.region.code: a.region for a in user.active_assignments() if a.role in OFFICIAL_ROLES and a.region
    }
    return [regions[c] for c in sorted(regions)]


class GovHomeView(RoleRequiredMixin, TemplateView):
    """管理端 home: the official's region(s); one region goes straight to its page."""

    required_check = "is_official"
    template_name = "portal/gov_home.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        regions = _home_regions(request.user)
        if len(regions) == 1:
            return redirect("portal:gov_region", code=regions[0].code)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["regions"] = _home_regions(self.request.user)
        return context


class GovRegionView(RoleRequiredMixin, TemplateView):
    """A region seen by an official: its figures and its sub-regions with institutions and places."""

    required_check = "is_official"
    template_name = "portal/gov_region.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        region = get_object_or_404(Region, code=kwargs["code"])
        grants = grants_for(self.request.user, "view")
        if not grants.covers_code(region.code):
            raise Http404
        visible = Institution.objects.for_user(self.request.user, "view")
        figures = region_figures(visible, region)
        children = subregion_figures(visible, region)
        populations = population_for([region, *(row["region"] for row in children)])
        for row in [figures, *children]:
            code = row["region"].code if "region" in row else region.code
            row["population"] = populations.get(code)
            row["per_1000"] = (row["places"] * 1000 / row["population"]) if row["population"] else None
        breadcrumbs = [r for r in region.ancestors() if grants.covers_code(r.code)]
        context.update(
            region=region,
            figures=figures,
            children=children,
            breadcrumbs=breadcrumbs,
            county_figures=county_figures(visible, region)
            if region.level in (RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY)
            else None,
        )
        return context


class GovInstitutionListView(ScopedListView):
    """Institutions of a region that the official may see, searchable by name or credit code."""

    required_check = "is_official"
    model = Institution
    template_name = "portal/gov_institutions.html"
    context_object_name = "institutions"

    def get_queryset(self) -> Any:
        self.region = get_object_or_404(Region, code=self.kwargs["code"])
        if not grants_for(self.request.user, "view").covers_code(self.region.code):
            raise Http404
        lo, hi = self.region.subtree_bounds()
        queryset = super().get_queryset().filter(township_id__gte=lo, township_id__lte=hi)
        if q := self.request.GET.get("q", "").strip():
            queryset = queryset.filter(Q(name__icontains=q) | Q(uscc__iexact=q))
        return queryset.select_related("township", "county").order_by("county_id", "name", "id")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(region=self.region, q=self.request.GET.get("q", ""))
        return context


class GovInstitutionDetailView(ScopedDetailView):
    required_check = "is_official"
    model = Institution
    template_name = "portal/institution_detail.html"
    context_object_name = "institution"

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("township", "county", "city")


class InstHomeView(RoleRequiredMixin, TemplateView):
    """机构端 home: the institution(s) where the user works."""

    required_check = "is_staff_member"
    template_name = "portal/inst_home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        assignments = [a for a in self.request.user.active_assignments() if a.role in STAFF_ROLES]  # type: ignore[union-attr]
        ids = [a.institution_id for a in assignments]
        institutions = (
            Institution.objects.for_user(self.request.user, "view")
            .filter(pk__in=ids)
            .select_related("township", "county", "city")
        )
        roles = {a.institution_id: a.get_role_display() for a in assignments}
        context["cards"] = [(i, roles.get(i.pk)) for i in institutions]
        return context


class ParentHomeView(RoleRequiredMixin, TemplateView):
    """家长端 home: find a centre; the child's day arrives with the children capability."""

    required_check = "is_parent"
    template_name = "portal/parent_home.html"


class PublicRegisterView(ListView):  # type: ignore[type-arg]
    """公众: the register of filed institutions, filterable by region, type and inclusive."""

    model = Institution
    template_name = "portal/public_register.html"
    context_object_name = "institutions"
    paginate_by = 30

    def get_queryset(self) -> Any:
        queryset = Institution.objects.publicly_listed().select_related("township", "county", "city")
        region_code = self.request.GET.get("region", "")
        self.region = Region.objects.filter(code=region_code).first() if region_code else None
        if self.region is not None:
            lo, hi = self.region.subtree_bounds()
            queryset = queryset.filter(township_id__gte=lo, township_id__lte=hi)
        if (kind := self.request.GET.get("type", "")) in InstitutionType.values:
            queryset = queryset.filter(type=kind)
        if self.request.GET.get("inclusive") == "1":
            queryset = queryset.filter(inclusive=True)
        if q := self.request.GET.get("q", "").strip():
            queryset = queryset.filter(name__icontains=q)
        return queryset.order_by("township_id", "name", "id")

    def _counties(self) -> Any:
        """The counties of the chosen city (or of the chosen county's city), to narrow down further."""
        if self.region is None or self.region.level not in (RegionLevel.CITY, RegionLevel.COUNTY):
            return []
        city_code = self.region.code if self.region.level == RegionLevel.CITY else self.region.parent_id
        return Region.objects.filter(level=RegionLevel.COUNTY, parent_id=city_code).order_by("code")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            region=self.region,
            cities=Region.objects.filter(level=RegionLevel.CITY).order_by("code"),
            counties=self._counties(),
            types=InstitutionType.choices,
            filters=self.request.GET,
        )
        return context


def public_map(request: HttpRequest) -> HttpResponse:
    """公众: the county map shaded by filed institutions per county."""
    province = Region.objects.filter(level=RegionLevel.PROVINCE).order_by("code").first()
    counties = county_figures(Institution.objects.publicly_listed(), province) if province else {}
    return render(request, "portal/public_map.html", {"county_figures": counties, "province": province})
