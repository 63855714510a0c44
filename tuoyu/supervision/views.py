"""Supervision pages (under /supervision/): the government's hub, inspections and their detail, the
phone checklist that works offline (with its service worker), the item list, rectification notices,
and the institution's own page. Private files (photos, signatures, evidence) are sent only in scope.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from tuoyu.accounts.models import User
from tuoyu.core.api import Conflict
from tuoyu.core.audit import audit_view
from tuoyu.core.views import RoleRequiredMixin
from tuoyu.institutions.models import Institution
from tuoyu.institutions.selectors import staff_institutions

from . import rules, services
from .choices import InspectionKind, InspectionStatus, Result, SignatureRole
from .models import (
    ChecklistPhoto,
    Inspection,
    InspectionItem,
    InspectionSignature,
    RectificationEvidence,
    RectificationOrder,
)
from .selectors import hub_counts, publication_queue

PAGE_SIZE = 50


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


def _page(request: HttpRequest, queryset: Any) -> dict[str, Any]:
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return {"page_obj": page, "paginator": page.paginator, "is_paginated": page.has_other_pages()}


def _run(request: HttpRequest, write: Any, done: str) -> bool:
    """Run a service; show its refusal as a message. True when it succeeded."""
    try:
        write()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except Conflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
        return True
    return False


# --- Government -----------------------------------------------------------------------------------


class HubView(OfficialMixin, View):
    """The supervision hub: inspections by state, orders overdue, results due for publication, and the
    way to the other supervision pages."""

    def get(self, request: HttpRequest) -> HttpResponse:
        inspections = Inspection.objects.for_user(request.user, "view")
        orders = RectificationOrder.objects.for_user(request.user, "view")
        today = timezone.localdate()
        return render(
            request,
            "supervision/home.html",
            {
                "counts": hub_counts(inspections, orders, today),
                "publication": list(publication_queue(inspections, today).select_related("institution")[:20]),
                "overdue_orders": list(
                    orders.filter(status="open", deadline__lt=today)
                    .select_related("entry", "inspection__institution")
                    .order_by("deadline", "id")[:20]
                ),
                "today": today,
                "publish_days": rules.publish_working_days(),
            },
        )


class InspectionListView(OfficialMixin, View):
    """Inspections in the official's regions, filtered by state and kind; administrators open ad-hoc ones."""

    def get(self, request: HttpRequest) -> HttpResponse:
        queryset = (
            Inspection.objects.for_user(request.user, "view")
            .select_related("institution", "institution__county")
            .annotate(
                team=Count("inspectors", distinct=True),
                failed=Count("entries", filter=Q(entries__result=Result.FAIL), distinct=True),
            )
            .order_by("-planned_on", "-id")
        )
        status = request.GET.get("status", "")
        kind = request.GET.get("kind", "")
        if status in InspectionStatus.values:
            queryset = queryset.filter(status=status)
        if kind in InspectionKind.values:
            queryset = queryset.filter(kind=kind)
        if request.GET.get("publication") == "due":
            queryset = publication_queue(queryset)
        return render(
            request,
            "supervision/inspections.html",
            {
                "statuses": InspectionStatus.choices,
                "kinds": InspectionKind.choices,
                "adhoc_kinds": [(k, v) for k, v in InspectionKind.choices if k != InspectionKind.ROUTINE],
                "status": status,
                "kind": kind,
                "today": timezone.localdate(),
                **_page(request, queryset),
            },
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        wanted = request.POST.get("institution", "")
        institution = (
            Institution.objects.for_user(request.user, "view")
            .filter(pk=int(wanted) if wanted.isdigit() and len(wanted) < 10 else 0)
            .first()
        )
        if institution is None:
            messages.error(request, _("No such institution in your scope."))
            return redirect("supervision:inspections")
        created: list[Inspection] = []

        def write() -> None:
            created.append(
                services.inspection_open_adhoc(
                    actor=request.user,
                    institution=institution,
                    kind=request.POST.get("kind", ""),
                    planned_on=parse_date(request.POST.get("planned_on", "")) or timezone.localdate(),
                    reason=request.POST.get("reason", ""),
                    inspectors=[],
                )
            )

        if _run(request, write, _("Inspection opened: assign a team.")):
            return redirect("supervision:inspection", created[0].pk)
        return redirect("supervision:inspections")


class ItemsView(OfficialMixin, View):
    """The 随机抽查事项清单 with sources; unverified sources are marked."""

    def get(self, request: HttpRequest) -> HttpResponse:
        items = list(InspectionItem.objects.all())
        return render(
            request,
            "supervision/items.html",
            {
                "key_items": [i for i in items if i.kind == "key"],
                "general_items": [i for i in items if i.kind == "general"],
                "unverified": sum(1 for i in items if not i.verified),
                "deadlines": [(risk, rules.rectification_days(risk)) for risk in ("high", "medium", "low")],
            },
        )


class InspectionDetailView(StaffOrOfficialMixin, View):
    """One inspection: team, checklist results, notices and history, with the actions the user may take."""

    def _inspection(self, request: HttpRequest, pk: int) -> Inspection:
        return get_object_or_404(
            Inspection.objects.for_user(request.user, "view").select_related("institution", "follow_up_of"),
            pk=pk,
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        inspection = self._inspection(request, pk)
        official = bool(request.user.is_official)  # type: ignore[union-attr]
        can_manage = services.can_manage(request.user, inspection)
        entries = list(inspection.entries.prefetch_related("photos").select_related("order"))
        return render(
            request,
            "supervision/inspection.html",
            {
                "inspection": inspection,
                "official": official,
                "can_inspect": services.can_inspect(request.user, inspection),
                "can_manage": can_manage,
                "team": list(inspection.inspectors.all()),
                "eligible": list(services.eligible_inspectors(inspection.institution)[:50])
                if can_manage and inspection.status == InspectionStatus.PLANNED
                else [],
                "entries": entries,
                "failed": [e for e in entries if e.result == Result.FAIL],
                "orders": list(inspection.orders.select_related("entry")),
                "signatures": list(inspection.signatures.all()) if official else [],
                "transitions": list(inspection.transitions.select_related("actor")),
                "today": timezone.localdate(),
            },
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        inspection = self._inspection(request, pk)
        action = request.POST.get("action")
        user = request.user
        if action == "team":
            ids = [int(i) for i in request.POST.getlist("inspectors") if i.isdigit()]
            _run(
                request,
                lambda: services.inspection_assign_team(
                    actor=user, inspection=inspection, inspectors=list(User.objects.filter(pk__in=ids))
                ),
                _("Team assigned."),
            )
        elif action == "start":
            if _run(
                request, lambda: services.inspection_start(actor=user, inspection=inspection), _("Started.")
            ):
                return redirect("supervision:checklist", inspection.pk)
        elif action == "issue":
            _run(
                request,
                lambda: services.inspection_issue_orders(actor=user, inspection=inspection),
                _("Notices issued."),
            )
        elif action == "close":
            _run(request, lambda: services.inspection_close(actor=user, inspection=inspection), _("Closed."))
        elif action == "cancel":
            _run(
                request,
                lambda: services.inspection_cancel(
                    actor=user, inspection=inspection, reason=request.POST.get("reason", "")
                ),
                _("Cancelled."),
            )
        elif action == "publish":
            _run(
                request,
                lambda: services.inspection_publish(actor=user, inspection=inspection),
                _("Published on the trust card."),
            )
        else:
            raise Http404
        return redirect("supervision:inspection", inspection.pk)


class ChecklistView(OfficialMixin, View):
    """The inspector's phone checklist. Works offline: the service worker keeps this page and its
    assets; answers wait in localStorage until they are synced (static/supervision/checklist.js)."""

    def _inspection(self, request: HttpRequest, pk: int) -> Inspection:
        inspection = get_object_or_404(
            Inspection.objects.for_user(request.user, "view").select_related("institution"), pk=pk
        )
        if not services.can_inspect(request.user, inspection):
            raise PermissionDenied
        return inspection

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        inspection = self._inspection(request, pk)
        entries = list(inspection.entries.annotate(photo_count=Count("photos")))
        signed = {s.role: s for s in inspection.signatures.all()}
        return render(
            request,
            "supervision/checklist.html",
            {
                "inspection": inspection,
                "entries": entries,
                "results": [
                    (Result.PASS, _("Pass")),
                    (Result.FAIL, _("Fail")),
                    (Result.NOT_APPLICABLE, _("N/A")),
                ],
                "signature_roles": [(role, label, signed.get(role)) for role, label in SignatureRole.choices],
                "editable": inspection.status == InspectionStatus.IN_PROGRESS,
            },
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        inspection = self._inspection(request, pk)
        if request.POST.get("action") != "submit":
            raise Http404
        if _run(
            request,
            lambda: services.inspection_submit(
                actor=request.user,
                inspection=inspection,
                internal_note=request.POST.get("internal_note") or None,
            ),
            _("Submitted: the result is known."),
        ):
            return redirect("supervision:inspection", inspection.pk)
        return redirect("supervision:checklist", inspection.pk)


@never_cache
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker of /supervision/ (served from here so that its scope can be /supervision/)."""
    body = render_to_string("supervision/sw.js", {"cache": "tuoyu-supervision-v1"})
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/supervision/"
    return response


# --- Rectification --------------------------------------------------------------------------------


class RectificationView(StaffOrOfficialMixin, View):
    """A rectification notice: the director answers with evidence; the inspector verifies or returns."""

    def _order(self, request: HttpRequest, pk: int) -> RectificationOrder:
        return get_object_or_404(
            RectificationOrder.objects.for_user(request.user, "view").select_related(
                "inspection__institution", "entry"
            ),
            pk=pk,
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        order = self._order(request, pk)
        return render(
            request,
            "supervision/rectification.html",
            {
                "order": order,
                "can_answer": services.can_answer(request.user, order),
                "can_verify": services.can_inspect(request.user, order.inspection),
                "evidence": list(order.evidence.all()),
                "events": list(order.events.select_related("actor")),
                "today": timezone.localdate(),
            },
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        order = self._order(request, pk)
        action = request.POST.get("action")
        if action == "answer":
            files = [(f.name or "file", f.read()) for f in request.FILES.getlist("files")[:5]]
            try:
                services.rectification_answer(
                    actor=request.user, order=order, answer=request.POST.get("answer", ""), files=files
                )
            except PermissionDenied:
                raise
            except (ValidationError, Conflict) as exc:
                messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
            else:
                messages.success(request, _("Answer sent to the inspectors."))
        elif action in {"accept", "return"}:
            _run(
                request,
                lambda: services.rectification_verify(
                    actor=request.user,
                    order=order,
                    accept=action == "accept",
                    note=request.POST.get("note", ""),
                ),
                _("Correction verified.") if action == "accept" else _("Returned to the institution."),
            )
        else:
            raise Http404
        return redirect("supervision:rectification", order.pk)


class InstHomeView(StaffMixin, View):
    """机构端: the institution's concluded inspections and its rectification notices still open."""

    def get(self, request: HttpRequest) -> HttpResponse:
        institutions = staff_institutions(request.user, "view")
        if not institutions:
            raise PermissionDenied
        ids = [i.pk for i in institutions]
        inspections = (
            Inspection.objects.for_user(request.user, "view")
            .filter(institution_id__in=ids)
            .select_related("institution")
            .annotate(failed=Count("entries", filter=Q(entries__result=Result.FAIL)))
            .order_by("-concluded_on", "-id")
        )
        orders = (
            RectificationOrder.objects.for_user(request.user, "view")
            .filter(inspection__institution_id__in=ids)
            .exclude(status="closed")
            .select_related("entry", "inspection__institution")
            .order_by("deadline", "id")
        )
        return render(
            request,
            "supervision/inst_home.html",
            {
                "institutions": institutions,
                "orders": list(orders[:100]),
                "today": timezone.localdate(),
                **_page(request, inspections),
            },
        )


# --- Private files --------------------------------------------------------------------------------


def _send(file: Any, content_type: str) -> FileResponse:
    response = FileResponse(file.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _official_inspection_ids(request: HttpRequest) -> Any:
    if not getattr(request.user, "is_official", False):
        raise Http404
    return Inspection.objects.for_user(request.user, "view").values("pk")


def photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A checklist photo: officials in scope only (photos may show children)."""
    item = ChecklistPhoto.objects.filter(pk=pk, inspection__in=_official_inspection_ids(request)).first()
    if item is None:
        raise Http404
    audit_view(actor=request.user, obj=item.inspection, request=request)
    return _send(item.file, item.content_type)


def signature(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A signature PNG: officials in scope only."""
    item = InspectionSignature.objects.filter(pk=pk, inspection__in=_official_inspection_ids(request)).first()
    if item is None:
        raise Http404
    return _send(item.file, "image/png")


def evidence(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Rectification evidence: the institution's staff and officials in scope."""
    orders = RectificationOrder.objects.for_user(request.user, "view").values("pk")
    item = RectificationEvidence.objects.filter(pk=pk, order__in=orders).first()
    if item is None:
        raise Http404
    return _send(item.file, item.content_type)
