"""Pages of the children register.

机构端 (staff of an institution): `/children/` the register by class with counts and vacancies,
`/children/applications/` the queue (accept onto a fitting class with a place, waitlist, decline),
`/children/checks/` admission checks due. Any role whose scope reaches the child: `/children/<id>/`
(the child's record; every view is audited). 家长端: `/children/apply/<institution>/` and
`/children/applications/mine/` (phone-sized). Objects come through `for_user` (out of scope: 404);
writes through `services.py`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from tuoyu.accounts.choices import STAFF_ROLES
from tuoyu.core.api import Conflict
from tuoyu.core.audit import audit_view
from tuoyu.core.scoping import grants_for
from tuoyu.core.views import RoleRequiredMixin
from tuoyu.institutions.models import Institution

from . import services
from .api import sees_full_phone
from .choices import ApplicationStatus
from .forms import (
    AcceptForm,
    ApplyForm,
    ChangeClassForm,
    ChildDetailsForm,
    EntryCheckForm,
    GuardianForm,
    LeaveForm,
    LinkAccountForm,
    PickupForm,
    ReasonForm,
)
from .models import Application, Child, Guardian, PickupPerson
from .rules import age_in_months
from .selectors import (
    admission_checks_due,
    children_list,
    class_vacancies,
    classes_for_application,
    fitting_classes,
    institution_free_places,
    open_applications,
)


def apply_service(form: Any, write: Any) -> Any:
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
    except PermissionDenied as exc:
        form.add_error(None, str(exc) or _("You may not do this."))
    return None


class StaffMixin(RoleRequiredMixin):
    """Pages of the institution end: the user works at an institution; `?institution=` picks one."""

    required_check = "is_staff_member"
    request: HttpRequest

    def institution(self) -> Institution:
        user = self.request.user
        ids = [a.institution_id for a in user.active_assignments() if a.role in STAFF_ROLES]  # type: ignore[union-attr]
        institutions = Institution.objects.for_user(user, "view").filter(pk__in=ids).order_by("name", "id")
        wanted = self.request.GET.get("institution") or self.request.POST.get("institution")
        if wanted and wanted.isdigit():
            return get_object_or_404(institutions, pk=int(wanted))
        found = institutions.first()
        if found is None:
            raise PermissionDenied
        return found

    def institutions(self) -> list[Institution]:
        user = self.request.user
        ids = [a.institution_id for a in user.active_assignments() if a.role in STAFF_ROLES]  # type: ignore[union-attr]
        return list(Institution.objects.for_user(user, "view").filter(pk__in=ids).order_by("name", "id"))


class ChildrenHomeView(StaffMixin, TemplateView):
    """The register of one institution, class by class, with places taken and vacancies."""

    template_name = "children/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        institution = self.institution()
        classes = list(class_vacancies(Institution.objects.filter(pk=institution.pk)))
        children = list(
            children_list(
                Child.objects.for_user(self.request.user, "view"),
                institution_id=institution.pk,
                search=self.request.GET.get("q", "")[:50],
            )
        )
        today = timezone.localdate()
        by_class: dict[int | None, list[Child]] = {}
        for child in children:
            child.age_months = age_in_months(child.birth_date, today)  # type: ignore[attr-defined]
            by_class.setdefault(child.klass_id, []).append(child)
        total = sum(getattr(c, "children_now", 0) for c in classes)
        context.update(
            institution=institution,
            institutions=self.institutions(),
            groups=[(klass, by_class.get(klass.pk, [])) for klass in classes],
            total=total,
            free_places=max(institution.places - total, 0),
            open_applications=Application.objects.filter(
                institution=institution, status__in=services.OPEN_STATUSES
            ).count(),
            q=self.request.GET.get("q", ""),
        )
        return context


class ChildDetailView(RoleRequiredMixin, TemplateView):
    """One child's record: details, guardians, pick-up people, enrolment, admission checks. Audited."""

    template_name = "children/child.html"

    def child(self) -> Child:
        return get_object_or_404(
            Child.objects.for_user(self.request.user, "view").select_related("institution", "klass"),
            pk=self.kwargs["pk"],
        )

    def forms(self, child: Child, data: Any = None, which: str = "") -> dict[str, Any]:
        user = self.request.user
        can_care = Child.objects.for_user(user, "care").filter(pk=child.pk).exists()
        can_change = Child.objects.for_user(user, "change").filter(pk=child.pk).exists()
        can_decide = child.institution_id is not None and services.can_decide(user, child.institution_id)
        found: dict[str, Any] = {}

        def bound(name: str) -> Any:
            return data if which == name else None

        if can_care:
            found["check_form"] = EntryCheckForm(bound("check"), initial={"checked_on": timezone.localdate()})
        if can_change:
            found["guardian_form"] = GuardianForm(bound("guardian"))
            found["pickup_form"] = PickupForm(bound("pickup"))
            found["details_form"] = ChildDetailsForm(
                bound("details"), initial={"allergies": child.allergies, "special_needs": child.special_needs}
            )
        if can_decide:
            others = class_vacancies(Institution.objects.filter(pk=child.institution_id or 0)).exclude(
                pk=child.klass_id or 0
            )
            found["class_form"] = ChangeClassForm(bound("class"), classes=others)
            found["link_form"] = LinkAccountForm(bound("link"))
            found["leave_form"] = LeaveForm(bound("leave"), initial={"left_on": timezone.localdate()})
        return found

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        child: Child = kwargs.get("child") or self.child()
        if "child" not in kwargs:
            audit_view(actor=self.request.user, obj=child, request=self.request)
        full = sees_full_phone(self.request.user, child)
        guardians = list(child.guardians.all())
        pickups = list(child.pickup_people.all())
        people: list[Any] = [*guardians, *pickups]
        for person in people:
            person.shown_phone = person.phone if full else Guardian(phone=person.phone).masked_phone
        today = timezone.localdate()
        context.update(
            child=child,
            age_months=age_in_months(child.birth_date, today),
            guardians=guardians,
            pickups=pickups,
            enrolments=list(child.enrolments.select_related("institution", "klass")),
            checks=list(child.entry_checks.select_related("institution")),
            applications=list(
                Application.objects.for_user(self.request.user, "view")
                .filter(child=child)
                .select_related("institution")
            ),
            staff_view=bool(grants_for(self.request.user, "view").institution_ids),
            **(kwargs.get("forms") or self.forms(child)),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        child = self.child()
        which = request.POST.get("form", "")
        forms = self.forms(child, request.POST, which)
        user = request.user
        writes = {
            "check": lambda d: services.entry_check_record(actor=user, child=child, **d),
            "guardian": lambda d: services.guardian_upsert(actor=user, child=child, **d),
            "pickup": lambda d: services.pickup_person_add(actor=user, child=child, **d),
            "link": lambda d: services.guardian_link_account(actor=user, child=child, **d),
            "details": lambda d: services.child_update(actor=user, child=child, **d),
            "class": lambda d: services.enrolment_change_class(actor=user, child=child, klass=d["class_id"]),
            "leave": lambda d: services.enrolment_leave(
                actor=user, child=child, left_on=d["left_on"], reason=d["reason"]
            ),
        }
        if which == "pickup_off":
            person = get_object_or_404(
                PickupPerson.objects.filter(child=child), pk=request.POST.get("person")
            )
            services.pickup_person_deactivate(actor=user, person=person)
            messages.success(request, _("Saved."))
            return redirect(request.path)
        form = forms.get(f"{which}_form")
        if form is None or which not in writes:
            raise PermissionDenied
        if apply_service(form, writes[which]) is not None:
            messages.success(request, _("Saved."))
            return redirect(request.path)
        child.refresh_from_db()
        return self.render_to_response(self.get_context_data(child=child, forms=forms))


class ApplicationQueueView(StaffMixin, TemplateView):
    """Open applications to the institution, oldest first, with what the director may do with each."""

    template_name = "children/applications.html"

    def rows(self, institution: Institution, bound: dict[int, Any] | None = None) -> list[dict[str, Any]]:
        may_decide = services.can_decide(self.request.user, institution)
        today = timezone.localdate()
        # Classes and free places once for the page; each application picks the fitting ones.
        all_classes = (
            list(class_vacancies(Institution.objects.filter(pk=institution.pk))) if may_decide else []
        )
        free = institution_free_places(institution) if may_decide else 0
        rows = []
        for application in open_applications(institution, today):
            classes = fitting_classes(
                all_classes,
                free_places=free,
                birth_date=application.child.birth_date,
                start_month=application.start_month,
            )
            forms = (bound or {}).get(application.pk, {})
            rows.append(
                {
                    "application": application,
                    "age_months": age_in_months(application.child.birth_date, application.start_month),
                    "health_ok": getattr(application, "health_ok", False),
                    "classes": classes,
                    "accept_form": forms.get("accept")
                    or AcceptForm(classes=classes, prefix=f"a{application.pk}"),
                    "reason_form": forms.get("reason") or ReasonForm(prefix=f"r{application.pk}"),
                }
            )
        return rows

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        institution = kwargs.get("institution") or self.institution()
        decided = (
            Application.objects.filter(institution=institution)
            .exclude(status__in=services.OPEN_STATUSES)
            .select_related("child")
            .order_by("-decided_at", "-id")[:20]
        )
        context.update(
            institution=institution,
            institutions=self.institutions(),
            rows=kwargs.get("rows") or self.rows(institution),
            decided=list(decided),
            may_decide=services.can_decide(self.request.user, institution),
            counts=Application.objects.filter(institution=institution).aggregate(
                submitted=Count("pk", filter=Q(status=ApplicationStatus.SUBMITTED)),
                waitlisted=Count("pk", filter=Q(status=ApplicationStatus.WAITLISTED)),
            ),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        institution = self.institution()
        application = get_object_or_404(
            Application.objects.for_user(request.user, "view").filter(
                institution=institution, status__in=services.OPEN_STATUSES
            ),
            pk=request.POST.get("application"),
        )
        action = request.POST.get("action", "")
        user = request.user
        classes = classes_for_application(application)
        form: Any
        if action == "accept":
            form = AcceptForm(request.POST, classes=classes, prefix=f"a{application.pk}")

            def write(d: dict[str, Any]) -> Any:
                return services.application_accept(
                    actor=user,
                    application=application,
                    klass=next(c for c in classes if c.pk == d["class_id"]),
                    start_on=d.get("start_on"),
                    agreement_ref=d.get("agreement_ref") or "",
                    agreement_signed_on=d.get("agreement_signed_on"),
                    monthly_fee=d.get("monthly_fee"),
                )

            done = _("{child} accepted.")
        elif action in {"waitlist", "decline"}:
            form = ReasonForm(request.POST, prefix=f"r{application.pk}")
            service = services.application_waitlist if action == "waitlist" else services.application_decline

            def write(d: dict[str, Any]) -> Any:
                return service(actor=user, application=application, reason=d.get("reason") or "")

            done = _("{child} put on the waiting list.") if action == "waitlist" else _("{child} declined.")
        else:
            raise PermissionDenied
        if apply_service(form, write) is not None:
            messages.success(request, done.format(child=application.child.name))
            return redirect(f"{request.path}?institution={institution.pk}")
        key = "accept" if action == "accept" else "reason"
        rows = self.rows(institution, {application.pk: {key: form}})
        return self.render_to_response(self.get_context_data(institution=institution, rows=rows))


class ChecksDueView(StaffMixin, TemplateView):
    """Admission checks missing or due for the institution's enrolled children."""

    template_name = "children/checks.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        institution = self.institution()
        today = timezone.localdate()
        rows = admission_checks_due(institution, today)
        context.update(
            institution=institution,
            institutions=self.institutions(),
            rows=rows,
            overdue=sum(1 for r in rows if r.overdue),
            today=today,
        )
        return context


class ParentMixin(RoleRequiredMixin):
    required_check = "is_parent"


class ApplyView(ParentMixin, TemplateView):
    """A parent applies to a listed institution for a new child or one they guard (phone-friendly)."""

    template_name = "children/apply.html"

    def setup_objects(self) -> tuple[Institution, list[Child]]:
        institution = get_object_or_404(
            Institution.objects.publicly_listed().select_related("county", "township"),
            pk=self.kwargs["institution_id"],
        )
        children = list(
            Child.objects.filter(guardians__user_id=self.request.user.pk or 0).order_by("name", "id")
        )
        return institution, children

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        institution, children = self.setup_objects()
        from tuoyu.enforcement.selectors import enrolment_stop_reason

        context.update(
            institution=institution,
            stopped=enrolment_stop_reason(institution),
            form=kwargs.get("form")
            or ApplyForm(
                children=children,
                modes=institution.service_modes or [],
                initial={"phone": getattr(self.request.user, "phone", "")},
            ),
            classes=list(institution.classes.all()),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        institution, children = self.setup_objects()
        form = ApplyForm(request.POST, children=children, modes=institution.service_modes or [])
        by_id = {c.pk: c for c in children}

        def write(d: dict[str, Any]) -> Any:
            child = by_id.get(d["existing_child"]) if d.get("existing_child") else None
            return services.application_submit(
                actor=request.user,
                institution=institution,
                service_mode=d["service_mode"],
                start_month=d["start_month"],
                child=child,
                child_fields=None
                if child
                else {
                    k: d.get(k)
                    for k in ("name", "sex", "birth_date", "id_number", "allergies", "special_needs")
                },
                guardian=None if child else {"relation": d.get("relation"), "phone": d.get("phone")},
                second_guardian={
                    "name": d.get("second_name"),
                    "relation": d.get("second_relation"),
                    "phone": d.get("second_phone"),
                }
                if d.get("second_name") and not child
                else None,
                note=d.get("note") or "",
            )

        application = apply_service(form, write)
        if application is not None:
            messages.success(
                request,
                _("Application sent to {institution}. You will be told of its decision.").format(
                    institution=institution.name
                ),
            )
            return redirect(reverse("children:my_applications"))
        return self.render_to_response(self.get_context_data(form=form))


class MyApplicationsView(ParentMixin, TemplateView):
    """A parent's applications with their status; an open one may be withdrawn."""

    template_name = "children/my_applications.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["applications"] = list(
            Application.objects.for_user(self.request.user, "view")
            .select_related("child", "institution", "enrolment__klass")
            .order_by("-created_at", "-id")
        )
        context["open_statuses"] = list(services.OPEN_STATUSES)
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        application = get_object_or_404(
            Application.objects.for_user(request.user, "view"), pk=request.POST.get("application")
        )
        try:
            services.application_withdraw(actor=request.user, application=application)
            messages.success(request, _("Application withdrawn."))
        except (Conflict, PermissionDenied) as exc:
            messages.error(request, str(exc))
        return redirect(request.path)
