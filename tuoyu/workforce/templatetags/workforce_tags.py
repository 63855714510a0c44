from typing import Any

from django import template

from tuoyu.workforce.models import official_with

register = template.Library()


@register.filter
def can_see_bans(user: Any) -> bool:
    """Officials holding "review" or "manage" over a region may open the ban list."""
    return bool(getattr(user, "is_authenticated", False)) and official_with(user, "review", "manage")
