"""Pages of the spotchecks app (under /spotchecks/): plans and batches, the draw and its replay, the
inspectors register with conflict declarations (officials), and the published draws (public).

Records come through `for_user` (out of scope answers 404); writes go through `services.py`, whose
refusals are shown on the form (an official who sees a plan but may not manage it gets 403).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from tuoyu.accounts.models import User
from tuoyu.core.api import Conflict
from tuoyu.core.scoping import grants_for
from tuoyu.core.views import RoleRequiredMixin
from tuoyu.institutions.models import Institution
from tuoyu.regions.models import Region

from . import selectors, services
from .choices import ConflictRelation, StratumKey
from .forms import BatchForm, DeclarationForm, DrawForm, PlanForm, UnitDeclarationForm
from .models import Batch, ConflictDeclaration, Draw, InspectionPlan
from .rules import RULES_NOTE, STRATA_BY_KEY, rate_percent

PAGE_SIZE = 30


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


def _page(request: HttpRequest, queryset: Any, size: int = PAGE_SIZE) -> dict[str, Any]:
    page = Paginator(queryset, size).get_page(request.GET.get("page"))
    return {"page_obj": page, "paginator": page.paginator, "is_paginated": page.has_other_pages()}


def _strata_rows(strata: list[dict[str, Any]]) -> list[dict[str, Any]]:
    labels = dict(StratumKey.choices)
    return [
        {
            "key": s["key"],
            "label": labels.get(s["key"], s["key"]),
            "rate": rate_percent(s["rate_bp"]),
            "lookback_days": s.get("lookback_days") or 0,
            "source": STRATA_BY_KEY[s["key"]].source if s["key"] in STRATA_BY_KEY else "",
        }
        for s in strata
    ]


class OfficialMixin(RoleRequiredMixin):
    required_check = "is_official"


# --- Plans and batches ---------------------------------------------------------------------------


class HomeView(OfficialMixin, View):
    """Plans and batches of the offices in the user's scope; a form to file a plan (offices with manage)."""

    def get(self, request: HttpRequest, form: Any = None, status: int = 200) -> HttpResponse:
        plans = (
            InspectionPlan.objects.for_user(request.user, "view")
            .select_related("region")
            .prefetch_related(
                Prefetch(
                    "batches",
                    queryset=Batch.objects.select_related("scope_region", "draw")
                    .defer("draw__inputs", "draw__result")
                    .order_by("window_start", "id"),
                )
            )
            .order_by("-year", "region_id", "id")
        )
        regions = selectors.plan_regions(request.user)
        return render(
            request,
            "spotchecks/home.html",
            {
                **_page(request, plans),
                "form": form or (PlanForm(regions=regions) if regions else None),
                "rules_note": RULES_NOTE,
            },
            status=status,
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        regions = selectors.plan_regions(request.user)
        if not regions:
            raise PermissionDenied
        form = PlanForm(request.POST, regions=regions)
        plan = _apply(
            form,
            lambda d: services.plan_create(
                actor=request.user,
                region=next(r for r in regions if r.code == d["region"]),
                year=d["year"],
                title=d["title"],
            ),
        )
        if plan is None:
            return self.get(request, form=form, status=422)
        messages.success(request, _("Plan filed."))
        return redirect("spotchecks:plan", pk=plan.pk)


class PlanDetailView(OfficialMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        plan = get_object_or_404(
            InspectionPlan.objects.for_user(request.user, "view").select_related("region"), pk=pk
        )
        batches = (
            plan.batches.select_related("scope_region", "draw")
            .defer("draw__inputs", "draw__result")
            .order_by("window_start", "id")
        )
        return render(
            request,
            "spotchecks/plan.html",
            {
                "plan": plan,
                "batches": batches,
                "can_manage": services.can_manage(request.user, plan.region_id),
            },
        )


class BatchCreateView(OfficialMixin, View):
    """A new batch of a plan: scope, window, team size and the strata's rates (defaults from rules.py)."""

    def _plan(self, request: HttpRequest, pk: int) -> InspectionPlan:
        plan = get_object_or_404(
            InspectionPlan.objects.for_user(request.user, "view").select_related("region"), pk=pk
        )
        if not services.can_manage(request.user, plan.region_id):
            raise PermissionDenied
        return plan

    def _render(
        self, request: HttpRequest, plan: InspectionPlan, form: BatchForm, status: int = 200
    ) -> HttpResponse:
        return render(
            request,
            "spotchecks/batch_form.html",
            {"plan": plan, "form": form, "rules_note": RULES_NOTE},
            status=status,
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        plan = self._plan(request, pk)
        today = timezone.localdate()
        initial = {
            "scope_region": plan.region_id,
            "window_start": today if today.year == plan.year else date(plan.year, 1, 1),
            "window_end": date(plan.year, 12, 31),
        }
        form = BatchForm(regions=selectors.scope_choices(plan.region), initial=initial)
        return self._render(request, plan, form)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        plan = self._plan(request, pk)
        regions = selectors.scope_choices(plan.region)
        form = BatchForm(request.POST, regions=regions)
        batch = _apply(
            form,
            lambda d: services.batch_create(
                actor=request.user,
                plan=plan,
                name=d["name"],
                scope_region=next(r for r in regions if r.code == d["scope_region"]),
                window_start=d["window_start"],
                window_end=d["window_end"],
                team_size=d["team_size"],
                institution_kinds=d["institution_kinds"],
                operating_only=d["operating_only"],
                strata=form.strata(),
            ),
        )
        if batch is None:
            return self._render(request, plan, form, status=422)
        messages.success(request, _("Batch added."))
        return redirect("spotchecks:batch", pk=batch.pk)


class BatchDetailView(OfficialMixin, View):
    """A batch with its settings; the draw button for offices that manage it (once)."""

    def _batch(self, request: HttpRequest, pk: int) -> Batch:
        return get_object_or_404(
            Batch.objects.for_user(request.user, "view").select_related("plan__region", "scope_region"), pk=pk
        )

    def get(self, request: HttpRequest, pk: int, form: Any = None, status: int = 200) -> HttpResponse:
        batch = self._batch(request, pk)
        draw = Draw.objects.filter(batch=batch).first()
        return render(
            request,
            "spotchecks/batch.html",
            {
                "batch": batch,
                "draw": draw,
                "strata": _strata_rows(batch.strata),
                "can_draw": draw is None and services.can_manage(request.user, batch.plan.region_id),
                "form": form or DrawForm(),
                "rules_note": RULES_NOTE,
            },
            status=status,
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        batch = self._batch(request, pk)
        if not services.can_manage(request.user, batch.plan.region_id):
            raise PermissionDenied
        if Draw.objects.filter(batch=batch).exists():
            messages.error(request, _("This batch has already been drawn."))
            return self.get(request, pk, status=409)
        form = DrawForm(request.POST)
        draw = _apply(form, lambda d: services.draw_run(actor=request.user, batch=batch, seed=d["seed"]))
        if draw is None:
            return self.get(request, pk, form=form, status=422)
        messages.success(request, _("Drawn and published."))
        return redirect("spotchecks:draw", pk=draw.pk)


class DrawDetailView(OfficialMixin, View):
    """A draw with its stored inputs, teams and exclusions; POST replays it from the stored record."""

    def _draw(self, request: HttpRequest, pk: int) -> Draw:
        return get_object_or_404(
            Draw.objects.for_user(request.user, "view").select_related(
                "batch__plan__region", "batch__scope_region", "drawn_by"
            ),
            pk=pk,
        )

    def _render(self, request: HttpRequest, draw: Draw, replay: dict[str, Any] | None = None) -> HttpResponse:
        detail = selectors.draw_detail(draw)
        codes = {code for i in detail["inspectors"] for code in i.get("regions", [])}
        names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
        inspectors = [
            {**i, "region_names": [names.get(code, code) for code in i.get("regions", [])]}
            for i in detail["inspectors"]
        ]
        inspections = {row["inspection_id"] for row in detail["institutions"] if row["inspection_id"]}
        return render(
            request,
            "spotchecks/draw.html",
            {
                "draw": draw,
                "detail": detail,
                "inspectors": inspectors,
                "opened": len(inspections),
                "no_team": sum(1 for row in detail["institutions"] if row["no_team"]),
                "replay": replay,
                "replay_rows": _replay_rows(replay, detail) if replay else [],
            },
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._render(request, self._draw(request, pk))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        draw = self._draw(request, pk)
        return self._render(request, draw, services.draw_replay(actor=request.user, draw=draw))


def _replay_rows(replay: dict[str, Any], detail: dict[str, Any]) -> list[dict[str, str]]:
    """The replay's differences in words."""
    names = {i["id"]: i["name"] for i in detail["inspectors"]}
    institutions = {row["institution_id"]: row["name"] for row in detail["institutions"]}
    labels = dict(StratumKey.choices)

    def team(row: dict[str, Any] | None) -> str:
        if not row:
            return "—"
        return "、".join(names.get(i, str(i)) for i in row.get("team", [])) or _("no team")

    rows = []
    for diff in replay["differences"]:
        if diff["kind"] == "stratum":
            a, b = diff.get("stored") or {}, diff.get("recomputed") or {}
            rows.append(
                {
                    "what": str(labels.get(diff["key"], diff["key"])),
                    "stored": _("{drawn} of {size}").format(
                        drawn=a.get("drawn", "—"), size=a.get("size", "—")
                    ),
                    "recomputed": _("{drawn} of {size}").format(
                        drawn=b.get("drawn", "—"), size=b.get("size", "—")
                    ),
                }
            )
        else:
            row_a, row_b = diff.get("stored"), diff.get("recomputed")
            name = (
                institutions.get(diff["institution"]) or (row_b or {}).get("name") or str(diff["institution"])
            )
            rows.append(
                {
                    "what": name,
                    "stored": team(row_a) if row_a else _("not drawn"),
                    "recomputed": team(row_b) if row_b else _("not drawn"),
                }
            )
    if not replay["digest_matches"]:
        rows.append({"what": _("Published fingerprint"), "stored": _("does not match"), "recomputed": ""})
    return rows


# --- The inspectors register ---------------------------------------------------------------------


class InspectorsView(OfficialMixin, View):
    """执法检查人员名录库: the inspectors of a region in scope, and own-unit declarations."""

    def _region(self, request: HttpRequest) -> tuple[Region, list[Region]]:
        tops = selectors.register_regions(request.user)
        wanted = request.GET.get("region", "")
        if wanted:
            region = Region.objects.filter(code=wanted).first()
            if region is None or not grants_for(request.user, "view").covers_code(region.code):
                raise Http404
            return region, tops
        if not tops:
            raise Http404
        return tops[0], tops

    def get(self, request: HttpRequest, form: Any = None, status: int = 200) -> HttpResponse:
        region, tops = self._region(request)
        units = selectors.units_within(region)
        can_manage = services.can_manage(request.user, region.code)
        children = Region.objects.filter(parent=region).exclude(level="community").order_by("code")
        return render(
            request,
            "spotchecks/inspectors.html",
            {
                "region": region,
                "tops": tops,
                "children": children,
                **_page(request, selectors.register(region), 50),
                "unit_declarations": selectors.unit_declarations(request.user, region)[:100],
                "form": form
                or (UnitDeclarationForm(user=request.user, units=units) if can_manage and units else None),
            },
            status=status,
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        region, _tops = self._region(request)
        if not services.can_manage(request.user, region.code):
            raise PermissionDenied
        form = UnitDeclarationForm(request.POST, user=request.user, units=selectors.units_within(region))
        done = _apply(
            form,
            lambda d: services.declaration_add(
                actor=request.user,
                institution=d["institution"],
                relation=ConflictRelation.OWN_UNIT,
                unit=d["unit"],
                declared_on=d["declared_on"],
                note=d["note"],
            ),
        )
        if done is None:
            return self.get(request, form=form, status=422)
        messages.success(request, _("Declaration recorded."))
        return redirect(f"{request.path}?region={region.code}")


class InspectorView(OfficialMixin, View):
    """One inspector of the register: their roles, declarations, and a form to declare a conflict."""

    def _inspector(self, request: HttpRequest, pk: int) -> tuple[User, list[Any]]:
        grants = grants_for(request.user, "view")
        assignments = [
            a
            for a in selectors.inspector_assignments().filter(user_id=pk).select_related("user", "region")
            if a.region_id and grants.covers_code(a.region_id)
        ]
        if not assignments:
            raise Http404
        return assignments[0].user, assignments

    def get(self, request: HttpRequest, pk: int, form: Any = None, status: int = 200) -> HttpResponse:
        inspector, assignments = self._inspector(request, pk)
        may_declare = request.user.pk == inspector.pk or any(
            services.can_manage(request.user, a.region_id) for a in assignments
        )
        units = {a.unit for a in assignments if a.unit}
        declarations = (
            ConflictDeclaration.objects.for_user(request.user, "view")
            .filter(inspector=inspector)
            .select_related("institution")
            .order_by("-declared_on", "-id")
        )
        unit_declarations = (
            ConflictDeclaration.objects.for_user(request.user, "view")
            .current()
            .filter(relation=ConflictRelation.OWN_UNIT, unit__in=units)
            .select_related("institution")
        )
        lo, hi = assignments[0].region.subtree_bounds()
        return render(
            request,
            "spotchecks/inspector.html",
            {
                "inspector": inspector,
                "assignments": assignments,
                "declarations": declarations[:200],
                "unit_declarations": unit_declarations[:200],
                "form": form or (DeclarationForm(user=request.user) if may_declare else None),
                "suggestions": Institution.objects.for_user(request.user, "view")
                .filter(township_id__gte=lo, township_id__lte=hi)
                .order_by("name")
                .values_list("name", flat=True)[:300],
            },
            status=status,
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        inspector, _assignments = self._inspector(request, pk)
        form = DeclarationForm(request.POST, user=request.user)
        done = _apply(
            form,
            lambda d: services.declaration_add(
                actor=request.user,
                institution=d["institution"],
                relation=d["relation"],
                inspector=inspector,
                declared_on=d["declared_on"],
                note=d["note"],
            ),
        )
        if done is None:
            return self.get(request, pk, form=form, status=422)
        messages.success(request, _("Declaration recorded."))
        return redirect("spotchecks:inspector", pk=inspector.pk)


# --- Published draws (一公开, no login) -------------------------------------------------------------


def public_draws(request: HttpRequest) -> HttpResponse:
    """Published draws: batch, office, date and how many institutions were drawn."""
    draws = (
        selectors.published_draws()
        .defer("inputs", "result")
        .annotate(drawn_count=Count("assignments"))
        .order_by("-drawn_at", "-id")
    )
    return render(request, "spotchecks/public_draws.html", _page(request, draws))


def public_draw(request: HttpRequest, pk: int) -> HttpResponse:
    """One published draw: the institutions drawn, each linked to its public trust card (no inspectors)."""
    draw = get_object_or_404(selectors.published_draws(), pk=pk)
    rows = draw.result.get("institutions", [])
    viewable = set(
        Institution.objects.publicly_viewable()
        .filter(pk__in=[r["id"] for r in rows])
        .values_list("pk", flat=True)
    )
    labels = dict(StratumKey.choices)
    institutions = [
        {
            "id": r["id"],
            "name": r["name"],
            "stratum": labels.get(r["stratum"], r["stratum"]),
            "card": r["id"] in viewable,
        }
        for r in rows
    ]
    return render(
        request,
        "spotchecks/public_draw.html",
        {"draw": draw, "institutions": institutions, "strata": _strata_rows(draw.inputs.get("strata", []))},
    )
