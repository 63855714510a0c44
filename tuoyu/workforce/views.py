"""Workforce pages: an institution's staff, one person, the ban list.

Staff pages are for officials and institution staff (others 403); objects come only through
`for_user` (out of scope answers 404). Writes need "change" on the institution (directors); the ban
list needs an official's "review" or "manage" grant, adding to it "manage".
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from tuoyu.core.api import Conflict
from tuoyu.core.audit import audit
from tuoyu.core.views import RoleRequiredMixin
from tuoyu.institutions import services as institution_services
from tuoyu.institutions.models import Institution
from tuoyu.training.selectors import person_ledger

from . import services
from .choices import StaffRole
from .forms import (
    BanForm,
    BanSearchForm,
    CheckForm,
    ClassAssignmentForm,
    EndAssignmentForm,
    EndEmploymentForm,
    EnrolledForm,
    HireForm,
    QualificationForm,
)
from .models import BanRecord, ClassAssignment, Employment, Person, StaffAlert, official_with
from .ratios import institution_class_ratios
from .selectors import institution_staff, institution_staff_counts, open_alerts, person_jobs


class StaffOrOfficialMixin(RoleRequiredMixin):
    """Officials and institution staff; parents and users without a role get 403."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        user = request.user
        if user.is_authenticated and not (user.is_official or user.is_staff_member):  # type: ignore[union-attr]
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def _apply(request: HttpRequest, form: Any, write: Any) -> bool:
    """Run a service with a valid form's data; put its refusals on the form. True when it wrote."""
    if not form.is_valid():
        return False
    try:
        write(form.cleaned_data)
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            form.add_error(None, exc.messages)
            return False
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return False
    except Conflict as exc:
        form.add_error(None, str(exc))
        return False
    return True


class StaffView(StaffOrOfficialMixin, TemplateView):
    template_name = "workforce/staff.html"

    def get_institution(self) -> Institution:
        return get_object_or_404(
            Institution.objects.for_user(self.request.user, "view"), pk=self.kwargs["pk"]
        )

    def can_change(self, institution: Institution) -> bool:
        return Institution.objects.for_user(self.request.user, "change").filter(pk=institution.pk).exists()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        institution = kwargs.get("institution") or self.get_institution()
        can_change = self.can_change(institution)
        rows = institution_staff(institution)
        ratios = institution_class_ratios(institution)
        # Caregivers not in any class yet: from the staff rows and the ratios, no further query.
        placed = {a.employment_id for ratio in ratios for a in ratio.assignments}
        caregivers = [r.employment for r in rows if r.employment.role == StaffRole.CAREGIVER]
        context.update(
            institution=institution,
            rows=rows,
            counts=institution_staff_counts(institution),
            alerts=list(open_alerts(self.request.user, institution)),
            can_change=can_change,
            can_resolve=can_change or self.can_review(institution),
            form=kwargs.get("form") or (HireForm() if can_change else None),
            ratios=ratios,
            ratio_breaches=sum(1 for r in ratios if r.breach),
            unplaced=[job for job in caregivers if job.pk not in placed],
            assign_form=kwargs.get("assign_form")
            or (
                self.assign_form(institution, caregivers=caregivers, ratios=ratios)
                if can_change and caregivers and ratios
                else None
            ),
        )
        return context

    def assign_form(
        self, institution: Institution, data: Any = None, *, caregivers: Any = None, ratios: Any = None
    ) -> ClassAssignmentForm:
        if caregivers is None:
            caregivers = (
                Employment.objects.open()
                .filter(institution=institution, role=StaffRole.CAREGIVER)
                .select_related("person")
                .order_by("person__name", "id")
            )
        classes = [r.institution_class for r in ratios] if ratios is not None else institution.classes.all()
        return ClassAssignmentForm(data, caregivers=caregivers, classes=classes, prefix="assign")

    def post_ratio(self, request: HttpRequest, institution: Institution, which: str) -> HttpResponse:
        """The forms of the 班级师幼比 section: assign a caregiver, end an assignment, declare enrolment."""
        if not self.can_change(institution):
            raise PermissionDenied
        if which == "assign":
            form: Any = self.assign_form(institution, request.POST)

            def assign(data: dict[str, Any]) -> Any:
                return services.class_assignment_add(
                    actor=request.user,
                    employment=get_object_or_404(
                        Employment.objects.open(), pk=data["employment"], institution=institution
                    ),
                    institution_class=get_object_or_404(
                        institution.classes.all(), pk=data["institution_class"]
                    ),
                )

            if _apply(request, form, assign):
                messages.success(request, _("Caregiver assigned."))
                return redirect("workforce:staff", institution.pk)
            return self.render_to_response(self.get_context_data(institution=institution, assign_form=form))
        if which == "end_assignment":
            form = EndAssignmentForm(request.POST)

            def end(data: dict[str, Any]) -> Any:
                assignment = get_object_or_404(
                    ClassAssignment.objects.for_user(request.user, "change").open(),
                    pk=data["assignment"],
                    employment__institution=institution,
                )
                return services.class_assignment_end(actor=request.user, assignment=assignment)

            ok, success = _apply(request, form, end), _("Assignment ended.")
        else:
            form = EnrolledForm(request.POST)

            def declare(data: dict[str, Any]) -> Any:
                klass = get_object_or_404(institution.classes.all(), pk=data["institution_class"])
                return institution_services.institution_class_set_enrolled(
                    actor=request.user, institution=institution, class_id=klass.pk, enrolled=data["enrolled"]
                )

            ok, success = _apply(request, form, declare), _("Saved.")
        if ok:
            messages.success(request, success)
        else:
            for errors in form.errors.values():
                messages.error(request, " ".join(errors))
        return redirect("workforce:staff", institution.pk)

    def can_review(self, institution: Institution) -> bool:
        return Institution.objects.for_user(self.request.user, "review").filter(pk=institution.pk).exists()

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        institution = self.get_institution()
        if "resolve" in request.POST:
            if not (self.can_change(institution) or self.can_review(institution)):
                raise PermissionDenied
            raw = request.POST.get("resolve", "")
            alert = get_object_or_404(
                StaffAlert.objects.for_user(request.user, "view").open(),
                pk=int(raw) if raw.isdigit() else 0,
                institution=institution,
            )
            services.staff_alert_resolve(
                actor=request.user, alert=alert, resolution=request.POST.get("resolution", "")[:300]
            )
            messages.success(request, _("Alert resolved."))
            return redirect("workforce:staff", institution.pk)
        which = request.POST.get("form", "")
        if which in {"assign", "end_assignment", "enrolled"}:
            return self.post_ratio(request, institution, which)
        if not self.can_change(institution):
            raise PermissionDenied
        form = HireForm(request.POST)
        if _apply(
            request,
            form,
            lambda data: services.staff_hire(actor=request.user, institution=institution, **data),
        ):
            messages.success(request, _("Staff member added."))
            return redirect("workforce:staff", institution.pk)
        return self.render_to_response(self.get_context_data(institution=institution, form=form))


