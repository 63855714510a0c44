"""Complaint pages (under /complaints/).

Public: the complaint form (from the trust card), the receipt with the reference (shown once), the
tracking page, and a signed-in user's own named complaints. Officials: the queue (overdue first) and a
complaint's page, where handlers act and may reveal the complainant's contact details (each reveal
audited). Staff (the director): complaints the county forwarded for a response — never who complained,
nor whether they gave a name.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from tuoyu.core.api import Conflict
from tuoyu.core.audit import audit_view
from tuoyu.core.views import RoleRequiredMixin
from tuoyu.institutions.models import Institution

from . import rules, services
from .forms import ComplaintForm, ConcludeForm, QueueFilterForm, ResponseForm, TransitionForm
from .models import Complaint
from .selectors import complaints_of, official_queue, track

PAGE_SIZE = 50
SESSION_KEY = "complaints_new_reference"


def _apply_errors(form: Any, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


# --- Public ---------------------------------------------------------------------------------------


class ComplaintNewView(View):
    """Anyone: complain about an institution on the public register (no login needed)."""

    def _institution(self, pk: int) -> Institution:
        return get_object_or_404(Institution.objects.publicly_viewable(), pk=pk)

    def _render(
        self, request: HttpRequest, institution: Institution, form: Any, status: int = 200
    ) -> HttpResponse:
        return render(
            request,
            "complaints/new.html",
            {"institution": institution, "form": form, "serious": sorted(rules.SERIOUS_CATEGORIES)},
            status=status,
        )

    def get(self, request: HttpRequest, institution: int) -> HttpResponse:
        inst = self._institution(institution)
        initial: dict[str, Any] = {}
        user = request.user
        if user.is_authenticated:
            initial = {"contact_name": user.display_name, "contact_phone": user.phone}  # type: ignore[union-attr]
        return self._render(request, inst, ComplaintForm(initial=initial))

    def post(self, request: HttpRequest, institution: int) -> HttpResponse:
        inst = self._institution(institution)
        form = ComplaintForm(request.POST)
        if not form.is_valid():
            return self._render(request, inst, form, status=422)
        data = form.cleaned_data
        try:
            complaint = services.complaint_submit(
                institution=inst,
                category=data["category"],
                description=data["description"],
                occurred_on=data["occurred_on"],
                anonymous=data["anonymous"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                actor=request.user if request.user.is_authenticated else None,
                request=request,
            )
        except services.SubmitThrottled as exc:
            form.add_error(None, str(exc))
            return self._render(request, inst, form, status=429)
        except ValidationError as exc:
            _apply_errors(form, exc)
            return self._render(request, inst, form, status=422)
        request.session[SESSION_KEY] = complaint.reference
        return redirect("complaints:submitted")


def submitted(request: HttpRequest) -> HttpResponse:
    """The receipt: the reference, shown once (then only the complainant's copy of it remains)."""
    reference = request.session.pop(SESSION_KEY, None)
    complaint = track(reference) if reference else None
    if complaint is None:
        return redirect("complaints:track")
    return render(
        request,
        "complaints/submitted.html",
        {
            "complaint": complaint,
            "track_url": request.build_absolute_uri(
                reverse("complaints:track") + f"?reference={complaint.reference}"
            ),
        },
    )


def track_page(request: HttpRequest) -> HttpResponse:
    """Anyone with the reference: status and outcome (nothing internal, nothing from the institution)."""
    reference = request.GET.get("reference", "")
    complaint = track(reference) if reference else None
    return render(
        request,
        "complaints/track.html",
        {"reference": reference, "complaint": complaint, "not_found": bool(reference) and complaint is None},
        status=404 if reference and complaint is None else 200,
    )


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """A signed-in user's named complaints, newest first, each linked to its tracking page (status and
    reply only: the same as anyone with the reference sees)."""
    rows = Paginator(complaints_of(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "complaints/mine.html", {"page": rows})


# --- Officials ------------------------------------------------------------------------------------


class OfficialMixin(RoleRequiredMixin):
    required_check = "is_official"


class QueueView(OfficialMixin, View):
    """Officials: complaints about institutions in their regions, overdue first, with filters."""

    def get(self, request: HttpRequest) -> HttpResponse:
        data = request.GET.copy()
        if "status" not in data:
            data["status"] = "open"
        form = QueueFilterForm(data)
        filters = form.cleaned_data if form.is_valid() else {"status": "open"}
        today = timezone.localdate()
        queryset = official_queue(
            request.user,
            status=filters.get("status") or None,
            level=filters.get("level") or None,
            category=filters.get("category") or None,
            serious=filters.get("serious"),
            overdue=filters.get("overdue"),
            mine=bool(filters.get("mine")),
            today=today,
        )
        page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(
            request,
            "complaints/home.html",
            {
                "form": form,
                "page_obj": page,
                "paginator": page.paginator,
                "is_paginated": page.has_other_pages(),
                "today": today,
                "deadlines": rules.LEVEL_DEADLINES,
                "setting_note": rules.DEPLOYMENT_SETTING,
            },
        )


class DetailView(OfficialMixin, View):
    """Officials: one complaint, its history and the linked inspection; handlers act here and may
    reveal the complainant's contact details (?contact=1, audited)."""

    def _complaint(self, request: HttpRequest, pk: int) -> Complaint:
        return get_object_or_404(
            Complaint.objects.for_official(request.user, "view").select_related(
                "institution", "handling_region", "inspection"
            ),
            pk=pk,
        )

    def get(
        self, request: HttpRequest, pk: int, forms: dict[str, Any] | None = None, status: int = 200
    ) -> HttpResponse:
        complaint = self._complaint(request, pk)
        may_contact = services.can_see_contact(request.user, complaint)
        show_contact = may_contact and request.GET.get("contact") == "1"
        if show_contact:
            audit_view(actor=request.user, obj=complaint, request=request)
        handler = services.can_handle(request.user, complaint)
        actions = [a for a, (sources, _to) in services.TRANSITIONS.items() if complaint.status in sources]
        if complaint.status in {"accepted", "investigating"} and complaint.forwarded_at is None:
            actions.append("forward")
        return render(
            request,
            "complaints/detail.html",
            {
                "complaint": complaint,
                "events": complaint.events.select_related("actor"),
                "today": timezone.localdate(),
                "may_contact": may_contact,
                "show_contact": show_contact,
                "handler": handler,
                "actions": actions if handler else [],
                "forms": {
                    "conclude": ConcludeForm(),
                    "transition": TransitionForm(),
                    **(forms or {}),
                },
                "setting_note": rules.DEPLOYMENT_SETTING,
            },
            status=status,
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        complaint = self._complaint(request, pk)
        action = request.POST.get("action", "")
        form: Any = ConcludeForm(request.POST) if action == "conclude" else TransitionForm(request.POST)
        if action not in {*services.TRANSITIONS, "forward"}:
            raise Http404
        if not form.is_valid():
            return self.get(
                request, pk, forms={action if action == "conclude" else "transition": form}, status=422
            )
        data, user = form.cleaned_data, request.user
        calls = {
            "accept": lambda: services.complaint_accept(
                actor=user, complaint=complaint, reason=data["reason"], request=request
            ),
            "investigate": lambda: services.complaint_investigate(
                actor=user, complaint=complaint, reason=data["reason"], request=request
            ),
            "conclude": lambda: services.complaint_conclude(
                actor=user,
                complaint=complaint,
                outcome=data.get("outcome", ""),
                reply=data.get("reply", ""),
                reason=data["reason"],
                request=request,
            ),
            "withdraw": lambda: services.complaint_withdraw(
                actor=user, complaint=complaint, reason=data["reason"], request=request
            ),
            "forward": lambda: services.complaint_forward(
                actor=user, complaint=complaint, reason=data["reason"], request=request
            ),
        }
        try:
            calls[action]()
        except ValidationError as exc:
            _apply_errors(form, exc)
            return self.get(
                request, pk, forms={action if action == "conclude" else "transition": form}, status=422
            )
        except Conflict as exc:
            messages.error(request, str(exc))
            return redirect("complaints:detail", pk=pk)
        except PermissionDenied:
            raise
        messages.success(request, _("Saved."))
        return redirect("complaints:detail", pk=pk)


# --- Institution staff ----------------------------------------------------------------------------


class StaffMixin(RoleRequiredMixin):
    required_check = "is_staff_member"


class InstHomeView(StaffMixin, View):
    """Staff: complaints forwarded to their institution (directors see them; nobody's name, ever)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        queryset = (
            Complaint.objects.for_staff(request.user)
            .select_related("institution")
            .order_by("-forwarded_at", "-id")
        )
        page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(
            request,
            "complaints/inst_home.html",
            {"page_obj": page, "paginator": page.paginator, "is_paginated": page.has_other_pages()},
        )


class InstDetailView(StaffMixin, View):
    """Staff (the director): one forwarded complaint and the written response."""

    def _complaint(self, request: HttpRequest, pk: int) -> Complaint:
        return get_object_or_404(
            Complaint.objects.for_staff(request.user).select_related("institution"), pk=pk
        )

    def get(self, request: HttpRequest, pk: int, form: Any = None, status: int = 200) -> HttpResponse:
        complaint = self._complaint(request, pk)
        return render(
            request,
            "complaints/inst_detail.html",
            {"complaint": complaint, "form": form or ResponseForm()},
            status=status,
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        complaint = self._complaint(request, pk)
        form = ResponseForm(request.POST)
        if not form.is_valid():
            return self.get(request, pk, form=form, status=422)
        try:
            services.complaint_respond(
                actor=request.user,
                complaint=complaint,
                response=form.cleaned_data["response"],
                request=request,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
            return self.get(request, pk, form=form, status=422)
        except Conflict as exc:
            messages.error(request, str(exc))
            return redirect("complaints:inst_detail", pk=pk)
        messages.success(request, _("Your response was sent to the county."))
        return redirect("complaints:inst_detail", pk=pk)
