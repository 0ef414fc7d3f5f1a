"""Patients and their referrals to the network."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class PatientQuerySet(models.QuerySet):
    def visible_to(self, user) -> "PatientQuerySet":
        """Least privilege: the MDT office sees every patient; a clinician only those they are
        responsible for or on the care team of; anyone else nobody."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser or user.is_mdt_office:
            return self
        if user.is_clinician:
            return self.filter(
                models.Q(referrals__responsible_consultant=user) | models.Q(referrals__care_team=user)
            ).distinct()
        return self.none()


class Patient(models.Model):
    class Sex(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        OTHER = "other", "Other"
        NOT_KNOWN = "not_known", "Not known"

    nhs_number = models.CharField(
        "NHS number",
        max_length=10,
        unique=True,
        null=True,
        blank=True,
        help_text="Ten digits, stored without spaces.",
    )
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=20, choices=Sex.choices, default=Sex.NOT_KNOWN)
    postcode = models.CharField(max_length=10, blank=True)
    history = HistoricalRecords()

    objects = PatientQuerySet.as_manager()

    class Meta:
        ordering = ["family_name", "given_name"]

    def __str__(self) -> str:
        return f"{self.family_name.upper()}, {self.given_name}"


class Referral(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        TRIAGED = "triaged", "Triaged"
        ACCEPTED = "accepted", "Accepted"
        REDIRECTED = "redirected", "Redirected"
        DECLINED = "declined", "Declined"
        UNDER_INVESTIGATION = "under_investigation", "Under investigation"
        AWAITING_MDT = "awaiting_mdt", "Awaiting MDT"
        DISCUSSED_AT_MDT = "discussed_at_mdt", "Discussed at MDT"
        TREATMENT_PLANNED = "treatment_planned", "Treatment planned"
        FIRST_TREATMENT_GIVEN = "first_treatment_given", "First treatment given"
        CLOSED = "closed", "Closed"

    class Presentation(models.TextChoices):
        SUSPECTED = "suspected", "Suspected sarcoma"
        CONFIRMED = "confirmed", "Confirmed sarcoma"

    class TumourType(models.TextChoices):
        BONE = "bone", "Primary bone tumour"
        SOFT_TISSUE = "soft_tissue", "Soft tissue sarcoma"
        GIST = "gist", "GIST"
        UNKNOWN = "unknown", "Unknown"

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="referrals")
    referring_organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    received_on = models.DateField()
    presentation = models.CharField(max_length=20, choices=Presentation.choices)
    tumour_type = models.CharField(max_length=20, choices=TumourType.choices)
    site = models.CharField(max_length=40)
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.RECEIVED)
    responsible_consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responsible_referrals",
    )
    care_team = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="care_team_referrals"
    )
    history = HistoricalRecords(m2m_fields=[care_team])

    class Meta:
        ordering = ["-received_on"]

    def __str__(self) -> str:
        return f"Referral {self.pk} ({self.get_status_display()})"
