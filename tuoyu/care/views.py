"""Care pages (under /care/): today's medication (staff), a child's medication (guardians, phone-first),
incidents (staff) and reports (officials), weekly menus with the allergy check, the class's day
(diary and meals), and diary photos sent only to users in scope.

Records come through `for_user` (out of scope answers 404); writes go through `services.py`, whose
refusals are shown on the form (a user who sees a record but may not act on it gets 403).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views import View

from tuoyu.children.models import Child
from tuoyu.core.api import Conflict
from tuoyu.core.audit import audit_view
from tuoyu.core.views import RoleRequiredMixin
from tuoyu.institutions.models import Institution, InstitutionClass
from tuoyu.institutions.selectors import staff_institutions

from . import services
from .choices import MedicationStatus
from .forms import (
    AcknowledgeForm,
    DiaryEntryForm,
    IncidentForm,
    MealServedForm,
    MedicationAcceptForm,
    MedicationDeclineForm,
    MedicationDoseForm,
    MedicationRequestForm,
    MenuCreateForm,
    MenuItemForm,
    SubstituteForm,
)
from .models import DiaryEntry, Incident, MandatoryReport, MealServed, MedicationRequest, MenuItem, WeeklyMenu
from .rules import MANDATORY_REPORT
from .selectors import allergy_warnings, doses_due, medication_for_child, menu_days

PAGE_SIZE = 50


def _apply(form: Any, write: Any) -> Any:
    """Run a service with a valid form's data; put its refusals on the form. The result, or None."""
    if not form.is_valid():
        return None
    try:
        return write(form.cleaned_data)
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            form.add_error(None, exc.messages)
            return None
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    except Conflict as exc:
        form.add_error(None, str(exc))
    return None


class StaffMixin(RoleRequiredMixin):
    """Institution staff only (others 403)."""

    required_check = "is_staff_member"


class OfficialMixin(RoleRequiredMixin):
    required_check = "is_official"


class StaffOrOfficialMixin(RoleRequiredMixin):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        user = request.user
        if user.is_authenticated and not (user.is_official or user.is_staff_member):  # type: ignore[union-attr]
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ParentMixin(RoleRequiredMixin):
    required_check = "is_parent"


def chosen_institution(request: HttpRequest) -> tuple[Institution, list[Institution]]:
    """The institution a staff page is about: ?institution= among the user's, else the first (403 if none)."""
    institutions = staff_institutions(request.user)
    if not institutions:
        raise PermissionDenied
    wanted = request.GET.get("institution", "")
    chosen = next((i for i in institutions if str(i.pk) == wanted), institutions[0])
    return chosen, institutions


def _page(request: HttpRequest, queryset: Any) -> dict[str, Any]:
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return {"page_obj": page, "paginator": page.paginator, "is_paginated": page.has_other_pages()}


# --- Medication -----------------------------------------------------------------------------------


