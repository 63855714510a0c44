"""Health pages: the class's morning/noon check list (staff with care, phone-first), the health
worker's due and overdue immunisations, one child's schedule against their doses (staff, officials,
the child's guardians), symptom-cluster alerts (officials) and the daily overview.

Objects come only through `for_user`; out of scope answers 404, visible but not allowed 403.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from tuoyu.children.models import Child, child_for_user
from tuoyu.core.api import Conflict
from tuoyu.core.audit import audit_view
from tuoyu.core.scoping import grants_for
from tuoyu.core.views import RoleRequiredMixin
from tuoyu.institutions.models import Institution, InstitutionClass

from . import services
from .api import overview_region
from .choices import Session
from .forms import AcknowledgeForm, CheckForm, DoseForm
from .immunisation import GRACE_MONTHS, SCHEDULE_EFFECTIVE, SCHEDULE_SOURCE
from .models import SymptomClusterAlert
from .rules import CHECK_ITEMS, SYMPTOM_RULES, cluster_rule, temperature_rule
from .selectors import child_checks_on, child_schedule, class_check_rows, extra_doses, institution_due_doses
from .statistics import institution_daily_counts, region_daily_counts


def _errors(request: HttpRequest, exc: Exception) -> None:
    if isinstance(exc, ValidationError):
        messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, str(exc))


def default_session(now: datetime | None = None) -> str:
    now = timezone.localtime(now)
    return Session.MORNING if now.hour < 11 else Session.NOON


class CareRequiredMixin(RoleRequiredMixin):
    """Institution staff who record daily care (director, caregiver, health worker); others 403."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and not grants_for(request.user, "care").institution_ids:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ChecksView(CareRequiredMixin, TemplateView):
    """晨午检: the class list with one tap "normal", "all normal" and a form for an abnormal finding."""

    template_name = "health/checks.html"

    def classes(self) -> list[InstitutionClass]:
        return list(
            InstitutionClass.objects.filter(
                institution__in=Institution.objects.for_user(self.request.user, "care")
            )
            .select_related("institution")
            .order_by("institution__name", "name", "id")
        )

    def selected(self, classes: list[InstitutionClass], raw: str | None) -> InstitutionClass | None:
        if not raw:
            return classes[0] if classes else None
        try:
            pk = int(raw)
        except ValueError:
            raise Http404 from None
        found = next((c for c in classes if c.pk == pk), None)
        if found is None:
            raise Http404
        return found

    def session(self, raw: str | None) -> str:
        return raw if raw in Session.values else default_session()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        classes = self.classes()
        klass = self.selected(classes, self.request.GET.get("class"))
        session = self.session(self.request.GET.get("session"))
        day = timezone.localdate()
        rows = class_check_rows(klass, day, session) if klass else []
        context.update(
            classes=classes,
            klass=klass,
            session=session,
            sessions=Session.choices,
            day=day,
            rows=rows,
            present=sum(r.present for r in rows),
            checked=sum(r.check is not None for r in rows),
            unchecked_present=sum(r.present and r.check is None for r in rows),
            abnormal=sum(bool(r.check and r.check.abnormal) for r in rows),
            form=CheckForm(initial={"session": session}),
            temperature_rule=temperature_rule(),
            check_items=CHECK_ITEMS,
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        classes = self.classes()
        klass = self.selected(classes, request.POST.get("class"))
        if klass is None:
            raise Http404
        session = self.session(request.POST.get("session"))
        action = request.POST.get("action")
        back = f"{reverse('health:checks')}?{urlencode({'class': klass.pk, 'session': session})}"
        try:
            if action == "all_normal":
                done = services.health_checks_all_normal(actor=request.user, klass=klass, session=session)
                messages.success(request, _("{n} children recorded as normal.").format(n=len(done)))
            elif action in {"normal", "abnormal"}:
                raw_child = request.POST.get("child") or ""
                child = get_object_or_404(
                    Child.objects.for_user(request.user, "care").filter(klass=klass),
                    pk=int(raw_child) if raw_child.isdigit() else 0,
                )
                if action == "normal":
                    services.health_check_record(actor=request.user, child=child, session=session)
                    messages.success(request, _("{name}: normal.").format(name=child.name))
                else:
                    form = CheckForm(request.POST)
                    if not form.is_valid():
                        messages.error(
                            request,
                            "; ".join(f"{k}: {' '.join(str(m) for m in v)}" for k, v in form.errors.items()),
                        )
                        return redirect(back)
                    data = form.cleaned_data
                    check = services.health_check_record(
                        actor=request.user,
                        child=child,
                        session=session,
                        temperature=data["temperature"],
                        mouth=data["mouth"],
                        hands=data["hands"],
                        skin=data["skin"],
                        mood=data["mood"],
                        symptoms=data["symptoms"],
                        notes=data["notes"],
                        outcome=data["outcome"] or None,
                        replace=True,
                    )
                    messages.success(
                        request,
                        _("{name}: {outcome}; the guardians have been told.").format(
                            name=child.name, outcome=check.get_outcome_display()
                        )
                        if check.abnormal
                        else _("{name}: normal.").format(name=child.name),
                    )
            else:
                raise Http404
        except (ValidationError, Conflict, PermissionDenied) as exc:
            _errors(request, exc)
        return redirect(back)


class InstitutionImmunisationsView(RoleRequiredMixin, TemplateView):
    """The health worker's list: the institution's children with due and overdue doses."""

    template_name = "health/immunisations.html"
    required_check = "is_staff_member"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        institutions = list(Institution.objects.for_user(self.request.user, "view").order_by("name", "id"))
        raw = self.request.GET.get("institution")
        institution = institutions[0] if institutions else None
        if raw:
            institution = next((i for i in institutions if str(i.pk) == raw), None)
            if institution is None:
                raise Http404
        only_overdue = self.request.GET.get("only") == "overdue"
        today = timezone.localdate()
        rows = institution_due_doses(institution, today, only_overdue=only_overdue) if institution else []
        context.update(
            institutions=institutions,
            institution=institution,
            rows=rows,
            today=today,
            only_overdue=only_overdue,
            overdue_children=sum(1 for r in rows if r.overdue),
            source=SCHEDULE_SOURCE,
            grace=GRACE_MONTHS,
        )
        return context


class ChildImmunisationsView(RoleRequiredMixin, TemplateView):
    """One child's schedule against their doses; staff with care and the guardians may add a dose."""

    template_name = "health/child_immunisations.html"

    def child(self) -> Child:
        child = child_for_user(self.request.user, self.kwargs["pk"], "view")
        if child is None:
            raise Http404
        return child

    def may_record(self, child: Child) -> bool:
        user = self.request.user
        return (
            Child.objects.for_user(user, "care").filter(pk=child.pk).exists()
            or Child.objects.for_user(user, "change")
            .filter(pk=child.pk, guardians__user_id=user.pk or 0)
            .exists()
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        child = kwargs.get("child") or self.child()
        audit_view(actor=self.request.user, obj=child, request=self.request)
        today = timezone.localdate()
        rows = child_schedule(child, today)
        context.update(
            child=child,
            rows=rows,
            extra=extra_doses(child),
            today=today,
            source=SCHEDULE_SOURCE,
            effective=SCHEDULE_EFFECTIVE,
            grace=GRACE_MONTHS,
            may_record=self.may_record(child),
            form=kwargs.get("form") or DoseForm(),
            checks_today=child_checks_on(child, today),
            overdue=sum(r.status == "overdue" for r in rows),
            due=sum(r.status == "due" for r in rows),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        child = self.child()
        form = DoseForm(request.POST)
        if form.is_valid():
            try:
                services.vaccine_dose_record(actor=request.user, child=child, **form.cleaned_data)
            except (ValidationError, Conflict, PermissionDenied) as exc:
                if isinstance(exc, PermissionDenied):
                    raise
                _errors(request, exc)
                return self.render_to_response(self.get_context_data(child=child, form=form))
            messages.success(request, _("Dose recorded."))
            return redirect("health:child_immunisations", child.pk)
        return self.render_to_response(self.get_context_data(child=child, form=form))


class AlertsView(RoleRequiredMixin, TemplateView):
    """Township symptom-cluster alerts for officials; acknowledging needs "inspect" over the township."""

    template_name = "health/alerts.html"
    required_check = "is_official"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        alerts = list(
            SymptomClusterAlert.objects.for_user(user, "view")
            .select_related("township", "acknowledged_by")
            .prefetch_related("institutions")
            .order_by("acknowledged_at", "-window_end", "-id")[:200]
        )
        may_ack = set(
            SymptomClusterAlert.objects.for_user(user, "inspect")
            .filter(pk__in=[a.pk for a in alerts])
            .values_list("pk", flat=True)
        )
        context.update(alerts=alerts, may_ack=may_ack, rule=cluster_rule(), form=AcknowledgeForm())
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        raw = request.POST.get("alert") or ""
        alert = get_object_or_404(
            SymptomClusterAlert.objects.for_user(request.user, "view"), pk=int(raw) if raw.isdigit() else 0
        )
        form = AcknowledgeForm(request.POST)
        note = form.cleaned_data["note"] if form.is_valid() else ""
        services.symptom_alert_acknowledge(actor=request.user, alert=alert, note=note)
        messages.success(request, _("Alert acknowledged."))
        return redirect("health:alerts")


class OverviewView(RoleRequiredMixin, TemplateView):
    """Daily counts: officials by child region with drill-down; staff their own institution."""

    template_name = "health/overview.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        day = timezone.localdate()
        raw = self.request.GET.get("date")
        if raw:
            try:
                day = min(date.fromisoformat(raw), day)
            except ValueError:
                raise Http404 from None
        region = overview_region(user, self.request.GET.get("region"))
        if region is not None:
            counts = region_daily_counts(user, region, day)
            grants = grants_for(user, "view")
            crumbs = [r for r in region.ancestors() if grants.covers_code(r.code)]
        else:
            counts = institution_daily_counts(user, day)
            crumbs = []
        context.update(
            counts=counts,
            region=region,
            breadcrumbs=crumbs,
            day=day,
            symptom_rules=SYMPTOM_RULES,
            temperature_rule=temperature_rule(),
        )
        return context
