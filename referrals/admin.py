from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Patient, Referral


@admin.register(Patient)
class PatientAdmin(SimpleHistoryAdmin):
    list_display = ("family_name", "given_name", "nhs_number", "date_of_birth")
    search_fields = ("=nhs_number", "family_name", "given_name")


@admin.register(Referral)
class ReferralAdmin(SimpleHistoryAdmin):
    list_display = ("id", "patient", "received_on", "tumour_type", "site", "status", "responsible_consultant")
    list_filter = ("status", "tumour_type", "presentation")
    search_fields = ("=patient__nhs_number", "patient__family_name")
    list_select_related = ("patient", "responsible_consultant")
    autocomplete_fields = ("patient",)
    raw_id_fields = ("responsible_consultant",)


from .mdt_admin import *  # noqa: E402, F403  MDT meetings (referrals/mdt_admin.py)
