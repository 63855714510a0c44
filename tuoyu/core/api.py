"""The API object every app's router hangs from: auth, error shape, pagination."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError, IntegrityError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.security import HttpBearer, django_auth
from pydantic import model_validator


class ErrorSchema(Schema):
    """Every error answers {"detail": ...}: a message, or a list of field errors for 422."""

    detail: Any


def _reject_nul(value: Any, path: str = "") -> None:
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError(f"{path or 'value'}: NUL characters are not allowed")
    elif isinstance(value, dict):
        for key, item in value.items():
            _reject_nul(key, path)
            _reject_nul(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _reject_nul(item, f"{path}[{index}]")


class InputSchema(Schema):
    """Base of every request body: text with NUL characters is refused with 422 before any storage.

    PostgreSQL cannot store NUL in text or JSON and would fail with a server error.
    """

    @model_validator(mode="after")
    def _no_nul(self) -> Any:
        # After validation: ninja hands "before" validators a wrapper object rather than the raw dict.
        _reject_nul(self.model_dump())
        return self


class FieldError(Exception):
    """A request that is well-formed but wrong in one field: answered 422 with that field named."""

    def __init__(self, field: str, message: str, location: str = "body"):
        self.field, self.message, self.location = field, message, location
        super().__init__(message)


class Conflict(Exception):
    """A request that conflicts with the current state (a transition not allowed, a duplicate): 409."""


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from tuoyu.accounts.services import token_user

        user = token_user(token)
        if user is not None:
            request.user = user
        return user


def session_auth(request: HttpRequest) -> Any:
    """Browsers already logged in (htmx on our own pages) may call the API with their session.

    CSRF is checked only when a session is logged in: ninja's django_auth checks it first, which
    answered a credential-less POST with 403 (CSRF) instead of 401.
    """
    if not getattr(request.user, "is_authenticated", False):
        return None
    return django_auth(request)


API_AUTH: list[Callable[..., Any]] = [BearerAuth(), session_auth]


api = NinjaAPI(
    title="Tuoyu 智慧托育平台 API",
    version="1",
    description=(
        "Scoped API of the Tuoyu childcare platform. Get a token with POST /api/v1/auth/token, then send "
        '`Authorization: Bearer <token>`. Errors are JSON {"detail": ...} with a 4xx status; 422 lists '
        'field errors as [{"loc": [...], "msg": ..., "type": ...}]. Objects outside your scope answer 404.'
    ),
    auth=API_AUTH,
    urls_namespace="api",
)


def _error(request: HttpRequest, status: int, detail: Any) -> HttpResponse:
    return api.create_response(request, {"detail": detail}, status=status)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, _("Authentication required: send a valid, unexpired bearer token."))


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, 403, str(exc) or _("You may not do this."))


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        detail = [
            {"loc": ["body", field], "msg": " ".join(str(m) for m in messages), "type": "value_error"}
            for field, messages in exc.message_dict.items()
        ]
    else:
        detail = [{"loc": ["body"], "msg": " ".join(exc.messages), "type": "value_error"}]
    return _error(request, 422, detail)


@api.exception_handler(FieldError)
def on_field_error(request: HttpRequest, exc: FieldError) -> HttpResponse:
    return _error(
        request, 422, [{"loc": [exc.location, exc.field], "msg": exc.message, "type": "value_error"}]
    )


@api.exception_handler(Conflict)
def on_conflict(request: HttpRequest, exc: Conflict) -> HttpResponse:
    return _error(request, 409, str(exc))


@api.exception_handler(IntegrityError)
def on_integrity_error(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
    return _error(request, 409, _("This conflicts with an existing record."))


@api.exception_handler(DataError)
def on_data_error(request: HttpRequest, exc: DataError) -> HttpResponse:
    # A value the database cannot store (out of range, NUL in text) that validation did not catch.
    return _error(
        request, 422, [{"loc": ["body"], "msg": _("A value cannot be stored."), "type": "value_error"}]
    )


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, str(exc))


def register_routers() -> None:
    """Attach every app's router (called once from config/urls.py)."""
    from tuoyu.accounts.api import router as accounts_router
    from tuoyu.attendance.api import router as attendance_router
    from tuoyu.care.api import router as care_router
    from tuoyu.children.api import applications_router
    from tuoyu.children.api import router as children_router
    from tuoyu.complaints.api import router as complaints_router
    from tuoyu.credit.api import router as credit_router
    from tuoyu.enforcement.api import router as enforcement_router
    from tuoyu.filings.api import router as filings_router
    from tuoyu.filings.api_institutions import attach_to as attach_create_institution
    from tuoyu.growth.api import router as growth_router
    from tuoyu.health.api import router as health_router
    from tuoyu.institutions.api import router as institutions_router
    from tuoyu.institutions.public_api import router as public_router
    from tuoyu.parents.api import router as parents_router
    from tuoyu.planning.api import router as planning_router
    from tuoyu.planning.api_dashboard import router as planning_dashboard_router
    from tuoyu.planning.api_reports import router as planning_reports_router
    from tuoyu.planning.api_scenarios import router as planning_scenarios_router
    from tuoyu.quality.api import router as quality_router
    from tuoyu.regions.api import router as regions_router
    from tuoyu.spotchecks.api import plans_router as spotchecks_plans_router
    from tuoyu.spotchecks.api import router as spotchecks_router
    from tuoyu.supervision.api import router as supervision_router
    from tuoyu.training.api import router as training_router
    from tuoyu.workforce.api import router as workforce_router
    from tuoyu.workforce.api_statistics import router as workforce_statistics_router

    api.add_router("/auth", accounts_router)
    api.add_router("/regions", regions_router)
    attach_create_institution(institutions_router)
    api.add_router("/institutions", institutions_router)
    api.add_router("/filings", filings_router)
    api.add_router("/public", public_router)
    api.add_router("/staff", workforce_router)
    api.add_router("/workforce", workforce_statistics_router)
    api.add_router("/training", training_router)
    api.add_router("/indicators", planning_router)
    api.add_router("/planning/dashboard", planning_dashboard_router)
    api.add_router("/planning/scenarios", planning_scenarios_router)
    api.add_router("/planning/reports", planning_reports_router)
    api.add_router("/children", children_router)
    api.add_router("/applications", applications_router)
    api.add_router("/attendance", attendance_router)
    api.add_router("/growth", growth_router)
    api.add_router("/health", health_router)
    # Supervision (#7): inspections, the double-random draw, complaints, credit, quality, enforcement.
    api.add_router("/inspections", supervision_router)
    api.add_router("/draws", spotchecks_router)
    api.add_router("/spotchecks", spotchecks_plans_router)
    api.add_router("/complaints", complaints_router)
    api.add_router("/credit", credit_router)
    api.add_router("/quality", quality_router)
    api.add_router("/enforcement", enforcement_router)
    api.add_router("/care", care_router)
    api.add_router("/parents", parents_router)
