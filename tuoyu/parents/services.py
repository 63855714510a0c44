"""Writes of the parent end: sign-up, home–centre messages (家园共育), notifications and the daily digest.

`notify_guardians` is how every other app tells a child's guardians something.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Subquery
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoyu.accounts.choices import Role
from tuoyu.accounts.models import User
from tuoyu.accounts.services import role_assign
from tuoyu.children.models import Child, Guardian
from tuoyu.core.audit import audit, client_ip
from tuoyu.core.models import AuditLog

from .choices import NotificationKind
from .models import Digest, Message, MessageThread, Notification, ThreadRead
from .rules import SIGNUP_MAX_PER_ADDRESS, SIGNUP_WINDOW, validate_mobile


def notify_guardians(
    *, child: Child, kind: str, title: str, body: str = "", urgent: bool = False, link: str = ""
) -> list[Notification]:
    """Tell every guardian of `child` who has an account. Urgent ones are marked sent at once (the
    delivery channel beyond the site — SMS, WeChat — is a boundary not built yet); the rest wait for
    the daily digest. Call inside the writing service's transaction."""
    user_ids = list(
        Guardian.objects.filter(child=child, user__isnull=False).values_list("user_id", flat=True)
    )
    now = timezone.now()
    notes = [
        Notification(
            user_id=uid,
            child=child,
            kind=kind,
            title=title[:120],
            body=body,
            urgent=urgent,
            link=link,
            sent_at=now if urgent else None,
        )
        for uid in user_ids
    ]
    if not notes:
        return []
    with transaction.atomic():
        return Notification.objects.bulk_create(notes)


def notify_users(
    *, user_ids: list[int], kind: str, title: str, body: str = "", urgent: bool = False, link: str = ""
) -> list[Notification]:
    """Tell users who are not (or not only) guardians: officials up the hierarchy, an institution's
    director. Same rows and same digest as `notify_guardians`; each user reads them on
    /accounts/notifications/. Call inside the writing service's transaction."""
    now = timezone.now()
    notes = [
        Notification(
            user_id=uid,
            kind=kind,
            title=title[:120],
            body=body,
            urgent=urgent,
            link=link,
            sent_at=now if urgent else None,
        )
        for uid in dict.fromkeys(user_ids)
    ]
    if not notes:
        return []
    with transaction.atomic():
        return Notification.objects.bulk_create(notes)


# --- Sign-up --------------------------------------------------------------------------------------


class SignupThrottled(Exception):
    """Too many accounts created from one address recently."""


def signup_throttled(*, request: HttpRequest | None) -> bool:
    """Like the login's throttle: a window and a limit per address, counted from the audit log."""
    ip = client_ip(request)
    if not ip:
        return False
    since = timezone.now() - SIGNUP_WINDOW
    return (
        AuditLog.objects.filter(action="parent.signup", ip=ip, at__gte=since).count()
        >= SIGNUP_MAX_PER_ADDRESS
    )


@transaction.atomic
def parent_signup(*, name: str, phone: str, password: str, request: HttpRequest | None = None) -> User:
    """Create a parent's account (the mobile number is the username) and give it the parent role.

    A child is linked to the account later: by applying for a place (the application's child gets
    this account as guardian) or by the centre entering this account on the child's guardian."""
    if signup_throttled(request=request):
        raise SignupThrottled(_("Too many accounts were created from here. Please try again later."))
    errors: dict[str, list[str]] = {}
    name = name.strip()
    phone = phone.strip()
    if not name:
        errors["name"] = [_("Enter your name.")]
    try:
        validate_mobile(phone)
    except ValidationError as exc:
        errors["phone"] = exc.messages
    else:
        if User.objects.filter(username=phone).exists():
            errors["phone"] = [_("An account with this mobile number exists already: log in instead.")]
    user = User(username=phone, phone=phone, display_name=name[:100])
    try:
        validate_password(password, user)
    except ValidationError as exc:
        errors["password"] = exc.messages
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    role_assign(actor=user, user=user, role=Role.PARENT)
    audit(actor=user, action="parent.signup", obj=user, request=request)
    return user


