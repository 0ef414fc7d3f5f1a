"""Admin for cancer pathways: to read them, their events, next actions and history. Every write
goes through waiting_times.services (the PTL and the pathway page), where the rules run and the
event is written, so nothing here is editable, by superusers either."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from portal.paging import EstimatedCountPaginator
from portal.patient_data import ShowsPatientsAdmin

from .models import CancerPathway, NextAction, PathwayAlert, PathwayAlertDelivery, PathwayEvent


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PathwayEventInline(ReadOnlyInline):
    model = PathwayEvent
    fields = ("at", "actor", "field", "from_value", "to_value", "reason")
    readonly_fields = fields


class NextActionInline(ReadOnlyInline):
    model = NextAction
    fields = ("what", "owner", "due_on", "done_at", "done_by")
    readonly_fields = fields


@admin.register(CancerPathway)
class CancerPathwayAdmin(ShowsPatientsAdmin, SimpleHistoryAdmin):
    patient_id_field = "referral.patient_id"
    list_display = ("referral", "route", "first_received_on", "transferred_on", "ptl_standard", "ptl_due_on")
    list_filter = ("route", "ptl_standard", ("closed_at", admin.EmptyFieldListFilter))
    list_select_related = ("referral",)
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    inlines = [NextActionInline, PathwayEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PathwayAlertDeliveryInline(ReadOnlyInline):
    """Who each alert went to, and when; a delivery with no time is still pending."""

    model = PathwayAlertDelivery
    fields = readonly_fields = ("email", "recipient", "contact", "status", "sent_at", "withdrawn_reason")


@admin.register(PathwayAlert)
class PathwayAlertAdmin(admin.ModelAdmin):
    """The alerts the daily sweep raised (waiting_times/services/alerts.py) and their deliveries:
    pathway ids, no patient. Written only by the sweep."""

    list_display = ("pathway", "kind", "standard", "due_on", "raised_at")
    list_filter = ("kind", "standard")
    readonly_fields = ("pathway", "kind", "standard", "due_on", "note", "raised_at")
    inlines = [PathwayAlertDeliveryInline]
    show_full_result_count = False
    paginator = EstimatedCountPaginator

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
