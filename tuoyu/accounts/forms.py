"""Login form that goes through the throttled authentication service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .services import LoginThrottled, user_authenticate


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("Wrong username or password."),
        "inactive": _("This account is inactive."),
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            try:
                self.user_cache = user_authenticate(
                    request=self.request, username=username, password=password
                )
            except LoginThrottled as exc:
                raise forms.ValidationError(str(exc), code="throttled") from exc
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data
