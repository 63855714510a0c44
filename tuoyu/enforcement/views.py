"""Enforcement pages (under /enforcement/): the officials' hub (actions, closures and emergencies in
scope), forms to decide an action, open a closure or report an emergency, the closure case page (per
step and per child, with suggested places), the emergency timeline, and the institution's own page.

Records come through `for_user` (out of scope answers 404); writes go through `services.py`, whose
refusals are shown on the form (a user who sees a record but may not act on it gets 403).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from tuoyu.core.api import Conflict
from tuoyu.core.audit import audit_view
from tuoyu.core.scoping import grants_for
from tuoyu.core.views import RoleRequiredMixin
from tuoyu.institutions.models import Institution
from tuoyu.institutions.selectors import staff_institutions

from . import services
from .choices import ActionKind, PlacementOutcome
from .forms import (
    ActionForm,
    CancelForm,
    CloseForm,
    ClosureOpenForm,
    EmergencyCloseForm,
    EmergencyForm,
    EntryForm,
    FeeForm,
    HandoverForm,
    PlacementForm,
)
from .models import ClosureCase, ClosureChild, ClosureHandover, Emergency, EnforcementAction
from .rules import HANDOVER_CHECKLIST_NOTE, RULES
from .selectors import age_label, case_progress, placement_suggestions

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
            name = field.removesuffix("_id")
            form.add_error(name if name in form.fields else None, errors)
    except Conflict as exc:
        form.add_error(None, str(exc))
    return None


def _errors(form: Any) -> list[str]:
    """A form's messages, flattened (shown beside the row the form belongs to)."""
    if form is None:
        return []
    return [str(m) for messages_ in form.errors.values() for m in messages_]


class OfficialMixin(RoleRequiredMixin):
    required_check = "is_official"


class StaffMixin(RoleRequiredMixin):
    required_check = "is_staff_member"


class StaffOrOfficialMixin(RoleRequiredMixin):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        user = request.user
        if user.is_authenticated and not (user.is_official or user.is_staff_member):  # type: ignore[union-attr]
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def _may_manage_somewhere(user: Any) -> bool:
    grants = grants_for(user, "manage")
    return bool(grants.region_ranges) or bool(getattr(user, "is_superuser", False))


def _picked_institution(request: HttpRequest) -> tuple[Institution | None, list[Institution]]:
    """The institution a form is about (?institution=<id>, in the user's scope: else 404), or a
    short list matching ?q= to pick from. Staff get their own institution."""
    visible = Institution.objects.for_user(request.user, "view")
    wanted = request.GET.get("institution") or request.POST.get("institution_id") or ""
    if wanted:
        if not wanted.isdigit():
            raise PermissionDenied
        return get_object_or_404(visible.select_related("township", "county"), pk=int(wanted)), []
    own = staff_institutions(request.user, "change")
    if own and not request.user.is_official:  # type: ignore[union-attr]
        return own[0], []
    query = (request.GET.get("q") or "").strip()
    found = list(visible.filter(name__icontains=query).order_by("name")[:20]) if query else []
    return None, found


# --- Hubs -----------------------------------------------------------------------------------------


