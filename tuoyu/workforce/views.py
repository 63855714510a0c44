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
from tuoyu.institutions.models import Institution

from . import services
from .forms import BanForm, BanSearchForm, CheckForm, EndEmploymentForm, HireForm, QualificationForm
from .models import BanRecord, Employment, Person, StaffAlert, official_with
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
        context.update(
            institution=institution,
            rows=institution_staff(institution),
            counts=institution_staff_counts(institution),
            alerts=list(open_alerts(self.request.user, institution)),
            can_change=can_change,
            can_resolve=can_change or self.can_review(institution),
            form=kwargs.get("form") or (HireForm() if can_change else None),
        )
        return context

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
