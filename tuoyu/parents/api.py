"""The parents API (mounted at /api/v1/parents): my children with today's status, the messages of a
child's thread (for its guardians and its centre's care staff), and my notifications.

A child the caller is not a participant for answers 404, like a missing one; bad input 422.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema, Status

from tuoyu.children.models import Child
from tuoyu.core.api import ErrorSchema, InputSchema
from tuoyu.core.audit import audit_view

from . import selectors, services
from .models import Message, Notification
from .rules import MESSAGE_MAX_LENGTH

router = Router(tags=["parents"])

MAX_ID = 2**31 - 1
ChildId = Annotated[int, Path(ge=1, le=MAX_ID)]
NotificationId = Annotated[int, Path(ge=1, le=MAX_ID)]
ERRORS = {401: ErrorSchema, 404: ErrorSchema, 422: ErrorSchema}


class ParentCheckSummarySchema(Schema):
    session: str = Field(description="morning or noon")
    abnormal: bool


class ParentChildTodaySchema(Schema):
    available: bool = Field(description="False while the attendance app does not provide today's status")
    status: str
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    checks: list[ParentCheckSummarySchema]


class ParentChildSchema(Schema):
    id: int
    name: str
    birth_date: date
    institution_id: int | None
    institution_name: str
    class_name: str
    unread_messages: int
    today: ParentChildTodaySchema


class ParentChildPage(Schema):
    count: int
    unread_notifications: int
    items: list[ParentChildSchema]


@router.get("/children", response={200: ParentChildPage, **ERRORS}, url_name="parents_children")
def parents_children(request: HttpRequest) -> dict[str, Any]:
    """My children (those I am a guardian of), each with today's status and unread messages."""
    user = request.user
    today = timezone.localdate()
    children = list(selectors.my_children(user))
    unread = selectors.parent_unread_by_child(user, [c.pk for c in children])
    items = [
        {
            "id": c.pk,
            "name": c.name,
            "birth_date": c.birth_date,
            "institution_id": c.institution_id,
            "institution_name": c.institution.name if c.institution else "",
            "class_name": c.klass.name if c.klass else "",
            "unread_messages": unread.get(c.pk, 0),
            "today": selectors.checked_in_summary(c, today),
        }
        for c in children
    ]
    return {
        "count": len(items),
        "unread_notifications": selectors.unread_notifications(user),
        "items": items,
    }


class ParentMessageSchema(Schema):
    id: int
    author: str
    from_staff: bool
    mine: bool
    body: str
    created_at: datetime


class ParentMessagePage(Schema):
    child_id: int
    thread_id: int | None
    count: int
    items: list[ParentMessageSchema]


class ParentMessageIn(InputSchema):
    body: str = Field(min_length=1, max_length=MESSAGE_MAX_LENGTH)


def _participant_child(request: HttpRequest, child_id: int) -> tuple[Child, bool]:
    """The child and whether the caller writes as staff; 404 for anybody who is not a participant."""
    user = request.user
    child = selectors.my_child(user, child_id)
    if child is not None:
        return child, False
    child = selectors.staff_children(user).filter(pk=child_id).first()
    if child is None:
        raise Http404
    return child, True


def _message(m: Message, user: Any) -> dict[str, Any]:
    return {
        "id": m.pk,
        "author": str(m.author),
        "from_staff": m.from_staff,
        "mine": m.author_id == user.pk,
        "body": m.body,
        "created_at": m.created_at,
    }


class ParentMessagesFilters(Schema):
    after: int = Field(0, ge=0, le=2**62, description="Only messages with a larger id (for polling)")


@router.get(
    "/children/{child_id}/messages",
    response={200: ParentMessagePage, **ERRORS},
    url_name="parents_child_messages",
)
def parents_child_messages(
    request: HttpRequest,
    child_id: ChildId,
    filters: Query[ParentMessagesFilters] = None,  # type: ignore[assignment]
) -> dict[str, Any]:
    """The thread of a child with its centre, oldest first (marks it read for the caller)."""
    child, _staff = _participant_child(request, child_id)
    audit_view(actor=request.user, obj=child, request=request)
    thread = selectors.child_thread(child)
    items: list[Message] = []
    if thread is not None:
        items = list(selectors.thread_messages(thread).filter(id__gt=filters.after)[:500])
        if items:
            services.thread_mark_read(user=request.user, thread=thread, upto=items[-1].pk)
    return {
        "child_id": child.pk,
        "thread_id": thread.pk if thread else None,
        "count": len(items),
        "items": [_message(m, request.user) for m in items],
    }


@router.post(
    "/children/{child_id}/messages",
    response={201: ParentMessageSchema, 400: ErrorSchema, 403: ErrorSchema, 409: ErrorSchema, **ERRORS},
    url_name="parents_child_message_post",
)
def parents_child_message_post(
    request: HttpRequest, payload: ParentMessageIn, child_id: ChildId
) -> Status[Any]:
    """Write in a child's thread: as a guardian, or as care staff of the child's centre (which
    notifies the guardians). A child not enrolled anywhere answers 422."""
    child, staff = _participant_child(request, child_id)
    message = services.message_post(actor=request.user, child=child, body=payload.body, from_staff=staff)
    return Status(201, _message(message, request.user))


class ParentNotificationSchema(Schema):
    id: int
    kind: str
    title: str
    body: str
    urgent: bool
    link: str
    child_id: int | None
    created_at: datetime
    sent_at: datetime | None
    read_at: datetime | None


class ParentNotificationPage(Schema):
    count: int
    unread: int
    items: list[ParentNotificationSchema]


class ParentNotificationFilters(Schema):
    unread: bool = Field(False, description="Only unread notifications")
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=10**6)


def _notification(n: Notification) -> dict[str, Any]:
    return {
        "id": n.pk,
        "kind": n.kind,
        "title": n.title,
        "body": n.body,
        "urgent": n.urgent,
        "link": n.link,
        "child_id": n.child_id,
        "created_at": n.created_at,
        "sent_at": n.sent_at,
        "read_at": n.read_at,
    }


@router.get(
    "/notifications", response={200: ParentNotificationPage, **ERRORS}, url_name="parents_notifications"
)
def parents_notifications(request: HttpRequest, filters: Query[ParentNotificationFilters]) -> dict[str, Any]:
    """My notifications, newest first (only the caller's own)."""
    queryset = Notification.objects.for_user(request.user, "view")
    if filters.unread:
        queryset = queryset.unread()
    page = list(queryset[filters.offset : filters.offset + filters.limit])
    return {
        "count": queryset.count(),
        "unread": selectors.unread_notifications(request.user),
        "items": [_notification(n) for n in page],
    }


@router.post(
    "/notifications/{notification_id}/read",
    response={200: ParentNotificationSchema, **ERRORS},
    url_name="parents_notification_read",
)
def parents_notification_read(request: HttpRequest, notification_id: NotificationId) -> dict[str, Any]:
    """Mark one of my notifications read (another user's answers 404)."""
    note = get_object_or_404(Notification.objects.for_user(request.user, "view"), pk=notification_id)
    return _notification(services.notification_mark_read(user=request.user, notification=note))
