"""Demo complaints: `manage.py demo_complaints --seed 1` (after demo_supervision; works without it).

- About 300 complaints (`--count`) about listed institutions across the province, received over the
  last 120 days, in every status and outcome; about a third named (synthetic names and phones).
- Open complaints past their county deadline: most are escalated (to the city, some on to the
  province) with the deadline reset and the step recorded; the rest are left overdue at the county, as
  if today's `escalate_complaints` had not run yet.
- Every serious one (abuse, injury, safety) opened a complaint inspection through
  `supervision.services.inspection_open`; among them one in 玄武区 at demo_director's centre, under
  investigation and forwarded to the centre, beside a non-serious forwarded one awaiting the response.
- (Partly) substantiated ones post their credit record (`services.post_credit`).

Idempotent: the references come from the seed; when the first one exists, nothing is written. Demo
references are therefore predictable — real ones are random (`services.new_reference`).
"""

from __future__ import annotations

import base64
import random
from datetime import datetime, time, timedelta
from time import monotonic
from typing import Any

from django.db import transaction
from django.utils import timezone

from tuoyu.accounts.models import RoleAssignment, User
from tuoyu.filings.calendar import add_working_days_estimated
from tuoyu.institutions.models import Institution

from . import rules
from .choices import ComplaintCategory, ComplaintOutcome, ComplaintStatus, EventKind, HandlingLevel
from .models import Complaint, ComplaintEvent
from .services import officials_of, post_credit

XUANWU_CODE = "320102000000"
C = ComplaintCategory
# (category, weight, descriptions)
TEXTS: dict[str, tuple[int, list[str]]] = {
    C.ABUSE: (
        3,
        ["孩子回家后手臂有掐痕，询问说是老师捏的。", "看到保育员推搡、呵斥哭闹的孩子并关进小房间。"],
    ),
    C.INJURY: (
        4,
        [
            "孩子午睡时从床上摔下，额头缝了三针，园方当天未告知。",
            "户外活动时孩子被滑梯划伤，伤口未及时处理。",
        ],
    ),
    C.SAFETY: (4, ["楼梯护栏松动，消防通道堆放杂物。", "接送时门卫不核对身份，陌生人可以进入。"]),
    C.HYGIENE: (12, ["午餐饭菜经常是凉的，餐具没有消毒。", "连续几天有孩子腹泻，厨房卫生差。"]),
    C.FEES: (
        14,
        ["预收了半年保育费，退托时拒不退还剩余费用。", "收费项目和公示的收费目录不一致，多收伙食费。"],
    ),
    C.STAFF: (10, ["老师经常当着孩子面玩手机，对家长态度恶劣。", "保育员频繁更换，孩子不适应。"]),
    C.SERVICE: (12, ["说好的早教课程没有开，孩子整天看电视。", "家长群里不回复消息，孩子在园情况无从了解。"]),
    C.UNFILED: (3, ["隔壁小区有人在家里看护十几个孩子，没有任何备案公示。"]),
    C.OTHER: (4, ["机构门口经常堵车，影响小区居民出行。"]),
}
REPLIES: dict[str, str] = {
    ComplaintOutcome.SUBSTANTIATED: "经现场核查，反映问题属实。已责令机构限期整改，并记入信用档案。",
    ComplaintOutcome.PARTLY: "经核查，反映问题部分属实。已要求机构整改相关问题，其余情况未发现。",
    ComplaintOutcome.NOT_SUBSTANTIATED: "经现场核查及调阅监控，未发现所反映的问题。感谢您的监督。",
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"


def _references(rng: random.Random, years: list[int]) -> list[str]:
    return [
        f"{rules.REFERENCE_PREFIX}-{year}-"
        + base64.b32encode(rng.getrandbits(80).to_bytes(10, "big")).decode()[: rules.REFERENCE_RANDOM_CHARS]
        for year in years
    ]


def _due(start: Any, level: str) -> tuple[Any, bool]:
    return add_working_days_estimated(start, rules.LEVEL_DEADLINES[level].working_days)


def _aware(day: Any, rng: random.Random) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(rng.randint(7, 21), rng.randint(0, 59))))


def _director_institution() -> Institution | None:
    ra = (
        RoleAssignment.objects.filter(user__username="demo_director", institution__isnull=False)
        .select_related("institution")
        .first()
    )
    return ra.institution if ra else None


