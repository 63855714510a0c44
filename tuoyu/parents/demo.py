"""Demo data of the parent end (after demo_children … demo_care): `manage.py demo_parents --seed 1`.

For demo_parent's children (linked as guardian by demo_children): a message thread with the centre's
teachers, notifications (some read, some unread, one urgent) and yesterday's daily digest. For the
centre of demo_director: a few more threads, so the staff inbox has unread messages. Replaces its own
rows on each run (threads of those children, demo_parent's notifications and digests).
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from tuoyu.accounts.choices import Role
from tuoyu.accounts.models import RoleAssignment, User
from tuoyu.children.models import Child

from .choices import NotificationKind
from .models import Digest, Message, MessageThread, Notification, ThreadRead


class DemoParentsError(Exception):
    """The demo accounts or the demo children this command builds on are missing."""


CONVERSATION = [
    (False, "老师好，孩子昨晚有点咳嗽，今天请多留意喝水。"),
    (True, "好的，我们会注意的。上午晨检体温正常，精神不错。"),
    (True, "今天午饭吃了一碗半，午睡睡了两个小时。"),
    (False, "谢谢老师！下午我先生来接。"),
    (True, "收到。周五有亲子活动，欢迎家长参加。"),
]
STAFF_NOTES = [
    "今天孩子在区角活动中很专注，午睡也很安稳。",
    "本周五开展亲子运动会，请家长提前报名。",
    "孩子今天午饭吃得不多，请晚上多留意。",
]
NOTIFICATIONS = [
    # (kind, title, urgent, read, hours ago)
    (NotificationKind.ATTENDANCE, "已入园：8:12 由妈妈送达", False, True, 30),
    (NotificationKind.MEALS, "今日午餐：番茄炒蛋、米饭、青菜汤", False, True, 27),
    (NotificationKind.HEALTH_CHECK, "晨检：体温 36.6℃，正常", False, False, 6),
    (NotificationKind.DIARY, "班级日志：今天我们在户外玩了沙水游戏", False, False, 3),
    (NotificationKind.IMMUNISATION, "疫苗提醒：百白破第4剂即将到期", False, False, 2),
    (NotificationKind.HEALTH_CHECK, "午检发现体温 38.2℃，请尽快来园接孩子", True, False, 1),
]


def _user(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise DemoParentsError(f"{username} is missing: run `manage.py demo_data` first.")
    return user


@transaction.atomic
def add_demo_parents(*, seed: int, stdout: Any = None) -> dict[str, int]:
    rng = random.Random(seed)
    parent = _user("demo_parent")
    director = _user("demo_director")
    caregiver = User.objects.filter(username="demo_caregiver").first() or director
    assignment = RoleAssignment.objects.filter(user=director, role=Role.DIRECTOR, active=True).first()
    if assignment is None or assignment.institution_id is None:
        raise DemoParentsError("demo_director has no institution: run `manage.py demo_data` first.")
    institution_id = assignment.institution_id
    own = list(Child.objects.filter(guardians__user=parent).order_by("id"))
    if not own:
        raise DemoParentsError(
            "demo_parent is guardian of no child: run `manage.py demo_children` first (it links them)."
        )
    others = list(
        Child.objects.filter(institution_id=institution_id)
        .exclude(pk__in=[c.pk for c in own])
        .order_by("id")[:8]
    )

    # Replace our own rows.
    MessageThread.objects.filter(child__in=[*own, *others]).delete()
    Notification.objects.filter(user=parent).delete()
    Digest.objects.filter(user=parent).delete()

    now = timezone.now()
    # Threads only with demo_director's centre, whose staff write in them (a child of demo_parent at
    # another centre gets notifications but no conversation).
    threads = [
        MessageThread(child=c, institution_id=c.institution_id)
        for c in [*own, *others]
        if c.institution_id == institution_id
    ]
    MessageThread.objects.bulk_create(threads)
    threads = list(MessageThread.objects.filter(child__in=[*own, *others]).select_related("child"))
    messages: list[Message] = []
    for thread in threads:
        mine = thread.child in own
        # Other families' guardians have no accounts in the demo: the teachers write to them.
        lines = CONVERSATION if mine else [(True, rng.choice(STAFF_NOTES))]
        for n, (from_staff, body) in enumerate(lines):
            author = (caregiver if n % 2 else director) if from_staff else parent
            messages.append(Message(thread=thread, author=author, from_staff=from_staff, body=body))
    Message.objects.bulk_create(messages, batch_size=500)
    # Spread the messages over the last day, oldest first, and set each thread's last message time.
    for thread in threads:
        rows = list(Message.objects.filter(thread=thread).order_by("id"))
        offset = timedelta(hours=0 if thread.child in own else rng.randint(4, 48))
        for i, m in enumerate(rows):
            m.created_at = now - offset - timedelta(hours=(len(rows) - i) * 3)
        Message.objects.bulk_update(rows, ["created_at"])
        MessageThread.objects.filter(pk=thread.pk).update(
            last_message_at=rows[-1].created_at if rows else None
        )
        if thread.child in own and rows:
            # One unread on each side: the teachers' last message for the parent, the parent's
            # last message for the staff.
            ThreadRead.objects.create(thread=thread, user=parent, last_read_id=rows[-2].pk)
            ThreadRead.objects.create(thread=thread, user=director, last_read_id=rows[-3].pk)
            ThreadRead.objects.create(thread=thread, user=caregiver, last_read_id=rows[-3].pk)

    notes: list[Notification] = []
    for child in own:
        for kind, title, urgent, read, hours in NOTIFICATIONS:
            created = now - timedelta(hours=hours)
            notes.append(
                Notification(
                    user=parent,
                    child=child,
                    kind=kind,
                    title=title,
                    urgent=urgent,
                    link=f"/parents/child/{child.pk}/",
                    read_at=created + timedelta(minutes=20) if read else None,
                    sent_at=created if urgent else None,
                )
            )
    Notification.objects.bulk_create(notes)
    for note, spec in zip(notes, NOTIFICATIONS * len(own), strict=True):
        Notification.objects.filter(pk=note.pk).update(created_at=now - timedelta(hours=spec[4]))

    # Yesterday's digest: the non-urgent notifications created before today.
    today = timezone.localdate()
    start_today = timezone.make_aware(datetime.combine(today, time.min))
    yesterday_notes = Notification.objects.filter(
        user=parent, urgent=False, created_at__lt=start_today, sent_at__isnull=True
    )
    digest = Digest.objects.create(user=parent, day=today - timedelta(days=1), count=yesterday_notes.count())
    yesterday_notes.update(digest=digest, sent_at=start_today - timedelta(hours=5))

    summary = {
        "threads": len(threads),
        "messages": len(messages),
        "notifications": len(notes),
        "digests": 1,
    }
    if stdout is not None:
        stdout.write(
            f"demo_parents: {summary['threads']} threads, {summary['messages']} messages, "
            f"{summary['notifications']} notifications, 1 digest for demo_parent."
        )
    return summary
