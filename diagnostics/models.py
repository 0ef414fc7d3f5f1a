"""The diagnostic pathway: returns of incomplete referrals, specialist pathology review with
molecular tests, mutual-aid capacity declarations and the yearly diagnostic-clinic survey. Rules in
diagnostics/rules.py, writes in diagnostics/services/.

The tables keep the names they had when these models lived in referrals/ (`db_table`,
`table_name`): moving the app moved no row (migrations/0001_initial.py)."""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from referrals.models import Referral


class ReferralReturnQuerySet(models.QuerySet):
    def outstanding(self) -> "ReferralReturnQuerySet":
        return self.filter(resubmitted_at__isnull=True)


class ReferralReturn(models.Model):
    """An incomplete referral sent back to its referrer with what is missing, and when it came back."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="returns")
    returned_at = models.DateTimeField()
    returned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    missing = models.JSONField(default=list, help_text="What the referral lacked, one item each.")
    note = models.TextField(blank=True)
    resubmitted_at = models.DateTimeField(null=True, blank=True)
    resubmitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    referrer_notified_at = models.DateTimeField(
        null=True, blank=True, help_text="When the referrer was e-mailed what is missing (set once)."
    )
    history = HistoricalRecords(table_name="referrals_historicalreferralreturn")

    objects = ReferralReturnQuerySet.as_manager()

    class Meta:
        db_table = "referrals_referralreturn"
        ordering = ["-returned_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral"],
                condition=models.Q(resubmitted_at__isnull=True),
                name="one_outstanding_return_per_referral",
            )
        ]

    def __str__(self) -> str:
        return f"Return of referral {self.referral_id}"


class PathologyReviewQuerySet(models.QuerySet):
    def visible_to(self, user) -> "PathologyReviewQuerySet":
        return self.filter(referral__in=Referral.objects.visible_to(user))


class PathologyReview(models.Model):
    """Specialist sarcoma pathology review of one referral (national service specification: every
    sarcoma's pathology is reviewed by a specialist sarcoma pathologist). Requested from, and
    reported by, a designated sarcoma pathologist from the directory (diagnostic_rules)."""

    referral = models.OneToOneField(Referral, on_delete=models.PROTECT, related_name="pathology_review")
    requested_from = models.ForeignKey(
        "directory.Practitioner", on_delete=models.PROTECT, related_name="pathology_reviews_requested"
    )
    requested_on = models.DateField()
    reported_by = models.ForeignKey(
        "directory.Practitioner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pathology_reviews_reported",
    )
    reported_on = models.DateField(null=True, blank=True)
    diagnosis = models.TextField(blank=True)
    history = HistoricalRecords(table_name="referrals_historicalpathologyreview")

    objects = PathologyReviewQuerySet.as_manager()

    class Meta:
        db_table = "referrals_pathologyreview"
        ordering = ["-requested_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(reported_on__isnull=True)
                | models.Q(reported_on__gte=models.F("requested_on")),
                name="pathology_reported_after_requested",
            )
        ]

    def __str__(self) -> str:
        return f"Pathology review of referral {self.referral_id}"

    @property
    def is_back(self) -> bool:
        return self.reported_on is not None


class MolecularTest(models.Model):
    """A molecular or genomic test requested as part of the pathology review."""

    review = models.ForeignKey(PathologyReview, on_delete=models.CASCADE, related_name="molecular_tests")
    test_name = models.CharField(max_length=200)
    requested_on = models.DateField()
    resulted_on = models.DateField(null=True, blank=True)
    result = models.TextField(blank=True)
    history = HistoricalRecords(table_name="referrals_historicalmoleculartest")

    class Meta:
        db_table = "referrals_moleculartest"
        ordering = ["requested_on", "pk"]

    def __str__(self) -> str:
        return self.test_name


class CapacityDeclarationQuerySet(models.QuerySet):
    def in_force(self, on: datetime.date) -> "CapacityDeclarationQuerySet":
        return self.filter(starts_on__lte=on, ends_on__gte=on)


class CapacityDeclaration(models.Model):
    """A service's declared reduced capacity: from `starts_on` to `ends_on` (inclusive) intake
    suggests `partner_service` for new referrals it would otherwise receive (mutual aid)."""

    service = models.ForeignKey(
        "directory.Service", on_delete=models.PROTECT, related_name="capacity_declarations"
    )
    partner_service = models.ForeignKey("directory.Service", on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField()
    ends_on = models.DateField()
    reason = models.TextField()
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    declared_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords(table_name="referrals_historicalcapacitydeclaration")

    objects = CapacityDeclarationQuerySet.as_manager()

    class Meta:
        db_table = "referrals_capacitydeclaration"
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="capacity_declaration_dates_in_order",
            ),
            models.CheckConstraint(
                condition=~models.Q(partner_service=models.F("service")),
                name="capacity_declaration_other_partner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} reduced capacity {self.starts_on:%d/%m/%Y}-{self.ends_on:%d/%m/%Y}"


class ClinicSurvey(models.Model):
    """One diagnostic clinic's yearly survey: service model, activity, staffing and pathway steps."""

    class PathwayStep(models.TextChoices):
        TRIAGE_BY_IMAGES = "triage_by_images", "Referral triaged on the ultrasound images"
        STRAIGHT_TO_TEST = "straight_to_test", "Straight-to-test MRI"
        SAME_DAY_BIOPSY = "same_day_biopsy", "Same-day biopsy"
        VIRTUAL_FIRST_CONTACT = "virtual_first_contact", "Virtual first contact"
        MDT_REVIEW = "mdt_review", "Results reviewed at the sarcoma MDT"

    clinic = models.ForeignKey("directory.DiagnosticClinic", on_delete=models.PROTECT, related_name="surveys")
    year = models.PositiveSmallIntegerField()
    service_model = models.JSONField(default=list, blank=True)
    referrals_per_year = models.PositiveIntegerField("referrals received in the year")
    sarcomas_diagnosed = models.PositiveIntegerField("sarcomas diagnosed in the year")
    clinics_per_week = models.DecimalField(max_digits=4, decimal_places=1)
    radiologists_wte = models.DecimalField("consultant radiologists (WTE)", max_digits=5, decimal_places=2)
    sonographers_wte = models.DecimalField("sonographers (WTE)", max_digits=5, decimal_places=2)
    nurse_specialists_wte = models.DecimalField(
        "clinical nurse specialists (WTE)", max_digits=5, decimal_places=2
    )
    pathway_steps = models.JSONField(default=list, blank=True)
    notes = models.TextField(blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords(table_name="referrals_historicalclinicsurvey")

    class Meta:
        db_table = "referrals_clinicsurvey"
        ordering = ["-year", "clinic__name"]
        permissions = [
            ("view_diagnostic_figures", "Can view the diagnostic pathway's evaluation figures and reports")
        ]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "year"], name="one_clinic_survey_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.clinic} survey {self.year}"
