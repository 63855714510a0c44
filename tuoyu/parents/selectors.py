"""Reads of the parent end: my children, unread counts, the staff inbox, and the child's day composed
from the other apps' selectors and fragments (attendance, health, growth, care).

The other apps are imported when called (not at module level, which would make import cycles with the
apps that notify guardians). A missing selector raises: a broken app must fail loudly, not show a parent
"not available yet".
"""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

from tuoyu.children.models import Child

from .models import Message, MessageThread, Notification, ThreadRead


def my_children(user: Any) -> QuerySet[Child]:
    """The children `user` is a guardian of (a parent's own children only, even if the same person
    is also staff somewhere)."""
    return (
        Child.objects.for_user(user, "view")
        .filter(guardians__user=user)
        .select_related("institution", "klass")
        .distinct()
        .order_by("birth_date", "id")
    )


def my_child(user: Any, pk: int) -> Child | None:
    """One of the user's own children, or None (callers answer 404)."""
    return my_children(user).filter(pk=pk).first()


def _last_read(user: Any, thread_ref: str) -> Subquery:
    return Subquery(
        ThreadRead.objects.filter(thread_id=OuterRef(thread_ref), user=user).values("last_read_id")[:1],
        output_field=IntegerField(),
    )


def parent_unread_by_child(user: Any, child_ids: list[int]) -> dict[int, int]:
    """Unread staff messages per child for a guardian: one query."""
    if not child_ids:
        return {}
    # Compare each message with the reader's mark in SQL.
    rows = (
        Message.objects.filter(thread__child_id__in=child_ids, from_staff=True)
        .exclude(author=user)
        .annotate(seen=Coalesce(_last_read(user, "thread_id"), Value(0)))
        .filter(id__gt=F("seen"))
        .order_by()
        .values("thread__child_id")
        .annotate(n=Count("id"))
    )
    return {row["thread__child_id"]: row["n"] for row in rows}


def unread_notifications(user: Any) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def staff_threads(user: Any) -> QuerySet[MessageThread]:
    """The staff inbox: threads of the institutions where `user` records care, latest first, with the
    number of guardians' messages the user has not read (`unread`), in one query."""
    unread = (
        Message.objects.filter(thread_id=OuterRef("pk"), from_staff=False, id__gt=OuterRef("seen"))
        .order_by()
        .values("thread_id")
        .annotate(n=Count("id"))
        .values("n")[:1]
    )
    return (
        MessageThread.objects.for_participant(user)
        .filter(institution_id__in=_care_institutions(user))
        .select_related("child", "child__klass", "institution")
        .annotate(seen=Coalesce(_last_read(user, "pk"), Value(0)))
        .annotate(unread=Coalesce(Subquery(unread, output_field=IntegerField()), Value(0)))
        .order_by("-last_message_at", "-id")
    )


def _care_institutions(user: Any) -> frozenset[int]:
    from tuoyu.core.scoping import grants_for

    return grants_for(user, "care").institution_ids


def staff_unread_total(user: Any) -> int:
    """Guardians' messages not yet read by this member of staff, over all their threads."""
    ids = _care_institutions(user)
    if not ids:
        return 0
    return (
        Message.objects.filter(thread__institution_id__in=ids, from_staff=False)
        .annotate(seen=Coalesce(_last_read(user, "thread_id"), Value(0)))
        .filter(id__gt=F("seen"))
        .count()
    )


def staff_children(user: Any) -> QuerySet[Child]:
    """Children a member of staff may write to the family of: enrolled at their care institutions."""
    return (
        Child.objects.for_user(user, "care")
        .filter(institution_id__in=_care_institutions(user))
        .select_related("klass")
        .order_by("klass__name", "name", "id")
    )


def child_thread(child: Child) -> MessageThread | None:
    """The child's thread with its current institution, if one was started."""
    if child.institution_id is None:
        return None
    return MessageThread.objects.filter(child=child, institution_id=child.institution_id).first()


def thread_messages(thread: MessageThread) -> QuerySet[Message]:
    return thread.messages.select_related("author").order_by("id")


# --- The child's day, composed from the other apps ----------------------------------------------------


@dataclass
class Section:
    """One block of the child's "today" page: an app's fragment and the data it is given."""

    key: str
    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    available: bool = True
    missing: str = ""
    html: str = ""


def _call(module: str, name: str, *args: Any) -> tuple[bool, Any, str]:
    """Call `module.name(*args)`. Returns (True, value, "") — the tuple shape the sections use; an
    import or attribute error propagates."""
    return True, getattr(importlib.import_module(module), name)(*args), ""


def _template_exists(name: str) -> bool:
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return False
    return True


def child_today(child: Child, day: dt.date) -> list[Section]:
    """The blocks of a child's day for a parent: attendance, health checks, meals/naps/notes (care),
    growth, immunisations due and medication. Each block says when its app does not provide it yet."""
    from django.utils.translation import gettext as _

    # (key, title, fragment, fallback fragment of this app, [(context name, module, function, args)]);
    # the context names are those each app's fragment documents.
    specs: list[tuple[str, str, str, str, list[tuple[str, str, str, tuple[Any, ...]]]]] = [
        (
            "attendance",
            _("Arrival and pick-up"),
            "attendance/_parent_today.html",
            "parents/_attendance_today.html",
            [("day", "tuoyu.attendance.selectors", "child_day", (child, day))],
        ),
        (
            "health",
            _("Morning check"),
            "health/_parent_today.html",
            "",
            [
                ("checks", "tuoyu.health.selectors", "child_checks_on", (child, day)),
                ("due_doses", "tuoyu.health.selectors", "immunisations_due", (child, day)),
            ],
        ),
        (
            "care",
            _("Meals, naps and notes"),
            "care/_parent_today.html",
            "",
            [
                ("care_day", "tuoyu.care.selectors", "parent_day", (child, day)),
                ("medication", "tuoyu.care.selectors", "medication_for_child", (child,)),
            ],
        ),
        (
            "growth",
            _("Growth"),
            "growth/_parent_summary.html",
            "",
            [("measurement", "tuoyu.growth.selectors", "latest_for_child", (child,))],
        ),
    ]
    sections = []
    for key, title, template, fallback, calls in specs:
        context: dict[str, Any] = {"child": child, "today": day}
        missing = []
        for var, module, name, args in calls:
            ok, value, what = _call(module, name, *args)
            if ok:
                context[var] = value
            else:
                missing.append(what)
        if not _template_exists(template):
            if fallback:
                template = fallback
            else:
                missing.append(template)
        sections.append(
            Section(
                key=key,
                title=title,
                template=template,
                context=context,
                available=not missing,
                missing=", ".join(missing),
            )
        )
    return sections


def checked_in_summary(child: Child, day: dt.date) -> dict[str, Any]:
    """Today's status for the API and the home cards: arrival and pick-up from the attendance app,
    and the morning and noon checks from the health app, when those apps provide them."""
    ok, value, _missing = _call("tuoyu.attendance.selectors", "child_day", child, day)
    summary: dict[str, Any] = {
        "available": ok and value is not None,
        "status": "",
        "checked_in_at": None,
        "checked_out_at": None,
        "checks": [],
    }
    if summary["available"]:
        summary.update(status=str(value.get("status") or ""), checked_in_at=value.get("in_at"),
                       checked_out_at=value.get("out_at"))  # fmt: skip
    ok, checks, _missing = _call("tuoyu.health.selectors", "child_checks_on", child, day)
    if ok:
        summary["checks"] = [{"session": str(c.session), "abnormal": bool(c.abnormal)} for c in checks or []]
    return summary
