"""API auth for the filing routers: the same as the whole API (bearer token, or session with CSRF)."""

from tuoyu.core.api import API_AUTH as AUTH

__all__ = ["AUTH"]
