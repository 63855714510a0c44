"""Base page views. Scoped pages get their objects only through `for_user()` here."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest
from django.views.generic import DetailView, ListView


class RoleRequiredMixin(LoginRequiredMixin):
    """Pages for one end: the user must hold one of the end's roles (otherwise 403)."""

    required_check: str = ""  # name of a boolean property on the user, e.g. "is_official"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if self.required_check and not getattr(request.user, self.required_check):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ScopedMixin:
    """Objects come from `Model.objects.for_user(user, action)`: out of scope is missing (404)."""

    model: type[models.Model]
    action = "view"
    request: HttpRequest

    def get_queryset(self) -> Any:
        return self.model.objects.for_user(self.request.user, self.action)  # type: ignore[attr-defined]


class ScopedListView(RoleRequiredMixin, ScopedMixin, ListView):  # type: ignore[type-arg,misc]
    paginate_by = 50


class ScopedDetailView(RoleRequiredMixin, ScopedMixin, DetailView):  # type: ignore[type-arg]
    pass
