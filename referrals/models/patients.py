"""Patients: who they are, their NHS number's guard, and their local hospital numbers."""

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models.functions import Collate, Upper
from simple_history.models import HistoricalRecords

from .. import policy_rules


def validate_nhs_number(value: str) -> None:
    """Model-level guard: only a valid, normalised NHS number is stored."""
    try:
        normalised = policy_rules.normalise_nhs_number(value)
    except ValueError as error:
        raise ValidationError(str(error), code="invalid") from error
    if normalised != value:
        raise ValidationError("Store the NHS number as 10 digits without spaces.", code="invalid")


class PatientQuerySet(models.QuerySet):
    def visible_to(self, user) -> "PatientQuerySet":
        """Least privilege: the MDT office sees every patient; a clinician only those they are
        responsible for or on the care team of; anyone else nobody."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser or user.is_mdt_office:
            return self
        if user.is_clinician:
            Referral = apps.get_model("referrals", "Referral")
            # Two id subqueries rather than a join with DISTINCT: the database reads only this
            # clinician's referrals (an index) and the list can stop after one page.
            return self.filter(
                models.Q(pk__in=Referral.objects.filter(responsible_consultant=user).values("patient_id"))
                | models.Q(pk__in=Referral.objects.filter(care_team=user).values("patient_id"))
            )
        return self.none()

    def visible_pks(self, user) -> "models.QuerySet | None":
        """The ids of the patients `user` may see, as a subquery, by the same rule as
        `visible_to`; None when they may see every patient (the MDT office), so a caller filters
        nothing. For a row that points at a patient (a discussion's referral, a letter, a second
        opinion): `patient_id__in=visible_pks(user)`.

        A clinician's are a UNION of the patient ids of their referrals and of those whose care
        team they are on, each read by its index. `patient__in=Patient.objects.visible_to(user)`
        wrapped those two lists in a scan of the patient table, which PostgreSQL walked whole:
        800,000 rows and 80 ms for each discussion list at 1,000,000 referrals (issue 22)."""
        if not user.is_authenticated or not user.is_active:
            return self.none().values("pk")
        if user.is_superuser or user.is_mdt_office:
            return None
        if user.is_clinician:
            Referral = apps.get_model("referrals", "Referral")
            own = Referral.objects.filter(responsible_consultant=user).order_by().values("patient_id")
            team = Referral.objects.filter(care_team=user).order_by().values("patient_id")
            return own.union(team)
        return self.none().values("pk")

    def current(self) -> "PatientQuerySet":
        """Patients not merged into another record."""
        return self.filter(merged_into__isnull=True)

    def with_name_keys(self) -> "PatientQuerySet":
        """`family_key` and `given_key`: the names in upper case, compared code point by code
        point (collation "C" on PostgreSQL, SQLite's default elsewhere). The index
        patient_name_keys holds them in this order, so a name search that starts at a prefix reads
        its page straight from the index (migration 0007)."""
        keys = {"family_key": Upper("family_name"), "given_key": Upper("given_name")}
        if connections[self.db].vendor == "postgresql":
            keys = {name: Collate(key, "C") for name, key in keys.items()}
        return self.annotate(**keys)


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
        validators=[validate_nhs_number],
    )
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=20, choices=Sex.choices, default=Sex.NOT_KNOWN)
    postcode = models.CharField(max_length=10, blank=True)
    key_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="key_worker_patients",
        help_text="The patient's named key worker (NICE quality standard QS78).",
    )
    possible_duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="possible_duplicates",
        help_text="Set at intake: same name and date of birth as this patient, different or no NHS number.",
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_records",
        help_text="Set when the MDT office merged this record into another one.",
    )
    history = HistoricalRecords()

    objects = PatientQuerySet.as_manager()

    class Meta:
        ordering = ["family_name", "given_name"]
        indexes = [
            # The patient list's order and its keyset pages (family name, given name, id).
            models.Index(fields=["family_name", "given_name", "id"], name="patient_name_order"),
        ]

    def __str__(self) -> str:
        return f"{self.family_name.upper()}, {self.given_name}"

    @property
    def initials(self) -> str:
        return f"{self.given_name[:1]}{self.family_name[:1]}".upper()

    @property
    def nhs_number_display(self) -> str:
        """The NHS number in the 3-3-4 form people read it in."""
        n = self.nhs_number or ""
        return f"{n[:3]} {n[3:6]} {n[6:]}" if len(n) == 10 else n


class HospitalNumber(models.Model):
    """A patient's local record number at one organisation."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="hospital_numbers")
    organisation = models.ForeignKey("directory.Organisation", on_delete=models.PROTECT, related_name="+")
    number = models.CharField(max_length=30)
    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation__name"]
        # The patient search matches hospital numbers case-insensitively (UPPER(number) = ...).
        indexes = [models.Index(Upper("number"), name="hospital_number_upper")]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"], name="hospital_number_unique_per_org"),
            models.UniqueConstraint(fields=["patient", "organisation"], name="one_hospital_number_per_org"),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.organisation.ods_code})"