def add_demo_complaints(*, seed: int, count: int = 300, stdout: Any) -> int:
    started = monotonic()
    rng = random.Random(seed * 7919 + 17)
    today, now = timezone.localdate(), timezone.now()
    listed = list(
        Institution.objects.publicly_listed()
        .values_list("pk", "county_id", "city_id", "city__parent_id")
        .order_by("pk")
    )
    if not listed:
        stdout.write("complaints: no listed institution; nothing written.\n")
        return 0
    # Concluded complaints spread over four months; open ones are recent (at most about six weeks).
    received_days = [today - timedelta(days=rng.randint(0, 120)) for _ in range(count)]
    references = _references(rng, [d.year for d in received_days])
    if Complaint.objects.filter(reference=references[0]).exists():
        stdout.write("complaints: demo complaints exist already; nothing written.\n")
        return 0
    director_inst = _director_institution()
    xuanwu = [row for row in listed if row[1] == XUANWU_CODE]
    picks = [rng.choice(listed) for _ in range(count)]
    # The story in 玄武区: a serious complaint and a forwarded one at the demo director's centre.
    story = None
    if director_inst is not None:
        story = (
            director_inst.pk,
            director_inst.county_id,
            director_inst.city_id,
            director_inst.city.parent_id,
        )
    elif xuanwu:
        story = xuanwu[0]
    cats = list(TEXTS)
    weights = [TEXTS[c][0] for c in cats]
    actors: dict[str, int | None] = {}
    fallback = User.objects.filter(username="demo_province").values_list("pk", flat=True).first()

    def actor_for(region_id: str) -> int | None:
        if region_id not in actors:
            ids = officials_of(region_id)
            actors[region_id] = ids[0] if ids else fallback
        return actors[region_id]

    complaints: list[Complaint] = []
    plans: list[dict[str, Any]] = []
    for i in range(count):
        inst_id, county_id, city_id, province_id = picks[i]
        received = received_days[i]
        category = rng.choices(cats, weights)[0]
        roll = rng.random()
        status = (
            ComplaintStatus.RECEIVED
            if roll < 0.15
            else ComplaintStatus.ACCEPTED
            if roll < 0.3
            else ComplaintStatus.INVESTIGATING
            if roll < 0.5
            else ComplaintStatus.CONCLUDED
        )
        forwarded = False
        if i < 2 and story is not None:
            inst_id, county_id, city_id, province_id = story
            category = C.INJURY if i == 0 else C.FEES
            status = ComplaintStatus.INVESTIGATING if i == 0 else ComplaintStatus.ACCEPTED
            received = today - timedelta(days=2 + i)
            forwarded = True
        elif status != ComplaintStatus.CONCLUDED:
            received = today - timedelta(days=(today - received).days % 42)
        regions: dict[str, Any] = {
            HandlingLevel.COUNTY: county_id,
            HandlingLevel.CITY: city_id,
            HandlingLevel.PROVINCE: province_id,
        }
        anonymous = rng.random() < 0.65
        description = rng.choice(TEXTS[category][1])
        level: str = HandlingLevel.COUNTY
        due, provisional = _due(received, level)
        escalation_days = []
        concluded_at = None
        outcome = ""
        if status == ComplaintStatus.CONCLUDED:
            span = max(1, min((today - received).days, 20))
            concluded_at = _aware(received + timedelta(days=rng.randint(1, span)), rng)
            if concluded_at > timezone.now():
                concluded_at = timezone.now()
            outcome = rng.choices(
                [
                    ComplaintOutcome.SUBSTANTIATED,
                    ComplaintOutcome.PARTLY,
                    ComplaintOutcome.NOT_SUBSTANTIATED,
                    ComplaintOutcome.WITHDRAWN,
                ],
                [30, 15, 40, 15],
            )[0]
        elif due < today and i >= 2 and rng.random() < 0.7:
            # Escalated by earlier runs: each time the level's deadline passed, one level up.
            while due < today and level in rules.NEXT_LEVEL:
                day = due + timedelta(days=1)
                level = rules.NEXT_LEVEL[level]
                escalation_days.append((day, level))
                due, provisional = _due(day, level)
        if not forwarded and status != ComplaintStatus.RECEIVED:
            forwarded = rng.random() < 0.4
        forwarded_at = min(_aware(received + timedelta(days=1), rng), now) if forwarded else None
        responded = forwarded and i != 1 and rng.random() < 0.6
        complaints.append(
            Complaint(
                reference=references[i],
                institution_id=inst_id,
                category=category,
                serious=rules.is_serious(category),
                description=description,
                occurred_on=received - timedelta(days=rng.randint(0, 5)),
                anonymous=anonymous,
                contact_name="" if anonymous else rng.choice(SURNAMES) + rng.choice(["女士", "先生"]),
                contact_phone="" if anonymous else f"13{rng.randint(0, 9)}{rng.randint(0, 99999999):08d}",
                received_at=_aware(received, rng),
                status=status,
                level=level,
                handling_region_id=regions[level],
                due_on=due,
                due_provisional=provisional,
                escalations=len(escalation_days),
                forwarded_at=forwarded_at,
                institution_response="我园已就此事进行内部调查，并与家长沟通，将加强管理。"
                if responded
                else "",
                responded_at=min(forwarded_at + timedelta(days=2), now)
                if responded and forwarded_at
                else None,
                outcome=outcome,
                reply=REPLIES.get(outcome, "投诉人撤回投诉。") if outcome else "",
                concluded_at=concluded_at,
            )
        )
        plans.append({"escalations": escalation_days, "regions": regions})
    with transaction.atomic():
        Complaint.objects.bulk_create(complaints, batch_size=1000)
        events: list[ComplaintEvent] = []
        for c, plan in zip(complaints, plans, strict=True):
            handler = actor_for(str(c.handling_region_id))
            county_actor = actor_for(str(plan["regions"][HandlingLevel.COUNTY]))
            at = c.received_at
            events.append(
                ComplaintEvent(
                    complaint=c, kind=EventKind.SUBMITTED, to_status="received", to_level="county", at=at
                )
            )
            for day, level in plan["escalations"]:
                events.append(
                    ComplaintEvent(
                        complaint=c,
                        kind=EventKind.ESCALATED,
                        from_level=HandlingLevel.COUNTY
                        if level == HandlingLevel.CITY
                        else HandlingLevel.CITY,
                        to_level=level,
                        at=_aware(day, rng),
                        reason="逾期未办结，自动上报上一级。",
                    )
                )
            steps = {
                ComplaintStatus.RECEIVED: [],
                ComplaintStatus.ACCEPTED: [("received", "accepted")],
                ComplaintStatus.INVESTIGATING: [("received", "accepted"), ("accepted", "investigating")],
                ComplaintStatus.CONCLUDED: [
                    ("received", "accepted"),
                    ("accepted", "investigating"),
                    ("investigating", "concluded"),
                ],
            }[ComplaintStatus(c.status)]
            if c.outcome == ComplaintOutcome.WITHDRAWN:
                steps = [("received", "concluded")]
            for n, (a, b) in enumerate(steps):
                when = min(
                    now,
                    c.concluded_at
                    if b == "concluded" and c.concluded_at
                    else at + timedelta(hours=4 * (n + 1)),
                )
                events.append(
                    ComplaintEvent(
                        complaint=c,
                        kind=EventKind.TRANSITION,
                        from_status=a,
                        to_status=b,
                        actor_id=handler if b == "concluded" else county_actor,
                        at=when,
                    )
                )
            if c.forwarded_at:
                events.append(
                    ComplaintEvent(
                        complaint=c, kind=EventKind.FORWARDED, actor_id=county_actor, at=c.forwarded_at
                    )
                )
            if c.responded_at:
                events.append(ComplaintEvent(complaint=c, kind=EventKind.RESPONDED, at=c.responded_at))
        ComplaintEvent.objects.bulk_create(events, batch_size=2000)
        inspections = _open_inspections([c for c in complaints if c.serious])
        credits = 0
        for c in complaints:
            if c.outcome in rules.SUBSTANTIATED_OUTCOMES:
                post_credit(c, actor=None)
                credits += 1
    escalated = sum(1 for p in plans if p["escalations"])
    overdue = sum(1 for c in complaints if c.is_open and c.due_on and c.due_on < today)
    stdout.write(
        f"complaints: {len(complaints)} written ({escalated} escalated, {overdue} overdue now, "
        f"{inspections} inspections opened, {credits} credit records) in {monotonic() - started:.1f} s.\n"
    )
    return len(complaints)


def _open_inspections(serious: list[Complaint]) -> int:
    from tuoyu.supervision.choices import InspectionKind
    from tuoyu.supervision.services import inspection_open

    institutions = Institution.objects.in_bulk({c.institution_id for c in serious})
    opened = 0
    for c in serious:
        inspection = inspection_open(
            actor=None,
            institution=institutions[c.institution_id],
            kind=InspectionKind.COMPLAINT,
            inspectors=[],
            planned_on=timezone.localdate(c.received_at),
            reason=f"严重投诉（{rules.CATEGORY_RULES[c.category].name_zh}）：立即开展专项检查。",
            origin=f"complaint {c.reference}",
        )
        Complaint.objects.filter(pk=c.pk).update(inspection=inspection)
        ComplaintEvent.objects.create(
            complaint=c, kind=EventKind.INSPECTION, at=c.received_at, reason=f"inspection {inspection.pk}"
        )
        opened += 1
    return opened
