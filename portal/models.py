import datetime
from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

from .roles import Role


class User(AbstractUser):
    """A portal account. Roles are Django groups (portal/roles.py); a clinician's account may be
    linked to their directory entry (directory.Practitioner.user)."""

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @cached_property
    def role_names(self) -> frozenset[str]:
        return frozenset(self.groups.values_list("name", flat=True))

    def has_role(self, role: Role) -> bool:
        return self.is_active and role.value in self.role_names

    @property
    def is_mdt_office(self) -> bool:
        return self.has_role(Role.MDT_OFFICE)

    @property
    def is_clinician(self) -> bool:
        return self.has_role(Role.CLINICIAN)

    @property
    def is_sag_member(self) -> bool:
        return self.has_role(Role.SAG_MEMBER)


class AccessLog(models.Model):
    """One read of patient-identifiable data: who, when, which patient, which page.

    Written by the page's declaration that it shows patient data (portal/patient_data.py), so a
    page cannot show a patient without logging it. Append-only, as ISO 27789 expects of health
    record audit trails: rows are only ever inserted (portal.services.access_log_record); the
    admin is read-only for everyone, and on PostgreSQL a trigger refuses UPDATE and DELETE.
    Visible to superusers and to whoever is given `portal.view_accesslog` (the MDT office lead).
    History (django-simple-history) covers writes; this covers reads."""

    class Action(models.TextChoices):
        READ = "read", "Read a record"
        LIST = "list", "Listed in a page"
        EXPORT = "export", "Exported"
        SEARCH = "search", "Found by a search"
        BREAK_GLASS = "breakglass", "Read under break-glass access"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey("portal.User", on_delete=models.PROTECT, related_name="+")
    patient_id = models.BigIntegerField(db_index=True, help_text="referrals.Patient id")
    action = models.CharField(max_length=10, choices=Action.choices)
    page = models.CharField(max_length=200, help_text="The URL name or path read.")

    class Meta:
        ordering = ["-at"]
        default_permissions = ("view",)
        indexes = [models.Index(fields=["patient_id", "-at"]), models.Index(fields=["user", "-at"])]

    def __str__(self) -> str:
        return f"{self.user} {self.action} patient {self.patient_id} at {self.at:%Y-%m-%d %H:%M}"


class BreakGlassGrantQuerySet(models.QuerySet):
    def active(self, at: datetime.datetime | None = None) -> "BreakGlassGrantQuerySet":
        """Grants not yet expired at `at` (now)."""
        return self.filter(expires_at__gt=at or timezone.now())

    def covering(self, *, user: User, patient_id: int) -> "BreakGlassGrantQuerySet":
        """The object-level check: active grants of this user for this patient, and no other."""
        return self.active().filter(user=user, patient_id=patient_id)


class BreakGlassGrant(models.Model):
    """Emergency ("break-glass") access by one clinician to one patient who is not theirs, given
    with a reason and ending by itself at `expires_at` (PORTAL_BREAK_GLASS_HOURS after it was
    given). It opens that patient's page only, nothing else; each read under it is logged with the
    action "breakglass", and the MDT office lead is told (portal.services.break_glass_grant).

    Evidence, like AccessLog: only ever inserted, read-only in the admin, no history."""

    user = models.ForeignKey("portal.User", on_delete=models.PROTECT, related_name="+")
    patient_id = models.BigIntegerField(db_index=True, help_text="referrals.Patient id")
    reason = models.TextField(help_text="Why the clinician needed the record, in their words.")
    granted_at = models.DateTimeField(default=timezone.now, db_index=True)
    expires_at = models.DateTimeField()

    objects = BreakGlassGrantQuerySet.as_manager()

    class Meta:
        ordering = ["-granted_at"]
        default_permissions = ("view",)
        indexes = [
            models.Index(fields=["user", "patient_id", "-expires_at"], name="break_glass_grant_lookup")
        ]

    def __str__(self) -> str:
        return f"Break-glass: {self.user} to patient {self.patient_id}, {self.granted_at:%Y-%m-%d %H:%M}"


class BreakGlassNotice(models.Model):
    """The MDT office lead was told of a break-glass grant. Unique per grant and recipient, and
    written in the same transaction as the e-mail is sent: a second send is impossible."""

    grant = models.ForeignKey(BreakGlassGrant, on_delete=models.PROTECT, related_name="notices")
    recipient = models.ForeignKey("portal.User", on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["sent_at"]
        default_permissions = ("view",)
        constraints = [
            models.UniqueConstraint(fields=["grant", "recipient"], name="break_glass_notice_once"),
        ]

    def __str__(self) -> str:
        return f"Grant {self.grant_id} told to user {self.recipient_id}"


class OutboxMessage(models.Model):
    """A Celery task owed by a committed write (a transactional outbox).

    `portal.outbox.enqueue` writes the row in the caller's transaction, so the notification is
    saved with the record or not at all; it is handed to the broker on commit and, if Redis or the
    worker was down then, by the `portal.tasks.dispatch_outbox` sweep every minute. The tasks are
    idempotent (each records what it sent under a unique constraint), so a message dispatched twice
    sends nothing twice. A delivery queue, not a clinical record: no history."""

    task = models.CharField(max_length=200, help_text="The registered Celery task name.")
    args = models.JSONField(default=list, help_text="Positional arguments: ids only.")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    dispatched_at = models.DateTimeField(null=True, blank=True, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        state = "dispatched" if self.dispatched_at else "waiting"
        return f"{self.task}{tuple(self.args)} ({state})"
