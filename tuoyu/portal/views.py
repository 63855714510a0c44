"""The UI shell: a home page per end (government, institution, parent) and the public face."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import ListView, TemplateView

from tuoyu.accounts.choices import OFFICIAL_ROLES, STAFF_ROLES, Role
from tuoyu.accounts.models import User
from tuoyu.core.scoping import grants_for
from tuoyu.core.views import RoleRequiredMixin, ScopedDetailView, ScopedListView
from tuoyu.institutions.choices import InstitutionType, ServiceMode
from tuoyu.institutions.models import Institution
from tuoyu.institutions.selectors import county_figures, region_figures, subregion_figures
from tuoyu.parents import views as parent_views
from tuoyu.regions.choices import RegionLevel
from tuoyu.regions.models import Region
from tuoyu.regions.selectors import population_for

from .forms import ClassForm, FeeForm, InsuranceForm, NewInstitutionForm, PhotoForm, RecordForm


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
    """管理端 home: the planning dashboard of the official's region; several regions: choose one.

    The dashboard (planning:dashboard) is the home of the 管理端 (issue #6); the region's figures and
    institutions (portal:gov_region) are one click away from it.
    """

    required_check = "is_official"
    template_name = "portal/gov_home.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        regions = _home_regions(request.user)
        if len(regions) == 1:
            return redirect(f"{reverse('planning:dashboard')}?region={regions[0].code}")
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

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from tuoyu.institutions.rules import class_rule
        from tuoyu.institutions.services import institution_history

        context = super().get_context_data(**kwargs)
        institution = self.object
        classes = list(institution.classes.all())
        for klass in classes:
            klass.rule = class_rule(klass.kind)  # type: ignore[attr-defined]
        context.update(
            classes=classes,
            fees=list(institution.fees.all()),
            policies=list(institution.insurance_policies.all()),
            designations=list(institution.designations.all()),
            history=institution_history(institution)[:50],
            supervision=_supervision_summary(institution),
        )
        return context


def _supervision_summary(institution: Institution) -> dict[str, Any]:
    """What supervision knows of the institution, for its 管理端 page: credit tier, grade, inspections."""
    from tuoyu.credit.selectors import current_tiers
    from tuoyu.quality.selectors import latest_grade
    from tuoyu.supervision.models import Inspection

    return {
        "tier": current_tiers([institution.pk]).get(institution.pk),
        "grade": latest_grade(institution),
        "inspections": Inspection.objects.filter(institution=institution).count(),
        "last_inspection": Inspection.objects.filter(institution=institution).order_by("-planned_on").first(),
    }


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
        context["role_is_director"] = any(a.role == Role.DIRECTOR for a in assignments)
        from tuoyu.filings.models import Filing

        context["filings"] = list(
            Filing.objects.for_user(self.request.user, "view")
            .select_related("institution")
            .order_by("-created_at")[:20]
        )
        return context


class ParentHomeView(parent_views.ParentHomeView):
    """家长端 home at /parent/: the parent end's home (my children, today, messages, notifications)."""

    template_name = "portal/parent_home.html"


class PublicRegisterView(ListView):  # type: ignore[type-arg]
    """公众: the register of filed institutions, filterable by region, type, inclusive, the child's age
    in months and service mode. No "has places" filter: vacancies are not recorded yet."""

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
        if (age := _age_months(self.request.GET.get("age", ""))) is not None:
            queryset = queryset.filter(age_min_months__lte=age, age_max_months__gte=age)
        if (mode := self.request.GET.get("mode", "")) in ServiceMode.values:
            # JSON containment is not available on SQLite; the list's text form works on both
            # databases, and the quoted value cannot match part of another mode's name.
            queryset = queryset.annotate(modes_text=Cast("service_modes", TextField())).filter(
                modes_text__contains=f'"{mode}"'
            )
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
            modes=ServiceMode.choices,
            filters=self.request.GET,
            notices=_published_notices(self.region),
        )
        return context


def _published_notices(region: Region | None) -> list[Any]:
    """Non-compliance notices (不符合要求告知) the county published, newest first: public by rule."""
    from tuoyu.filings.models import Filing

    notices = Filing.objects.filter(notice_published_at__isnull=False).select_related(
        "institution__county", "institution__township"
    )
    if region is not None:
        lo, hi = region.subtree_bounds()
        notices = notices.filter(institution__township_id__gte=lo, institution__township_id__lte=hi)
    return list(notices.order_by("-notice_published_at")[:10])


