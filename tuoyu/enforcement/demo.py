"""Demo enforcement data: `manage.py demo_enforcement --seed 1` (after demo_children and the other
supervision demos; works without them).

- Warnings, orders to correct and fines for about 0.5% of operating institutions across the province
  (at least 12), decided by demo_province through the services (credit records and notices follow).
- One suspended institution (a fine and suspension under 第41条 "情节严重") in 南京市 outside 玄武区.
- One closed institution in 玄武区 (a small one, never demo_director's centre): every child placed
  (into a suggested institution nearby where there is one, else home care), every fee settled, every
  record handed over; its trust card shows the closure.
- One closure in progress in 玄武区: half the children placed, fees partly settled.
- One open emergency at demo_director's centre in 玄武区 with a timeline (opened by the director,
  updates by the county, a severity raise).

Idempotent: each part is skipped when its demo records exist (decision numbers and reasons carry 演示).
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal
from time import monotonic
from typing import Any

from django.db.models import Count, Max, Q
from django.utils import timezone

from tuoyu.accounts.models import User
from tuoyu.children.models import Enrolment
from tuoyu.institutions.choices import FilingStatus, OperatingStatus
from tuoyu.institutions.models import Institution

from . import services
from .choices import ActionKind, ClosureStatus, HandoverItem, PlacementOutcome
from .models import ClosureCase, Emergency, EnforcementAction
from .selectors import child_kinds, nearby_vacancies

TAG = "演示"
XUANWU = "320102"
NANJING = "3201"
FACTS = {
    ActionKind.WARNING: ["午睡室未安装视频监控", "消毒记录不全", "晨午检记录缺失三天"],
    ActionKind.ORDER: ["保育人员与幼儿比例不达标", "消防通道堆放杂物", "食品留样不足48小时"],
    ActionKind.FINE: ["责令改正后逾期仍未改正", "拒不改正监控缺失问题"],
}


def _user(username: str) -> User | None:
    return User.objects.filter(username=username, is_active=True).first()


def _number(n: int, year: int) -> str:
    return f"苏卫监〔{year}〕{TAG}{n:03d}号"


def _candidates(prefix: str, exclude: set[int]) -> Any:
    """Operating, filed institutions whose township code starts with `prefix`."""
    return (
        Institution.objects.filter(
            status=OperatingStatus.OPERATING,
            filing_status=FilingStatus.FILED,
            township_id__gte=prefix.ljust(12, "0"),
            township_id__lte=prefix.ljust(12, "9"),
        )
        .exclude(pk__in=exclude)
        .exclude(closure_cases__status=ClosureStatus.OPEN)
    )


def _small_with_children(prefix: str, exclude: set[int], max_n: int = 12) -> Institution | None:
    """The smallest institution with 2 to `max_n` children, all started already, and a location."""
    today = timezone.localdate()
    return (
        _candidates(prefix, exclude)
        .filter(lat__isnull=False)
        .annotate(
            n=Count("current_children", distinct=True),
            latest=Max("enrolments__start_on", filter=Q(enrolments__left_on__isnull=True)),
        )
        .filter(n__gte=2, n__lte=max_n, latest__lte=today)
        .order_by("n", "pk")
        .first()
    )


def add_demo_enforcement(*, seed: int = 1, stdout: Any = None) -> dict[str, int]:
    started = monotonic()
    rng = random.Random(seed)
    province, county, director = _user("demo_province"), _user("demo_county_xuanwu"), _user("demo_director")
    done: dict[str, int] = {"actions": 0, "closed": 0, "closing": 0, "emergencies": 0}
    if province is None:
        if stdout:
            stdout.write("demo_enforcement: demo_province missing (run demo_data first); nothing done.")
        return done
    county = county or province
    today = timezone.localdate()
    protected: set[int] = set()
    if director is not None:
        protected |= set(
            director.role_assignments.filter(institution__isnull=False).values_list(
                "institution_id", flat=True
            )
        )

    # Warnings, orders, fines across the province.
    if not EnforcementAction.objects.filter(decision_number__contains=TAG).exists():
        ids = list(_candidates("32", protected).order_by("pk").values_list("pk", flat=True))
        chosen = rng.sample(ids, min(len(ids), max(12, len(ids) // 200)))
        by_pk = Institution.objects.in_bulk(chosen)
        plan = [ActionKind.WARNING, ActionKind.ORDER, ActionKind.WARNING, ActionKind.FINE]
        for n, pk in enumerate(chosen, start=1):
            kind = plan[n % len(plan)]
            decided = today - timedelta(days=rng.randint(5, 300))
            rule = (
                "ppl41_refuse" if kind == ActionKind.FINE else rng.choice(["ppl41_correct", "mpl126_check"])
            )
            services.enforcement_action_create(
                actor=province,
                institution=by_pk[pk],
                kind=kind,
                rule=rule,
                decision_number=_number(n, decided.year),
                decided_on=decided,
                facts=rng.choice(FACTS[kind]),
                amount=Decimal(rng.choice([5000, 8000, 10000, 20000])) if kind == ActionKind.FINE else None,
                correct_by=decided + timedelta(days=30) if kind == ActionKind.ORDER else None,
            )
            done["actions"] += 1
        # One suspension in 南京市 outside 玄武区.
        target = (
            _candidates(NANJING, protected)
            .exclude(township_id__gte=XUANWU.ljust(12, "0"), township_id__lte=XUANWU.ljust(12, "9"))
            .order_by("pk")
            .first()
        )
        if target is not None:
            services.enforcement_action_create(
                actor=province,
                institution=target,
                kind=ActionKind.SUSPENSION,
                rule="ppl41_serious",
                decision_number=_number(len(chosen) + 1, today.year),
                decided_on=today - timedelta(days=10),
                facts="发生幼儿烫伤事故后仍未落实整改，情节严重",
                amount=Decimal(60000),
            )
            done["actions"] += 1

    # One closed institution, every child placed and every fee settled.
    if not ClosureCase.objects.filter(reason__contains=TAG, status=ClosureStatus.CLOSED).exists():
        small = _small_with_children(XUANWU, protected)
        if small is not None:
            case = services.closure_case_open(
                actor=county, institution=small, reason=f"举办者申请停办，经核查同意退出（{TAG}）"
            )
            _place_all(case, county, rng, settle_all=True, place_all=True)
            for item in case.handovers.all():
                services.closure_handover_record(actor=county, item=item, received_by="玄武区卫健委档案室")
            services.closure_case_close(actor=county, case=case, summary="全部幼儿妥善安置，预收费用已结清")
            done["closed"] = 1

    # One closure in progress.
    if not ClosureCase.objects.filter(reason__contains=TAG, status=ClosureStatus.OPEN).exists():
        taken = protected | set(ClosureCase.objects.values_list("institution_id", flat=True))
        closing = _small_with_children(XUANWU, taken, max_n=30)
        if closing is not None:
            case = services.closure_case_open(
                actor=county, institution=closing, reason=f"场地租赁到期无法续租，机构停止托育服务（{TAG}）"
            )
            _place_all(case, county, rng, settle_all=False, place_all=False)
            item = case.handovers.get(item=HandoverItem.HEALTH_RECORDS)
            services.closure_handover_record(actor=county, item=item, received_by="玄武区妇幼保健所")
            done["closing"] = 1

    # An open emergency at the demo director's centre, with a timeline.
    if director is not None and protected and not Emergency.objects.filter(title__contains=TAG).exists():
        centre = Institution.objects.get(pk=min(protected))
        emergency = services.emergency_open(
            actor=director,
            institution=centre,
            kind="outbreak",
            severity="medium",
            title=f"疑似手足口病聚集（{TAG}）",
            description="托小班3名幼儿发热，手、口部出现疱疹，已电话通知家长接回并就医。",
        )
        services.emergency_add_entry(
            actor=county, emergency=emergency, text="区卫健委已通知区疾控中心，明日上午到园流调。"
        )
        services.emergency_add_entry(
            actor=director,
            emergency=emergency,
            text="新增2例，班级停课，全园终末消毒。",
            severity="high",
        )
        done["emergencies"] = 1

    if stdout:
        stdout.write(
            f"{done['actions']} enforcement actions, {done['closed']} closed institution, "
            f"{done['closing']} closure in progress, {done['emergencies']} emergency "
            f"({monotonic() - started:.1f} s)."
        )
    return done


def _place_all(
    case: ClosureCase, actor: Any, rng: random.Random, *, settle_all: bool, place_all: bool
) -> None:
    rows = list(case.children.select_related("child").order_by("pk"))
    for index, row in enumerate(rows):
        if not place_all and index % 2:
            continue
        found = nearby_vacancies(case.institution, child_kinds(row), limit=3)
        pick = rng.choice(found) if found and rng.random() < 0.85 else None
        services.closure_child_place(
            actor=actor,
            row=row,
            outcome=PlacementOutcome.INSTITUTION if pick else PlacementOutcome.HOME,
            institution=Institution.objects.get(pk=pick.institution_id) if pick else None,
            note="" if pick else "家长选择居家照护",
        )
        if settle_all or index % 4 == 0:
            fee = (
                Enrolment.objects.filter(child_id=row.child_id).values_list("monthly_fee", flat=True).first()
            )
            prepaid = (fee or Decimal(2800)) * rng.choice([1, 2, 3])
            services.closure_child_settle_fee(
                actor=actor,
                row=row,
                prepaid=prepaid,
                refunded=(prepaid * Decimal("0.6")).quantize(Decimal("0.01")),
            )


def enforcement_demo_reset() -> int:
    """Delete the demo's enforcement rows (development only; institutions keep their status)."""
    deleted = Emergency.objects.filter(title__contains=TAG).delete()[0]
    deleted += ClosureCase.objects.filter(reason__contains=TAG).delete()[0]
    deleted += EnforcementAction.objects.filter(decision_number__contains=TAG).delete()[0]
    return deleted
