"""Admin for MDT meetings, and the "add to next meeting" bulk action on referrals.

Transitions go through mdt.services, so the admin's
edit forms stay for the standing data (MDTs, meeting chairs); outcomes are entered on the MDT
pages where their rules run."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from simple_history.admin import SimpleHistoryAdmin

from directory.models import Practitioner
from portal.patient_data import ShowsPatientsAdmin
from referrals.admin import ReferralAdmin

from . import services as mdt_services
from .models import (
    Mdt,
    MdtAttendance,
    MdtCalendarToken,
    MdtDiscussion,
    MdtMeeting,
    MdtReminderSent,
    PatientOutcomePreference,
)


class MdtAdminForm(forms.ModelForm):
    quorum_specialities = forms.MultipleChoiceField(
        label="Quorum: specialities that must be present",
        choices=Practitioner.Speciality.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    video_link = forms.URLField(required=False, assume_scheme="https")

    class Meta:
        model = Mdt
        fields = [
            "name",
            "code",
            "service",
            "lead",
            "weekday",
            "start_time",
            "duration_minutes",
            "location",
            "video_link",
            "cutoff_working_days",
            "quorum_specialities",
            "weeks_ahead",
            "office_email",
            "active",
        ]


@admin.register(Mdt)
class MdtAdmin(SimpleHistoryAdmin):
    form = MdtAdminForm
    list_display = ("name", "code", "service", "weekday", "start_time", "cutoff_working_days", "active")
    raw_id_fields = ("lead",)
    readonly_fields = ("core_members_from_directory",)

    @admin.display(description="Core members (from the directory)")
    def core_members_from_directory(self, obj) -> str:
        """Read from the directory, where the SAG approves them: propose a change there."""
        if obj is None or obj.pk is None:
            return "Saved MDTs list the directory's core members of their service's MDT."
        names = [str(p) for p in obj.core_member_practitioners()]
        return ", ".join(names) or "None in the directory yet: propose them as core members there."


class MdtAttendanceInline(admin.TabularInline):
    """Read-only here: attendance is recorded on the meeting page, where deputies are checked."""

    model = MdtAttendance
    extra = 0
    fields = readonly_fields = ("practitioner", "deputy_for")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(MdtMeeting)
class MdtMeetingAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "mdt", "starts_at", "cutoff_at", "status")
    list_filter = ("mdt", "status")
    date_hierarchy = "starts_at"
    readonly_fields = ("status", "cancel_reason")
    raw_id_fields = ("chair",)
    inlines = [MdtAttendanceInline]


@admin.register(MdtDiscussion)
class MdtDiscussionAdmin(ShowsPatientsAdmin, SimpleHistoryAdmin):
    patient_id_field = "referral.patient_id"
    """Cases are added, moved and given outcomes on the MDT pages (where the cut-off, the move
    reason and the concurrent-save check apply); here only the case details can be corrected."""

    list_display = (
        "referral",
        "meeting",
        "presenting_clinician",
        "imaging_available",
        "pathology_available",
        "outcome",
        "outcome_sent_at",
    )
    list_filter = ("meeting__mdt", "outcome")
    list_select_related = ("referral", "meeting__mdt", "presenting_clinician")
    raw_id_fields = ("presenting_clinician",)
    readonly_fields = (
        "meeting",
        "referral",
        "added_at",
        "late_addition_reason",
        "outcome",
        "recommendation",
        "decision_to_treat_on",
        "outcome_recipients",
        "outcome_recorded_at",
        "outcome_recorded_by",
        "outcome_sent_at",
        "outcome_sent_to",
        "version",
    )

    def has_add_permission(self, request):
        return False


@admin.register(PatientOutcomePreference)
class PatientOutcomePreferenceAdmin(ShowsPatientsAdmin, SimpleHistoryAdmin):
    patient_id_field = "patient_id"
    list_display = ("patient", "recipients")
    list_select_related = ("patient",)
    raw_id_fields = ("patient",)


@admin.register(MdtReminderSent)
class MdtReminderSentAdmin(SimpleHistoryAdmin):
    list_display = ("kind", "object_id", "recipient", "sent_at")
    list_filter = ("kind",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(MdtCalendarToken)
class MdtCalendarTokenAdmin(SimpleHistoryAdmin):
    list_display = ("user", "created_at")
    exclude = ("token",)


@admin.action(description="Add to the next MDT meeting", permissions=["change"])
def add_to_next_meeting(modeladmin, request, queryset):
    """Each selected referral goes on the next open meeting of the MDT that discussed it before or
    serves its referring organisation; referrals with no such MDT are reported, not guessed."""
    added, refused = 0, []
    for referral in queryset.select_related("patient", "referring_organisation"):
        try:
            mdt_services.discussion_add_to_next(referral=referral, mdt=None, by=request.user)
        except ValidationError as error:
            refused.append(f"{referral.patient}: {' '.join(error.messages)}")
        else:
            added += 1
    if added:
        modeladmin.message_user(
            request, f"{added} referral(s) added to the next MDT meeting.", messages.SUCCESS
        )
    for message in refused:
        modeladmin.message_user(request, message, messages.WARNING)


ReferralAdmin.actions = [*ReferralAdmin.actions, add_to_next_meeting]
