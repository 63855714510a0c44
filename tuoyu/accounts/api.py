"""Token endpoint: exchange a username and password for a bearer token."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from tuoyu.core.api import ErrorSchema, InputSchema

from .services import LoginThrottled, token_issue, user_authenticate

router = Router(tags=["auth"])


class TokenIn(InputSchema):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=512)


class TokenOut(Schema):
    token: str


@router.post(
    "/token",
    auth=None,
    response={200: TokenOut, 400: ErrorSchema, 401: ErrorSchema, 422: ErrorSchema, 429: ErrorSchema},
)
def create_token(request: HttpRequest, payload: TokenIn) -> TokenOut:
    try:
        user = user_authenticate(request=request, username=payload.username, password=payload.password)
    except LoginThrottled as exc:
        raise HttpError(429, str(exc)) from exc
    if user is None:
        raise HttpError(401, _("Wrong username or password."))
    return TokenOut(token=token_issue(user=user, request=request))
