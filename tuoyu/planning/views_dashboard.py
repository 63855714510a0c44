"""The planning dashboard (管理端 home): `?region=<code>&indicator=<key>&date=YYYY-MM-DD`.

Officials only (others 403; anonymous users go to login); a region outside the official's grants
answers 404. Reads stored snapshots only (`dashboard.py`); the map's data comes from
`api_dashboard.py`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404
from django.utils import timezone
from django.views.generic import TemplateView

from tuoyu.core.scoping import grants_for
from tuoyu.core.views import RoleRequiredMixin
from tuoyu.regions.models import Region

from .dashboard import dashboard_for
from .selectors import INDICATOR_LEVELS, covers, default_region, parse_as_of


class DashboardView(RoleRequiredMixin, TemplateView):
    """A region's indicators against target with trends, sub-regions ranked, the map, and the gaps."""

    required_check = "is_official"
    template_name = "planning/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        code = self.request.GET.get("region", "")
        region = Region.objects.filter(code=code).first() if code else default_region(user)
        if region is None or region.level not in INDICATOR_LEVELS or not covers(user, region):
            raise Http404
        date_error = ""
        try:
            requested = parse_as_of(self.request.GET.get("date"))
        except ValueError as exc:
            date_error, requested = str(exc), timezone.localdate()
        board = dashboard_for(region, requested, self.request.GET.get("indicator"))
        grants = grants_for(user, "view")
        values = [r.value for r in board.ranking if r.value is not None]
        context.update(
            region=region,
            board=board,
            date_error=date_error,
            date_param=requested.isoformat() if self.request.GET.get("date") and not date_error else "",
            breadcrumbs=[r for r in region.ancestors() if grants.covers_code(r.code)],
            ranking_max=max(values, default=None),
            tile_url=settings.TUOYU_TILE_URL,
            tile_attribution=settings.TUOYU_TILE_ATTRIBUTION,
        )
        return context
