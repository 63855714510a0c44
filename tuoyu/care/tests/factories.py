"""Care records for tests, written directly (the services have their own tests)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tuoyu.care.choices import DiaryKind
from tuoyu.care.models import DiaryEntry, Incident, MandatoryReport, MedicationRequest, MenuItem, WeeklyMenu

# The smallest valid PNG (1×1 pixel), so photo tests need no image library.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)


def monday(day: date | None = None) -> date:
    day = day or timezone.localdate()
    return day - timedelta(days=day.weekday())


def medication_request(world: Any, status: str = "requested", child_key: str = "own_child", **kw: Any) -> Any:
    child = world.children[child_key]
    today = timezone.localdate()
    fields = {
        "child": child,
        "institution": child.institution,
        "requested_by": world.user("parent"),
        "medicine": "布洛芬混悬液",
        "dose": "5 ml",
        "times": "09:00,15:00",
        "start_on": today,
        "end_on": today + timedelta(days=2),
        "parent_consent": True,
        "authorisation_on_file": status != "requested",
        "status": status,
        **kw,
    }
    return MedicationRequest.objects.create(**fields)


def incident(world: Any, severity: str = "serious", suspected: bool = False, **kw: Any) -> Any:
    inst = world.institutions["inst_xuanwu"]
    now = timezone.now()
    item = Incident.objects.create(
        institution=inst,
        child=kw.pop("child", world.children["own_child"]),
        occurred_at=now - timedelta(hours=1),
        kind="injury",
        severity=severity,
        description="在户外活动时摔倒，额头擦伤。",
        suspected_abuse_or_harm=suspected,
        reported_to_county_at=now if suspected else None,
        reported_by=world.user("caregiver"),
        **kw,
    )
    if suspected:
        MandatoryReport.objects.create(
            incident=item, county_id=inst.county_id, reported_at=now, reported_by=world.user("caregiver")
        )
    return item


def menu(
    world: Any, published: bool = False, dishes: tuple[tuple[str, str], ...] = (("米饭", "大米"),), **kw: Any
) -> Any:
    item = WeeklyMenu.objects.create(
        institution=kw.pop("institution", world.institutions["inst_xuanwu"]),
        week_start=kw.pop("week_start", monday()),
        published=published,
        published_at=timezone.now() if published else None,
    )
    day = kw.pop("day", timezone.localdate().weekday())
    for dish, ingredients in dishes:
        MenuItem.objects.create(menu=item, day=day, meal="lunch", dish=dish, ingredients=ingredients)
    return item


def diary_entry(
    world: Any, child_key: str | None = None, kind: str = "note", photo: bool = False, **kw: Any
) -> Any:
    klass = world.classes[kw.pop("class_key", "xuanwu_toddler")]
    entry = DiaryEntry(
        klass=klass,
        child=world.children[child_key] if child_key else None,
        day=kw.pop("day", timezone.localdate()),
        kind=DiaryKind.PHOTO if photo else kind,
        text=kw.pop("text", "今天我们画了秋天的树叶。"),
        author=world.user("caregiver"),
        **kw,
    )
    if photo:
        entry.photo_content_type = "image/png"
        entry.photo.save("p.png", SimpleUploadedFile("p.png", PNG), save=False)
    entry.save()
    return entry