def _age_months(value: str) -> int | None:
    """A child's age in whole months 0..36 from a form field, or None (ignored) when not one."""
    try:
        age = int(value)
    except ValueError:
        return None
    return age if 0 <= age <= 36 else None


def public_map(request: HttpRequest) -> HttpResponse:
    """公众: 一张图 — every filed institution as a clustered marker over the county boundaries, with
    filters and "near me" (nearest institutions and the fifteen-minute walking circle)."""
    province = Region.objects.filter(level=RegionLevel.PROVINCE).order_by("code").first()
    counties = county_figures(Institution.objects.publicly_listed(), province) if province else {}
    return render(
        request,
        "portal/public_map.html",
        {
            "county_figures": counties,
            "province": province,
            "types": InstitutionType.choices,
            "tile_url": settings.TUOYU_TILE_URL,
            "tile_attribution": settings.TUOYU_TILE_ATTRIBUTION,
            "labels": {
                "institutions": _("institutions"),
                "places": _("places"),
                "inclusive": _("inclusive"),
                "walk": _("{m} m walk, about {min} min"),
                "within": _("within the fifteen-minute circle"),
                "none": _("No filed institution within {km} km of this point."),
                "loading": _("Loading…"),
                "shown": _("{n} institutions shown."),
                "no_geo": _("Your location is not available: click a point on the map instead."),
                "card": _("Trust card"),
                "types": dict(InstitutionType.choices),
            },
        },
    )


# The apps that add a part to the public trust card, in the order shown: each has
# `selectors.trust_card_section(institution)` answering {"template": ..., **context} or None.
TRUST_CARD_APPS = ("supervision", "credit", "quality", "enforcement", "complaints")


def trust_card_sections(institution: Institution) -> list[dict[str, Any]]:
    import importlib

    sections = []
    for app in TRUST_CARD_APPS:
        section = importlib.import_module(f"tuoyu.{app}.selectors").trust_card_section(institution)
        if section is not None:
            sections.append(section)
    return sections


def public_institution(request: HttpRequest, pk: int) -> HttpResponse:
    """公众: an institution's trust card (信用名片); only publicly listed institutions have one."""
    institution = get_object_or_404(
        Institution.objects.publicly_viewable().select_related("township", "county", "city"), pk=pk
    )
    from django.utils import timezone

    from tuoyu.enforcement.selectors import enrolment_stop_reason
    from tuoyu.filings.choices import FilingKind
    from tuoyu.filings.choices import FilingStatus as FilingState
    from tuoyu.institutions.rules import class_rule

    mode_labels = dict(ServiceMode.choices)
    confirmed = (
        institution.filings.filter(kind=FilingKind.INITIAL, status=FilingState.CONFIRMED)
        .order_by("-decided_at")
        .values_list("decided_at", flat=True)
        .first()
    )
    classes = list(institution.classes.all())
    for klass in classes:
        klass.rule = class_rule(klass.kind)  # type: ignore[attr-defined]
    today = timezone.localdate()
    return render(
        request,
        "portal/trust_card.html",
        {
            "institution": institution,
            "accepts_applications": enrolment_stop_reason(institution) is None,
            "sections": trust_card_sections(institution),
            "filing_date": confirmed,
            "designations": list(institution.designations.filter(revoked_on__isnull=True)),
            "classes": classes,
            "fees": list(institution.fees.all()),
            "photos": list(institution.photos.all()),
            "insured": institution.insurance_policies.filter(
                starts_on__lte=today, expires_on__gte=today
            ).exists(),
            "family_point": institution.type == InstitutionType.FAMILY,
            "service_modes": [mode_labels.get(m, m) for m in institution.service_modes or []],
            # 家庭托育点 are run by private persons: their personal data stays out of public pages.
            "show_legal_representative": institution.type != InstitutionType.FAMILY,
            "tile_url": settings.TUOYU_TILE_URL,
            "tile_attribution": settings.TUOYU_TILE_ATTRIBUTION,
        },
    )