class MedicationTodayView(StaffMixin, View):
    """Staff: requests waiting for a decision and today's doses due, with one-tap forms."""

    def get(
        self, request: HttpRequest, forms: dict[str, Any] | None = None, status: int = 200
    ) -> HttpResponse:
        institution, institutions = chosen_institution(request)
        pending = list(
            MedicationRequest.objects.filter(institution=institution, status=MedicationStatus.REQUESTED)
            .select_related("child", "child__klass", "requested_by")
            .order_by("start_on", "id")[:PAGE_SIZE]
        )
        return render(
            request,
            "care/medication_today.html",
            {
                "institution": institution,
                "institutions": institutions,
                "today": timezone.localdate(),
                "pending": pending,
                "due": doses_due(institution.pk),
                "forms": forms or {},
            },
            status=status,
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        institution, _institutions = chosen_institution(request)
        item = get_object_or_404(
            MedicationRequest.objects.for_user(request.user, "care").select_related("child"),
            pk=request.POST.get("request") or 0,
            institution=institution,
        )
        action = request.POST.get("action")
        form: Any
        if action == "accept":
            form = MedicationAcceptForm(request.POST)
            done = _apply(
                form,
                lambda d: services.medication_request_accept(
                    actor=request.user,
                    request=item,
                    authorisation_on_file=d["authorisation_on_file"],
                    authorisation_note=d["authorisation_note"],
                ),
            )
        elif action == "decline":
            form = MedicationDeclineForm(request.POST)
            done = _apply(
                form,
                lambda d: services.medication_request_decline(
                    actor=request.user, request=item, reason=d["reason"]
                ),
            )
        elif action == "dose":
            form = MedicationDoseForm(request.POST)
            done = _apply(
                form,
                lambda d: services.medication_dose_record(
                    actor=request.user, request=item, dose=d["dose"], note=d["note"]
                ),
            )
        else:
            raise Http404
        if done is None:
            return self.get(request, forms={f"{action}_{item.pk}": form}, status=422)
        messages.success(request, _("Saved."))
        return redirect(f"{request.path}?institution={institution.pk}")


class ChildMedicationView(ParentMixin, View):
    """A guardian's page for one child: the requests with their doses, and a form to ask for a new one."""

    def _child(self, request: HttpRequest, pk: int) -> Child:
        child = (
            Child.objects.for_user(request.user, "change").filter(pk=pk).select_related("institution").first()
        )
        if child is None or not services.is_guardian(request.user, child):
            raise Http404
        return child

    def get(self, request: HttpRequest, pk: int, form: Any = None, status: int = 200) -> HttpResponse:
        child = self._child(request, pk)
        audit_view(actor=request.user, obj=child, request=request)
        return render(
            request,
            "care/child_medication.html",
            {
                "child": child,
                "requests": medication_for_child(child),
                "form": form or MedicationRequestForm(),
                "cancellable": {MedicationStatus.REQUESTED, MedicationStatus.ACCEPTED},
            },
            status=status,
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        child = self._child(request, pk)
        if request.POST.get("action") == "cancel":
            item = get_object_or_404(MedicationRequest, pk=request.POST.get("request") or 0, child=child)
            try:
                services.medication_request_cancel(actor=request.user, request=item)
            except Conflict as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("Request cancelled."))
            return redirect(request.path)
        form = MedicationRequestForm(request.POST)

        def write(d: dict[str, Any]) -> Any:
            return services.medication_request_create(
                actor=request.user,
                child=child,
                medicine=d["medicine"],
                dose=d["dose"],
                times=services.times_from_text(d["times"]),
                start_on=d["start_on"],
                end_on=d["end_on"],
                instructions=d["instructions"],
                parent_consent=d["parent_consent"],
            )

        if _apply(form, write) is None:
            return self.get(request, pk, form=form, status=422)
        messages.success(request, _("Request sent to the centre."))
        return redirect(request.path)


# --- Incidents ------------------------------------------------------------------------------------


def _children_choices(institution: Institution) -> list[tuple[int, str]]:
    return list(Child.objects.filter(institution=institution).order_by("name").values_list("pk", "name"))


class IncidentListView(StaffMixin, View):
    """Staff: the institution's incidents, newest first, and the form to report one."""

    def get(self, request: HttpRequest, form: Any = None, status: int = 200) -> HttpResponse:
        institution, institutions = chosen_institution(request)
        queryset = (
            Incident.objects.for_user(request.user, "view")
            .filter(institution=institution)
            .select_related("child", "reported_by")
            .order_by("-occurred_at", "-id")
        )
        return render(
            request,
            "care/incidents.html",
            {
                "institution": institution,
                "institutions": institutions,
                "form": form or IncidentForm(children=_children_choices(institution)),
                "mandatory": MANDATORY_REPORT,
                **_page(request, queryset),
            },
            status=status,
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        institution, _institutions = chosen_institution(request)
        form = IncidentForm(request.POST, children=_children_choices(institution))

        def write(d: dict[str, Any]) -> Any:
            child = (
                Child.objects.filter(pk=d["child"], institution=institution).first() if d["child"] else None
            )
            return services.incident_report(
                actor=request.user,
                institution=institution,
                child=child,
                occurred_at=d["occurred_at"],
                kind=d["kind"],
                severity=d["severity"],
                description=d["description"],
                actions_taken=d["actions_taken"],
                guardian_informed_at=d["guardian_informed_at"],
                suspected_abuse_or_harm=d["suspected_abuse_or_harm"],
                other_departments=d["other_departments"],
            )

        incident = _apply(form, write)
        if incident is None:
            return self.get(request, form=form, status=422)
        messages.success(request, _("Incident recorded."))
        return redirect("care:incident", incident.pk)


class IncidentDetailView(StaffOrOfficialMixin, View):
    """One incident; staff record that the guardian was told or flag suspected abuse; officials
    acknowledge a mandatory report."""

    def _incident(self, request: HttpRequest, pk: int) -> Incident:
        return get_object_or_404(
            Incident.objects.for_user(request.user, "view").select_related(
                "institution",
                "child",
                "reported_by",
                "mandatory_report__acknowledged_by",
                "mandatory_report__reported_by",
            ),
            pk=pk,
        )

    def get(self, request: HttpRequest, pk: int, ack_form: Any = None, status: int = 200) -> HttpResponse:
        incident = self._incident(request, pk)
        audit_view(actor=request.user, obj=incident, request=request)
        report = (
            MandatoryReport.objects.filter(incident=incident)
            .select_related("reported_by", "acknowledged_by", "county")
            .first()
        )
        return render(
            request,
            "care/incident.html",
            {
                "incident": incident,
                "report": report,
                "can_care": services.can_care_for_institution(request.user, incident.institution_id),
                "can_acknowledge": report is not None
                and report.acknowledged_at is None
                and services.can_acknowledge(request.user, incident),
                "ack_form": ack_form or AcknowledgeForm(),
                "mandatory": MANDATORY_REPORT,
            },
            status=status,
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        incident = self._incident(request, pk)
        action = request.POST.get("action")
        try:
            if action == "acknowledge":
                form = AcknowledgeForm(request.POST)
                if (
                    _apply(
                        form,
                        lambda d: services.mandatory_report_acknowledge(
                            actor=request.user, incident=incident, note=d["note"]
                        ),
                    )
                    is None
                ):
                    return self.get(request, pk, ack_form=form, status=422)
            elif action == "informed":
                services.incident_guardian_informed(actor=request.user, incident=incident)
            elif action == "flag":
                services.incident_flag_suspected_abuse(
                    actor=request.user,
                    incident=incident,
                    other_departments=request.POST.get("other_departments", ""),
                )
            else:
                raise Http404
        except Conflict as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Saved."))
        return redirect("care:incident", incident.pk)


class ReportsView(OfficialMixin, View):
    """Officials: mandatory reports (unacknowledged first) and serious incidents in their region."""

    def get(self, request: HttpRequest) -> HttpResponse:
        reports = (
            MandatoryReport.objects.for_user(request.user, "view")
            .select_related("incident__institution", "incident__child", "reported_by", "acknowledged_by")
            .order_by("acknowledged_at", "-reported_at", "-id")
        )
        if request.GET.get("open"):
            reports = reports.filter(acknowledged_at__isnull=True)
        since = timezone.now() - timedelta(days=90)
        serious = (
            Incident.objects.for_user(request.user, "view")
            .reportable()
            .filter(suspected_abuse_or_harm=False, occurred_at__gte=since)
            .select_related("institution", "child")
            .order_by("-occurred_at", "-id")
        )
        return render(
            request,
            "care/reports.html",
            {
                "open_count": MandatoryReport.objects.for_user(request.user, "view")
                .filter(acknowledged_at__isnull=True)
                .count(),
                "serious": list(serious[:PAGE_SIZE]),
                "mandatory": MANDATORY_REPORT,
                **_page(request, reports),
            },
        )


# --- Menus ----------------------------------------------------------------------------------------


class MenuListView(StaffMixin, View):
    def get(self, request: HttpRequest, form: Any = None, status: int = 200) -> HttpResponse:
        institution, institutions = chosen_institution(request)
        monday = services.monday_of(timezone.localdate())
        queryset = WeeklyMenu.objects.filter(institution=institution).order_by("-week_start")
        return render(
            request,
            "care/menus.html",
            {
                "institution": institution,
                "institutions": institutions,
                "form": form or MenuCreateForm(initial={"week_start": monday + timedelta(days=7)}),
                "this_week": monday,
                **_page(request, queryset),
            },
            status=status,
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        institution, _institutions = chosen_institution(request)
        form = MenuCreateForm(request.POST)
        menu = _apply(
            form,
            lambda d: services.menu_create(
                actor=request.user, institution=institution, week_start=d["week_start"]
            ),
        )
        if menu is None:
            return self.get(request, form=form, status=422)
        return redirect("care:menu", menu.pk)


class MenuDetailView(StaffOrOfficialMixin, View):
    """A week's menu by day and meal, its allergy warnings with the substitute per child, and (care
    staff) forms to add dishes, note substitutes and publish."""

    def _menu(self, request: HttpRequest, pk: int) -> WeeklyMenu:
        return get_object_or_404(
            WeeklyMenu.objects.for_user(request.user, "view").select_related("institution"), pk=pk
        )

    def get(self, request: HttpRequest, pk: int, item_form: Any = None, status: int = 200) -> HttpResponse:
        menu = self._menu(request, pk)
        warnings = allergy_warnings(menu, Child.objects.for_user(request.user, "view"))
        return render(
            request,
            "care/menu.html",
            {
                "menu": menu,
                "days": menu_days(menu),
                "warnings": warnings,
                "open_warnings": sum(1 for w in warnings if not w.substitute),
                "can_care": services.can_care_for_institution(request.user, menu.institution_id),
                "item_form": item_form or MenuItemForm(),
            },
            status=status,
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        menu = self._menu(request, pk)
        if not services.can_care_for_institution(request.user, menu.institution_id):
            raise PermissionDenied
        action = request.POST.get("action")
        if action == "item":
            form = MenuItemForm(request.POST)
            if _apply(form, lambda d: services.menu_item_add(actor=request.user, menu=menu, **d)) is None:
                return self.get(request, pk, item_form=form, status=422)
        elif action == "delete":
            item = get_object_or_404(MenuItem, pk=request.POST.get("item") or 0, menu=menu)
            services.menu_item_delete(actor=request.user, item=item)
        elif action == "substitute":
            sub = SubstituteForm(request.POST)
            if sub.is_valid():
                item = get_object_or_404(MenuItem, pk=sub.cleaned_data["item"], menu=menu)
                child = get_object_or_404(
                    Child, pk=sub.cleaned_data["child"], institution_id=menu.institution_id
                )
                services.allergy_substitute_set(
                    actor=request.user, item=item, child=child, substitute=sub.cleaned_data["substitute"]
                )
        elif action == "publish":
            try:
                services.menu_publish(actor=request.user, menu=menu)
            except Conflict as exc:
                messages.error(request, str(exc))
                return redirect("care:menu", menu.pk)
            messages.success(request, _("Published: parents can see this menu."))
        else:
            raise Http404
        return redirect("care:menu", menu.pk)


# --- The class's day ------------------------------------------------------------------------------


class ClassDayView(StaffMixin, View):
    """Staff: one class's day — diary entries (notes, naps, photos, activities) and meals served, with
    the forms to add them. ?class=<id>&day=YYYY-MM-DD (default: the first class, today)."""

    def _context(self, request: HttpRequest) -> tuple[InstitutionClass, date, list[InstitutionClass]]:
        institution, _institutions = chosen_institution(request)
        classes = list(
            InstitutionClass.objects.filter(institution__in=staff_institutions(request.user)).order_by("name")
        )
        if not classes:
            raise Http404
        wanted = request.GET.get("class", "")
        klass = next((c for c in classes if str(c.pk) == wanted), None) or next(
            (c for c in classes if c.institution_id == institution.pk), classes[0]
        )
        day = parse_date(request.GET.get("day", "") or "") or timezone.localdate()
        return klass, day, classes

    def get(
        self, request: HttpRequest, entry_form: Any = None, meal_form: Any = None, status: int = 200
    ) -> HttpResponse:
        klass, day, classes = self._context(request)
        children = list(Child.objects.filter(klass=klass).order_by("name").values_list("pk", "name"))
        entries = list(
            DiaryEntry.objects.filter(klass=klass, day=day)
            .select_related("child", "author")
            .order_by("created_at", "id")
        )
        meals = list(
            MealServed.objects.filter(klass=klass, day=day)
            .prefetch_related("intakes__child")
            .order_by("meal")
        )
        return render(
            request,
            "care/class_day.html",
            {
                "klass": klass,
                "day": day,
                "classes": classes,
                "entries": entries,
                "meals": meals,
                "entry_form": entry_form or DiaryEntryForm(children=children),
                "meal_form": meal_form or MealServedForm(children=children),
            },
            status=status,
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        klass, day, _classes = self._context(request)
        children = list(Child.objects.filter(klass=klass).order_by("name").values_list("pk", "name"))
        if request.POST.get("action") == "meal":
            meal_form = MealServedForm(request.POST, children=children)
            done = _apply(
                meal_form,
                lambda d: services.meal_served_record(
                    actor=request.user,
                    klass=klass,
                    day=day,
                    meal=d["meal"],
                    served_at=d["served_at"],
                    note=d["note"],
                    intakes=meal_form.intakes(),
                ),
            )
            if done is None:
                return self.get(request, meal_form=meal_form, status=422)
        else:
            entry_form = DiaryEntryForm(request.POST, request.FILES, children=children)

            def write(d: dict[str, Any]) -> Any:
                child = Child.objects.filter(pk=d["child"], klass=klass).first() if d["child"] else None
                return services.diary_entry_add(
                    actor=request.user,
                    klass=klass,
                    day=day,
                    kind=d["kind"],
                    text=d["text"],
                    child=child,
                    nap_start=d["nap_start"],
                    nap_end=d["nap_end"],
                    photo=d["photo"],
                )

            if _apply(entry_form, write) is None:
                return self.get(request, entry_form=entry_form, status=422)
        messages.success(request, _("Saved."))
        return redirect(f"{request.path}?class={klass.pk}&day={day.isoformat()}")


def diary_photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A diary photo, only for users who may read the entry (its class's staff and guardians)."""
    entry = DiaryEntry.objects.for_user(request.user, "view").filter(pk=pk).exclude(photo="").first()
    if entry is None:
        raise Http404
    response = FileResponse(entry.photo.open("rb"), content_type=entry.photo_content_type or "image/jpeg")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
