"""Pages of the parent end (家长端): sign-up, my children, a child's day, attendance history, reporting
an absence, messages with the class teachers (家园共育), notifications; and the staff inbox.

A parent reaches only children whose guardian is their account (`selectors.my_child`): any other
child answers 404. The staff inbox is for staff who record care; others get 403.
"""

from __future__ import annotations

import datetime as dt
import importlib
from datetime import timedelta
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from tuoyu.children.models import Child, Guardian
from tuoyu.core.api import Conflict
from tuoyu.core.audit import audit_view
from tuoyu.core.views import RoleRequiredMixin

from . import selectors, services
from .forms import AbsenceForm, MessageForm, SignupForm, StaffStartForm
from .models import Digest, Notification


class ParentRequiredMixin(RoleRequiredMixin):
    """Pages of the parent end: parents only (others 403, anonymous to the login)."""

    required_check = "is_parent"


class StaffCareRequiredMixin(RoleRequiredMixin):
    """The staff side of messages: staff who record care (director, caregiver, health worker)."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and not selectors._care_institutions(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def _form_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- Sign-up --------------------------------------------------------------------------------------


class SignupView(View):
    """Create a parent account with a mobile number and a password, then go to the parent home."""

    template_name = "parents/signup.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated:
            return redirect("parents:home")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": SignupForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = SignupForm(request.POST)
        if form.is_valid():
            try:
                user = services.parent_signup(request=request, **form.cleaned_data)
            except services.SignupThrottled as exc:
                form.add_error(None, str(exc))
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, _("Welcome! Your parent account is ready."))
                return redirect("parents:home")
        return render(request, self.template_name, {"form": form}, status=200)


# --- Home and a child's pages -----------------------------------------------------------------------


def _link_if_exists(path: str) -> str:
    """A link to another app's page only once that page exists."""
    try:
        resolve(path)
    except Resolver404:
        return ""
    return path


class ParentHomeView(ParentRequiredMixin, TemplateView):
    """My children as cards with today's status and unread messages; unread notifications."""

    template_name = "parents/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        today = timezone.localdate()
        children = list(selectors.my_children(user))
        unread = selectors.parent_unread_by_child(user, [c.pk for c in children])
        cards = [
            {
                "child": child,
                "unread": unread.get(child.pk, 0),
                "today": selectors.checked_in_summary(child, today),
            }
            for child in children
        ]
        context.update(
            cards=cards,
            today=today,
            unread_notifications=selectors.unread_notifications(user),
            applications_url=_link_if_exists("/children/applications/mine/"),
        )
        return context


class ChildMixin(ParentRequiredMixin):
    """Pages about one of the parent's own children; another child is missing (404)."""

    request: HttpRequest
    kwargs: dict[str, Any]

    def get_child(self) -> Child:
        child = selectors.my_child(self.request.user, self.kwargs["pk"])
        if child is None:
            raise Http404
        return child

    def child_links(self, child: Child) -> dict[str, str]:
        return {
            "growth_url": _link_if_exists(f"/growth/child/{child.pk}/"),
            "medication_url": _link_if_exists(f"/care/child/{child.pk}/medication/"),
            "immunisations_url": _link_if_exists(f"/health/child/{child.pk}/immunisations/"),
        }


class ChildTodayView(ChildMixin, TemplateView):
    """A child's day: arrival and pick-up, morning check, meals, naps, notes and photos from the class,
    medication, the latest growth and immunisations due."""

    template_name = "parents/child_today.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        child = self.get_child()
        today = timezone.localdate()
        audit_view(actor=self.request.user, obj=child, request=self.request)
        unread = selectors.parent_unread_by_child(self.request.user, [child.pk]).get(child.pk, 0)
        sections = selectors.child_today(child, today)
        for section in sections:
            if section.available:
                # Each app's fragment gets exactly the data its selectors returned.
                section.html = render_to_string(section.template, section.context, request=self.request)
        context.update(
            child=child,
            today=today,
            sections=sections,
            unread=unread,
            **self.child_links(child),
        )
        return context


class ChildAttendanceView(ChildMixin, TemplateView):
    """The last weeks of arrivals, pick-ups and absences."""

    template_name = "parents/child_attendance.html"
    DAYS = 31

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        child = self.get_child()
        end = timezone.localdate()
        start = end - timedelta(days=self.DAYS - 1)
        audit_view(actor=self.request.user, obj=child, request=self.request)
        available, history, missing = selectors._call(
            "tuoyu.attendance.selectors", "child_history", child, start, end
        )
        context.update(
            child=child, start=start, end=end, history=history, available=available, missing=missing
        )
        return context


def _absence_service() -> Any:
    """The attendance app's service for an absence report (imported when used; never silently absent)."""
    return importlib.import_module("tuoyu.attendance.services").absence_record


def report_absence(*, actor: Any, child: Child, day: dt.date, reason: str, note: str) -> Any:
    """Report an absence through the attendance app's service (the parent end owns no absences)."""
    service = _absence_service()
    if service is None:
        raise ValidationError(_("Reporting an absence is not available yet."))
    return service(actor=actor, child_id=child.pk, day=day, reason=reason, note=note)