class InstRecordView(RoleRequiredMixin, TemplateView):
    """机构端: the director keeps the record (premises, classes, fees, insurance) up to date.

    Each form posts to this page with its name in `form`; errors stay at the field and the input is kept.
    """

    required_check = "is_staff_member"
    template_name = "portal/inst_record.html"
    FORMS = {
        "record": RecordForm,
        "class": ClassForm,
        "fee": FeeForm,
        "insurance": InsuranceForm,
        "photo": PhotoForm,
    }

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and request.user.is_staff_member:  # type: ignore[union-attr]
            self.institution = get_object_or_404(
                Institution.objects.for_user(request.user, "view"), pk=kwargs["pk"]
            )
            self.can_change = (
                Institution.objects.for_user(request.user, "change").filter(pk=kwargs["pk"]).exists()
            )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from tuoyu.institutions.rules import class_rule

        context = super().get_context_data(**kwargs)
        institution = self.institution
        classes = list(institution.classes.all())
        for klass in classes:
            klass.rule = class_rule(klass.kind)  # type: ignore[attr-defined]
        forms = {name: kwargs.get(f"{name}_form") or form_class() for name, form_class in self.FORMS.items()}
        if not kwargs.get("record_form"):
            forms["record"] = RecordForm(instance=institution)
        context.update(
            institution=institution, can_change=self.can_change, classes=classes,
            fees=list(institution.fees.all()), policies=list(institution.insurance_policies.all()),
            designations=list(institution.designations.all()),
            photos=list(institution.photos.all()),
            **{f"{name}_form": form for name, form in forms.items()},
        )  # fmt: skip
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from django.contrib import messages
        from django.core.exceptions import ValidationError

        from tuoyu.institutions import services

        if not self.can_change:
            raise PermissionDenied
        name = request.POST.get("form", "")
        if name not in self.FORMS:
            return redirect(request.path)
        institution = self.institution
        form = (
            RecordForm(request.POST, instance=Institution.objects.get(pk=institution.pk))
            if name == "record"
            else self.FORMS[name](request.POST, request.FILES)
        )
        if form.is_valid():
            try:
                if name == "record":
                    changed = {f: form.cleaned_data[f] for f in form.changed_data}
                    services.institution_update(actor=request.user, institution=institution, **changed)
                elif name == "class":
                    services.institution_class_save(
                        actor=request.user, institution=institution, **form.cleaned_data
                    )
                elif name == "fee":
                    services.fee_item_save(actor=request.user, institution=institution, **form.cleaned_data)
                elif name == "photo":
                    services.institution_photo_add(
                        actor=request.user,
                        institution=institution,
                        upload=form.cleaned_data["image"],
                        caption=form.cleaned_data["caption"],
                    )
                else:
                    services.insurance_policy_save(
                        actor=request.user, institution=institution, **form.cleaned_data
                    )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Saved."))
                return redirect(request.path)
        self.institution.refresh_from_db()
        return self.render_to_response(self.get_context_data(**{f"{name}_form": form}))


class InstNewView(RoleRequiredMixin, TemplateView):
    """机构端: a director registers a new centre (not filed yet), then files it."""

    required_check = "is_staff_member"
    template_name = "portal/inst_new.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and not request.user.has_role(Role.DIRECTOR):  # type: ignore[union-attr]
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("form", NewInstitutionForm())
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from django.contrib import messages
        from django.core.exceptions import ValidationError
        from django.db import transaction

        from tuoyu.accounts.services import role_assign
        from tuoyu.institutions.choices import FilingStatus, OperatingStatus
        from tuoyu.institutions.services import institution_create

        form = NewInstitutionForm(request.POST)
        if form.is_valid():
            try:
                with transaction.atomic():
                    institution = institution_create(
                        actor=request.user,
                        **form.cleaned_data,
                        status=OperatingStatus.PREPARING,
                        filing_status=FilingStatus.NOT_FILED,
                    )
                    creator = cast(User, request.user)
                    role_assign(actor=creator, user=creator, role=Role.DIRECTOR, institution=institution)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("The centre is registered: now file it."))
                return redirect("filings:start")
        return self.render_to_response(self.get_context_data(form=form), status=422)


def photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A photo of an institution: public once the institution is listed, else only for users in scope."""
    from django.http import FileResponse

    from tuoyu.institutions.models import InstitutionPhoto

    item = get_object_or_404(InstitutionPhoto.objects.select_related("institution"), pk=pk)
    listed = Institution.objects.publicly_listed().filter(pk=item.institution_id).exists()
    if (
        not listed
        and not Institution.objects.for_user(request.user, "view").filter(pk=item.institution_id).exists()
    ):
        raise Http404
    response = FileResponse(item.image.open("rb"), content_type=item.content_type)
    response["Cache-Control"] = "public, max-age=3600" if listed else "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
