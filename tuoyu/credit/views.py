"""Credit pages (under /credit/).

Government (officials and national observers): the home page (tiers by region, recent tier changes
with their reasons), the lists by tier — the joint-penalty list (联合惩戒, C and D) and the
trust-incentive list (守信激励, A) with their Excel export for other departments — and a responsible
person's records across institutions.

An institution's credit page is open to officials over its region and to **the institution's own
staff**: an institution must be able to see why its tier is what it is (every record and every
change with its causes). Staff do not see the names of responsible persons on it. Officials who
manage the region may revoke a record there.
"""

from __future__ import annotations

from datetime import date
from io import BytesIO
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views import View

from tuoyu.core.api import Conflict
from tuoyu.core.audit import audit
from tuoyu.core.scoping import grants_for
from tuoyu.core.views import RoleRequiredMixin
from tuoyu.institutions.models import Institution
from tuoyu.institutions.selectors import staff_institutions

from . import selectors, services
from .choices import CreditSource
from .models import CreditRecord
from .rules import current_rule, months_before

PAGE_SIZE = 50
# The two lists shared with other departments.
LISTS = {
    "penalty": (("D", "C"), "联合惩戒"),  # joint penalties: D and C tiers
    "incentive": (("A",), "守信激励"),  # trust incentives: A tier (lighter checks)
}


class OfficialMixin(RoleRequiredMixin):
    required_check = "is_official"


def _region(request: HttpRequest) -> Any:
    """The region a government page is about: ?region= within the user's scope, else the widest."""
    from tuoyu.regions.models import Region
    from tuoyu.regions.selectors import widest_region

    grants = grants_for(request.user, "view")
    code = request.GET.get("region", "")
    if code:
        region = Region.objects.filter(code=code).first()
        if region is None or not grants.covers_code(region.code):
            raise Http404
        return region
    region = widest_region(grants)
    if region is None:
        raise PermissionDenied
    return region


class CreditHomeView(OfficialMixin, View):
    """管理端: tier distribution by sub-region, recent tier changes with their causes, links."""

    def get(self, request: HttpRequest) -> HttpResponse:
        region = _region(request)
        rows = selectors.tier_distribution(request.user, region)
        totals = {tier: sum(r.counts.get(tier, 0) for r in rows) for tier in ("A", "B", "C", "D")}
        return render(
            request,
            "credit/home.html",
            {
                "region": region,
                "rows": rows,
                "totals": totals,
                "total": sum(totals.values()),
                "changes": selectors.recent_changes(request.user, limit=20),
                "rule": current_rule(),
                "window_start": months_before(timezone.localdate(), current_rule().window_months),
            },
        )


def _may_see_person(user: Any) -> bool:
    return bool(getattr(user, "is_official", False))


