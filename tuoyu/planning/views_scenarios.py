"""The scenario page: try hypothetical centres on a map of a region and see every indicator change.

`/gov/planning/scenarios/?region=<code>&date=…&lat=…&lng=…&places=…&inclusive=…&institution=…&suggest=N`
— the additions are repeated parameters, one value per row (forms_scenarios.py), so the whole scenario
is in the URL: nothing is stored, the page works without JavaScript, and a scenario can be shared.
`scenario.js` adds the map (click to add a centre, suggested sites) and refreshes the page in place.

Officials only (others 403; anonymous users go to login); a region outside the official's grants
answers 404, as does a region below county level.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from tuoyu.core.scoping import grants_for
from tuoyu.core.views import RoleRequiredMixin
from tuoyu.institutions.models import Institution
from tuoyu.regions.constants import SIGNIFICANT_DIGITS
from tuoyu.regions.models import Region

from . import scenarios
from .compute import operating_on
from .forms_scenarios import parse_row, query_items, rows_from
from .scenarios import MAX_SUGGESTIONS, AdditionInput, ScenarioInvalid
from .selectors import covers, default_region, parse_as_of

# What a suggested site adds when it is taken into the scenario (editable in its row afterwards).
SUGGESTED_PLACES = 100
BLANK_ROWS = 2


class ScenarioView(RoleRequiredMixin, TemplateView):
    required_check = "is_official"
    template_name = "planning/scenario.html"

    def get_region(self) -> Region:
        code = self.request.GET.get("region", "")
        region = Region.objects.filter(code=code).first() if code else default_region(self.request.user)
        if region is None or region.level not in scenarios.SCENARIO_LEVELS:
            raise Http404
        if not covers(self.request.user, region):
            raise Http404
        return region

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = self.request.GET
        region = self.get_region()
        date_error = ""
        try:
            as_of = parse_as_of(query.get("date"))
        except ValueError as exc:
            date_error, as_of = str(exc), timezone.localdate()

        rows = rows_from(query)
        shown_rows: list[dict[str, Any]] = []
        inputs: list[AdditionInput] = []
        for row in rows:
            addition, errors = parse_row(row)
            shown_rows.append({"values": row, "errors": errors})
            if addition is not None:
                inputs.append(addition)
        general_errors: list[str] = []
        parse_failed = any(r["errors"] for r in shown_rows)
        effect = None
        if not parse_failed:
            try:
                effect = scenarios.scenario_effect(region, inputs, as_of)
            except ScenarioInvalid as exc:
                for problem in exc.problems:
                    row_index = problem.loc[1] if len(problem.loc) == 3 else None
                    if isinstance(row_index, int):
                        shown_rows[row_index]["errors"].setdefault(str(problem.loc[2]), []).append(
                            problem.msg
                        )
                    else:
                        general_errors.append(problem.msg)
        invalid = effect is None
        if effect is None:  # the region as it is, to show beside the errors
            effect = scenarios.scenario_effect(region, [], as_of)
        for resolved in effect.additions:
            shown_rows[resolved.index]["township_name"] = resolved.township_name
            shown_rows[resolved.index]["institution_name"] = resolved.institution_name

        suggest, suggest_error = self._suggest_count(query.get("suggest", ""))
        suggestions = None
        if suggest:
            suggestions = scenarios.suggest_sites(
                region,
                suggest,
                as_of=as_of,
                additions=[] if invalid else [a.addition for a in effect.additions],
            )

        base = [("region", region.code), ("date", as_of.isoformat())]
        page = reverse("planning:scenario")

        def url(extra_rows: list[dict[str, str]], without: int | None = None) -> str:
            kept_rows = [row for i, row in enumerate(rows) if i != without]
            items = base + query_items(kept_rows + extra_rows)
            if suggest:
                items.append(("suggest", str(suggest)))
            return f"{page}?{urlencode(items)}"

        for index, shown in enumerate(shown_rows):
            shown["remove_url"] = url([], without=index)

        site_rows = []
        if suggestions is not None:
            for site in suggestions.sites:
                site_rows.append((site, url([self._site_row(site)])))
        lo, hi = region.subtree_bounds()
        institutions = (
            Institution.objects.for_user(self.request.user, "view")
            .filter(operating_on(as_of), township_id__gte=lo, township_id__lte=hi)
            .filter(lat__isnull=False, lng__isnull=False)
            .values_list("pk", "lat", "lng", "places", "inclusive", "name")
        )
        grants = grants_for(self.request.user, "view")
        context.update(
            region=region,
            as_of=as_of,
            date_error=date_error,
            breadcrumbs=[r for r in region.ancestors() if grants.covers_code(r.code)],
            rows=shown_rows,
            blank_rows=range(BLANK_ROWS),
            invalid=invalid,
            general_errors=general_errors,
            effect=effect,
            changed_indicators=[c for c in effect.indicators if c.changed],
            suggest=suggest or "",
            suggest_error=suggest_error,
            max_suggestions=MAX_SUGGESTIONS,
            suggestions=suggestions,
            site_rows=site_rows,
            add_all_url=url([self._site_row(s) for s in suggestions.sites]) if suggestions else "",
            clear_url=f"{page}?{urlencode(base)}",
            residents_note=scenarios.residents_note(),
            radius_m=int(scenarios.fifteen_minute_radius()),
            tile_url=settings.TUOYU_TILE_URL,
            tile_attribution=settings.TUOYU_TILE_ATTRIBUTION,
            map_data={
                "region": region.code,
                "prefix": region.code[: SIGNIFICANT_DIGITS[region.level]],
                "institutions": [
                    [pk, round(float(lat or 0), 5), round(float(lng or 0), 5), places, bool(inclusive), name]
                    for pk, lat, lng, places, inclusive, name in institutions
                ],
                "communities": effect.community_map(),
                "additions": [
                    [a.lat, a.lng, a.places, a.inclusive, a.township_name]
                    for a in effect.additions
                    if a.lat is not None
                ],
                "sites": [
                    [s.lat, s.lng, s.rank, s.name, s.communities, s.residents, u] for s, u in site_rows
                ],
                "radius_m": scenarios.fifteen_minute_radius(),
                "suggested_places": SUGGESTED_PLACES,
            },
            map_labels={
                "add": _("Add a centre here"),
                "places": _("Places"),
                "inclusive": _("Inclusive"),
                "add_button": _("Add to the scenario"),
                "institution": _("{name}: {places} places"),
                "site": _(
                    "Suggested site {rank}: {name} — {communities} communities, about {residents} residents"
                ),
                "addition": _("Hypothetical centre: {places} places in {township}"),
                "updating": _("Computing…"),
                "failed": _("The scenario could not be computed. Check the rows below."),
            },
        )
        return context

    @staticmethod
    def _suggest_count(raw: str) -> tuple[int, str]:
        if not raw.strip():
            return 0, ""
        try:
            n = int(raw)
        except ValueError:
            return 0, _("Give a whole number of sites.")
        if not 1 <= n <= MAX_SUGGESTIONS:
            return 0, _("Suggest between 1 and {n} sites.").format(n=MAX_SUGGESTIONS)
        return n, ""

    @staticmethod
    def _site_row(site: scenarios.Site) -> dict[str, str]:
        return {
            "lat": f"{site.lat:.6f}",
            "lng": f"{site.lng:.6f}",
            "places": str(SUGGESTED_PLACES),
            "inclusive": "1",
            "institution": "",
        }
