"""Document-controlled policies and pathways: the LSESN document-control summary, one row per
version."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class PolicyDocument(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
        APPROVED = "approved", "Approved"
        SUPERSEDED = "superseded", "Superseded"
        WITHDRAWN = "withdrawn", "Withdrawn"

    title = models.CharField(max_length=300)
    aims = models.TextField(blank=True)
    issued_by = models.CharField(max_length=300, blank=True)
    circulation = models.TextField(blank=True, help_text="The groups it is circulated to, one a line.")
    authors = models.CharField(max_length=300, blank=True)
    version_number = models.CharField(max_length=20, help_text="Drafts 0.x or n.x; approved n.")
    version_date = models.DateField(null=True, blank=True)
    approved_by = models.CharField(max_length=300, blank=True, help_text="The approving body.")
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The SAG member who recorded the approval in the portal.",
    )
    approval_date = models.DateField(null=True, blank=True)
    outstanding_items = models.TextField(blank=True)
    review_date = models.DateField("date of review", null=True, blank=True)
    storage_location = models.URLField(blank=True)
    owners = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="owned_policies",
        help_text="Users who receive review-date alerts.",
    )
    document_file = models.FileField(upload_to="policies/", blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    history = HistoricalRecords()

    class Meta:
        ordering = ["title", "-version_date"]
        permissions = [("approve_policydocument", "Can approve a policy version")]

    def __str__(self) -> str:
        return f"{self.title} v{self.version_number}"
