"""Pages of the growth app: a centre's children with flags and who is due, a child's growth chart, and
recording a measurement. Objects come through `for_user()`: out of scope answers 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoyu.children.models import Child
from tuoyu.core.api import Conflict
from tuoyu.core.audit import audit_view
from tuoyu.institutions.models import Institution
from tuoyu.institutions.selectors import staff_institutions

from . import services, who, wst423
from .charts import growth_charts
from .forms import GrowthMeasurementForm
from .rules import DUE_AFTER_DAYS, DUE_RULE_SOURCE, FLAG_RULES, HEADLINE_FLAGS, WHO_CUTOFFS_SOURCE
from .selectors import child_series, growth_flag_counts, institution_children_status, statuses_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Staff: the centre's children, their latest flags and who is due a measurement. Officials: flag
    counts per institution in their scope."""
    today = timezone.localdate()
    institutions = staff_institutions(request.user)
    if institutions:
        chosen = institutions[0]
        wanted = request.GET.get("institution", "")
        if wanted.isdigit():
            chosen = next((i for i in institutions if i.pk == int(wanted)), chosen)
        show = request.GET.get("show", "")
        children = institution_children_status(
            chosen, today=today, flagged_only=show == "flagged", due_only=show == "due"
        )
        page = Paginator(children, 50).get_page(request.GET.get("page"))
        counts = growth_flag_counts(Institution.objects.filter(pk=chosen.pk)).get(chosen.pk)
        return render(
            request,
            "growth/home.html",
            {
                "institution": chosen,
                "institutions": institutions,
                "page": page,
                "rows": statuses_for(list(page.object_list), today=today),
                "show": show,
                "counts": counts,
                "headline_flags": [r for r in FLAG_RULES if r.code in HEADLINE_FLAGS],
                "due_after_days": DUE_AFTER_DAYS,
                "due_rule_source": DUE_RULE_SOURCE,
                "cutoffs_source": WHO_CUTOFFS_SOURCE,
            },
        )
    if not request.user.is_official:  # type: ignore[union-attr]
        raise PermissionDenied
    visible = (
        Institution.objects.for_user(request.user, "view").filter(current_children__isnull=False).distinct()
    )
    inst_page = Paginator(visible.order_by("name", "id"), 50).get_page(request.GET.get("page"))
    by_inst = growth_flag_counts(Institution.objects.filter(pk__in=[i.pk for i in inst_page.object_list]))
    return render(
        request,
        "growth/overview.html",
        {
            "page": inst_page,
            "rows": [(i, by_inst.get(i.pk)) for i in inst_page.object_list],
            "flags": FLAG_RULES,
            "cutoffs_source": WHO_CUTOFFS_SOURCE,
        },
    )


@login_required
def child(request: HttpRequest, child_id: int) -> HttpResponse:
    """A child's measurements and growth charts (parents reach their own child through for_user)."""
    obj = get_object_or_404(
        Child.objects.for_user(request.user, "view").select_related("institution"), pk=child_id
    )
    audit_view(actor=request.user, obj=obj, request=request)
    series = list(child_series(obj))
    can_record = Child.objects.for_user(request.user, "care").filter(pk=obj.pk).exists()
    return render(
        request,
        "growth/child.html",
        {
            "child": obj,
            "series": list(reversed(series)),
            "charts": growth_charts(obj.sex, series),
            "can_record": can_record,
            "form": GrowthMeasurementForm(initial={"measured_on": timezone.localdate()})
            if can_record
            else None,
            "transcription_label": wst423.TRANSCRIPTION_LABEL,
            "wst_has_data": wst423.has_data(),
            "who_version": who.STANDARD_VERSION,
            "flags": FLAG_RULES,
        },
    )


@login_required
def record(request: HttpRequest, child_id: int) -> HttpResponse:
    """Record a measurement (centre staff with `care` on the child); others who see the child get 403."""
    obj = Child.objects.for_user(request.user, "view").filter(pk=child_id).first()
    if obj is None:
        raise Http404
    if not Child.objects.for_user(request.user, "care").filter(pk=obj.pk).exists():
        raise PermissionDenied
    form = GrowthMeasurementForm(request.POST or None, initial={"measured_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            m = services.growth_measurement_record(
                actor=request.user,
                child=obj,
                measured_on=data["measured_on"],
                weight_kg=data["weight_kg"],
                length_cm=data["length_cm"],
                position=data["position"] if data["length_cm"] is not None else "",
                head_cm=data["head_cm"],
                note=data["note"],
                request=request,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except Conflict as exc:
            form.add_error("measured_on", str(exc))
        else:
            messages.success(request, _("Measurement of {day} recorded.").format(day=m.measured_on))
            return redirect("growth:child", child_id=obj.pk)
    return render(request, "growth/record.html", {"child": obj, "form": form})
