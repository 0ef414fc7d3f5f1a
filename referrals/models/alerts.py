"""The rows that make waiting-time alerts, their deliveries and weekly digests once-only."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .referrals import Referral


class WaitingTimeAlert(models.Model):
    """An alert sent about one clock of one referral. The unique constraint makes it once-only."""

    class Kind(models.TextChoices):
        AT_RISK = "at_risk", "At risk"
        BREACHED = "breached", "Breached"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="alerts")
    standard = models.CharField(max_length=10)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    due_on = models.DateField(help_text="The clock's due date when the alert was sent.")
    days_elapsed = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The clock's day when the alert was raised."
    )
    sent_at = models.DateTimeField(default=timezone.now, help_text="When the alert was raised.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "standard", "kind"], name="one_waiting_time_alert_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.standard} {self.kind} for referral {self.referral_id}"


class WaitingTimeAlertDelivery(models.Model):
    """One recipient's copy of a waiting-time alert, written with the alert. It is marked sent in
    the transaction of the e-mail that carries it, one recipient at a time, so a run cut off
    between two recipients leaves the rest pending for the next run and sends nobody anything
    twice. A pending copy is withdrawn instead if, by the time it would go, the recipient no longer
    has the patient (left the office, no longer the responsible consultant, deactivated, no
    e-mail address) or the referral has ended.

    No simple_history: like the outbox's messages, the row is itself the record of a send (which
    alert, to whom, when), written and updated only by the sweep; the alert it belongs to has its
    history. A first run over years of data writes hundreds of thousands of these."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        WITHDRAWN = "withdrawn", "Withdrawn"

    alert = models.ForeignKey(WaitingTimeAlert, on_delete=models.CASCADE, related_name="deliveries")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    sent_at = models.DateTimeField(null=True, blank=True, help_text="When the e-mail went.")
    withdrawn_reason = models.CharField(
        max_length=200,
        blank=True,
        help_text="Why a pending delivery was not sent: the recipient no longer had the patient, "
        "or the referral had ended.",
    )

    class Meta:
        ordering = ["alert", "recipient"]
        verbose_name_plural = "waiting-time alert deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["alert", "recipient"], name="one_delivery_per_alert_and_recipient"
            )
        ]
        indexes = [
            models.Index(
                fields=["recipient"], condition=models.Q(status="pending"), name="pending_alert_deliveries"
            )
        ]

    def __str__(self) -> str:
        return f"{self.alert} to user {self.recipient_id}"


class DigestSent(models.Model):
    """A clinician's weekly digest for one ISO week. The unique constraint makes it once-only."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    iso_year = models.PositiveSmallIntegerField()
    iso_week = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = "weekly digest sent"
        verbose_name_plural = "weekly digests sent"
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "iso_year", "iso_week"], name="one_digest_per_clinician_per_week"
            )
        ]

    def __str__(self) -> str:
        return f"Digest {self.iso_year}-W{self.iso_week:02d} to user {self.recipient_id}"
