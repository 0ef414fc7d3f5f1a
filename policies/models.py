"""Document-controlled policies and pathways.

A `PolicySeries` is one policy or pathway across all its versions; each `PolicyDocument` row is
one version with the LSESN document-control summary. At most one version of a series is approved
(the current one); publishing a new version supersedes it. `PolicyReviewAlert` records every
review-date alert, one row per version and threshold, so none is ever sent twice."""

import datetime

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from . import rules


class PolicySeries(models.Model):
    """One policy or pathway; its versions are `PolicyDocument` rows. Locked (select_for_update)
    while a version of it changes status, so two approvals of one policy cannot interleave."""

    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "policy series"
        verbose_name_plural = "policy series"

    def __str__(self) -> str:
        latest = self.versions.order_by("-created_at").first()
        return latest.title if latest else f"Policy series {self.pk}"


class CirculationGroup(models.Model):
    """A group a document is circulated to, such as "Trust Sarcoma Leads"."""

    name = models.CharField(max_length=200, unique=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PolicyDocumentQuerySet(models.QuerySet):
    def approved(self) -> "PolicyDocumentQuerySet":
        """The current versions: approved and not superseded or withdrawn."""
        return self.filter(status=PolicyDocument.Status.APPROVED)

    def visible_to(self, user) -> "PolicyDocumentQuerySet":
        """Everyone sees published versions (approved, and superseded ones in a document's
        history); staff with the view permission (MDT office, SAG) see every version."""
        if user.is_authenticated and user.is_active and user.has_perm("policies.view_policydocument"):
            return self
        return self.filter(status__in=PolicyDocument.PUBLISHED_STATUSES)

    def awaiting_approval(self) -> "PolicyDocumentQuerySet":
        return self.filter(status=PolicyDocument.Status.AWAITING_APPROVAL)

    def overdue_for_review(self, today: datetime.date) -> "PolicyDocumentQuerySet":
        return self.approved().filter(review_date__lt=today)

    def with_rag(self, rag: rules.Rag, today: datetime.date) -> "PolicyDocumentQuerySet":
        """Approved versions whose review status is `rag` on `today` (see rules.review_rag)."""
        amber_until = today + datetime.timedelta(days=rules.AMBER_WINDOW_DAYS)
        approved = self.approved()
        if rag == rules.Rag.RED:
            return approved.filter(review_date__lt=today)
        if rag == rules.Rag.AMBER:
            return approved.filter(review_date__gte=today, review_date__lte=amber_until)
        return approved.filter(review_date__gt=amber_until)


class PolicyDocument(models.Model):
    """One version of a policy or pathway, with its document-control summary."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
        APPROVED = "approved", "Approved"
        SUPERSEDED = "superseded", "Superseded"
        WITHDRAWN = "withdrawn", "Withdrawn"

    PUBLISHED_STATUSES = (Status.APPROVED, Status.SUPERSEDED)

    series = models.ForeignKey(PolicySeries, on_delete=models.PROTECT, related_name="versions")
    title = models.CharField("title of document", max_length=300)
    aims = models.TextField(blank=True)
    issued_by = models.CharField(max_length=300, blank=True)
    circulation = models.ManyToManyField(
        CirculationGroup, blank=True, related_name="documents", verbose_name="circulation to"
    )
    authors = models.CharField("author/s", max_length=300, blank=True)
    version_number = models.CharField(
        max_length=20, help_text="Drafts are numbered 0.x or n.x; an approved version takes a whole number."
    )
    version_date = models.DateField("date of version", null=True, blank=True)
    approved_by = models.CharField(
        max_length=300, blank=True, help_text="The approving body, such as LSESN SAG."
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The SAG member who recorded the approval in the portal.",
    )
    approval_date = models.DateField(null=True, blank=True)
    review_date = models.DateField("date of review", null=True, blank=True)
    storage_location = models.URLField("storage pathway", blank=True)
    owners = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="owned_policies",
        help_text="Users who receive review-date alerts.",
    )
    document_file = models.FileField(
        "attached PDF",
        upload_to="policies/",
        blank=True,
        validators=[FileExtensionValidator(["pdf"])],
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[circulation, owners])

    objects = PolicyDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["title", "-created_at"]
        permissions = [("approve_policydocument", "Can approve a policy version")]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "version_number"],
                name="policies_version_number_unique_in_series",
                violation_error_message="This document already has a version with that number.",
            ),
            # The "current version" is the approved one: there is never more than one.
            models.UniqueConstraint(
                fields=["series"],
                condition=Q(status="approved"),
                name="policies_one_approved_version_per_series",
                violation_error_message="This document already has an approved version.",
            ),
            models.CheckConstraint(
                condition=Q(review_date__isnull=True)
                | Q(approval_date__isnull=True)
                | Q(review_date__gte=models.F("approval_date")),
                name="policies_review_not_before_approval",
                violation_error_message="The date of review cannot be before the approval date.",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "superseded"])
                | Q(approval_date__isnull=False, review_date__isnull=False),
                name="policies_approved_has_dates",
                violation_error_message="An approved version needs an approval date and a date of review.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version_number}"

    def get_absolute_url(self) -> str:
        return reverse("policies:detail", args=[self.pk])

    @property
    def is_current(self) -> bool:
        return self.status == self.Status.APPROVED

    def rag(self, today: datetime.date) -> rules.Rag | None:
        """Review status of the current version; None for drafts and past versions."""
        if not self.is_current or self.review_date is None:
            return None
        return rules.review_rag(self.review_date, today)


class OutstandingItem(models.Model):
    """Something still to settle before a version can be approved. Open until closed."""

    document = models.ForeignKey(PolicyDocument, on_delete=models.CASCADE, related_name="outstanding_items")
    description = models.CharField(max_length=500)
    raised_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["raised_at", "pk"]

    def __str__(self) -> str:
        return self.description

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class PolicyReviewAlert(models.Model):
    """One review-date alert for one version and threshold. The row is committed BEFORE the
    e-mail goes out (status "claimed") and the unique constraint makes a second row, and so a
    second e-mail, impossible. A claim that never reaches "sent" (the worker died between claim
    and send) is claimed again by the first run after the task time limit has passed, so an alert
    is never lost; it can go twice only if a worker dies between handing the e-mail to the mail
    server and recording it as sent."""

    class Status(models.TextChoices):
        CLAIMED = "claimed", "Claimed, sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed to send (retried on the next run)"
        SUPERSEDED = "superseded", "Not sent: a later alert was due"

    document = models.ForeignKey(PolicyDocument, on_delete=models.CASCADE, related_name="review_alerts")
    threshold = models.CharField(max_length=30, help_text="Such as before-90, on-the-day, overdue-week-2.")
    due_on = models.DateField()
    review_date = models.DateField(help_text="The date of review the alert was about.")
    status = models.CharField(max_length=20, choices=Status.choices)
    recipients = models.TextField(blank=True, help_text="The e-mail addresses it went to, one a line.")
    claimed_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-due_on", "document"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "threshold"], name="policies_one_alert_per_version_and_threshold"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document}: {self.threshold} ({self.get_status_display()})"
