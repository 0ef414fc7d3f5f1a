from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import PolicyDocument


@admin.register(PolicyDocument)
class PolicyDocumentAdmin(SimpleHistoryAdmin):
    list_display = ("title", "version_number", "status", "approval_date", "review_date")
    list_filter = ("status",)
    search_fields = ("title",)
