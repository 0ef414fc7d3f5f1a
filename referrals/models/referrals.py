"""Referrals to the network, their clocks as the referral pages show them, and the log of every
referral transition."""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .. import rules
from .clock_sql import with_clock_that_matters
from .patients import Patient


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

    def visible_pks(self, user, among: models.Q | None = None) -> "models.QuerySet | None":
        """The ids of the referrals `user` may see, as a subquery, by the same rule as
        `visible_to`; None when they may see every referral (the MDT office), so a caller filters
        nothing rather than testing each row against every referral.

        A clinician's are a UNION of two id lists (their own, and those whose care team they are
        on), each read by its index, not an OR of two subqueries, which PostgreSQL tests row by row
        against whatever the outer query walks. `among` narrows both lists before the union (the
        PTL asks for referrals whose pathway is open: CancerPathwayQuerySet.open_visible_to)."""
        if not user.is_authenticated or not user.is_active:
            return self.none().values("pk")
        if user.is_superuser or user.is_mdt_office:
            return None
        if user.is_clinician:
            among = among or models.Q()
            own = self.filter(among, responsible_consultant=user).order_by().values("pk")
            team = self.filter(among, care_team=user).order_by().values("pk")
            return own.union(team)
        return self.none().values("pk")

    def open(self) -> "ReferralQuerySet":
        return self.filter(status__in=Referral.OPEN_STATUSES)

    def with_clock_that_matters(self, today: datetime.date) -> "ReferralQuerySet":
        """Each referral annotated with its clock that matters on `today`, computed in the database
        (`clock_standard`, `clock_due_on`, `matters_state`, `clock_rank`: clock_sql.py), the same
        clock as `rules.clock_that_matters(referral.clocks(today))`, so a list can sort by it."""
        return with_clock_that_matters(self, today)

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
    source_system = models.CharField(
        "submitted by system",
        max_length=100,
        blank=True,
        help_text="The API client that submitted the referral over the FHIR API; empty for the form.",
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
            # A clinician's referral ids from the index alone (the PTL: migration 0012).
            models.Index(fields=["responsible_consultant", "id"], name="referral_consultant_ids"),
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

    # The four dates the clocks are counted from (Referral.clocks_from takes them in this order).
    CLOCK_DATES = ("received_on", "diagnosis_communicated_on", "decision_to_treat_on", "first_treatment_on")

    def clocks(self, today: datetime.date | None = None) -> tuple[rules.Clock, ...]:
        """The three waiting-time clocks on `today` (default: the local date)."""
        return self.clocks_from(*(getattr(self, name) for name in self.CLOCK_DATES), today=today)

    @staticmethod
    def clocks_from(
        received_on: datetime.date,
        diagnosis_communicated_on: datetime.date | None,
        decision_to_treat_on: datetime.date | None,
        first_treatment_on: datetime.date | None,
        *,
        today: datetime.date | None = None,
    ) -> tuple[rules.Clock, ...]:
        """The clocks of a referral's four dates (CLOCK_DATES), read as values rather than as a
        referral: the home page's chart reads 27,000 such rows at 1,000,000 referrals."""
        return rules.waiting_time_clocks(
            received_on=received_on,
            diagnosis_communicated_on=diagnosis_communicated_on,
            decision_to_treat_on=decision_to_treat_on,
            first_treatment_on=first_treatment_on,
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
