"""API clients and the call log in the admin, for superusers only. Issuing shows the token once,
on the page that answers the "save" (it is stored nowhere but as a hash); revoking is an action.
Clients are otherwise read-only: other scopes mean a new client."""

from django.contrib import admin, messages
from django.template.response import TemplateResponse
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .forms import ApiClientIssueForm
from .models import ApiCall, ApiClient


class SuperuserOnly:
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


@admin.register(ApiClient)
class ApiClientAdmin(SuperuserOnly, SimpleHistoryAdmin):
    form = ApiClientIssueForm
    list_display = ("name", "scope_list", "token_hint", "issued_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name",)
    readonly_fields = (
        "name",
        "contact",
        "can_read_directory",
        "can_submit_referrals",
        "token_hint",
        "issued_at",
        "issued_by",
        "revoked_at",
        "revoked_by",
    )
    actions = ["revoke"]

    @admin.display(description="scopes")
    def scope_list(self, obj: ApiClient) -> str:
        return ", ".join(obj.scopes) or "none"

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ()

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "contact", "can_read_directory", "can_submit_referrals"]
        return list(self.readonly_fields)

    def has_add_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False  # the call log names the client: revoke instead

    def save_model(self, request, obj, form, change):
        if change:
            return  # read-only once issued
        client, token = services.api_client_issue(
            name=form.cleaned_data["name"],
            contact=form.cleaned_data["contact"],
            can_read_directory=form.cleaned_data["can_read_directory"],
            can_submit_referrals=form.cleaned_data["can_submit_referrals"],
            by=request.user,
        )
        obj.pk = client.pk
        obj._issued_token = token

    def save_related(self, request, form, formsets, change):
        """Nothing related; the service wrote the client."""

    def log_addition(self, request, obj, message):
        return super().log_addition(request, ApiClient.objects.get(pk=obj.pk), message)

    def response_add(self, request, obj, post_url_continue=None):
        """The token, once: this page is the only place it is ever shown."""
        return TemplateResponse(
            request,
            "fhir_api/token_issued.html",
            {
                **self.admin_site.each_context(request),
                "client": ApiClient.objects.get(pk=obj.pk),
                "token": obj._issued_token,
                "title": "Client token issued",
                "opts": self.model._meta,
            },
        )

    @admin.action(description="Revoke the selected clients' tokens")
    def revoke(self, request, queryset):
        for client in queryset:
            try:
                services.api_client_revoke(client_id=client.pk, by=request.user)
            except services.ClientError as error:
                self.message_user(request, str(error), messages.WARNING)
            else:
                self.message_user(request, f"{client}: token revoked.", messages.SUCCESS)


@admin.register(ApiCall)
class ApiCallAdmin(SuperuserOnly, admin.ModelAdmin):
    """Append-only: written by the API only."""

    list_display = ("at", "client", "method", "resource", "interaction", "status", "outcome")
    list_filter = ("outcome", "interaction", "client")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
