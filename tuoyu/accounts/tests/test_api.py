"""Token endpoint and bearer authentication."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tuoyu.core.tests.personas import PASSWORD


def test_token_for_good_credentials_then_bearer_works(client, world):
    response = client.post(
        "/api/v1/auth/token",
        {"username": "county_official", "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200
    token = response.json()["token"]
    listing = client.get("/api/v1/institutions", headers={"Authorization": f"Bearer {token}"})
    assert listing.status_code == 200 and listing.json()["count"] == 1


def test_wrong_password_answers_401_with_detail(client, world):
    response = client.post(
        "/api/v1/auth/token",
        {"username": "county_official", "password": "nope"},
        content_type="application/json",
    )
    assert response.status_code == 401 and response.json()["detail"]


def test_bad_token_answers_401_with_detail(client, world):
    response = client.get("/api/v1/institutions", headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 401
    assert "令牌" in response.json()["detail"]  # a reason, in Chinese by default


def test_missing_fields_answer_422_naming_the_field(client, world):
    response = client.post("/api/v1/auth/token", {"username": "x"}, content_type="application/json")
    assert response.status_code == 422
    assert any(e["loc"][-1] == "password" for e in response.json()["detail"])


@pytest.mark.django_db
@override_settings(TUOYU_LOGIN_MAX_FAILURES=2)
def test_repeated_failures_answer_429(client, world):
    for _ in range(2):
        client.post(
            "/api/v1/auth/token", {"username": "director", "password": "x"}, content_type="application/json"
        )
    response = client.post(
        "/api/v1/auth/token", {"username": "director", "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 429


def test_nul_characters_answer_422_not_a_server_error(client, world):
    response = client.post(
        "/api/v1/auth/token", {"username": "a\x00b", "password": "x"}, content_type="application/json"
    )
    assert response.status_code == 422
