"""Demo care records: `manage.py demo_care --seed 1` (after demo_children).

- Weekly menus (Monday–Friday: breakfast, morning snack, a three-dish lunch, afternoon snack) for the
  current and the next week for every operating institution of the province: this week's published,
  next week's a draft. About 30 dishes per menu, written with bulk_create.
- At demo_director's institution: if no child there has an allergy recorded, two children get one
  (花生, 鸡蛋) so the allergy check shows; this week's warnings have substitutes, next week's are open.
- There too: medication requests (accepted with a dose given today, waiting, declined), incidents
  (minor, serious, and one suspected-abuse mandatory report to 玄武区, not yet acknowledged), and
  today's diary in every class (a note, an activity, a photo, naps) with lunch served and how each
  child ate. Photos are small PNGs written by `png_bytes` (no image library needed).

Idempotent-ish: menus of a week that already has menus are skipped; the other parts are skipped when
the director's institution already has incidents.
"""

from __future__ import annotations

import random
import struct
import zlib
from datetime import datetime, time, timedelta
from itertools import cycle
from time import monotonic
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from tuoyu.accounts.models import RoleAssignment, User
from tuoyu.children.models import Child, Guardian
from tuoyu.institutions.models import Institution, InstitutionClass

from .choices import DiaryKind, Meal, MedicationStatus
from .models import (
    AllergySubstitute,
    DiaryEntry,
    Incident,
    MandatoryReport,
    MealIntake,
    MealServed,
    MedicationDose,
    MedicationRequest,
    MenuItem,
    WeeklyMenu,
)
from .selectors import allergy_warnings

BATCH = 5000
# (dish, ingredients) per meal; lunch draws three.
DISHES: dict[str, list[tuple[str, str]]] = {
    Meal.BREAKFAST: [
        ("小米南瓜粥", "小米, 南瓜"),
        ("鸡蛋羹", "鸡蛋"),
        ("牛奶燕麦粥", "牛奶, 燕麦"),
        ("菜肉小馄饨", "面粉, 猪肉, 青菜"),
        ("红枣发糕", "面粉, 红枣"),
        ("蔬菜鸡蛋饼", "面粉, 鸡蛋, 胡萝卜"),
    ],
    Meal.MORNING_SNACK: [("苹果块", "苹果"), ("香蕉", "香蕉"), ("酸奶", "牛奶"), ("梨块", "梨")],
    Meal.LUNCH: [
        ("软米饭", "大米"),
        ("番茄炒蛋", "番茄, 鸡蛋"),
        ("清蒸鲈鱼", "鲈鱼"),
        ("肉末豆腐", "猪肉, 豆腐, 酱油"),
        ("虾仁蒸蛋", "虾, 鸡蛋"),
        ("青菜香菇", "青菜, 香菇"),
        ("紫菜虾皮汤", "紫菜, 虾皮"),
        ("西兰花炒胡萝卜", "西兰花, 胡萝卜"),
        ("土豆炖牛肉", "土豆, 牛肉"),
        ("冬瓜排骨汤", "冬瓜, 排骨"),
    ],
    Meal.AFTERNOON_SNACK: [
        ("花生芝麻糊", "花生, 芝麻"),
        ("南瓜小饼", "南瓜, 面粉"),
        ("牛奶", "牛奶"),
        ("蒸红薯", "红薯"),
        ("核桃酥", "核桃, 面粉, 黄油"),
    ],
}


def png_bytes(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A solid-colour PNG, written by hand (zlib + CRC), so the demo needs no image library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height, 9))
        + chunk(b"IEND", b"")
    )


def _menu_items(rng: random.Random) -> list[tuple[int, str, str, str]]:
    rows = []
    for day in range(5):
        for meal, pool in DISHES.items():
            for dish, ingredients in rng.sample(pool, 3 if meal == Meal.LUNCH else 1):
                rows.append((day, str(meal), dish, ingredients))
    return rows


