"""Persona expectations for the planning reports endpoints and pages (merged by scoping_cases.py).

Reports are for officials and national observers: other users 403, anonymous 401 (API) or login
(pages). A report of 玄武区 is invisible to 江宁区's official (404). Steps need "manage" on the acting
unit: the county submits, the city approves (the persona city official is a viewer: 403), the
province accepts and locks; national observers only look (403).
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from tuoyu.core.tests.personas import ALL_PERSONAS, GOV
from tuoyu.core.tests.personas import expect_status as _status

from ..models import StatReport
from ..selectors_reports import last_period, period_bounds
from ..services_reports import stat_report_create


def _report(world: Any, key: str, status: str = "draft") -> StatReport:
    start, end = period_bounds("monthly", last_period("monthly"))
    report = stat_report_create(
        actor=None, region=world.regions[key], period_kind="monthly", period_start=start, period_end=end
    )
    if status != "draft":
        StatReport.objects.filter(pk=report.pk).update(status=status, submitted_at=timezone.now())
    return report


def _expect(ok: set[str], *, anonymous: int, forbidden: set[str] | None = None) -> dict[str, int]:
    """ok → 200; officials who see the report but may not act, and non-officials → 403; officials who
    do not see it → 404."""
    result: dict[str, int] = {}
    for p in ALL_PERSONAS:
        if p == "anonymous":
            result[p] = anonymous
        elif p in ok:
            result[p] = 200
        elif p not in GOV or forbidden is not None and p in forbidden:
            result[p] = 403
        else:
            result[p] = 404
    return result


_XUANWU_SEERS = GOV - {"other_county_official"}
_PROVINCE_SEERS = {"province_official", "national_observer"}
_view_xuanwu = _expect(_XUANWU_SEERS, anonymous=401)
_bad_body = {p: 401 if p == "anonymous" else 422 for p in ALL_PERSONAS}


def _api(key: str, status: str, suffix: str = "") -> Any:
    return lambda w: f"/api/v1/planning/reports/{_report(w, key, status).pk}{suffix}"


API_CASES: dict[tuple[str, str], tuple[Any, Any]] = {
    ("get", "/api/v1/planning/reports"): (
        lambda w: "/api/v1/planning/reports",
        _status(_expect(GOV, anonymous=401)),
    ),
    # The persona body lacks region, period_kind and period: 422 for every authenticated caller.
    ("post", "/api/v1/planning/reports"): (lambda w: "/api/v1/planning/reports", _status(_bad_body)),
    ("get", "/api/v1/planning/reports/{report_id}"): (_api("xuanwu", "draft"), _status(_view_xuanwu)),
    ("post", "/api/v1/planning/reports/{report_id}/submit"): (
        _api("xuanwu", "draft", "/submit"),
        _status(_expect({"province_official", "county_official"}, anonymous=401, forbidden=_XUANWU_SEERS)),
    ),
    ("post", "/api/v1/planning/reports/{report_id}/approve"): (
        _api("xuanwu", "submitted", "/approve"),
        _status(_expect({"province_official"}, anonymous=401, forbidden=_XUANWU_SEERS)),
    ),
    # No reason in the persona body: 422 for the one who may return it.
    ("post", "/api/v1/planning/reports/{report_id}/return"): (
        _api("xuanwu", "submitted", "/return"),
        _status({**_expect(set(), anonymous=401, forbidden=_XUANWU_SEERS), "province_official": 422}),
    ),
    ("post", "/api/v1/planning/reports/{report_id}/accept"): (
        _api("nanjing", "submitted", "/accept"),
        _status(
            _expect(
                {"province_official"},
                anonymous=401,
                forbidden={"city_official", "national_observer"},
            )
        ),
    ),
    ("post", "/api/v1/planning/reports/{report_id}/lock"): (
        _api("xuanwu", "approved", "/lock"),
        _status(_expect({"province_official"}, anonymous=401, forbidden=_XUANWU_SEERS)),
    ),
    ("get", "/api/v1/planning/reports/{report_id}/national"): (
        _api("province", "accepted", "/national"),
        _status(_expect(_PROVINCE_SEERS, anonymous=401)),
    ),
}


def _page(name: str, key: str, status: str = "draft") -> Any:
    return lambda w: reverse(name, args=[_report(w, key, status).pk])


PAGE_CASES: dict[str, tuple[Any, dict[str, int]]] = {
    "planning:reports": (
        lambda w: reverse("planning:reports") + "?region=320102000000",
        _expect(_XUANWU_SEERS, anonymous=302),
    ),
    "planning:report": (_page("planning:report", "xuanwu"), _expect(_XUANWU_SEERS, anonymous=302)),
    "planning:report_xlsx": (_page("planning:report_xlsx", "xuanwu"), _expect(_XUANWU_SEERS, anonymous=302)),
    "planning:report_national": (
        _page("planning:report_national", "province", "accepted"),
        _expect(_PROVINCE_SEERS, anonymous=302),
    ),
}
