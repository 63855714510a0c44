"""Reads of the care records that span apps or need more than one query: the allergy check, the
doses due today, and the parent's day (composed into the parent end by the parents app).

`parent_day` and `medication_for_child` take a child the caller has already scoped (the parents app
reaches it through `child_for_user`); they read only that child's and that class's records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from tuoyu.children.models import Child

from .choices import MEAL_ORDER, DiaryKind, Meal, MedicationStatus
from .models import (
    AllergySubstitute,
    DiaryEntry,
    MealIntake,
    MealServed,
    MedicationDose,
    MedicationRequest,
    MenuItem,
    WeeklyMenu,
)
from .rules import allergy_match

# --- Allergy check --------------------------------------------------------------------------------


@dataclass
class AllergyWarning:
    """A dish of the menu that contains something a child is allergic to."""

    item: MenuItem
    child: Child
    allergy: str  # as recorded on the child
    found: str  # the word found in the dish or its ingredients
    substitute: str = ""


def allergy_warnings(menu: WeeklyMenu, children: QuerySet[Child] | None = None) -> list[AllergyWarning]:
    """Every (dish, child) pair where the dish meets one of the child's allergies: the institution's
    current children with an allergy recorded (or `children`, already scoped by the caller).

    Three queries whatever the size: dishes, allergic children, substitutes. An institution has at most
    a few hundred children and a menu a few dozen dishes, so the matching itself is in Python.
    """
    kids = children if children is not None else Child.objects.all()
    allergic = list(
        kids.filter(institution_id=menu.institution_id)
        .exclude(allergies="")
        .only("id", "name", "allergies", "klass_id")
    )
    if not allergic:
        return []
    items = sorted(menu.items.all(), key=lambda i: (i.day, MEAL_ORDER.get(i.meal, 9), i.pk))
    substitutes = {
        (s.item_id, s.child_id): s.substitute
        for s in AllergySubstitute.objects.filter(item__menu=menu, child__in=[c.pk for c in allergic])
    }
    warnings = []
    for item in items:
        text = f"{item.dish},{item.ingredients}"
        for child in allergic:
            for allergy in child.allergy_list():
                found = allergy_match(allergy, text)
                if found:
                    warnings.append(
                        AllergyWarning(item, child, allergy, found, substitutes.get((item.pk, child.pk), ""))
                    )
                    break
    return warnings


def menu_days(menu: WeeklyMenu) -> list[dict[str, Any]]:
    """The menu as days × meals for display: [{"date", "day", "meals": [(label, [items])]}]."""
    items = sorted(menu.items.all(), key=lambda i: (i.day, MEAL_ORDER.get(i.meal, 9), i.pk))
    days: list[dict[str, Any]] = []
    for day in range(7):
        today_items = [i for i in items if i.day == day]
        if not today_items and day >= 5:
            continue
        meals = [(Meal(m).label, [i for i in today_items if i.meal == m]) for m in Meal.values]
        days.append(
            {
                "date": menu.week_start + timedelta(days=day),
                "day": day,
                "meals": [(lbl, its) for lbl, its in meals if its],
            }
        )
    return days


# --- Medication -----------------------------------------------------------------------------------


@dataclass
class DoseDue:
    request: MedicationRequest
    times: list[str]
    given_today: int
    given_times: list[str] = field(default_factory=list)

    @property
    def remaining(self) -> int:
        return max(len(self.times) - self.given_today, 0)

    @property
    def next_time(self) -> str | None:
        """The first scheduled time not yet covered by a dose (doses are matched to times in order)."""
        return self.times[self.given_today] if self.given_today < len(self.times) else None


def doses_due(institution_id: int, day: date | None = None) -> list[DoseDue]:
    """Accepted requests running on `day` at the institution, with how many doses were given that day
    (one query with a filtered count, one for the day's doses' times)."""
    day = day or timezone.localdate()
    start, end = _day_bounds(day)
    requests = list(
        MedicationRequest.objects.filter(institution_id=institution_id)
        .active_on(day)
        .select_related("child", "child__klass")
        .annotate(given_today=Count("doses", filter=Q(doses__given_at__gte=start, doses__given_at__lt=end)))
        .order_by("child__klass__name", "child__name", "id")
    )
    given: dict[int, list[str]] = {}
    for request_id, at in (
        MedicationDose.objects.filter(
            request__in=[r.pk for r in requests], given_at__gte=start, given_at__lt=end
        )
        .order_by("given_at")
        .values_list("request_id", "given_at")
    ):
        given.setdefault(request_id, []).append(timezone.localtime(at).strftime("%H:%M"))
    return [DoseDue(r, r.time_list(), r.given_today, given.get(r.pk, [])) for r in requests]  # type: ignore[attr-defined]


def _day_bounds(day: date) -> tuple[Any, Any]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


def medication_for_child(child: Child) -> list[MedicationRequest]:
    """The child's medication requests, newest first, each with its doses (two queries)."""
    return list(
        MedicationRequest.objects.filter(child=child)
        .select_related("decided_by")
        .prefetch_related(Prefetch("doses", queryset=MedicationDose.objects.select_related("given_by")))
        .order_by("-created_at", "-id")
    )


