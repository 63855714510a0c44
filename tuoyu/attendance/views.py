"""Attendance pages: class list with one tap per child, follow-up of absences, staff attendance, the
kiosk at the door, a child's history, and a parent's kiosk code.

Staff pages need the `care` action (director, caregiver, health worker); other signed-in users get 403,
objects outside the user's institutions 404. The child's history is reached through `Child.for_user`
(parents: their own children only) and audited as a view of a child's record.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views import View

from tuoyu.children.models import Child, Guardian
from tuoyu.core.api import Conflict
from tuoyu.core.audit import audit_view
from tuoyu.core.views import RoleRequiredMixin
from tuoyu.institutions.models import Institution, InstitutionClass

from . import selectors, services
from .choices import EventKind, Via
from .forms import AbsenceForm, FollowUpForm, KioskCodeForm, StaffTapForm, TapForm
from .models import KioskCode


def _messages_of(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


class CareRequiredMixin(RoleRequiredMixin):
    """Staff who record daily care (the `care` action); others 403."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated:
            self.care_ids = services.care_institution_ids(request.user)
            if self.care_ids is not None and not self.care_ids:
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def institutions(self) -> Any:
        qs = Institution.objects.order_by("name", "id")
        return qs if self.care_ids is None else qs.filter(pk__in=self.care_ids)

    def institution(self) -> Institution:
        """The institution chosen with ?institution=, else the user's first."""
        chosen = self.request.GET.get("institution") or self.request.POST.get("institution")  # type: ignore[attr-defined]
        qs = self.institutions()
        if chosen:
            if not str(chosen).isdigit():
                raise Http404
            return get_object_or_404(qs, pk=int(chosen))
        institution = qs.first()
        if institution is None:
            raise Http404
        return institution


class HomeView(CareRequiredMixin, View):
    """Choose a class: each with children present now and its live ratio."""

    def get(self, request: HttpRequest) -> HttpResponse:
        institution = self.institution()
        ratios = selectors.institution_live_ratios(institution)
        return render(
            request,
            "attendance/home.html",
            {"institution": institution, "institutions": list(self.institutions()[:50]), "ratios": ratios},
        )


class RosterView(CareRequiredMixin, View):
    """A class's children today, one tap each to check in or out (htmx swaps the row; plain POST works)."""

    def get_class(self, pk: int) -> InstitutionClass:
        qs = InstitutionClass.objects.select_related("institution")
        if self.care_ids is not None:
            qs = qs.filter(institution_id__in=self.care_ids)
        return get_object_or_404(qs, pk=pk)

    def context(self, klass: InstitutionClass) -> dict[str, Any]:
        today = timezone.localdate()
        rows = selectors.class_roster(klass, today)
        return {
            "klass": klass,
            "institution": klass.institution,
            "rows": rows,
            "ratio": selectors.class_live_ratio(klass, today),
            "today": today,
        }

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        klass = self.get_class(pk)
        context = self.context(klass)
        for row in context["rows"]:
            row.ref = uuid.uuid4().hex
        return render(request, "attendance/roster.html", context)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        klass = self.get_class(pk)
        form = TapForm(request.POST)
        error = ""
        child_id = None
        if not form.is_valid():
            error = _("Invalid request.")
        else:
            child_id = form.cleaned_data["child"]
            guardian_id, pickup_id = form.person_ids()
            if not Child.objects.filter(pk=child_id, klass=klass).exists():
                raise Http404
            try:
                result = services.attendance_event_record(
                    actor=request.user,
                    child_id=child_id,
                    kind=form.cleaned_data["kind"],
                    at=timezone.now(),
                    client_ref=form.cleaned_data["client_ref"],
                    via=Via.STAFF,
                    guardian_id=guardian_id,
                    pickup_person_id=pickup_id,
                    person_name=form.cleaned_data.get("person_name") or "",
                )
                if result.replayed:
                    error = _("Already recorded (repeated tap).")
            except (Conflict, ValidationError) as exc:
                error = _messages_of(exc)
        if getattr(request, "htmx", False) and child_id is not None:
            context = self.context(klass)
            row = next((r for r in context["rows"] if r.child.pk == child_id), None)
            if row is None:
                raise Http404
            context.update(row=row, ref=uuid.uuid4().hex, error=error, oob=True)
            return render(request, "attendance/_roster_row.html", context)
        if error:
            messages.warning(request, error)
        return redirect(reverse("attendance:roster", args=[klass.pk]))


