"""The network directory: organisations, services and what they are commissioned for,
practitioners (core MDT members and designated practitioners) and key contacts.

Every record keeps full history (django-simple-history)."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


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
    history = HistoricalRecords(m2m_fields=[organisations, capabilities])

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


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
    designation_scope = models.CharField(
        max_length=30,
        choices=DesignationScope.choices,
        blank=True,
        help_text="Designated practitioner scope, set by the Sarcoma Advisory Group.",
    )
    designation_date = models.DateField(null=True, blank=True)
    active = models.BooleanField(default=True)
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

    def __str__(self) -> str:
        return self.name

    @property
    def is_designated(self) -> bool:
        return bool(self.designation_scope)


class KeyContact(models.Model):
    label = models.CharField(max_length=200, help_text="e.g. MDT office, on-call spine consultant.")
    phone_numbers = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="key_contacts")
    notes = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["service__name", "label"]

    def __str__(self) -> str:
        return f"{self.label} ({self.service.code})"
