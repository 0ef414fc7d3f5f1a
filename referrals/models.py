"""Patients and their referrals to the network, the log of every referral transition, and the
rows that make waiting-time alerts and weekly digests once-only."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models.functions import Collate, Upper
from django.utils import timezone
from simple_history.models import HistoricalRecords

from . import policy_rules, rules


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
            # Two id subqueries rather than a join with DISTINCT: the database reads only this
            # clinician's referrals (an index) and the list can stop after one page.
            return self.filter(
                models.Q(pk__in=Referral.objects.filter(responsible_consultant=user).values("patient_id"))
                | models.Q(pk__in=Referral.objects.filter(care_team=user).values("patient_id"))
            )
        return self.none()

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


class ReferralQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ReferralQuerySet":
        """The same least-privilege rule as PatientQuerySet.visible_to, for referrals."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser or user.is_mdt_office:
            return self
        if user.is_clinician:
            care_team = Referral.care_team.through.objects.filter(user=user).values("referral_id")
            return self.filter(models.Q(responsible_consultant=user) | models.Q(pk__in=care_team))
        return self.none()

    def open(self) -> "ReferralQuerySet":
        return self.filter(status__in=Referral.OPEN_STATUSES)

    def with_clock_state(self, states, today: datetime.date) -> "ReferralQuerySet":
        """Referrals whose worst clock is in `states` on `today`. Clocks are derived by the pure
        rules from the recorded dates, so this evaluates them in Python (a network-sized list)."""
        wanted = set(states)
        ids = [referral.pk for referral in self if referral.clock_state(today) in wanted]
        return self.filter(pk__in=ids)


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

    class LumpDepth(models.TextChoices):
        SUPERFICIAL = "superficial", "Superficial to fascia"
        DEEP = "deep", "Deep to fascia"
        NOT_KNOWN = "not_known", "Not known"

    class YesNoUnknown(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"
        NOT_KNOWN = "not_known", "Not known"

    class Imaging(models.TextChoices):
        NONE = "none", "None yet"
        ULTRASOUND = "ultrasound", "Ultrasound"
        XRAY = "xray", "X-ray"
        MRI = "mri", "MRI"
        CT = "ct", "CT"

    class ImagingResult(models.TextChoices):
        SUGGESTS_SARCOMA = "suggests_sarcoma", "Suggests sarcoma"
        UNCERTAIN = "uncertain", "Uncertain, clinical concern persists"
        BENIGN = "benign", "Benign appearance"

    class DiagnosisOutcome(models.TextChoices):
        SARCOMA = "sarcoma", "Sarcoma"
        NOT_SARCOMA = "not_sarcoma", "Not sarcoma"

    class TreatmentModality(models.TextChoices):
        SURGERY = "surgery", "Surgery"
        CHEMOTHERAPY = "chemotherapy", "Chemotherapy"
        RADIOTHERAPY = "radiotherapy", "Radiotherapy"
        OTHER = "other", "Other"

    class Pathway(models.TextChoices):
        MSCC = "mscc", "MSCC"
        CHILDREN = "children", "Children's"
        SPINAL = "spinal", "Spinal sarcoma"
        BONE = "bone", "Primary bone tumour"
        SOFT_TISSUE = "soft_tissue", "Soft tissue sarcoma / GIST"

    # The sites the routing rules know (rules.Site), with the words people read.
    SITE_CHOICES = [
        (rules.Site.SPINE.value, "Spine"),
        (rules.Site.SACRUM.value, "Sacrum"),
        (rules.Site.PARASPINAL_SPINE_CONTACT.value, "Paraspinal tissues with spine contact or involvement"),
        (rules.Site.PARASPINAL.value, "Paraspinal tissues without spine contact"),
        (rules.Site.LIMB.value, "Limb"),
        (rules.Site.PELVIS.value, "Pelvis"),
        (rules.Site.TRUNK.value, "Trunk"),
        (rules.Site.RETROPERITONEUM.value, "Retroperitoneum"),
        (rules.Site.ABDOMEN.value, "Abdomen"),
        (rules.Site.HEAD_NECK.value, "Head and neck"),
        (rules.Site.OTHER.value, "Other"),
    ]

    OPEN_STATUSES = (
        Status.RECEIVED,
        Status.TRIAGED,
        Status.ACCEPTED,
        Status.UNDER_INVESTIGATION,
        Status.AWAITING_MDT,
        Status.DISCUSSED_AT_MDT,
        Status.TREATMENT_PLANNED,
    )

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="referrals")
    referring_organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    referring_clinician = models.CharField(max_length=200, blank=True)
    referrer_contact = models.CharField(
        "referrer's contact", max_length=200, blank=True, help_text="Telephone or e-mail of the referrer."
    )
    skull_base = models.BooleanField("skull-base involvement", default=False)
    transnasal_ccj = models.BooleanField(
        "needs a transnasal approach to the craniocervical junction", default=False
    )
    suspected_mscc = models.BooleanField(
        "suspected metastatic spinal cord compression (emergency)", default=False
    )
    clinically_urgent = models.BooleanField(default=False)
    pathway = models.CharField(max_length=20, choices=Pathway.choices, blank=True)
    routing_decision = models.JSONField(
        default=dict, blank=True, help_text="The pathway decision with its reasons, as made at intake."
    )
    surgeon = models.ForeignKey(
        "directory.Practitioner", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    diagnosis_communicated_on = models.DateField(
        "diagnosis communicated or cancer ruled out on", null=True, blank=True
    )
    mdt_outcome_on = models.DateField("MDT outcome recorded on", null=True, blank=True)
    decision_to_treat_on = models.DateField(null=True, blank=True)
    first_treatment_on = models.DateField("first definitive treatment on", null=True, blank=True)
    # Who gave the first definitive treatment, what it was and where (issue 16): checked against the
    # directory's designations and the centres it holds for the pathway (policy_rules).
    first_treatment_modality = models.CharField(max_length=20, choices=TreatmentModality.choices, blank=True)
    first_treatment_practitioner = models.ForeignKey(
        "directory.Practitioner", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    first_treatment_centre = models.ForeignKey(
        "directory.Service",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The centre (directory service) where the first definitive treatment was given.",
    )
    # "Patients with spinal sarcomas can have planned treated at an alternative centre (i.e. NHNN
    # Queens Square) following MDT agreement": recorded from the MDT outcome that agreed it.
    mdt_agreed_centre = models.ForeignKey(
        "directory.Service",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="alternative centre agreed by the MDT",
    )
    mdt_agreed_centre_on = models.DateField("MDT agreement on", null=True, blank=True)
    mdt_agreement_source = models.CharField(
        "MDT agreement recorded at",
        max_length=200,
        blank=True,
        help_text="The MDT meeting and discussion whose outcome recorded the agreement.",
    )
    transferred_between_trusts = models.BooleanField(default=False)
    redirect_destination = models.CharField(max_length=200, blank=True)
    decline_reason = models.TextField(blank=True)
    urgent_override_reason = models.TextField(
        "clinically urgent override reason",
        blank=True,
        help_text="Why the first treatment departed from the pathway on clinical urgency: before an MDT "
        "outcome, or by a practitioner or at a centre the pathway does not name.",
    )
    urgent_override_departures = models.JSONField(
        default=list,
        blank=True,
        help_text="What the urgent override departed from: each refusal, quoting the pathway.",
    )
    urgent_override_flagged_at = models.DateTimeField(
        "urgent override flagged to the MDT lead at", null=True, blank=True
    )
    received_on = models.DateField()
    presentation = models.CharField(max_length=20, choices=Presentation.choices)
    tumour_type = models.CharField(max_length=20, choices=TumourType.choices)
    site = models.CharField(max_length=40, choices=SITE_CHOICES)
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
    # Diagnostic pathway (issue 8): the urgent suspected sarcoma referral's clinical features
    # (NICE NG12 1.11; rules in diagnostic_rules.py), the diagnostic clinic, the receiving service
    # and mutual aid, the first appointment and the diagnosis, and any unplanned excision.
    lump_size_cm = models.DecimalField(
        "lump size (cm)", max_digits=5, decimal_places=1, null=True, blank=True
    )
    lump_depth = models.CharField(max_length=20, choices=LumpDepth.choices, blank=True)
    lump_growing = models.CharField(
        "lump increasing in size", max_length=10, choices=YesNoUnknown.choices, blank=True
    )
    lump_painful = models.CharField("lump painful", max_length=10, choices=YesNoUnknown.choices, blank=True)
    imaging_done = models.CharField(
        "imaging already done", max_length=20, choices=Imaging.choices, blank=True
    )
    imaging_result = models.CharField(max_length=30, choices=ImagingResult.choices, blank=True)
    diagnostic_clinic = models.ForeignKey(
        "directory.DiagnosticClinic",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
    )
    clinic_suggestion = models.JSONField(
        default=dict,
        blank=True,
        help_text="The clinic suggested at intake from the postcode, with its reason.",
    )
    clinic_override_reason = models.TextField(blank=True)
    service = models.ForeignKey(
        "directory.Service",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
        help_text="The specialist service the referral is with now.",
    )
    mutual_aid_suggestion = models.JSONField(default=list, blank=True)
    mutual_aid_redirect = models.BooleanField(
        "redirected for mutual aid", default=False, help_text="Moved to a partner service under mutual aid."
    )
    first_appointment_on = models.DateField(null=True, blank=True)
    diagnosis_outcome = models.CharField(max_length=20, choices=DiagnosisOutcome.choices, blank=True)
    unplanned_excision = models.BooleanField(
        default=False, help_text="Excised outside a specialist centre without a sarcoma plan."
    )
    unplanned_excision_organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    unplanned_excision_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords(m2m_fields=[care_team])

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on"]
        indexes = [
            # Admin referral list (newest first) and the status filter with it.
            models.Index(fields=["received_on", "id"], name="referral_received"),
            # With the id, so a status's newest page is read in the list's exact order (with
            # received_on alone the planner walked the whole table's newest rows, filtering).
            models.Index(fields=["status", "received_on", "id"], name="referral_status_received_id"),
            # A clinician's patients (visible_to) without touching the rest of the table.
            models.Index(fields=["responsible_consultant", "patient"], name="referral_consultant_patient"),
            # Daily sweeps and clinicians' open work: open referrals only (a few per cent).
            models.Index(
                fields=["responsible_consultant", "received_on"],
                name="referral_open_by_consultant",
                condition=models.Q(
                    status__in=[
                        "received",
                        "triaged",
                        "accepted",
                        "under_investigation",
                        "awaiting_mdt",
                        "discussed_at_mdt",
                        "treatment_planned",
                    ]
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"Referral {self.pk} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def clocks(self, today: datetime.date | None = None) -> tuple[rules.Clock, ...]:
        """The three waiting-time clocks on `today` (default: the local date)."""
        return rules.waiting_time_clocks(
            received_on=self.received_on,
            diagnosis_communicated_on=self.diagnosis_communicated_on,
            decision_to_treat_on=self.decision_to_treat_on,
            first_treatment_on=self.first_treatment_on,
            today=today or timezone.localdate(),
            at_risk_day=settings.REFERRAL_AT_RISK_DAY,
        )

    def clock_state(self, today: datetime.date | None = None) -> rules.ClockState:
        """The worst state of the three clocks: what the lists show and filter on."""
        return worst_clock_state(clock.state for clock in self.clocks(today))

    def next_event(self, today: datetime.date | None = None) -> str:
        """What is due next: the nearest running clock's due date, or the next step of the status."""
        if self.status == self.Status.AWAITING_MDT:
            return "MDT discussion"
        running = [
            clock
            for clock in self.clocks(today)
            if clock.state in (rules.ClockState.ON_TRACK, rules.ClockState.AT_RISK) and clock.due_date
        ]
        if running:
            clock = min(running, key=lambda c: c.due_date)
            return f"{clock.label}: due {clock.due_date:%d/%m/%Y}"
        return ""

    def handover_day_38(self) -> datetime.date | None:
        """For a patient transferred between trusts, the day-38 handover point."""
        return rules.handover_day_38(self.received_on) if self.transferred_between_trusts else None


CLOCK_SEVERITY = {
    rules.ClockState.NOT_STARTED: 0,
    rules.ClockState.MET: 1,
    rules.ClockState.ON_TRACK: 2,
    rules.ClockState.AT_RISK: 3,
    rules.ClockState.BREACHED: 4,
}


def worst_clock_state(states) -> rules.ClockState:
    return max(states, key=CLOCK_SEVERITY.__getitem__, default=rules.ClockState.NOT_STARTED)


class ReferralEvent(models.Model):
    """One transition of a referral: who, when, from which status to which, and why."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    from_status = models.CharField(max_length=30, choices=Referral.Status.choices, blank=True)
    to_status = models.CharField(max_length=30, choices=Referral.Status.choices)
    reason = models.TextField(blank=True)
    mutual_aid = models.BooleanField(default=False, help_text="A redirect made for mutual aid.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} -> {self.to_status}"


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
