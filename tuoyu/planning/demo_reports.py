"""Demo statistical reports: `manage.py demo_reports --seed 1`, after the other demo steps.

Last month's monthly reports for the counties of 南京市 and 无锡市, in the states an official meets:

- 南京市: 玄武区 a draft (demo_county_xuanwu has something to submit), 江宁区 submitted (demo_city_nanjing
  has something to approve), one county returned for correction, one not started, the others drawn
  between submitted and approved; the city's own report a draft that lists who is still missing;
- 无锡市: every county approved and the city's report submitted (demo_province has something to accept).

Steps are taken by the demo logins where they exist (demo_county_xuanwu, demo_county_jiangning,
demo_city_nanjing, demo_province), else by the system (shown as "—"). Idempotent: nothing is done if
a report of that period already exists in either city.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, TextIO

from django.db import transaction

from tuoyu.accounts.models import User
from tuoyu.regions.models import Region

from .models import StatReport
from .selectors_reports import last_period, period_bounds
from .services_reports import stat_report_create, stat_report_transition

NANJING, WUXI = "320100000000", "320200000000"
XUANWU, JIANGNING = "320102000000", "320115000000"
DEMO_USERS = {
    XUANWU: "demo_county_xuanwu",
    JIANGNING: "demo_county_jiangning",
    NANJING: "demo_city_nanjing",
    "province": "demo_province",
}


@dataclass
class DemoReportsSummary:
    period: str
    reports: int
    skipped: bool = False


def _user(key: str) -> Any:
    name = DEMO_USERS.get(key)
    return User.objects.filter(username=name).first() if name else None


@transaction.atomic
def demo_reports_generate(*, seed: int = 1, stdout: TextIO | None = None) -> DemoReportsSummary:
    period = last_period("monthly")
    start, end = period_bounds("monthly", period)
    cities = list(Region.objects.filter(code__in=[NANJING, WUXI]).order_by("code"))
    if len(cities) < 2:
        raise RuntimeError("Load the regions first (manage.py load_regions): 南京市 and 无锡市 are missing.")
    codes = [c.code for c in cities] + list(
        Region.objects.filter(parent__in=cities, level="county").values_list("code", flat=True)
    )
    if StatReport.objects.filter(region_id__in=codes, period_kind="monthly", period_start=start).exists():
        if stdout:
            stdout.write(f"Reports for {period} already exist in 南京市 and 无锡市: nothing to do.\n")
        return DemoReportsSummary(period, 0, skipped=True)
    rng = random.Random(seed)
    city_user = _user(NANJING)
    made = 0

    def create(region: Region) -> StatReport:
        nonlocal made
        made += 1
        return stat_report_create(
            actor=_user(region.code),
            region=region,
            period_kind="monthly",
            period_start=start,
            period_end=end,
        )

    def step(report: StatReport, action: str, actor: Any, reason: str = "") -> StatReport:
        return stat_report_transition(actor=actor, report=report, action=action, reason=reason)

    nanjing, wuxi = cities
    counties = list(Region.objects.filter(parent=nanjing, level="county").order_by("code"))
    others = [c for c in counties if c.code not in (XUANWU, JIANGNING)]
    rng.shuffle(others)
    not_started = others[:1]
    returned = others[1:2]
    for county in counties:
        if county in not_started:
            continue
        report = create(county)
        if county.code == XUANWU:
            continue  # a draft for demo_county_xuanwu to submit
        report = step(report, "submit", _user(county.code))
        if county.code == JIANGNING:
            continue  # waiting for demo_city_nanjing
        if county in returned:
            step(report, "return", city_user, "托位数与备案信息不一致，请核对后重新上报。")
        elif rng.random() < 0.7:
            step(report, "approve", city_user)
    create(nanjing)

    for county in Region.objects.filter(parent=wuxi, level="county").order_by("code"):
        report = step(create(county), "submit", None)
        step(report, "approve", None)
    step(create(wuxi), "submit", None)
    if stdout:
        stdout.write(f"Demo statistical reports for {period}: {made} made in 南京市 and 无锡市.\n")
    return DemoReportsSummary(period, made)
