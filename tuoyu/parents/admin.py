"""Admin of the parent end: read-mostly views for support staff."""

from django.contrib import admin

from .models import Digest, Message, MessageThread, Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["title", "user", "kind", "urgent", "created_at", "sent_at", "read_at"]
    list_filter = ["kind", "urgent"]
    raw_id_fields = ["user", "child", "digest"]


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["user", "day", "count", "created_at", "handed_over_at"]
    raw_id_fields = ["user"]


class MessageInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Message
    raw_id_fields = ["author"]
    extra = 0


@admin.register(MessageThread)
class MessageThreadAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["child", "institution", "last_message_at"]
    raw_id_fields = ["child", "institution"]
    inlines = [MessageInline]