class InstitutionCreditView(RoleRequiredMixin, View):
    """One institution's credit: score, tier, records in force, expired and revoked, and every tier
    change with the records that caused it. Officials in scope and the institution's own staff."""

    def _institution(self, request: HttpRequest, pk: int) -> Institution:
        user = request.user
        if not (user.is_official or user.is_staff_member):  # type: ignore[union-attr]
            raise PermissionDenied
        return get_object_or_404(Institution.objects.for_user(user, "view"), pk=pk)

    def get(self, request: HttpRequest, pk: int, status: int = 200, error: str = "") -> HttpResponse:
        institution = self._institution(request, pk)
        context = selectors.institution_credit(institution)
        revocable = {r.pk for r in context["counting"] if services.may_revoke(request.user, r)}
        return render(
            request,
            "credit/institution.html",
            {
                "institution": institution,
                **context,
                "revocable": revocable,
                "show_person": _may_see_person(request.user),
                "error": error,
            },
            status=status,
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        institution = self._institution(request, pk)
        record = get_object_or_404(
            CreditRecord.objects.select_related("institution"),
            pk=request.POST.get("record") or 0,
            institution=institution,
        )
        try:
            services.credit_record_revoke(
                actor=request.user, record=record, reason=request.POST.get("reason", "")
            )
        except ValidationError as exc:
            return self.get(request, pk, status=422, error=" ".join(exc.messages))
        except Conflict as exc:
            return self.get(request, pk, status=409, error=str(exc))
        messages.success(request, _("The record is revoked and the tier recomputed."))
        return redirect(reverse("credit:institution", args=[institution.pk]))


class MyCreditView(RoleRequiredMixin, View):
    """机构端: staff go to their institution's credit page."""

    required_check = "is_staff_member"

    def get(self, request: HttpRequest) -> HttpResponse:
        institutions = staff_institutions(request.user, "view")
        if not institutions:
            raise PermissionDenied
        return redirect(reverse("credit:institution", args=[institutions[0].pk]))


def _list_kind(request: HttpRequest) -> tuple[str, tuple[str, ...]]:
    kind = request.GET.get("list", "")
    if kind in LISTS:
        return kind, LISTS[kind][0]
    tier = request.GET.get("tier", "")
    if tier in ("A", "B", "C", "D"):
        return "", (tier,)
    return "penalty", LISTS["penalty"][0]


def _reasons_by_institution(institution_ids: list[int], as_of: date) -> dict[int, list[tuple[str, int]]]:
    """Kinds of records counting per institution, with their number (one GROUP BY)."""
    rule = current_rule()
    labels = dict(CreditSource.choices)
    result: dict[int, list[tuple[str, int]]] = {}
    rows = (
        CreditRecord.objects.counting(as_of, months_before(as_of, rule.window_months))
        .filter(institution_id__in=institution_ids)
        .values("institution_id", "source")
        .annotate(n=Count("pk"))
        .order_by("institution_id", "source")
    )
    for row in rows:
        result.setdefault(row["institution_id"], []).append(
            (str(labels.get(row["source"], row["source"])), row["n"])
        )
    return result


class TierListView(OfficialMixin, View):
    """Institutions of a tier (or one of the two shared lists) in the region, worst first, paginated."""

    def get(self, request: HttpRequest) -> HttpResponse:
        region = _region(request)
        kind, tiers = _list_kind(request)
        queryset = selectors.standings_in_scope(request.user, tiers, region)
        page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
        standings = list(page)
        reasons = _reasons_by_institution([s.institution_id for s in standings], timezone.localdate())
        for standing in standings:
            standing.reasons = reasons.get(standing.institution_id, [])  # type: ignore[attr-defined]
        return render(
            request,
            "credit/tiers.html",
            {
                "region": region,
                "kind": kind,
                "tiers": tiers,
                "standings": standings,
                "page_obj": page,
                "paginator": page.paginator,
                "is_paginated": page.has_other_pages(),
                "rule": current_rule(),
            },
        )


# Chinese headers: the file goes to other departments as it is.
EXPORT_HEADERS = [
    "序号",
    "机构名称",
    "统一社会信用代码",
    "法定代表人",
    "所在市",
    "所在县（市、区）",
    "信用等级",
    "信用分",
    "等级日期",
    "计分记录（类别×条数）",
]


class TierExportView(OfficialMixin, View):
    """The list as an Excel file with Chinese headers, to share with other departments."""

    def get(self, request: HttpRequest) -> HttpResponse:
        from openpyxl import Workbook
        from openpyxl.styles import Font

        region = _region(request)
        kind, tiers = _list_kind(request)
        standings = list(selectors.standings_in_scope(request.user, tiers, region)[:20000])
        with translation.override("zh-hans"):
            reasons = _reasons_by_institution([s.institution_id for s in standings], timezone.localdate())
        title = LISTS[kind][1] if kind else f"{''.join(tiers)}级"
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = title
        sheet.append([f"{region.name} 托育机构信用{title}名单（{timezone.localdate():%Y-%m-%d}）"])
        sheet.append(["说明：信用等级按本平台自定的计分规则计算（非官方评价标准），仅供部门间协同监管参考。"])
        sheet.append(EXPORT_HEADERS)
        for cell in sheet[3]:
            cell.font = Font(bold=True)
        for n, standing in enumerate(standings, start=1):
            inst = standing.institution
            sheet.append(
                [
                    n,
                    inst.name,
                    inst.uscc,
                    inst.legal_representative,
                    inst.city.name if inst.city else "",
                    inst.county.name if inst.county else "",
                    standing.tier,
                    standing.score,
                    standing.tier_since.date().isoformat(),
                    "；".join(
                        f"{label}×{count}" for label, count in reasons.get(standing.institution_id, [])
                    ),
                ]
            )
        for column, width in zip("ABCDEFGHIJ", (6, 36, 22, 12, 10, 14, 8, 8, 12, 48), strict=True):
            sheet.column_dimensions[column].width = width
        buffer = BytesIO()
        book.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        filename = f"credit-{kind or ''.join(tiers)}-{region.code}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class PersonRecordsView(OfficialMixin, View):
    """A responsible person's records across the institutions in scope (officials only)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        name = request.GET.get("name", "").strip()[:60]
        records = selectors.person_records(request.user, name) if name else CreditRecord.objects.none()
        if name:
            # A person's record is personal data: who looked whom up is kept.
            audit(actor=request.user, action="credit_person_view", detail={"name": name}, request=request)
        page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(
            request,
            "credit/person.html",
            {
                "name": name,
                "page_obj": page,
                "paginator": page.paginator,
                "is_paginated": page.has_other_pages(),
                "points": sum(r.points for r in page if r.revoked_at is None),
            },
        )
