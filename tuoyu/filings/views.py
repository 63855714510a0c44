"""Filing pages: the officials' queue, a filing's detail (with its actions), starting a filing, downloads.

Objects only through `Filing.objects.for_user(...)` / `FilingDocument.objects.for_user(...)`:
out of scope answers 404 like missing. Every write goes through `services`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from tuoyu.core.api import Conflict
from tuoyu.core.audit import audit_view
from tuoyu.core.views import RoleRequiredMixin
from tuoyu.institutions.models import Institution

from . import rules, services
from .choices import FilingStatus
from .forms import DocumentUploadForm, FilingStartForm, ReasonForm
from .models import Filing, FilingDocument
from .selectors import filing_queue


def _report(request: HttpRequest, exc: Exception) -> None:
    if isinstance(exc, ValidationError):
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.error(request, str(exc))


def _form_rows(form: dict[str, Any]) -> list[tuple[str, str]]:
    """The 备案书 content with the form's own labels and readable values, in the form's order."""
    from tuoyu.institutions.choices import ServiceMode

    fields = FilingStartForm.base_fields
    modes = dict(ServiceMode.choices)
    rows = []
    for key, value in form.items():
        label = str(fields[key].label) if key in fields else key
        if isinstance(value, bool):
            shown = str(_("Yes") if value else _("No"))
        elif isinstance(value, list):
            shown = "、".join(str(modes.get(v, v)) for v in value)
        else:
            shown = str(value) if value not in (None, "") else "—"
        rows.append((label, shown))
    return rows


class FilingQueueView(RoleRequiredMixin, TemplateView):
    """Officials: open filings in scope, soonest due first, with overdue badges and actions."""

    required_check = "is_official"
    template_name = "filings/queue.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        filings = list(filing_queue(user, "view")[:500])
        reviewable = set(
            Filing.objects.for_user(user, "review")
            .filter(pk__in=[f.pk for f in filings])
            .values_list("pk", flat=True)
        )
        for filing in filings:
            filing.can_review = filing.pk in reviewable  # type: ignore[attr-defined]
        context.update(
            filings=filings,
            overdue_count=sum(1 for f in filings if getattr(f, "overdue", False)),
            reason_form=ReasonForm(),
            today=timezone.localdate(),
        )
        return context


class FilingDetailView(RoleRequiredMixin, View):
    """A filing: status timeline, documents, what is missing; the actions the viewer may take."""

    ACTIONS: dict[str, Any] = {
        "receipt": services.filing_issue_receipt,
        "confirm": services.filing_confirm,
        "reject": services.filing_reject,
        "withdraw": services.filing_withdraw,
    }

    def _filing(self, pk: int) -> Filing:
        return get_object_or_404(
            Filing.objects.for_user(self.request.user, "view").select_related("institution"), pk=pk
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        filing = self._filing(pk)
        return render(request, "filings/detail.html", self._context(filing))

    def _context(self, filing: Filing, upload_form: DocumentUploadForm | None = None) -> dict[str, Any]:
        user = self.request.user
        can_change = Filing.objects.for_user(user, "change").filter(pk=filing.pk).exists()
        can_review = Filing.objects.for_user(user, "review").filter(pk=filing.pk).exists()
        due = {
            FilingStatus.SUBMITTED: filing.receipt_due,
            FilingStatus.RECEIVED: filing.verification_due,
        }.get(
            filing.status  # type: ignore[call-overload]
        )
        return {
            "filing": filing,
            "form_rows": _form_rows(filing.form),
            "documents": filing.documents.all(),
            "transitions": filing.transitions.select_related("actor"),
            "missing": services.filing_missing(filing) if filing.status == FilingStatus.DRAFT else [],
            "due": due,
            "overdue": bool(due and due < timezone.localdate()),
            "can_change": can_change,
            "can_review": can_review,
            "upload_form": upload_form or DocumentUploadForm(),
            "reason_form": ReasonForm(),
            "commitment_text": rules.COMMITMENT_TEXT,
            "max_mb": rules.MAX_UPLOAD_BYTES // (1024 * 1024),
        }

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        filing = self._filing(pk)
        action = request.POST.get("action", "")
        try:
            if action == "upload":
                form = DocumentUploadForm(request.POST, request.FILES)
                if not form.is_valid():
                    return render(request, "filings/detail.html", self._context(filing, form), status=422)
                services.filing_attach_document(
                    actor=request.user,
                    filing=filing,
                    kind=form.cleaned_data["kind"],
                    upload=form.cleaned_data["file"],
                )
                messages.success(request, _("Document uploaded."))
            elif action == "submit":
                services.filing_submit(
                    actor=request.user,
                    filing=filing,
                    commitment_accepted=bool(request.POST.get("commitment_accepted")),
                )
                messages.success(request, _("Filing submitted."))
            elif action in self.ACTIONS:
                reason_form = ReasonForm(request.POST)
                reason = reason_form.cleaned_data["reason"] if reason_form.is_valid() else ""
                self.ACTIONS[action](actor=request.user, filing=filing, reason=reason)
                messages.success(request, _("Done."))
            else:
                raise Http404
        except (ValidationError, Conflict) as exc:
            _report(request, exc)
        except PermissionDenied:
            raise
        if request.POST.get("next") == "queue":
            return redirect("filings:queue")
        return HttpResponseRedirect(reverse("filings:detail", args=[filing.pk]))


class FilingStartView(RoleRequiredMixin, View):
    """Directors: their filings, and a new filing (备案书 + 承诺书); documents are added on the next page."""

    required_check = "is_staff_member"

    def _institutions(self) -> Any:
        institutions = Institution.objects.for_user(self.request.user, "change").order_by("name")
        if not institutions.exists():
            raise PermissionDenied
        return institutions

    def _render(self, request: HttpRequest, form: FilingStartForm, status: int = 200) -> HttpResponse:
        filings = (
            Filing.objects.for_user(request.user, "change").select_related("institution").order_by("-id")[:50]
        )
        return render(
            request,
            "filings/start.html",
            {"form": form, "filings": filings, "commitment_text": rules.COMMITMENT_TEXT},
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        institutions = self._institutions()
        first = institutions.first()
        initial = {}
        if first is not None:
            initial = {
                "legal_representative": first.legal_representative,
                "service_modes": first.service_modes,
                "opening_hours": first.opening_hours,
                "places": first.places,
                "serves_meals": first.serves_meals,
            }
        return self._render(request, FilingStartForm(institutions=institutions, initial=initial))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = FilingStartForm(request.POST, institutions=self._institutions())
        if not form.is_valid():
            return self._render(request, form, status=422)
        try:
            filing = services.filing_create_draft(
                actor=request.user,
                institution=form.cleaned_data["institution"],
                kind=form.cleaned_data["kind"],
                form=form.form_payload(),
                commitment_accepted=form.cleaned_data["commitment_accepted"],
            )
        except (ValidationError, Conflict) as exc:
            _report(request, exc)
            return self._render(request, form, status=422)
        messages.success(request, _("Draft saved: now upload the documents, then submit."))
        return redirect("filings:detail", pk=filing.pk)


class FilingDocumentView(RoleRequiredMixin, View):
    """Download one document, for users in scope only (404 otherwise); every download is logged."""

    def get(self, request: HttpRequest, pk: int) -> FileResponse:
        document = get_object_or_404(
            FilingDocument.objects.for_user(request.user, "view").select_related("filing__institution"), pk=pk
        )
        audit_view(actor=request.user, obj=document, request=request)
        try:
            handle = document.file.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        response = FileResponse(
            handle, as_attachment=True, filename=document.original_name, content_type=document.content_type
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response
