from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import AccessLog, BreakGlassGrant, BreakGlassNotice, OutboxMessage, User


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


class BreakGlassNoticeInline(admin.TabularInline):
    model = BreakGlassNotice
    verbose_name_plural = "Told"
    fields = readonly_fields = ("recipient", "sent_at")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        return _may_audit_reads(request.user)


def _may_audit_reads(user) -> bool:
    """The MDT office lead (portal.view_accesslog) reviews break-glass grants with the access log."""
    return user.is_active and user.has_perm("portal.view_accesslog")


@admin.register(BreakGlassGrant)
class BreakGlassGrantAdmin(admin.ModelAdmin):
    """Who opened which patient under break-glass access, why, and until when; the lead's e-mail
    links here. Read-only for everyone, superusers included: the grant is evidence."""

    list_display = ("granted_at", "user", "patient_id", "expires_at")
    search_fields = ("=patient_id", "user__username")
    date_hierarchy = "granted_at"
    list_select_related = ("user",)
    fields = readonly_fields = ("user", "patient_id", "reason", "granted_at", "expires_at")
    inlines = [BreakGlassNoticeInline]

    def has_view_permission(self, request, obj=None) -> bool:
        return _may_audit_reads(request.user) or super().has_view_permission(request, obj)

    def has_module_permission(self, request) -> bool:
        return _may_audit_reads(request.user) or super().has_module_permission(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
