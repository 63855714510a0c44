"""Quality pages (under /quality/): the government's overview (assessments in scope by state, grades by
region, provisional recognition lists, the form's state), the institution's self-assessment page, an
assessment's scoring page (phone-first), the form versions and the province's form editor, and
evidence files sent only to users in scope.

Assessments come through `for_user` (out of scope answers 404); writes go through `services.py`,
whose refusals are shown as messages (a user who sees an assessment but may not act gets 403).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from tuoyu.core.api import Conflict
from tuoyu.core.audit import audit_view
from tuoyu.core.views import RoleRequiredMixin
from tuoyu.institutions.models import Institution
from tuoyu.institutions.selectors import staff_institutions

from . import selectors, services
from .choices import AssessmentStatus, FormStatus, ValueType
from .forms import DimensionForm, EvidenceForm, FormHeaderForm, ItemForm, ScoreForm, TransitionForm
from .models import Assessment, AssessmentEvidence, AssessmentForm, AssessmentScore, FormDimension, FormItem

PAGE_SIZE = 50


def _errors(request: HttpRequest, exc: Exception) -> None:
    if isinstance(exc, ValidationError):
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.error(request, str(exc))


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


# --- Government overview --------------------------------------------------------------------------


class HomeView(OfficialMixin, View):
    """Officials: assessments in scope by state, current grades by region, recognition lists, the form."""

    def get(self, request: HttpRequest) -> HttpResponse:
        scoped = Assessment.objects.for_user(request.user, "view")
        status = request.GET.get("status", "")
        listed = scoped.select_related("institution", "institution__county", "form").order_by(
            "-started_at", "-id"
        )
        if status in AssessmentStatus.values:
            listed = listed.filter(status=status)
        page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
        level = "city" if request.GET.get("by") == "city" else "county"
        form = services.form_active()
        demonstration = selectors.eligible(request.user, selectors.DEMONSTRATION_GRADES)
        inclusive = selectors.eligible(request.user, selectors.INCLUSIVE_GRADES)
        return render(
            request,
            "quality/home.html",
            {
                "status": status,
                "statuses": AssessmentStatus.choices,
                "counts": selectors.status_counts(scoped),
                "page_obj": page,
                "is_paginated": page.has_other_pages(),
                "level": level,
                "distribution": selectors.grade_distribution(request.user, level),
                "form": form,
                "summary": selectors.form_summary(form) if form else None,
                "can_edit_forms": services.can_edit_forms(request.user),
                "demonstration": list(demonstration[:20]),
                "demonstration_count": demonstration.count(),
                "inclusive": list(inclusive[:20]),
                "inclusive_count": inclusive.count(),
            },
        )


# --- Institution end ------------------------------------------------------------------------------


def chosen_institution(request: HttpRequest) -> tuple[Institution, list[Institution]]:
    institutions = staff_institutions(request.user, "view")
    if not institutions:
        raise PermissionDenied
    wanted = request.GET.get("institution", "") or request.POST.get("institution", "")
    chosen = next((i for i in institutions if str(i.pk) == wanted), institutions[0])
    return chosen, institutions


class InstHomeView(StaffMixin, View):
    """Staff: the institution's assessment in progress (or a button to start one), past ones, its grade."""

    def get(self, request: HttpRequest) -> HttpResponse:
        institution, institutions = chosen_institution(request)
        assessments = list(
            Assessment.objects.filter(institution=institution)
            .select_related("form")
            .order_by("-started_at", "-id")[:20]
        )
        open_one = next((a for a in assessments if a.status != AssessmentStatus.PUBLISHED), None)
        form = services.form_active()
        return render(
            request,
            "quality/inst_home.html",
            {
                "institution": institution,
                "institutions": institutions,
                "assessments": assessments,
                "open": open_one,
                "latest": selectors.latest_grade(institution),
                "form": form,
                "can_start": form is not None
                and open_one is None
                and services.may(request.user, institution.pk, "start"),
            },
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        institution, _institutions = chosen_institution(request)
        try:
            assessment = services.assessment_start(actor=request.user, institution=institution)
        except (ValidationError, Conflict) as exc:
            _errors(request, exc)
            return redirect(f"{reverse('quality:inst_home')}?institution={institution.pk}")
        messages.success(request, _("Self-assessment started."))
        return redirect("quality:assessment", pk=assessment.pk)


# --- One assessment -------------------------------------------------------------------------------


class AssessmentView(StaffOrOfficialMixin, View):
    """An assessment's items by dimension, with the self score beside the county's; the scoring forms
    of whoever scores now; the transitions the user may make; the history."""

    def _get(self, request: HttpRequest, pk: int) -> Assessment:
        return get_object_or_404(
            Assessment.objects.for_user(request.user, "view").select_related(
                "institution", "form", "assessed_by"
            ),
            pk=pk,
        )

    def _side(self, request: HttpRequest, assessment: Assessment) -> str:
        if assessment.status == AssessmentStatus.SELF_ASSESSING and services.may(
            request.user, assessment.institution_id, "self_score"
        ):
            return "self"
        if assessment.status == AssessmentStatus.SELF_SUBMITTED and services.may(
            request.user, assessment.institution_id, "county_score"
        ):
            return "county"
        return ""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        from .api import shows_county

        assessment = self._get(request, pk)
        side = self._side(request, assessment)
        scores = list(
            AssessmentScore.objects.filter(assessment=assessment)
            .select_related("item", "item__dimension")
            .prefetch_related("evidence")
            .order_by("item__dimension__order", "item__order", "item_id")
        )
        totals = selectors.dimension_totals(assessment)
        by_dimension: dict[int, list[AssessmentScore]] = {}
        for s in scores:
            by_dimension.setdefault(s.item.dimension_id, []).append(s)
        for row in totals:
            row["scores"] = by_dimension.get(row["dimension"].pk, [])
        actions = [
            {"action": action, "to": AssessmentStatus(to).label}
            for (frm, to), action in services.TRANSITIONS.items()
            if frm == assessment.status and services.may(request.user, assessment.institution_id, action)
        ]
        return render(
            request,
            "quality/assessment.html",
            {
                "assessment": assessment,
                "form": assessment.form,
                "dimensions": totals,
                "side": side,
                "show_county": shows_county(request.user, assessment),
                "actions": actions,
                "transitions": list(assessment.transitions.select_related("actor")),
                "yes_no": ValueType.YES_NO,
                "is_staff_view": request.user.is_staff_member,  # type: ignore[union-attr]
                "done_self": sum(1 for s in scores if s.self_score is not None),
                "done_county": sum(1 for s in scores if s.county_score is not None),
                "n_items": len(scores),
            },
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        assessment = self._get(request, pk)
        kind = request.POST.get("kind", "")
        anchor = ""
        try:
            if kind == "score":
                form = ScoreForm(request.POST)
                if not form.is_valid():
                    raise ValidationError([str(e) for errors in form.errors.values() for e in errors])
                item = get_object_or_404(
                    FormItem, pk=form.cleaned_data["item"], dimension__form=assessment.form_id
                )
                services.assessment_score(
                    actor=request.user,
                    assessment=assessment,
                    item=item,
                    score=form.cleaned_data["score"],
                    note=form.cleaned_data["note"],
                )
                anchor = f"#item-{item.pk}"
                messages.success(request, _("Saved: {clause}.").format(clause=item.clause))
            elif kind == "evidence":
                evidence_form = EvidenceForm(request.POST, request.FILES)
                if not evidence_form.is_valid():
                    raise ValidationError(
                        [str(e) for errors in evidence_form.errors.values() for e in errors]
                    )
                item = get_object_or_404(
                    FormItem, pk=evidence_form.cleaned_data["item"], dimension__form=assessment.form_id
                )
                services.assessment_attach_evidence(
                    actor=request.user,
                    assessment=assessment,
                    item=item,
                    upload=evidence_form.cleaned_data["file"],
                )
                anchor = f"#item-{item.pk}"
                messages.success(request, _("Evidence added."))
            elif kind == "transition":
                transition = TransitionForm(request.POST)
                if not transition.is_valid():
                    raise ValidationError(_("Unknown action."))
                self._transition(
                    request, assessment, transition.cleaned_data["action"], transition.cleaned_data["reason"]
                )
                messages.success(request, _("Done."))
            else:
                raise ValidationError(_("Unknown action."))
        except (ValidationError, Conflict) as exc:
            _errors(request, exc)
        return redirect(reverse("quality:assessment", args=[assessment.pk]) + anchor)

    def _transition(self, request: HttpRequest, assessment: Assessment, action: str, reason: str) -> None:
        user = request.user
        if action == "self_submit":
            services.assessment_self_submit(actor=user, assessment=assessment, reason=reason)
        elif action == "return":
            services.assessment_return(actor=user, assessment=assessment, reason=reason)
        elif action == "county_submit":
            services.assessment_county_submit(actor=user, assessment=assessment, note=reason)
        elif action == "reopen":
            services.assessment_reopen(actor=user, assessment=assessment, reason=reason)
        else:
            services.assessment_publish(actor=user, assessment=assessment, reason=reason)


def evidence_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    """An evidence file, to users who may see the assessment (audited)."""
    if not request.user.is_authenticated:
        return redirect(f"{reverse('accounts:login')}?next={request.path}")
    evidence = get_object_or_404(AssessmentEvidence.objects.for_user(request.user, "view"), pk=pk)
    audit_view(actor=request.user, obj=evidence, request=request)
    response = FileResponse(evidence.file.open("rb"), content_type=evidence.content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- The form -------------------------------------------------------------------------------------


class FormListView(StaffOrOfficialMixin, View):
    """Every version of the assessment forms, with its state; province managers make a new version."""

    def get(self, request: HttpRequest) -> HttpResponse:
        forms = list(AssessmentForm.objects.order_by("standard", "-version"))
        for form in forms:
            form.summary = selectors.form_summary(form)  # type: ignore[attr-defined]
        return render(
            request,
            "quality/forms.html",
            {"forms": forms, "can_edit_forms": services.can_edit_forms(request.user)},
        )


class FormEditView(StaffOrOfficialMixin, View):
    """A form version: read-only when active or retired; a draft is edited here by province managers."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = get_object_or_404(AssessmentForm, pk=pk)
        editable = form.editable and services.can_edit_forms(request.user)
        dimensions = list(form.dimensions.prefetch_related("items"))
        if editable:
            for d in dimensions:
                d.edit_form = DimensionForm(instance=d, prefix=f"d{d.pk}")  # type: ignore[attr-defined]
                d.new_item_form = ItemForm(prefix=f"new{d.pk}")  # type: ignore[attr-defined]
                for item in d.items.all():
                    item.edit_form = ItemForm(instance=item, prefix=f"i{item.pk}")  # type: ignore[attr-defined]
        return render(
            request,
            "quality/form_edit.html",
            {
                "form_obj": form,
                "dimensions": dimensions,
                "summary": selectors.form_summary(form),
                "editable": editable,
                "can_edit_forms": services.can_edit_forms(request.user),
                "header_form": FormHeaderForm(instance=form) if editable else None,
                "has_draft": AssessmentForm.objects.filter(
                    standard=form.standard, status=FormStatus.DRAFT
                ).exists(),
                "used_by": form.assessments.count(),
            },
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        form = get_object_or_404(AssessmentForm, pk=pk)
        if not services.can_edit_forms(request.user):
            raise PermissionDenied
        kind = request.POST.get("kind", "")
        target = form
        try:
            if kind == "new_version":
                target = services.form_new_version(actor=request.user, form=form)
                messages.success(
                    request, _("Draft version {v} made: edit it, then activate it.").format(v=target.version)
                )
            elif kind == "activate":
                services.form_activate(actor=request.user, form=form)
                messages.success(request, _("Version {v} is now active.").format(v=form.version))
            elif kind == "header":
                header = FormHeaderForm(request.POST, instance=AssessmentForm.objects.get(pk=form.pk))
                if not header.is_valid():
                    raise ValidationError(
                        [f"{k}: {e}" for k, errors in header.errors.items() for e in errors]
                    )
                services.form_update(actor=request.user, form=form, **header.cleaned_data)
                messages.success(request, _("Saved."))
            elif kind == "dimension":
                dimension = get_object_or_404(FormDimension, pk=request.POST.get("dimension") or 0, form=form)
                dim_form = DimensionForm(
                    request.POST,
                    instance=FormDimension.objects.get(pk=dimension.pk),
                    prefix=f"d{dimension.pk}",
                )
                if not dim_form.is_valid():
                    raise ValidationError([str(e) for errors in dim_form.errors.values() for e in errors])
                services.form_dimension_update(
                    actor=request.user, dimension=dimension, **dim_form.cleaned_data
                )
                messages.success(request, _("Saved."))
            elif kind in {"item", "new_item"}:
                dimension = get_object_or_404(FormDimension, pk=request.POST.get("dimension") or 0, form=form)
                item = None
                if kind == "item":
                    item = get_object_or_404(FormItem, pk=request.POST.get("item") or 0, dimension__form=form)
                prefix = f"i{item.pk}" if item else f"new{dimension.pk}"
                item_form = ItemForm(request.POST, instance=FormItem(dimension=dimension), prefix=prefix)
                if not item_form.is_valid():
                    raise ValidationError(
                        [f"{k}: {e}" for k, errors in item_form.errors.items() for e in errors]
                    )
                services.form_item_save(
                    actor=request.user, dimension=dimension, item=item, **item_form.cleaned_data
                )
                messages.success(request, _("Saved."))
            elif kind == "delete_item":
                item = get_object_or_404(FormItem, pk=request.POST.get("item") or 0, dimension__form=form)
                services.form_item_delete(actor=request.user, item=item)
                messages.success(request, _("Item deleted."))
            else:
                raise ValidationError(_("Unknown action."))
        except (ValidationError, Conflict) as exc:
            _errors(request, exc)
        return redirect("quality:form", pk=target.pk)
