"""Admin for letters: to read them and their history. Letters are written and sent only through
letters.services (the letters pages), so nothing here is editable, by superusers either."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from portal.patient_data import ShowsPatientsAdmin

from .models import Letter


@admin.register(Letter)
class LetterAdmin(ShowsPatientsAdmin, SimpleHistoryAdmin):
    patient_id_field = "patient_id"
    list_display = ("pk", "kind", "version", "status", "method", "generated_at", "sent_at")
    list_filter = ("kind", "status", "method")
    exclude = ("html", "pdf")
    readonly_fields = (
        "kind",
        "patient",
        "discussion",
        "referral_return",
        "second_opinion",
        "version",
        "recipient_name",
        "recipient_address",
        "recipient_email",
        "correction",
        "status",
        "method",
        "generated_at",
        "generated_by",
        "sent_at",
        "sent_by",
        "emailed_at",
        "print_batch",
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