# --- The parent's day -----------------------------------------------------------------------------


def parent_day(child: Child, day: date) -> dict[str, Any]:
    """What the class recorded about the child's day, for the parent's "today":

    {"day", "meals": [{"meal", "label", "served_at", "note", "dishes": [str], "substitutes": [str],
      "ate": code|None, "ate_label"}], "naps": [DiaryEntry], "notes": [DiaryEntry],
     "photos": [{"entry", "url"}], "doses": [MedicationDose]}

    A constant number of queries (about six), whatever the day holds.
    """
    result: dict[str, Any] = {"day": day, "meals": [], "naps": [], "notes": [], "photos": [], "doses": []}
    start, end = _day_bounds(day)
    result["doses"] = list(
        MedicationDose.objects.filter(request__child=child, given_at__gte=start, given_at__lt=end)
        .select_related("request", "given_by")
        .order_by("given_at")
    )
    if child.klass_id is None or child.institution_id is None:
        return result
    menu_items: dict[str, list[MenuItem]] = {}
    menu = WeeklyMenu.objects.filter(
        institution_id=child.institution_id, week_start=day - timedelta(days=day.weekday()), published=True
    ).first()
    substitutes: dict[int, str] = {}
    if menu is not None:
        for item in menu.items.filter(day=day.weekday()).order_by("id"):
            menu_items.setdefault(item.meal, []).append(item)
        substitutes = dict(
            AllergySubstitute.objects.filter(
                item__menu=menu, item__day=day.weekday(), child=child
            ).values_list("item_id", "substitute")
        )
    served = list(
        MealServed.objects.filter(klass_id=child.klass_id, day=day).prefetch_related(
            Prefetch("intakes", queryset=MealIntake.objects.filter(child=child), to_attr="child_intake")
        )
    )
    served.sort(key=lambda m: MEAL_ORDER.get(m.meal, 9))
    for meal in served:
        intake = meal.child_intake[0] if meal.child_intake else None  # type: ignore[attr-defined]
        items = menu_items.get(meal.meal, [])
        result["meals"].append(
            {
                "meal": meal.meal,
                "label": meal.get_meal_display(),
                "served_at": meal.served_at,
                "note": meal.note,
                "dishes": [i.dish for i in items],
                "substitutes": [f"{i.dish} → {substitutes[i.pk]}" for i in items if i.pk in substitutes],
                "ate": intake.amount if intake else None,
                "ate_label": intake.get_amount_display() if intake else "",
            }
        )
    entries = list(
        DiaryEntry.objects.filter(klass_id=child.klass_id, day=day)
        .filter(Q(child__isnull=True) | Q(child=child))
        .select_related("author")
        .order_by("created_at", "id")
    )
    for entry in entries:
        if entry.kind == DiaryKind.NAP:
            result["naps"].append(entry)
        elif entry.kind == DiaryKind.PHOTO:
            result["photos"].append({"entry": entry, "url": reverse("care:diary_photo", args=[entry.pk])})
        else:
            result["notes"].append(entry)
    return result


def pending_medication_count(institution_id: int) -> int:
    return MedicationRequest.objects.filter(
        institution_id=institution_id, status=MedicationStatus.REQUESTED
    ).count()