class PersonView(StaffOrOfficialMixin, TemplateView):
    template_name = "workforce/person.html"

    def get_person(self) -> Person:
        return get_object_or_404(Person.objects.for_user(self.request.user, "view"), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        person = kwargs.get("person") or self.get_person()
        can_change = Person.objects.for_user(self.request.user, "change").filter(pk=person.pk).exists()
        jobs = person_jobs(self.request.user, person)
        changeable_jobs = set(
            Employment.objects.for_user(self.request.user, "change")
            .filter(person=person)
            .values_list("pk", flat=True)
        )
        context.update(
            person=person,
            jobs=jobs,
            ledger=person_ledger(person),
            changeable_jobs=changeable_jobs,
            qualifications=list(person.qualifications.all()),
            checks=list(person.background_checks.all()),
            can_change=can_change,
            qualification_form=kwargs.get("qualification_form")
            or (QualificationForm() if can_change else None),
            check_form=kwargs.get("check_form") or (CheckForm() if can_change else None),
            end_form=kwargs.get("end_form"),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        person = self.get_person()
        if not Person.objects.for_user(request.user, "change").filter(pk=person.pk).exists():
            raise PermissionDenied
        which = request.POST.get("form")
        forms: dict[str, Any] = {}
        form: Any
        if which == "qualification":
            form = forms["qualification_form"] = QualificationForm(request.POST)
            ok = _apply(
                request, form, lambda d: services.qualification_add(actor=request.user, person=person, **d)
            )
        elif which == "check":
            form = forms["check_form"] = CheckForm(request.POST)
            ok = _apply(
                request,
                form,
                lambda d: services.background_check_record(actor=request.user, person=person, **d),
            )
        elif which == "end":
            form = forms["end_form"] = EndEmploymentForm(request.POST)

            def end(d: dict[str, Any]) -> Any:
                job = get_object_or_404(
                    Employment.objects.for_user(request.user, "change").open(),
                    pk=d["employment"],
                    person=person,
                )
                return services.employment_end(
                    actor=request.user, employment=job, end_on=d["end_on"], end_reason=d["end_reason"]
                )

            ok = _apply(request, form, end)
        else:
            return redirect("workforce:person", person.pk)
        if ok:
            messages.success(request, _("Saved."))
            return redirect("workforce:person", person.pk)
        return self.render_to_response(self.get_context_data(person=person, **forms))


class BanListView(RoleRequiredMixin, TemplateView):
    """The province-wide ban list: officials with "review" or "manage" (others 403)."""

    template_name = "workforce/bans.html"
    required_check = "is_official"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and not official_with(request.user, "review", "manage"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        can_manage = official_with(user, "manage")
        search = kwargs.get("search") or BanSearchForm(prefix="search")
        context.update(
            bans=BanRecord.objects.for_user(user).order_by("-decided_on", "-id")[:200],
            search=search,
            answer=kwargs.get("answer"),
            can_manage=can_manage,
            form=kwargs.get("form") or (BanForm() if can_manage else None),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if "search-id_number" in request.POST:
            return self.search(request)
        if not official_with(request.user, "manage"):
            raise PermissionDenied
        form = BanForm(request.POST)
        if _apply(request, form, lambda d: services.ban_record_add(actor=request.user, **d)):
            messages.success(request, _("Ban recorded."))
            return redirect("workforce:bans")
        return self.render_to_response(self.get_context_data(form=form))

    def search(self, request: HttpRequest) -> HttpResponse:
        """Answer "banned / not banned" for one full ID number, without listing anyone else.

        POST, so the number stays out of URLs and access logs; the form comes back empty and the answer
        shows the number masked. Who asked is audited (with the masked number).
        """
        search = BanSearchForm(request.POST, prefix="search")
        if not search.is_valid():
            return self.render_to_response(self.get_context_data(search=search))
        number = search.cleaned_data["id_number"]
        masked = BanRecord(id_number=number).masked_id
        ban = BanRecord.objects.for_user(request.user).active().filter(id_number=number).first()
        audit(
            actor=request.user,
            action="ban_search",
            detail={"id": masked, "banned": ban is not None},
            request=request,
        )
        return self.render_to_response(self.get_context_data(answer={"masked_id": masked, "ban": ban}))
