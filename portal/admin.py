from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import AccessLog, OutboxMessage, User


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    list_display = ("username", "first_name", "last_name", "email", "is_staff", "is_active")
    list_filter = ("groups", "is_staff", "is_active")


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """Read-only for everyone, superusers included: the log is evidence."""

    list_display = ("at", "user", "action", "patient_id", "page")
    list_filter = ("action",)
    search_fields = ("=patient_id", "user__username")
    date_hierarchy = "at"
    list_select_related = ("user",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Superusers see what the outbox still owes (a broker outage shows here); nobody edits it."""

    list_display = ("created_at", "task", "args", "dispatched_at", "attempts", "last_error")
    list_filter = ("dispatched_at",)
    readonly_fields = ("task", "args", "created_at", "dispatched_at", "attempts", "last_error")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