class HomeView(OfficialMixin, View):
    """管理端: enforcement actions, open closure cases and open emergencies in the official's regions."""

    def get(self, request: HttpRequest) -> HttpResponse:
        actions = EnforcementAction.objects.for_user(request.user, "view").select_related("institution")
        kind = request.GET.get("kind", "")
        if kind in ActionKind.values:
            actions = actions.filter(kind=kind)
        page = Paginator(actions.order_by("-decided_on", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
        return render(
            request,
            "enforcement/home.html",
            {
                "page_obj": page,
                "paginator": page.paginator,
                "is_paginated": page.has_other_pages(),
                "kinds": ActionKind.choices,
                "kind": kind,
                "closures": list(
                    ClosureCase.objects.for_user(request.user, "view")
                    .open()
                    .select_related("institution")
                    .order_by("-opened_at")[:PAGE_SIZE]
                ),
                "emergencies": list(
                    Emergency.objects.for_user(request.user, "view")
                    .open()
                    .select_related("institution")
                    .order_by("-opened_at")[:PAGE_SIZE]
                ),
                "may_manage": _may_manage_somewhere(request.user),
                "rules": RULES,
            },
        )


class InstHomeView(StaffMixin, View):
    """机构端: decisions against the institution (to acknowledge), its closure case, its emergencies."""

    def get(self, request: HttpRequest) -> HttpResponse:
        institutions = staff_institutions(request.user, "view")
        if not institutions:
            raise PermissionDenied
        wanted = request.GET.get("institution", "")
        institution = next((i for i in institutions if str(i.pk) == wanted), institutions[0])
        return render(
            request,
            "enforcement/inst_home.html",
            {
                "institution": institution,
                "institutions": institutions,
                "actions": list(
                    EnforcementAction.objects.filter(institution=institution).order_by("-decided_on", "-id")[
                        :100
                    ]
                ),
                "closure": ClosureCase.objects.filter(institution=institution).order_by("-opened_at").first(),
                "emergencies": list(
                    Emergency.objects.filter(institution=institution).order_by("-opened_at")[:50]
                ),
                "is_director": services.director_of(request.user, institution),
            },
        )


# --- Actions --------------------------------------------------------------------------------------


class ActionCreateView(OfficialMixin, View):
    def _render(self, request: HttpRequest, form: ActionForm | None, status: int = 200) -> HttpResponse:
        institution, found = _picked_institution(request)
        if institution is not None and form is None:
            form = ActionForm(
                inspections=self._inspections(institution), initial={"decided_on": timezone.localdate()}
            )
        return render(
            request,
            "enforcement/action_form.html",
            {
                "institution": institution,
                "found": found,
                "form": form,
                "rules": RULES,
                "q": request.GET.get("q", ""),
            },
            status=status,
        )

    @staticmethod
    def _inspections(institution: Institution) -> list[tuple[int, str]]:
        from tuoyu.supervision.models import Inspection

        rows = Inspection.objects.filter(institution=institution).order_by("-planned_on", "-id")[:30]
        return [(i.pk, f"{i.planned_on} · {i.get_kind_display()}") for i in rows]

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, None)

    def post(self, request: HttpRequest) -> HttpResponse:
        institution, _found = _picked_institution(request)
        if institution is None:
            raise PermissionDenied
        form = ActionForm(request.POST, inspections=self._inspections(institution))

        def write(data: dict[str, Any]) -> EnforcementAction:
            from tuoyu.supervision.models import Inspection

            return services.enforcement_action_create(
                actor=request.user,
                institution=institution,
                kind=data["kind"],
                rule=data["rule"],
                decision_number=data["decision_number"],
                decided_on=data["decided_on"],
                facts=data["facts"],
                amount=data["amount"],
                correct_by=data["correct_by"],
                inspection=Inspection.objects.filter(pk=data["inspection"]).first()
                if data["inspection"]
                else None,
                complaint_ref=data["complaint_ref"],
                published=data["published"],
                banned_persons=data["banned_persons"],
            )

        action = _apply(form, write)
        if action is None:
            return self._render(request, form, status=422)
        messages.success(request, _("Decision recorded."))
        return redirect("enforcement:action", pk=action.pk)


class ActionDetailView(StaffOrOfficialMixin, View):
    def _action(self, request: HttpRequest, pk: int) -> EnforcementAction:
        return get_object_or_404(
            EnforcementAction.objects.for_user(request.user, "view").select_related(
                "institution", "decided_by", "acknowledged_by", "inspection"
            ),
            pk=pk,
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        action = self._action(request, pk)
        return render(
            request,
            "enforcement/action.html",
            {
                "action": action,
                "rule": action.rule_obj,
                "bans": list(action.bans.all()) if request.user.is_official else [],  # type: ignore[union-attr]
                "can_acknowledge": services.director_of(request.user, action.institution)
                and action.acknowledged_at is None,
            },
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        action = self._action(request, pk)
        services.enforcement_action_acknowledge(actor=request.user, action=action)
        messages.success(request, _("Acknowledged."))
        return redirect("enforcement:action", pk=pk)


# --- Closure --------------------------------------------------------------------------------------


class ClosureCreateView(StaffOrOfficialMixin, View):
    def _render(self, request: HttpRequest, form: ClosureOpenForm, status: int = 200) -> HttpResponse:
        institution, found = _picked_institution(request)
        return render(
            request,
            "enforcement/closure_form.html",
            {"institution": institution, "found": found, "form": form, "q": request.GET.get("q", "")},
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, ClosureOpenForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        institution, _found = _picked_institution(request)
        if institution is None:
            raise PermissionDenied
        form = ClosureOpenForm(request.POST)
        case = _apply(
            form,
            lambda d: services.closure_case_open(
                actor=request.user, institution=institution, reason=d["reason"]
            ),
        )
        if case is None:
            return self._render(request, form, status=422)
        messages.success(
            request, _("Closure opened: new enrolment has stopped and the parents have been told.")
        )
        return redirect("enforcement:closure", pk=case.pk)


class ClosureDetailView(StaffOrOfficialMixin, View):
    """The case: progress per step, a table of the children (age, placement, fees) with suggested
    places for each unplaced child, the hand-over checklist, and the close form."""

    def _case(self, request: HttpRequest, pk: int) -> ClosureCase:
        return get_object_or_404(
            ClosureCase.objects.for_user(request.user, "view").select_related(
                "institution", "opened_by", "action"
            ),
            pk=pk,
        )

    def get(
        self, request: HttpRequest, pk: int, forms: dict[str, Any] | None = None, status: int = 200
    ) -> HttpResponse:
        case = self._case(request, pk)
        audit_view(actor=request.user, obj=case, request=request)
        rows = list(
            ClosureChild.objects.filter(case=case)
            .select_related("child", "placed_institution")
            .order_by("child__name", "pk")
        )
        today = timezone.localdate()
        forms = forms or {}
        suggestions = placement_suggestions(case, rows) if case.status == "open" else {}
        for row in rows:
            row.age = age_label(row.child.birth_date, today)  # type: ignore[attr-defined]
            row.suggestions = suggestions.get(row.pk, [])  # type: ignore[attr-defined]
            row.errors = _errors(forms.get(f"place-{row.pk}"))  # type: ignore[attr-defined]
            row.fee_errors = _errors(forms.get(f"fee-{row.pk}"))  # type: ignore[attr-defined]
        handovers = list(case.handovers.all())
        for item in handovers:
            item.errors = _errors(forms.get(f"handover-{item.item}"))  # type: ignore[attr-defined]
        may_write = services.official_may(request.user, "manage", case.institution) or services.director_of(
            request.user, case.institution
        )
        return render(
            request,
            "enforcement/closure.html",
            {
                "case": case,
                "rows": rows,
                "progress": case_progress(case),
                "handovers": handovers,
                "handover_note": HANDOVER_CHECKLIST_NOTE,
                "transitions": list(case.transitions.select_related("actor")),
                "may_write": may_write and case.status == "open",
                "may_close": services.official_may(request.user, "manage", case.institution)
                and case.status == "open",
                "outcomes": [c for c in PlacementOutcome.choices if c[0] != PlacementOutcome.PENDING],
                "close_form": forms.get("close") or CloseForm(),
                "today": today,
            },
            status=status,
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = self._case(request, pk)
        which = request.POST.get("form", "")
        user = request.user
        form: Any
        result: Any
        key = which
        if which in ("place", "fee"):
            row = get_object_or_404(ClosureChild, case=case, pk=request.POST.get("row") or 0)
            key = f"{which}-{row.pk}"
            if which == "place":
                form = PlacementForm(request.POST)

                def place(d: dict[str, Any]) -> Any:
                    target = None
                    if d["institution"]:
                        target = Institution.objects.filter(pk=d["institution"]).first()
                        if target is None:
                            raise ValidationError({"institution": _("No such institution.")})
                    return services.closure_child_place(
                        actor=user,
                        row=row,
                        outcome=d["outcome"],
                        institution=target,
                        note=d["note"],
                        placed_on=d["placed_on"],
                    )

                result = _apply(form, place)
            else:
                form = FeeForm(request.POST)
                result = _apply(
                    form,
                    lambda d: services.closure_child_settle_fee(
                        actor=user,
                        row=row,
                        prepaid=d["prepaid"],
                        refunded=d["refunded"],
                        settled_on=d["settled_on"],
                        note=d["note"],
                    ),
                )
        elif which == "handover":
            form = HandoverForm(request.POST)
            item = get_object_or_404(ClosureHandover, case=case, item=request.POST.get("item", ""))
            key = f"handover-{item.item}"
            result = _apply(
                form,
                lambda d: services.closure_handover_record(
                    actor=user,
                    item=item,
                    received_by=d["received_by"],
                    received_on=d["received_on"],
                    note=d["note"],
                ),
            )
        elif which == "close":
            form = CloseForm(request.POST)
            result = _apply(
                form,
                lambda d: services.closure_case_close(
                    actor=user, case=case, closed_on=d["closed_on"], summary=d["summary"]
                ),
            )
        elif which == "cancel":
            form = CancelForm(request.POST)
            result = _apply(
                form, lambda d: services.closure_case_cancel(actor=user, case=case, reason=d["reason"])
            )
        else:
            return redirect("enforcement:closure", pk=pk)
        if result is None:
            return self.get(request, pk, forms={key: form}, status=422)
        messages.success(request, _("Saved."))
        return redirect("enforcement:closure", pk=pk)


# --- Emergencies ----------------------------------------------------------------------------------


def _alerts_for(request: HttpRequest, institution: Institution) -> list[tuple[int, str]]:
    from tuoyu.health.models import SymptomClusterAlert

    rows = (
        SymptomClusterAlert.objects.for_user(request.user, "view")
        .filter(institutions=institution)
        .order_by("-window_end")[:10]
    )
    return [(a.pk, f"{a.group_label} {a.window_start}–{a.window_end}") for a in rows]


class EmergencyCreateView(StaffOrOfficialMixin, View):
    def _render(self, request: HttpRequest, form: EmergencyForm | None, status: int = 200) -> HttpResponse:
        institution, found = _picked_institution(request)
        if institution is not None and form is None:
            form = EmergencyForm(alerts=_alerts_for(request, institution))
        return render(
            request,
            "enforcement/emergency_form.html",
            {"institution": institution, "found": found, "form": form, "q": request.GET.get("q", "")},
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, None)

    def post(self, request: HttpRequest) -> HttpResponse:
        from tuoyu.health.models import SymptomClusterAlert

        institution, _found = _picked_institution(request)
        if institution is None:
            raise PermissionDenied
        form = EmergencyForm(request.POST, alerts=_alerts_for(request, institution))
        emergency = _apply(
            form,
            lambda d: services.emergency_open(
                actor=request.user,
                institution=institution,
                kind=d["kind"],
                severity=d["severity"],
                title=d["title"],
                description=d["description"],
                source_alert=SymptomClusterAlert.objects.filter(pk=d.get("source_alert") or 0).first(),
            ),
        )
        if emergency is None:
            return self._render(request, form, status=422)
        messages.success(request, _("Emergency reported: the county, city and province have been told."))
        return redirect("enforcement:emergency", pk=emergency.pk)


class EmergencyDetailView(StaffOrOfficialMixin, View):
    def _emergency(self, request: HttpRequest, pk: int) -> Emergency:
        return get_object_or_404(
            Emergency.objects.for_user(request.user, "view").select_related(
                "institution", "opened_by", "source_alert"
            ),
            pk=pk,
        )

    def get(
        self, request: HttpRequest, pk: int, forms: dict[str, Any] | None = None, status: int = 200
    ) -> HttpResponse:
        emergency = self._emergency(request, pk)
        forms = forms or {}
        open_ = emergency.status == "open"
        return render(
            request,
            "enforcement/emergency.html",
            {
                "emergency": emergency,
                "entries": list(emergency.entries.select_related("author")),
                "entry_form": forms.get("entry") or EntryForm(),
                "close_form": forms.get("close") or EmergencyCloseForm(),
                "may_write": open_
                and (
                    services.official_may(request.user, "view", emergency.institution)
                    or services.director_of(request.user, emergency.institution)
                ),
                "may_close": open_
                and (
                    services.official_may(request.user, "inspect", emergency.institution)
                    or services.official_may(request.user, "manage", emergency.institution)
                ),
            },
            status=status,
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        emergency = self._emergency(request, pk)
        which = request.POST.get("form", "")
        form: Any
        if which == "close":
            form = EmergencyCloseForm(request.POST)
            result = _apply(
                form,
                lambda d: services.emergency_close(
                    actor=request.user, emergency=emergency, summary=d["summary"]
                ),
            )
        else:
            which = "entry"
            form = EntryForm(request.POST)
            result = _apply(
                form,
                lambda d: services.emergency_add_entry(
                    actor=request.user, emergency=emergency, text=d["text"], severity=d["severity"] or None
                ),
            )
        if result is None:
            return self.get(request, pk, forms={which: form}, status=422)
        messages.success(request, _("Saved."))
        return redirect("enforcement:emergency", pk=pk)
