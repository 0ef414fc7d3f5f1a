"""The directory in the admin, with its history. Practitioners and key contacts change only
through approved change requests: in the admin only a superuser edits them directly; everyone
else follows the "propose a change" link to the change-request form."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Capability,
    ChangeRequest,
    ConfirmationRequest,
    DiagnosticClinic,
    KeyContact,
    Organisation,
    Practitioner,
    Service,
)


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ("name", "ods_code", "kind", "parent")
    search_fields = ("name", "ods_code")


@admin.register(Capability)
class CapabilityAdmin(SimpleHistoryAdmin):
    list_display = ("code",)


class ThroughChangeRequestsAdmin(SimpleHistoryAdmin):
    """Direct edits for superusers only; the others propose, and the SAG approves."""

    target_slug = ""
    can_propose_additions = True

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    @admin.display(description="Change request")
    def propose_change_link(self, obj):
        return format_html(
            '<a href="{}">Propose a change</a>',
            reverse("directory:propose_change", args=[self.target_slug, obj.pk]),
        )

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {})}
        if self.can_propose_additions:
            extra_context["propose_add_url"] = reverse("directory:propose_add", args=[self.target_slug])
        return super().changelist_view(request, extra_context)


@admin.register(Practitioner)
class PractitionerAdmin(ThroughChangeRequestsAdmin):
    target_slug = "practitioner"
    list_display = (
        "name",
        "organisation",
        "speciality",
        "is_core_mdt_member",
        "core_mdt_service",
        "designation_scope",
        "active",
        "propose_change_link",
    )
    list_filter = ("speciality", "is_core_mdt_member", "core_mdt_service", "designation_scope", "active")
    search_fields = ("name", "email")
    change_list_template = "admin/directory/propose_change_list.html"


@admin.register(KeyContact)
class KeyContactAdmin(ThroughChangeRequestsAdmin):
    target_slug = "key-contact"
    list_display = ("label", "service", "signpost", "phone_numbers", "email", "active", "propose_change_link")
    list_filter = ("service", "signpost", "active")
    search_fields = ("label",)
    change_list_template = "admin/directory/propose_change_list.html"


@admin.register(Service)
class ServiceAdmin(ThroughChangeRequestsAdmin):
    """Its capabilities drive referral routing: changed through SAG-approved requests."""

    target_slug = "service"
    can_propose_additions = False
    list_display = ("name", "code", "propose_change_link")
    filter_horizontal = ("organisations", "capabilities")
    change_list_template = "admin/directory/propose_change_list.html"


@admin.register(DiagnosticClinic)
class DiagnosticClinicAdmin(ThroughChangeRequestsAdmin):
    """Diagnostic clinics and their catchments: changed through SAG-approved requests."""

    target_slug = "diagnostic-clinic"
    list_display = ("name", "host_organisation", "active", "propose_change_link")
    list_filter = ("active",)
    search_fields = ("name",)
    change_list_template = "admin/directory/propose_change_list.html"


@admin.register(ChangeRequest)
class ChangeRequestAdmin(SimpleHistoryAdmin):
    """Read-only: change requests move only through the propose, decide and re-base pages."""

    list_display = (
        "__str__",
        "status",
        "proposed_by",
        "proposed_at",
        "effective_date",
        "decided_by",
        "review_link",
    )
    list_filter = ("status", "kind", "target_type")
    search_fields = ("reason", "practitioner__name", "key_contact__label", "service__name")
    readonly_fields = [field.name for field in ChangeRequest._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Review")
    def review_link(self, obj):
        return format_html(
            '<a href="{}">Difference and decision</a>',
            reverse("directory:change_request_detail", args=[obj.pk]),
        )


@admin.register(ConfirmationRequest)
class ConfirmationRequestAdmin(SimpleHistoryAdmin):
    list_display = ("practitioner", "year", "sent_at", "confirmed_at", "flagged_to_sag_at")
    list_filter = ("year",)
    exclude = ("token",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
