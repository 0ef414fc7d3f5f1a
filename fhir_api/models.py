"""API clients (other systems: e-RS, trusts' records) with their scopes and hashed tokens, and
the log of every call made to the FHIR API."""

from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


class ApiClientQuerySet(models.QuerySet):
    def usable(self) -> "ApiClientQuerySet":
        """Clients whose token still works: not revoked."""
        return self.filter(revoked_at__isnull=True)


class ApiClient(models.Model):
    """One calling system. Its token is shown once when a superuser issues it; only its SHA-256
    hash is kept (fhir_api.rules.token_hash), so neither the database nor the admin can show it
    again. Revoking is for good: a new token means a new issue."""

    name = models.CharField(max_length=100, unique=True, help_text="The system, e.g. 'RNOH EPR (Cerner)'.")
    contact = models.CharField(max_length=200, blank=True, help_text="Who runs it: name and e-mail.")
    can_read_directory = models.BooleanField(
        "scope directory.read", default=True, help_text="Read the directory and the MDTs."
    )
    can_submit_referrals = models.BooleanField(
        "scope referral.submit",
        default=False,
        help_text="Submit referrals (POST ServiceRequest) and ask for routing ($route).",
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_hint = models.CharField(
        max_length=8, editable=False, help_text="The token's first characters, to tell tokens apart."
    )
    issued_at = models.DateTimeField(default=timezone.now, editable=False)
    issued_by = models.ForeignKey(
        "portal.User", on_delete=models.PROTECT, null=True, related_name="+", editable=False
    )
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        "portal.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    history = HistoricalRecords(excluded_fields=["token_hash"])

    objects = ApiClientQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "API client"

    def __str__(self) -> str:
        return self.name

    @property
    def scopes(self) -> list[str]:
        return [
            scope
            for scope, held in (
                ("directory.read", self.can_read_directory),
                ("referral.submit", self.can_submit_referrals),
            )
            if held
        ]

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class ApiCall(models.Model):
    """One call to the FHIR API: which client (none for a public read), what it asked for and
    how it ended. Never a patient identifier: the resource type and interaction, no query
    string, no body, no id of a patient or referral."""

    class Outcome(models.TextChoices):
        OK = "ok", "Answered"
        CREATED = "created", "Created"
        INVALID = "invalid", "Refused: invalid request"
        NOT_FOUND = "not_found", "Not found"
        UNAUTHORISED = "unauthorised", "Refused: no valid token"
        FORBIDDEN = "forbidden", "Refused: scope not held"
        NOT_ALLOWED = "not_allowed", "Refused: method not supported"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    client = models.ForeignKey(
        ApiClient, on_delete=models.PROTECT, null=True, blank=True, related_name="calls"
    )
    method = models.CharField(max_length=10)
    resource = models.CharField(
        max_length=40, help_text="Resource type and operation, e.g. ServiceRequest/$route."
    )
    interaction = models.CharField(
        max_length=20, help_text="read, search-type, create, operation, capabilities"
    )
    status = models.PositiveSmallIntegerField()
    outcome = models.CharField(max_length=20, choices=Outcome.choices)

    class Meta:
        ordering = ["-at"]
        verbose_name = "API call"
        default_permissions = ("view",)
        indexes = [models.Index(fields=["client", "-at"])]

    def __str__(self) -> str:
        return f"{self.client or 'anonymous'} {self.method} {self.resource} {self.status}"
