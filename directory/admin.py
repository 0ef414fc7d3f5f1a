from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Capability, KeyContact, Organisation, Practitioner, Service


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ("name", "ods_code", "kind", "parent")
    search_fields = ("name", "ods_code")


@admin.register(Capability)
class CapabilityAdmin(SimpleHistoryAdmin):
    list_display = ("code",)


@admin.register(Service)
class ServiceAdmin(SimpleHistoryAdmin):
    list_display = ("name", "code")
    filter_horizontal = ("organisations", "capabilities")


@admin.register(Practitioner)
class PractitionerAdmin(SimpleHistoryAdmin):
    list_display = ("name", "organisation", "speciality", "is_core_mdt_member", "designation_scope", "active")
    list_filter = ("speciality", "is_core_mdt_member", "designation_scope", "active")
    search_fields = ("name", "email")


@admin.register(KeyContact)
class KeyContactAdmin(SimpleHistoryAdmin):
    list_display = ("label", "service", "phone_numbers", "email")
    search_fields = ("label",)
