"""Admin for the MDT office. The policy's inputs and its decision, the status and the workflow's
time stamps are read-only here: the decision was made on those inputs, and the status changes
only through the services (the queue's buttons), which record every transition. Contact details
and the like may be corrected."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from portal.patient_data import ShowsPatientsAdmin

from .models import SecondOpinionReminder, SecondOpinionRequest, SecondOpinionTransition


class TransitionInline(admin.TabularInline):
    model = SecondOpinionTransition
    extra = 0
    can_delete = False
    fields = ("at", "from_status", "to_status", "by", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SecondOpinionRequest)
class SecondOpinionRequestAdmin(ShowsPatientsAdmin, SimpleHistoryAdmin):
    patient_id_field = "patient_id"
    list_display = ("id", "patient", "received_on", "requested_service", "decision", "route", "status")
    list_filter = ("status", "decision", "route", "requested_service", "current_service")
    search_fields = ("=id", "=patient__nhs_number", "patient__family_name")
    list_select_related = ("patient",)
    readonly_fields = (
        "patient",
        "received_on",
        "requested_by",
        "current_service",
        "standard_management",
        "requested_service",
        "named_clinician",
        "reason",
        "tumour",
        "decision",
        "route",
        "redirect_to",
        "signpost",
        "decision_reasons",
        "status",
        "decided_at",
        "records_requested_on",
        "records_received_on",
        "reviewed_at",
        "outcome",
        "outcome_differences",
        "opinion_sent_on",
        "closed_at",
        "created_by",
        "created_at",
    )
    inlines = [TransitionInline]

    def has_add_permission(self, request) -> bool:
        # New requests go through the request form, which applies the policy.
        return False


@admin.register(SecondOpinionTransition)
class SecondOpinionTransitionAdmin(SimpleHistoryAdmin):
    list_display = ("request", "from_status", "to_status", "by", "at")
    list_filter = ("to_status",)
    readonly_fields = ("request", "from_status", "to_status", "by", "at", "note")


@admin.register(SecondOpinionReminder)
class SecondOpinionReminderAdmin(SimpleHistoryAdmin):
    list_display = ("request", "kind", "sent_at")
    list_filter = ("kind",)
    readonly_fields = ("request", "kind", "sent_at")
