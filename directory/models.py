"""The network directory: organisations, services and what they are commissioned for,
practitioners (core MDT members and designated practitioners) and key contacts.

Every record keeps full history (django-simple-history)."""

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords

from .rules import postal_address_lines


class Organisation(models.Model):
    class Kind(models.TextChoices):
        NHS_TRUST = "nhs_trust", "NHS trust"
        HOSPITAL_SITE = "hospital_site", "Hospital site"

    name = models.CharField(max_length=200)
    ods_code = models.CharField(
        "ODS code", max_length=10, unique=True, help_text="NHS Organisation Data Service code."
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.NHS_TRUST)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sites",
        help_text="The trust a hospital site belongs to.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.ods_code})"


class Capability(models.Model):
    """Something a service is commissioned for. Referral routing asks which service holds it."""

    class Code(models.TextChoices):
        BONE_DIAGNOSIS_SURGERY = "bone_diagnosis_surgery", "Primary bone tumour diagnosis and surgery"
        SOFT_TISSUE_SARCOMA = "soft_tissue_sarcoma", "Soft tissue sarcoma"
        GIST = "gist", "Gastrointestinal stromal tumour (GIST)"
        SPINAL_SURGERY = "spinal_surgery", "Spinal sarcoma surgery"
        SKULL_BASE_SURGERY = "skull_base_surgery", "Skull-base and craniocervical surgery"
        BONE_RADIOTHERAPY = "bone_radiotherapy", "Radiotherapy for primary bone tumours"
        SARCOMA_MDT = "sarcoma_mdt", "Sarcoma MDT"
        CHILDRENS_SERVICES = "childrens_services", "Children's services"
        SPECIALIST_PATHOLOGY = "specialist_pathology", "Specialist sarcoma pathology"

    code = models.CharField(max_length=40, choices=Code.choices, unique=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "capabilities"

    def __str__(self) -> str:
        return self.get_code_display()


class Service(models.Model):
    name = models.CharField(max_length=200)
    code = models.SlugField(max_length=20, unique=True, help_text="Short code, e.g. LSS, RMH, RNOH.")
    organisations = models.ManyToManyField(Organisation, related_name="services")
    capabilities = models.ManyToManyField(Capability, related_name="services", blank=True)
    postal_address = models.TextField(
        "postal address",
        blank=True,
        max_length=600,
        help_text="As the service's letters give it, one line per line of the address. Letters "
        "head every page with it; without one they give the service's name and contacts only.",
    )
    history = HistoricalRecords(m2m_fields=[organisations, capabilities])

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def postal_address_lines(self) -> list[str]:
        return postal_address_lines(self.postal_address)

    def clean(self) -> None:
        """The address kept as its lines, however it was typed (the admin's text area sends
        Windows line breaks): the same text as ServiceForm keeps, so a later change request does
        not list an unchanged address as changed."""
        super().clean()
        self.postal_address = "\n".join(postal_address_lines(self.postal_address))


class Practitioner(models.Model):
    class Speciality(models.TextChoices):
        SURGERY = "surgery", "Surgery"
        MEDICAL_ONCOLOGY = "medical_oncology", "Medical oncology"
        CLINICAL_ONCOLOGY = "clinical_oncology", "Clinical oncology"
        RADIOLOGY = "radiology", "Radiology"
        PATHOLOGY = "pathology", "Pathology"
        NURSING = "nursing", "Nursing"
        OTHER = "other", "Other"

    class DesignationScope(models.TextChoices):
        NONE = "", "Not designated"
        # "surgeons who are core or designated members of the Sarcoma MDT" (resection outside the
        # spine, e.g. at a Local Sarcoma Unit); spinal surgery has its own designation.
        SURGERY = "surgery", "Sarcoma surgery"
        SPINAL_SURGERY = "spinal_surgery", "Spinal surgery"
        CHEMOTHERAPY = "chemotherapy", "Chemotherapy"
        RADIOTHERAPY = "radiotherapy", "Radiotherapy"
        PATHOLOGY = "pathology", "Sarcoma pathology"

    name = models.CharField(max_length=200)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="practitioners")
    speciality = models.CharField(max_length=30, choices=Speciality.choices)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=50, blank=True)
    is_core_mdt_member = models.BooleanField("core MDT member", default=False)
    core_mdt_service = models.ForeignKey(
        "Service",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="core_mdt_members",
        verbose_name="core member of the MDT of",
        help_text="The service whose sarcoma MDT they are a core member of. The MDT's quorum and "
        "invitations read it, so an approved change counts at the next meeting.",
    )
    designation_scope = models.CharField(
        max_length=30,
        choices=DesignationScope.choices,
        blank=True,
        help_text="Designated practitioner scope, set by the Sarcoma Advisory Group.",
    )
    designation_date = models.DateField(null=True, blank=True)
    active = models.BooleanField(default=True)
    demo = models.BooleanField(
        "demo data",
        default=False,
        editable=False,
        help_text="Invented by the demo data (seed_demo): staff pages show it, public pages never do.",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="practitioner",
        help_text="The portal account of this practitioner, if they have one.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                "organisation",
                name="directory_practitioner_unique_name_per_organisation",
                violation_error_message=(
                    "Name: a practitioner with this name is already listed at this organisation."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_designated(self) -> bool:
        return bool(self.designation_scope)


class KeyContact(models.Model):
    class Signpost(models.TextChoices):
        """What the portal signposts patients to (second opinions, issue 16): a contact with one of
        these is shown, with its numbers, wherever the portal names that kind of help."""

        NONE = "", "Not a signposting contact"
        SARCOMA_UK_SUPPORT_LINE = "sarcoma_uk_support_line", "Sarcoma UK Support Line"
        PALS = "pals", "PALS (Patient Advice and Liaison Service)"

    label = models.CharField(max_length=200, help_text="e.g. MDT office, on-call spine consultant.")
    phone_numbers = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    service = models.ForeignKey(
        Service,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="key_contacts",
        help_text="Empty for a contact outside the network's services, such as an independent "
        "charity's support line.",
    )
    signpost = models.CharField(
        max_length=40,
        choices=Signpost.choices,
        blank=True,
        help_text="Shown to patients and the office as this kind of help (e.g. the PALS of the "
        "service's hospitals).",
    )
    notes = models.CharField(max_length=300, blank=True)
    active = models.BooleanField(default=True, help_text="Retired contacts are kept, with their history.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["service__name", "label"]

    def __str__(self) -> str:
        return f"{self.label} ({self.service_code or 'network-wide'})"

    @property
    def service_code(self) -> str:
        return self.service.code if self.service_id else ""

    @property
    def service_name(self) -> str:
        return self.service.name if self.service_id else ""


class DiagnosticClinic(models.Model):
    """A sarcoma diagnostic clinic (issue 8): where suspected soft tissue sarcoma is first assessed.
    Its catchment is a list of postcode districts ("ME14") or areas ("CM"), normalised by
    directory.rules.normalise_catchment; referral intake suggests the clinic whose catchment holds
    the patient's postcode (diagnostics.rules.suggest_clinic). Added and changed through
    SAG-approved change requests, like every directory entry."""

    class ServiceModel(models.TextChoices):
        ONE_STOP_ULTRASOUND = "one_stop_ultrasound", "One-stop ultrasound"
        MRI = "mri", "MRI"
        CT = "ct", "CT"
        BIOPSY_ON_SITE = "biopsy_on_site", "Biopsy on site"
        CONSULTANT_REVIEW = "consultant_review", "Consultant clinical review"
        NURSE_LED = "nurse_led", "Nurse-led triage"

    class Day(models.TextChoices):
        MONDAY = "mon", "Monday"
        TUESDAY = "tue", "Tuesday"
        WEDNESDAY = "wed", "Wednesday"
        THURSDAY = "thu", "Thursday"
        FRIDAY = "fri", "Friday"
        SATURDAY = "sat", "Saturday"
        SUNDAY = "sun", "Sunday"

    name = models.CharField(max_length=200)
    host_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="diagnostic_clinics"
    )
    service = models.ForeignKey(
        Service,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="diagnostic_clinics",
        help_text="The specialist service the clinic refers on to (its MDT).",
    )
    service_model = models.JSONField(default=list, blank=True, help_text="What the clinic offers.")
    clinic_days = models.JSONField(default=list, blank=True)
    catchment = models.JSONField(
        default=list,
        blank=True,
        help_text="Postcode districts (e.g. ME14, DA1) or areas (e.g. CM) the clinic serves.",
    )
    active = models.BooleanField(default=True)
    demo = models.BooleanField(
        "demo data",
        default=False,
        editable=False,
        help_text="Invented by the demo data (seed_demo): staff pages show it, public pages never do.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def service_model_labels(self) -> list[str]:
        labels = dict(self.ServiceModel.choices)
        return [labels.get(code, code) for code in self.service_model]

    @property
    def clinic_day_labels(self) -> list[str]:
        labels = dict(self.Day.choices)
        return [labels.get(code, code) for code in self.clinic_days]


class ChangeRequestQuerySet(models.QuerySet):
    def open(self) -> "ChangeRequestQuerySet":
        """Requests still waiting for a SAG decision (pending) or for a re-base (stale)."""
        return self.filter(status__in=[ChangeRequest.Status.PENDING, ChangeRequest.Status.STALE])

    def due(self, today: datetime.date) -> "ChangeRequestQuerySet":
        """Approved requests whose effective date is on or before `today` and not applied yet."""
        return self.filter(status=ChangeRequest.Status.SCHEDULED, effective_date__lte=today)

    def for_target(self, target: "Practitioner | KeyContact | Service") -> "ChangeRequestQuerySet":
        if isinstance(target, Practitioner):
            return self.filter(practitioner=target)
        if isinstance(target, Service):
            return self.filter(service=target)
        if isinstance(target, DiagnosticClinic):
            return self.filter(diagnostic_clinic=target)
        return self.filter(key_contact=target)


class ChangeRequest(models.Model):
    """A proposed change to the live directory: add, change or retire a practitioner or a key
    contact, or change a service (its capabilities drive referral routing). A SAG member other
    than the proposer approves it (services.change_request_approve), which applies it, at once or
    from its effective date."""

    class Kind(models.TextChoices):
        ADD = "add", "Add"
        CHANGE = "change", "Change"
        RETIRE = "retire", "Retire"

    class TargetType(models.TextChoices):
        PRACTITIONER = "practitioner", "Practitioner"
        KEY_CONTACT = "key_contact", "Key contact"
        SERVICE = "service", "Service"
        DIAGNOSTIC_CLINIC = "diagnostic_clinic", "Diagnostic clinic"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        STALE = "stale", "Stale: the record changed, re-base before deciding"
        SCHEDULED = "scheduled", "Approved, live from its effective date"
        APPLIED = "applied", "Approved and applied"
        REJECTED = "rejected", "Rejected"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    target_type = models.CharField(max_length=20, choices=TargetType.choices)
    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.PROTECT, null=True, blank=True, related_name="change_requests"
    )
    key_contact = models.ForeignKey(
        KeyContact, on_delete=models.PROTECT, null=True, blank=True, related_name="change_requests"
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, null=True, blank=True, related_name="change_requests"
    )
    diagnostic_clinic = models.ForeignKey(
        DiagnosticClinic, on_delete=models.PROTECT, null=True, blank=True, related_name="change_requests"
    )
    proposed_values = models.JSONField(
        default=dict,
        blank=True,
        help_text="The proposed field values: every field for an addition, the changed ones for a change.",
    )
    reason = models.TextField()
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="directory_change_requests"
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    base_version = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="The target record's latest history id when the request was made (or re-based).",
    )
    effective_date = models.DateField(
        null=True, blank=True, help_text="Leave empty to apply the change as soon as it is approved."
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    sag_notified_at = models.DateTimeField(null=True, blank=True)
    proposer_notified_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    objects = ChangeRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-proposed_at", "-id"]
        permissions = [("approve_changerequest", "Can approve or reject a directory change request")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        target_type="practitioner",
                        key_contact__isnull=True,
                        service__isnull=True,
                        diagnostic_clinic__isnull=True,
                    )
                    | models.Q(
                        target_type="key_contact",
                        practitioner__isnull=True,
                        service__isnull=True,
                        diagnostic_clinic__isnull=True,
                    )
                    | models.Q(
                        target_type="service",
                        practitioner__isnull=True,
                        key_contact__isnull=True,
                        diagnostic_clinic__isnull=True,
                    )
                    | models.Q(
                        target_type="diagnostic_clinic",
                        practitioner__isnull=True,
                        key_contact__isnull=True,
                        service__isnull=True,
                    )
                ),
                name="directory_changerequest_one_target_type",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(kind="add")
                    | models.Q(practitioner__isnull=False)
                    | models.Q(key_contact__isnull=False)
                    | models.Q(service__isnull=False)
                    | models.Q(diagnostic_clinic__isnull=False)
                ),
                name="directory_changerequest_change_has_target",
            ),
        ]

    def __str__(self) -> str:
        return f"Change request #{self.pk}: {self.get_kind_display().lower()} {self.target_label}"

    @property
    def target(self) -> "Practitioner | KeyContact | Service | None":
        return {
            self.TargetType.PRACTITIONER: self.practitioner,
            self.TargetType.KEY_CONTACT: self.key_contact,
            self.TargetType.SERVICE: self.service,
            self.TargetType.DIAGNOSTIC_CLINIC: self.diagnostic_clinic,
        }[self.target_type]

    @property
    def target_label(self) -> str:
        if self.target is not None:
            return str(self.target)
        name_field = "label" if self.target_type == self.TargetType.KEY_CONTACT else "name"
        return f"{self.get_target_type_display().lower()} {self.proposed_values.get(name_field, '')}".strip()

    @property
    def is_open(self) -> bool:
        return self.status in {self.Status.PENDING, self.Status.STALE}


def _new_confirmation_token() -> str:
    return secrets.token_urlsafe(24)


class ConfirmationRequestQuerySet(models.QuerySet):
    def unconfirmed_since(self, cutoff: datetime.datetime) -> "ConfirmationRequestQuerySet":
        """Sent on or before `cutoff` and still not confirmed."""
        return self.filter(sent_at__lte=cutoff, confirmed_at__isnull=True)


class ConfirmationRequest(models.Model):
    """The annual "is your directory entry still correct?" e-mail to one practitioner (or to the
    MDT office for them). One row per practitioner per year, so a second send is impossible."""

    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.CASCADE, related_name="confirmation_requests"
    )
    year = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField()
    sent_to = models.TextField(help_text="The addresses the request went to, one a line.")
    token = models.CharField(max_length=64, unique=True, default=_new_confirmation_token, editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    flagged_to_sag_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["token"])

    objects = ConfirmationRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "practitioner__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["practitioner", "year"], name="directory_confirmationrequest_once_a_year"
            )
        ]

    def __str__(self) -> str:
        return f"Annual confirmation {self.year}: {self.practitioner}"

    @property
    def recipients(self) -> list[str]:
        return self.sent_to.splitlines()
