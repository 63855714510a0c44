"""Property-based API fuzzing from the OpenAPI schema: no input may cause a 5xx or break the schema."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import negative_data_rejection, positive_data_acceptance

from config.wsgi import application
from tuoyu.accounts.services import token_issue

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture(autouse=True)
def _keep_test_connection():
    """Calling the WSGI app fires request_started/finished, whose close_old_connections closes the test's
    transaction-wrapped connection (PostgreSQL); Django's test Client disconnects it the same way."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(world):
    return {"Authorization": f"Bearer {token_issue(user=world.user('province_official'))}"}


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@pytest.mark.django_db
def test_api_never_fails_on_any_input(case, bearer):
    # Schema-valid input may still break a business rule (an empty upload, an unknown filing, a point
    # outside China): those answer a documented 4xx, so the "valid data must be accepted" check is off.
    # Unknown query parameters are ignored, as HTTP APIs usually do: "invalid data must be rejected" is off.
    case.call_and_validate(
        headers=bearer, excluded_checks=[positive_data_acceptance, negative_data_rejection]
    )


def test_schema_names_are_unique_across_apps():
    """django-ninja names OpenAPI components after the class: two schemas with one name would share a
    component, and one endpoint would document the other's shape."""
    from ninja import Schema

    import config.urls  # noqa: F401  (imports every router)

    def subclasses(cls: type) -> list[type]:
        found = []
        for sub in cls.__subclasses__():
            found.append(sub)
            found.extend(subclasses(sub))
        return found

    ours = [c for c in subclasses(Schema) if c.__module__.startswith("tuoyu.")]
    names: dict[str, str] = {}
    clashes = []
    for cls in ours:
        where = f"{cls.__module__}.{cls.__qualname__}"
        if cls.__name__ in names and names[cls.__name__] != where:
            clashes.append((names[cls.__name__], where))
        names.setdefault(cls.__name__, where)
    assert not clashes, clashes