# --- Messages (家园共育) ------------------------------------------------------------------------------


def thread_for(*, child: Child) -> MessageThread:
    """The thread of `child` with its current institution (created on first use)."""
    if child.institution_id is None:
        raise ValidationError(_("This child is not enrolled at a centre: there is no one to write to."))
    thread, _created = MessageThread.objects.get_or_create(child=child, institution_id=child.institution_id)
    return thread


@transaction.atomic
def message_post(*, actor: Any, child: Child, body: str, from_staff: bool) -> Message:
    """Post a message in the child's thread. A staff message tells the guardians (not urgent: it
    goes into their daily digest and shows as unread at once on the site)."""
    thread = thread_for(child=child)
    message = Message(thread=thread, author=actor, from_staff=from_staff, body=body.strip())
    message.full_clean()
    message.save()
    MessageThread.objects.filter(pk=thread.pk).update(last_message_at=message.created_at)
    thread_mark_read(user=actor, thread=thread, upto=message.pk)
    if from_staff:
        notify_guardians(
            child=child,
            kind=NotificationKind.MESSAGE,
            title=_("New message from {institution}").format(institution=child.institution),
            body=message.body[:200],
            link=reverse("parents:child_messages", args=[child.pk]),
        )
    audit(actor=actor, action="message.post", obj=thread, detail={"message": message.pk})
    return message


def thread_mark_read(*, user: Any, thread: MessageThread, upto: int | None = None) -> None:
    """Record that `user` has read `thread` up to message `upto` (default: its latest)."""
    if upto is None:
        upto = thread.messages.order_by("-id").values_list("id", flat=True).first() or 0
    updated = ThreadRead.objects.filter(thread=thread, user=user, last_read_id__lt=upto).update(
        last_read_id=upto
    )
    if not updated:
        ThreadRead.objects.get_or_create(thread=thread, user=user, defaults={"last_read_id": upto})


# --- Notifications and the daily digest ---------------------------------------------------------------


def notification_mark_read(*, user: Any, notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk).update(read_at=notification.read_at)
    return notification


def notifications_mark_all_read(*, user: Any) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


@dataclass
class DigestResult:
    day: dt.date
    digests: int
    notifications: int


def _end_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day + timedelta(days=1), dt.time.min))


@transaction.atomic
def digest_send(*, day: dt.date) -> DigestResult:
    """Collect each parent's unsent, non-urgent notifications created up to the end of `day` into
    one Digest per parent for that day, and mark them sent.

    Idempotent: a parent who already has the day's digest gets no second one (notifications that
    arrive later wait for the next day's). Urgent notifications were sent on their own and are never
    digested. Set-based: two INSERTs/UPDATEs whatever the number of parents."""
    end = _end_of(day)
    pending = Notification.objects.filter(sent_at__isnull=True, urgent=False, created_at__lt=end)
    already = Digest.objects.filter(day=day).values("user_id")
    counts = pending.exclude(user_id__in=already).order_by().values("user_id").annotate(n=Count("id"))
    run_start = timezone.now()
    rows = [Digest(user_id=row["user_id"], day=day, count=row["n"]) for row in counts]
    if not rows:
        return DigestResult(day=day, digests=0, notifications=0)
    # ignore_conflicts: a concurrent run may have written the same (user, day) first; its
    # notifications are then left to that run.
    Digest.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    mine = Digest.objects.filter(user_id=OuterRef("user_id"), day=day, created_at__gte=run_start)
    sent = pending.filter(Exists(mine)).update(
        sent_at=timezone.now(), digest_id=Subquery(mine.values("id")[:1])
    )
    audit(actor=None, action="digest.send", detail={"day": day.isoformat(), "digests": len(rows),
                                                     "notifications": sent})  # fmt: skip
    return DigestResult(day=day, digests=len(rows), notifications=sent)


def digest_day_default() -> dt.date:
    """The day a digest run covers by default: today, in the site's time zone."""
    return timezone.localdate()
