"""Admin: for looking things up and correcting descriptive details of drafts. Every status change
(submit, approve, withdraw) happens in the portal through policies/services.py, so lifecycle fields
are read-only here and versions are created in the portal, where the version rules are checked."""

from django.contrib import admin
from django.db import models
from simple_history.admin import SimpleHistoryAdmin

from .models import CirculationGroup, OutstandingItem, PolicyDocument, PolicyReviewAlert, PolicySeries

LIFECYCLE_FIELDS = ("series", "version_number", "status", "approver", "approved_by", "approval_date")


class OutstandingItemInline(admin.TabularInline):
    model = OutstandingItem
    extra = 0
    fields = ("description", "raised_at", "closed_at", "closed_by")
    readonly_fields = ("raised_at", "closed_at", "closed_by")


@admin.register(PolicyDocument)
class PolicyDocumentAdmin(SimpleHistoryAdmin):
    list_display = ("title", "version_number", "status", "approval_date", "review_date")
    list_filter = ("status",)
    search_fields = ("title",)
    filter_horizontal = ("circulation", "owners")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [OutstandingItemInline]

    def has_add_permission(self, request) -> bool:
        return False  # drafts are created in the portal (/policies/new/)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != PolicyDocument.Status.DRAFT:
            # Document control: an issued version is never edited in place; draft a new one.
            # Owners still change (people move on), as they only decide who gets alerts.
            return [f.name for f in obj._meta.fields] + ["circulation"]
        return LIFECYCLE_FIELDS


@admin.register(CirculationGroup)
class CirculationGroupAdmin(SimpleHistoryAdmin):
    search_fields = ("name",)


@admin.register(PolicySeries)
class PolicySeriesAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "created_at")

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(PolicyReviewAlert)
class PolicyReviewAlertAdmin(SimpleHistoryAdmin):
    """Read-only record of review alerts. A "claimed" row that never became "sent" means the
    worker stopped between recording and sending: check the mail log; it is never re-sent."""

    list_display = ("document", "threshold", "due_on", "status", "sent_at")
    list_filter = ("status", "threshold")
    readonly_fields = [f.name for f in PolicyReviewAlert._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
