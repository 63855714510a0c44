from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import ApiToken, LoginFailure, RoleAssignment, User


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    fk_name = "user"
    extra = 0
    raw_id_fields = ("region", "institution", "granted_by")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [RoleAssignmentInline]
    list_display = ("username", "display_name", "is_active", "last_login")
    fieldsets = (*BaseUserAdmin.fieldsets, (_("Profile"), {"fields": ("display_name", "phone")}))  # type: ignore[misc]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "prefix", "created_at", "expires_at", "last_used_at", "revoked")
    readonly_fields = ("key_hash", "prefix", "created_at", "last_used_at")
    raw_id_fields = ("user",)


@admin.register(LoginFailure)
class LoginFailureAdmin(admin.ModelAdmin):
    list_display = ("at", "username", "ip")
    readonly_fields = ("at", "username", "ip")