class ChildAbsenceView(ChildMixin, TemplateView):
    """Tell the centre the child will not come on a day, with the reason."""

    template_name = "parents/child_absence.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        child = kwargs.get("child") or self.get_child()
        context.update(
            child=child,
            form=kwargs.get("form") or AbsenceForm(initial={"day": timezone.localdate()}),
            available=_absence_service() is not None,
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        child = self.get_child()
        form = AbsenceForm(request.POST)
        if form.is_valid():
            try:
                report_absence(actor=request.user, child=child, **form.cleaned_data)
            except ValidationError as exc:
                _form_errors(form, exc)
            except Conflict as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Absence reported. The teachers have been told."))
                return redirect("parents:child_today", child.pk)
        return self.render_to_response(self.get_context_data(child=child, form=form))


class ChildMessagesView(ChildMixin, TemplateView):
    """The thread with the child's class teachers: read (marks it read) and write."""

    template_name = "parents/child_messages.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        child = kwargs.get("child") or self.get_child()
        audit_view(actor=self.request.user, obj=child, request=self.request)
        thread = selectors.child_thread(child)
        items = list(selectors.thread_messages(thread)) if thread else []
        if thread is not None and items:
            services.thread_mark_read(user=self.request.user, thread=thread, upto=items[-1].pk)
        context.update(
            child=child,
            thread=thread,
            items=items,
            form=kwargs.get("form") or MessageForm(),
            can_write=child.institution_id is not None,
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        child = self.get_child()
        form = MessageForm(request.POST)
        if form.is_valid():
            try:
                services.message_post(
                    actor=request.user, child=child, body=form.cleaned_data["body"], from_staff=False
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                return redirect("parents:child_messages", child.pk)
        return self.render_to_response(self.get_context_data(child=child, form=form))


class NotificationListView(ParentRequiredMixin, TemplateView):
    """My notifications, newest first, with read marking; and my daily digests."""

    template_name = "parents/notifications.html"
    paginate_by = 30

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        queryset = Notification.objects.for_user(user, "view").select_related("child")
        page = Paginator(queryset, self.paginate_by).get_page(self.request.GET.get("page"))
        context.update(
            page_obj=page,
            notifications=page.object_list,
            unread=selectors.unread_notifications(user),
            digests=Digest.objects.filter(user_id=cast(int, user.pk))[:7],
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        raw = request.POST.get("read", "")
        if raw == "all":
            services.notifications_mark_all_read(user=request.user)
        else:
            note = get_object_or_404(
                Notification.objects.for_user(request.user, "view"), pk=int(raw) if raw.isdigit() else 0
            )
            services.notification_mark_read(user=request.user, notification=note)
            # Only a path on this site: a notification's link never leads elsewhere.
            if (
                note.link
                and request.POST.get("go")
                and url_has_allowed_host_and_scheme(note.link, allowed_hosts={request.get_host()})
            ):
                return redirect(note.link)
        return redirect("parents:notifications")


class UserNotificationListView(NotificationListView):
    """Notifications of anybody logged in who is not reading them as a parent: officials (complaints
    escalated to them, emergencies up the hierarchy) and directors. Mounted at /accounts/notifications/."""

    template_name = "accounts/notifications.html"
    required_check = ""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        if response.get("Location") == reverse("parents:notifications"):
            return redirect("accounts:notifications")
        return response


# --- The staff side of messages -----------------------------------------------------------------------


class StaffInboxView(StaffCareRequiredMixin, TemplateView):
    """Threads with the families of the centre's children, latest first, unread counts per child."""

    template_name = "parents/staff_inbox.html"
    paginate_by = 30

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        page = Paginator(selectors.staff_threads(user), self.paginate_by).get_page(
            self.request.GET.get("page")
        )
        form = StaffStartForm(
            children=[
                (c.pk, f"{c.klass.name if c.klass else ''} {c.name}") for c in selectors.staff_children(user)
            ]
        )
        context.update(
            page_obj=page,
            threads=page.object_list,
            start_form=form,
            unread_total=selectors.staff_unread_total(user),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        raw = request.POST.get("child", "")
        return redirect("parents:staff_thread", int(raw) if raw.isdigit() else 0)


class StaffThreadView(StaffCareRequiredMixin, TemplateView):
    """One child's thread for the centre's staff: read and reply."""

    template_name = "parents/staff_thread.html"

    def get_child(self) -> Child:
        return get_object_or_404(selectors.staff_children(self.request.user), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        child = kwargs.get("child") or self.get_child()
        audit_view(actor=self.request.user, obj=child, request=self.request)
        thread = selectors.child_thread(child)
        items = list(selectors.thread_messages(thread)) if thread else []
        if thread is not None and items:
            services.thread_mark_read(user=self.request.user, thread=thread, upto=items[-1].pk)
        context.update(
            child=child,
            thread=thread,
            items=items,
            form=kwargs.get("form") or MessageForm(),
            guardians=list(Guardian.objects.filter(child=child)),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        child = self.get_child()
        form = MessageForm(request.POST)
        if form.is_valid():
            try:
                services.message_post(
                    actor=request.user, child=child, body=form.cleaned_data["body"], from_staff=True
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("Message sent. The guardians are notified."))
                return redirect("parents:staff_thread", child.pk)
        return self.render_to_response(self.get_context_data(child=child, form=form))