class FollowUpView(CareRequiredMixin, View):
    """Children not checked in and not reported absent after the cut-off (缺勤追踪), with a form each."""

    def get(self, request: HttpRequest, form: FollowUpForm | None = None, status: int = 200) -> HttpResponse:
        institution = self.institution()
        today = timezone.localdate()
        after = selectors.after_cutoff()
        pending = list(selectors.needs_follow_up([institution.pk], today)[:500]) if after else []
        return render(
            request,
            "attendance/follow_up.html",
            {
                "institution": institution,
                "after_cutoff": after,
                "cutoff": selectors.rules.follow_up_cutoff(),
                "pending": pending,
                "done": list(selectors.followed_up([institution.pk], today)[:500]),
                "form": form,
                "form_class": FollowUpForm,
            },
            status=status,
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        form = FollowUpForm(request.POST)
        if form.is_valid():
            try:
                services.absence_follow_up(
                    actor=request.user,
                    child_id=form.cleaned_data["child"],
                    day=timezone.localdate(),
                    outcome=form.cleaned_data["outcome"],
                    reason=form.cleaned_data["reason"],
                )
                messages.success(request, _("Follow-up recorded."))
                return redirect(request.get_full_path())
            except (Conflict, ValidationError) as exc:
                form.add_error(None, _messages_of(exc))
        return self.get(request, form=form, status=422)


class StaffView(CareRequiredMixin, View):
    """Staff of the institution arriving and leaving today."""

    def get(self, request: HttpRequest) -> HttpResponse:
        institution = self.institution()
        return render(
            request,
            "attendance/staff.html",
            {"institution": institution, "jobs": selectors.staff_day(institution, timezone.localdate())},
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        form = StaffTapForm(request.POST)
        if form.is_valid():
            try:
                services.staff_attendance_record(
                    actor=request.user,
                    employment_id=form.cleaned_data["employment"],
                    kind=form.cleaned_data["kind"],
                    at=timezone.now(),
                )
            except (Conflict, ValidationError) as exc:
                messages.warning(request, _messages_of(exc))
        return redirect(request.get_full_path())


class KioskView(CareRequiredMixin, View):
    """The tablet at the door: a guardian enters their code and checks their children in or out."""

    def get_institution(self, pk: int) -> Institution:
        return get_object_or_404(self.institutions(), pk=pk)

    def get(self, request: HttpRequest, institution_id: int) -> HttpResponse:
        institution = self.get_institution(institution_id)
        return render(request, "attendance/kiosk.html", {"institution": institution, "form": KioskCodeForm()})

    def post(self, request: HttpRequest, institution_id: int) -> HttpResponse:
        institution = self.get_institution(institution_id)
        form = KioskCodeForm(request.POST)
        context: dict[str, Any] = {"institution": institution, "form": form}
        try:
            guardian = (
                services.kiosk_guardian(
                    institution_id=institution.pk, code=form.cleaned_data["code"], request=request
                )
                if form.is_valid()
                else None
            )
        except services.KioskLocked:
            form.add_error(
                None,
                _(
                    "Too many wrong codes at this kiosk just now. Wait two minutes, or ask a member of staff "
                    "to check the child in on the class list."
                ),
            )
            return render(request, "attendance/kiosk.html", context, status=429)
        if guardian is None:
            if form.is_valid():
                form.add_error("code", _("This code is not known here."))
            return render(request, "attendance/kiosk.html", context, status=422)
        rows = selectors.kiosk_guardianships(guardian)
        kind = request.POST.get("kind")
        child_id = request.POST.get("child")
        if kind in EventKind.values and child_id and child_id.isdigit():
            row = next((g for g in rows if g.child_id == int(child_id)), None)
            if row is None:
                raise Http404
            try:
                result = services.attendance_event_record(
                    actor=request.user,
                    child_id=row.child_id,
                    kind=kind,
                    at=timezone.now(),
                    client_ref=(request.POST.get("client_ref") or uuid.uuid4().hex)[:64],
                    via=Via.KIOSK,
                    guardian_id=row.pk,
                )
                done = _("{name}: checked in.") if kind == EventKind.IN else _("{name}: checked out.")
                context["done"] = "" if result.replayed else done.format(name=row.child.name)
            except (Conflict, ValidationError) as exc:
                context["error"] = _messages_of(exc)
        today = timezone.localdate()
        context.update(
            guardian=guardian,
            children=[(g.child, selectors.child_day(g.child, today), uuid.uuid4().hex) for g in rows],
            code=form.cleaned_data["code"],
        )
        return render(request, "attendance/kiosk.html", context)


class ChildView(RoleRequiredMixin, View):
    """A child's attendance history (30 days by default); parents and staff may report an absence."""

    def get_child(self) -> Child:
        child = Child.objects.for_user(self.request.user, "view").filter(pk=self.kwargs["pk"]).first()  # type: ignore[attr-defined]
        if child is None:
            raise Http404
        return child

    def can_report(self, child: Child) -> bool:
        user = self.request.user  # type: ignore[attr-defined]
        ids = services.care_institution_ids(user)
        if child.institution_id is None:
            return False
        if ids is None or child.institution_id in ids:
            return True
        return Guardian.objects.filter(child=child, user_id=user.pk or 0).exists()

    def get(
        self, request: HttpRequest, pk: int, form: AbsenceForm | None = None, status: int = 200
    ) -> HttpResponse:
        child = self.get_child()
        end = parse_date(request.GET.get("end") or "") or timezone.localdate()
        start = parse_date(request.GET.get("start") or "") or end - timedelta(days=30)
        audit_view(actor=request.user, obj=child, request=request)
        can_report = self.can_report(child)
        return render(
            request,
            "attendance/child.html",
            {
                "child": child,
                "today": selectors.child_day(child, timezone.localdate()),
                "history": selectors.child_history(child, start, end),
                "start": start,
                "end": end,
                "form": (form or AbsenceForm(initial={"day": timezone.localdate()})) if can_report else None,
            },
            status=status,
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        child = self.get_child()
        if not self.can_report(child):
            raise PermissionDenied
        form = AbsenceForm(request.POST)
        if form.is_valid():
            try:
                services.absence_record(
                    actor=request.user,
                    child_id=child.pk,
                    day=form.cleaned_data["day"],
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                )
                messages.success(request, _("Absence reported."))
                return redirect(reverse("attendance:child", args=[child.pk]))
            except (Conflict, ValidationError, Http404) as exc:
                form.add_error(None, _messages_of(exc) or _("Not allowed."))
        return self.get(request, pk, form=form, status=422)


class KioskCodeView(RoleRequiredMixin, View):
    """A guardian's personal kiosk code for one child: issue or rotate it (shown once)."""

    def guardian(self, pk: int) -> Guardian:
        child = Child.objects.for_user(self.request.user, "view").filter(pk=pk).first()  # type: ignore[attr-defined]
        if child is None:
            raise Http404
        user_id = self.request.user.pk or 0  # type: ignore[attr-defined]
        guardian = Guardian.objects.filter(child=child, user_id=user_id).first()
        if guardian is None:
            raise PermissionDenied
        return guardian

    def get(self, request: HttpRequest, child_id: int, code: str = "") -> HttpResponse:
        guardian = self.guardian(child_id)
        existing = KioskCode.objects.filter(guardian=guardian).first()
        return render(
            request,
            "attendance/kiosk_code.html",
            {"guardian": guardian, "child": guardian.child, "existing": existing, "code": code},
        )

    def post(self, request: HttpRequest, child_id: int) -> HttpResponse:
        guardian = self.guardian(child_id)
        code = services.kiosk_code_issue(actor=request.user, guardian=guardian)
        return self.get(request, child_id, code=code)
