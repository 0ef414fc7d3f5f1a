"""Admin for the diagnostic pathway's records, mainly to read them and their history. Writes go
through the diagnostic pages (diagnostics.services) where the rules run."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from portal.patient_data import ShowsPatientsAdmin

from .models import CapacityDeclaration, ClinicSurvey, MolecularTest, PathologyReview, ReferralReturn


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(ReferralReturn)
class ReferralReturnAdmin(ShowsPatientsAdmin, ReadOnlyHistoryAdmin):
    patient_id_field = "referral.patient_id"
    list_select_related = ("referral", "returned_by")
    list_display = ("referral", "returned_at", "returned_by", "resubmitted_at")
    list_filter = ("resubmitted_at",)


class MolecularTestInline(admin.TabularInline):
    model = MolecularTest
    extra = 0


@admin.register(PathologyReview)
class PathologyReviewAdmin(ShowsPatientsAdmin, ReadOnlyHistoryAdmin):
    patient_id_field = "referral.patient_id"
    list_select_related = ("referral", "requested_from")
    list_display = ("referral", "requested_from", "requested_on", "reported_on")
    inlines = [MolecularTestInline]


@admin.register(CapacityDeclaration)
class CapacityDeclarationAdmin(ReadOnlyHistoryAdmin):
    list_display = ("service", "partner_service", "starts_on", "ends_on")


@admin.register(ClinicSurvey)
class ClinicSurveyAdmin(ReadOnlyHistoryAdmin):
    list_display = ("clinic", "year", "referrals_per_year", "sarcomas_diagnosed")
    list_filter = ("year",)
