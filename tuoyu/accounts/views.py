"""Login, logout, password change and the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse_lazy
from django.views.generic import ListView

from tuoyu.core.models import AuditLog
from tuoyu.core.scoping import grants_for
from tuoyu.core.views import RoleRequiredMixin

from .forms import LoginForm


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


class AuditLogView(RoleRequiredMixin, ListView):  # type: ignore[type-arg]
    """The audit log for administrators: officials with the manage grant see their region's records."""

    template_name = "accounts/audit_log.html"
    context_object_name = "records"
    paginate_by = 50

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and not (
            request.user.is_superuser or grants_for(request.user, "manage").region_ranges
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        grants = grants_for(self.request.user, "manage")
        queryset = AuditLog.objects.all()
        if not grants.everything:
            queryset = queryset.filter(grants.region_q("region_code") | Q(actor=self.request.user))
        if action := self.request.GET.get("action"):
            queryset = queryset.filter(action=action)
        return queryset.select_related("actor")