def add_menus(*, seed: int, stdout: Any) -> int:
    """Menus for this week (published) and next (draft) for every operating institution."""
    rng = random.Random(seed)
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
    institution_ids = list(Institution.objects.operating().order_by("pk").values_list("pk", flat=True))
    written = 0
    now = timezone.now()
    # A handful of week plans shared across institutions keeps the demo fast and still varied.
    plans = [_menu_items(rng) for _ in range(12)]
    for week_start, published in ((monday, True), (monday + timedelta(days=7), False)):
        have = set(WeeklyMenu.objects.filter(week_start=week_start).values_list("institution_id", flat=True))
        todo = [pk for pk in institution_ids if pk not in have]
        for start in range(0, len(todo), BATCH // 10):
            with transaction.atomic():
                menus = WeeklyMenu.objects.bulk_create(
                    [
                        WeeklyMenu(
                            institution_id=pk,
                            week_start=week_start,
                            published=published,
                            published_at=now if published else None,
                        )
                        for pk in todo[start : start + BATCH // 10]
                    ]
                )
                if menus and menus[0].pk is None:  # a backend that does not return ids
                    ids = dict(
                        WeeklyMenu.objects.filter(
                            week_start=week_start, institution_id__in=[m.institution_id for m in menus]
                        ).values_list("institution_id", "pk")
                    )
                    for m in menus:
                        m.pk = ids[m.institution_id]
                items = [
                    MenuItem(menu_id=m.pk, day=day, meal=meal, dish=dish, ingredients=ingredients)
                    for m in menus
                    for day, meal, dish, ingredients in plans[m.institution_id % len(plans)]
                ]
                MenuItem.objects.bulk_create(items, batch_size=BATCH)
                written += len(menus)
    stdout.write(
        f"care: {written} weekly menus written ({len(institution_ids)} operating institutions, 2 weeks).\n"
    )
    return written


def _director_institution() -> Institution | None:
    assignment = (
        RoleAssignment.objects.filter(user__username="demo_director", institution__isnull=False)
        .select_related("institution")
        .first()
    )
    return assignment.institution if assignment else None


def add_centre_day(*, seed: int, stdout: Any) -> None:
    """Allergies, medication, incidents and today's diary at demo_director's institution."""
    rng = random.Random(seed + 1)
    inst = _director_institution()
    if inst is None:
        stdout.write("care: no demo_director institution; centre records skipped.\n")
        return
    if Incident.objects.filter(institution=inst).exists():
        stdout.write("care: the demo institution already has care records; skipped.\n")
        return
    children = list(Child.objects.filter(institution=inst).order_by("pk"))
    if not children:
        stdout.write(
            f"care: no child enrolled at {inst.name} (run demo_children first); centre records skipped.\n"
        )
        return
    caregiver = User.objects.filter(username="demo_caregiver").first()
    director = User.objects.filter(username="demo_director").first()
    staff = caregiver or director
    assert staff is not None
    today = timezone.localdate()
    now = timezone.now()
    with transaction.atomic():
        if not any(c.allergies for c in children):
            for child, allergy in zip(children[:2], ("花生", "鸡蛋"), strict=False):
                Child.objects.filter(pk=child.pk).update(allergies=allergy)
                child.allergies = allergy
            stdout.write(
                "care: allergies 花生/鸡蛋 recorded for two demo children so the allergy check shows.\n"
            )
        this_week = WeeklyMenu.objects.filter(
            institution=inst, week_start=today - timedelta(days=today.weekday())
        ).first()
        if this_week is not None:
            AllergySubstitute.objects.bulk_create(
                [
                    AllergySubstitute(
                        item=w.item,
                        child=w.child,
                        substitute="蒸南瓜" if "花生" in w.allergy else "豆腐羹",
                        noted_by=director,
                    )
                    for w in allergy_warnings(this_week)
                ],
                ignore_conflicts=True,
            )
        guardians = dict(
            Guardian.objects.filter(child__in=children, user__isnull=False).values_list("child_id", "user_id")
        )
        with_account = [c for c in children if c.pk in guardians]
        statuses = (MedicationStatus.ACCEPTED, MedicationStatus.REQUESTED, MedicationStatus.DECLINED)
        # Few demo children have a guardian with an account: one child may carry all three requests.
        for child, status in zip(cycle(with_account), statuses if with_account else (), strict=False):
            request = MedicationRequest.objects.create(
                child=child,
                institution=inst,
                requested_by_id=guardians[child.pk],
                medicine=rng.choice(["小儿氨酚黄那敏颗粒", "布洛芬混悬液", "益生菌"]),
                dose=rng.choice(["半袋", "5 ml", "1袋"]),
                times="10:00,15:00",
                start_on=today,
                end_on=today + timedelta(days=2),
                parent_consent=True,
                authorisation_on_file=status == MedicationStatus.ACCEPTED,
                status=status,
                decline_reason="该药需医生处方，请提供处方后再申请。"
                if status == MedicationStatus.DECLINED
                else "",
                decided_by=director if status != MedicationStatus.REQUESTED else None,
                decided_at=now if status != MedicationStatus.REQUESTED else None,
            )
            if status == MedicationStatus.ACCEPTED:
                given = timezone.make_aware(datetime.combine(today, datetime.min.time())) + timedelta(
                    hours=10
                )
                MedicationDose.objects.create(
                    request=request, given_at=min(given, now), dose=request.dose, given_by=staff
                )
        if not with_account:
            stdout.write("care: no guardian account among the demo children; medication requests skipped.\n")
        incidents = [
            ("injury", "minor", "户外活动时摔倒，膝盖轻微擦伤。", "清洗伤口并消毒，冰敷10分钟。", 1, False),
            (
                "illness",
                "serious",
                "午睡后发热39.2℃，伴呕吐。",
                "隔离观察，物理降温，通知家长接回就医。",
                0,
                False,
            ),
            (
                "injury",
                "moderate",
                "入园晨检发现手臂及背部多处淤青，幼儿表述不清。",
                "拍照留存，保健医检查记录。",
                0,
                True,
            ),
        ]
        for index, (kind, severity, description, actions, days_ago, suspected) in enumerate(incidents):
            child = children[index % len(children)]
            occurred = now - timedelta(days=days_ago, hours=2)
            item = Incident.objects.create(
                institution=inst,
                child=child,
                occurred_at=occurred,
                kind=kind,
                severity=severity,
                description=description,
                actions_taken=actions,
                guardian_informed_at=None if suspected else occurred + timedelta(minutes=20),
                suspected_abuse_or_harm=suspected,
                reported_to_county_at=now if suspected else None,
                reported_by=staff,
            )
            if suspected:
                MandatoryReport.objects.create(
                    incident=item, county_id=inst.county_id, reported_at=now, reported_by=staff
                )
        photos = 0
        for klass in InstitutionClass.objects.filter(institution=inst).order_by("name"):
            in_class = [c for c in children if c.klass_id == klass.pk]
            DiaryEntry.objects.create(
                klass=klass,
                day=today,
                kind=DiaryKind.NOTE,
                text="今天天气晴朗，户外活动2小时。",
                author=staff,
            )
            DiaryEntry.objects.create(
                klass=klass, day=today, kind=DiaryKind.ACTIVITY, text="手工：用树叶拼贴秋天。", author=staff
            )
            entry = DiaryEntry(
                klass=klass,
                day=today,
                kind=DiaryKind.PHOTO,
                text="树叶拼贴",
                author=staff,
                photo_content_type="image/png",
            )
            colour = (rng.randrange(80, 240), rng.randrange(120, 240), rng.randrange(80, 200))
            entry.photo.save("photo.png", ContentFile(png_bytes(96, 64, colour)), save=False)
            entry.save()
            photos += 1
            for child in in_class[:10]:
                DiaryEntry.objects.create(
                    klass=klass,
                    child=child,
                    day=today,
                    kind=DiaryKind.NAP,
                    nap_start=time(12, 10),
                    nap_end=time(14, rng.choice([0, 20, 35])),
                    author=staff,
                )
            meal = MealServed.objects.create(
                klass=klass,
                day=today,
                meal=Meal.LUNCH,
                served_at=time(11, 15),
                recorded_by=staff,
            )
            MealIntake.objects.bulk_create(
                [
                    MealIntake(meal=meal, child=c, amount=rng.choice(["well", "well", "some", "little"]))
                    for c in in_class
                ]
            )
    stdout.write(
        f"care: {inst.name}: medication, 3 incidents (1 mandatory report), today's diary ({photos} photos).\n"
    )


def add_demo_care(*, seed: int, stdout: Any) -> None:
    started = monotonic()
    add_menus(seed=seed, stdout=stdout)
    add_centre_day(seed=seed, stdout=stdout)
    stdout.write(f"care: done in {monotonic() - started:.1f} s.\n")


def care_demo_reset() -> int:
    """Delete every care row (development databases only)."""
    total = 0
    for model in (MedicationRequest, Incident, WeeklyMenu, MealServed, DiaryEntry):
        deleted, _detail = model.objects.all().delete()
        total += deleted
    return total
