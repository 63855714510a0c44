"""The one place that decides who may see what.

Every scoped model's QuerySet subclasses `ScopedQuerySet` and says, in `scope_q()`, how a grant
maps onto its rows. Pages and API handlers get objects only through `for_user(user, action)`.
Deny by default: no grant, no rows. Out-of-scope objects are answered with 404, exactly like missing ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, Self, TypeVar

from django.db import models
from django.db.models import Q


@dataclass(frozen=True)
class Grants:
    """What one user may reach for one action.

    everything: a national observer (or superuser) sees every region.
    region_ranges: inclusive code ranges of the regions granted (a grant covers all descendants).
    institution_ids: institutions whose staff the user is.
    user_id: for records a user owns personally (a parent's own children).
    personal: the user may reach records tied to them personally (a parent: children they are a
        guardian of). Only models whose `scope_q` reads `user_id` give such a user any rows.
    """

    everything: bool = False
    region_ranges: tuple[tuple[str, str], ...] = ()
    institution_ids: frozenset[int] = field(default_factory=frozenset)
    user_id: int | None = None
    personal: bool = False

    @property
    def empty(self) -> bool:
        """No region, institution or national grant (a parent's personal grant does not count)."""
        return not (self.everything or self.region_ranges or self.institution_ids)

    def region_q(self, code_field: str) -> Q:
        """Rows whose region code (a 12-digit code column) falls in a granted subtree."""
        q = Q(pk__in=[])
        for lo, hi in self.region_ranges:
            q |= Q(**{f"{code_field}__gte": lo, f"{code_field}__lte": hi})
        return q

    def covers_code(self, code: str) -> bool:
        return self.everything or any(lo <= code <= hi for lo, hi in self.region_ranges)


NO_GRANTS = Grants()


def grants_for(user: Any, action: str) -> Grants:
    """The user's grants for an action (anonymous users have none)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return NO_GRANTS
    result: Grants = user.grants(action)
    return result


M = TypeVar("M", bound=models.Model)


class ScopedQuerySet(models.QuerySet[M], Generic[M]):
    """A QuerySet that knows how to restrict itself to what a user may reach."""

    def scope_q(self, grants: Grants) -> Q:  # pragma: no cover - abstract
        raise NotImplementedError

    def for_user(self, user: Any, action: str = "view") -> Self:
        grants = grants_for(user, action)
        if grants.everything:
            return self.all()
        if grants.empty and not grants.personal:
            return self.none()
        return self.filter(self.scope_q(grants))
