"""The parent end: notifications to guardians (collected into a daily digest unless urgent)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from tuoyu.core.scoping import Grants, ScopedQuerySet, grants_for

from .choices import NotificationKind


class NotificationQuerySet(ScopedQuerySet["Notification"]):
    def scope_q(self, grants: Grants) -> Q:
        # A notification is personal: only its recipient reads it.
        return Q(user_id=grants.user_id) if grants.user_id is not None else Q(pk__in=[])

    def for_user(self, user: Any, action: str = "view") -> NotificationQuerySet:
        # Personal to everyone: a national observer's or superuser's "everything" grant does not
        # reach other people's notifications.
        user_id = getattr(user, "pk", None) if getattr(user, "is_authenticated", False) else None
        return self.filter(user_id=user_id) if user_id is not None else self.none()

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """Something a guardian should know about their child; urgent ones are sent at once, the rest
    wait for the daily digest."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    child = models.ForeignKey(
        "children.Child", on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    kind = models.CharField(_("about"), max_length=16, choices=NotificationKind.choices)
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("message"), blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    # Where the parent goes to see more (a path on this site), optional.
    link = models.CharField(_("link"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    # Set when it went out: at once if urgent, else with the digest that carried it.
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # The daily digest that carried it (non-urgent ones only).
    digest = models.ForeignKey(
        "Digest", on_delete=models.SET_NULL, null=True, blank=True, related_name="notifications"
    )

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["user", "read_at"], name="notification_user_unread_idx"),
            # The digest run looks for unsent, non-urgent notifications only.
            models.Index(
                fields=["created_at"], condition=Q(sent_at__isnull=True), name="notification_unsent_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Digest(models.Model):
    """One parent's daily digest (每日汇总): the non-urgent notifications of a day, collected once.

    The row is what would be handed to a delivery channel beyond the site (SMS, WeChat); that
    channel is a boundary not built yet, so `handed_over_at` stays empty until one exists.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digests")
    day = models.DateField(_("day"))
    count = models.PositiveIntegerField(_("notifications"), default=0)
    created_at = models.DateTimeField(_("collected"), auto_now_add=True)
    handed_over_at = models.DateTimeField(_("handed to the delivery channel"), null=True, blank=True)

    class Meta:
        ordering = ["-day", "-id"]
        verbose_name = _("daily digest")
        verbose_name_plural = _("daily digests")
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="digest_one_per_user_day")]

    def __str__(self) -> str:
        return f"{self.user} {self.day}"


class ThreadQuerySet(ScopedQuerySet["MessageThread"]):
    def scope_q(self, grants: Grants) -> Q:
        # Staff of the thread's institution (those holding "care") and the child's guardians.
        q = Q(institution_id__in=grants.institution_ids)
        if grants.personal and grants.user_id is not None:
            from tuoyu.children.models import Guardian

            q |= Q(Exists(Guardian.objects.filter(child_id=OuterRef("child_id"), user_id=grants.user_id)))
        return q

    def for_participant(self, user: Any) -> ThreadQuerySet:
        """Threads `user` takes part in: as a guardian of the child, or as care staff of the
        institution. Messages are private between a family and its centre: officials and national
        observers (whose grants cover "everything" in a region) do not read them, so this does not
        go through `for_user`'s region and "everything" branches."""
        care = grants_for(user, "care")
        personal = grants_for(user, "change")
        return self.filter(
            self.scope_q(
                Grants(
                    institution_ids=care.institution_ids,
                    user_id=personal.user_id,
                    personal=personal.personal,
                )
            )
        )


class MessageThread(models.Model):
    """The conversation between a child's family and the child's centre (家园共育): one per child and
    institution."""

    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="message_threads")
    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.CASCADE, related_name="message_threads"
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    last_message_at = models.DateTimeField(_("last message"), null=True, blank=True, db_index=True)

    objects = ThreadQuerySet.as_manager()

    class Meta:
        ordering = ["-last_message_at", "-id"]
        verbose_name = _("message thread")
        verbose_name_plural = _("message threads")
        constraints = [
            models.UniqueConstraint(fields=["child", "institution"], name="thread_one_per_child_institution")
        ]
        indexes = [models.Index(fields=["institution", "last_message_at"], name="thread_inst_last_idx")]

    def __str__(self) -> str:
        return f"{self.child} · {self.institution}"


class Message(models.Model):
    """One message in a family–centre thread, written by a guardian or a member of staff."""

    thread = models.ForeignKey(MessageThread, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Whether the author wrote as staff (so the thread shows "teacher" or "parent" without a role lookup).
    from_staff = models.BooleanField(_("from staff"), default=False)
    body = models.TextField(_("message"), max_length=2000)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        ordering = ["thread", "id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return self.body[:40]


class ThreadRead(models.Model):
    """How far one participant has read a thread (the id of the last message seen)."""

    thread = models.ForeignKey(MessageThread, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_read_id = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("read state")
        verbose_name_plural = _("read states")
        constraints = [models.UniqueConstraint(fields=["thread", "user"], name="thread_read_unique")]

    def __str__(self) -> str:
        return f"{self.user} read {self.thread} to {self.last_read_id}"
