"""Second-opinion requests, decided by the network's policy (rules.py), and their workflow.

A request's status changes only through second_opinions/services.py, which records every change
as a `SecondOpinionTransition` (who, when, from, to, why). Reminders that were sent are rows of
`SecondOpinionReminder`, unique per request and kind, so none is ever sent twice."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from referrals.models import Patient

from . import rules


class SecondOpinionRequestQuerySet(models.QuerySet):
    def visible_to(self, user) -> "SecondOpinionRequestQuerySet":
        """Least privilege: the MDT office sees every request; a clinician only those about
        patients they may see; anyone else (SAG members included: they see figures) none."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser or user.is_mdt_office:
            return self
        if user.is_clinician:
            return self.filter(patient_id__in=Patient.objects.visible_pks(user))
        return self.none()

    def open(self) -> "SecondOpinionRequestQuerySet":
        return self.exclude(status=SecondOpinionRequest.Status.CLOSED)

    def records_chase_due(self, *, on_or_before):
        """Records requested on or before this date and still not received."""
        return self.filter(
            status=SecondOpinionRequest.Status.RECORDS_REQUESTED, records_requested_on__lte=on_or_before
        )

    def opinion_overdue(self, *, received_on_or_before):
        """Accepted requests received on or before this date whose opinion is not yet sent."""
        return self.filter(
            decision=rules.Decision.ACCEPT,
            status__in=[s.value for s in rules.AWAITING_OPINION],
            received_on__lte=received_on_or_before,
        )


class SecondOpinionRequest(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        DECIDED = "decided", "Decided"
        RECORDS_REQUESTED = "records_requested", "Records requested"
        RECORDS_RECEIVED = "records_received", "Records received"
        REVIEWED = "reviewed", "Reviewed"
        OPINION_SENT = "opinion_sent", "Opinion sent"
        CLOSED = "closed", "Closed"

    class CurrentService(models.TextChoices):
        RMH = "RMH", "Royal Marsden Sarcoma Unit (RMH)"
        LSS = "LSS", "London Sarcoma Service (UCLH and RNOH)"
        OTHER = "other", "Another hospital in the country"
        NONE = "none", "Not yet under a sarcoma service"

    class RequestedService(models.TextChoices):
        RMH = "RMH", "Royal Marsden Sarcoma Unit (RMH)"
        LSS = "LSS", "London Sarcoma Service (UCLH and RNOH)"

    class RequestedBy(models.TextChoices):
        TREATING_SARCOMA_CLINICIAN = "treating_sarcoma_clinician", "The treating sarcoma clinician"
        PATIENT = "patient", "The patient or family"
        GP = "gp", "The patient's GP"
        OTHER_CLINICIAN = "other_clinician", "Another clinician"

    class Reason(models.TextChoices):
        MDT_REVIEW = "mdt_review", "Review at the other service's MDT"
        EXPERTISE_ONLY_THERE = "expertise_only_there", "Expertise that exists in the other service only"
        TREATMENT_ONLY_THERE = (
            "treatment_only_there",
            "Treatment available there only (e.g. a clinical trial)",
        )
        NAMED_CLINICIAN = "named_clinician", "Direct request to a named clinician"
        PATIENT_CHOICE = "patient_choice", "The patient's choice"

    class Tumour(models.TextChoices):
        BONE = "bone", "Primary bone tumour"
        SOFT_TISSUE = "soft_tissue", "Soft tissue sarcoma"
        GIST = "gist", "GIST"
        UNKNOWN = "unknown", "Unknown"

    class FeedbackTo(models.TextChoices):
        CLINICIAN = "clinician", "The clinician"
        PATIENT = "patient", "The patient"
        BOTH = "both", "Both"

    class Decision(models.TextChoices):
        ACCEPT = "accept", "Accepted"
        NOT_ROUTINELY_AVAILABLE = "not_routinely_available", "Not routinely available"
        REDIRECT = "redirect", "Redirected"

    class Route(models.TextChoices):
        MDT_REVIEW = "mdt_review", "MDT review"
        CLINIC = "clinic", "Clinic appointment"

    class Outcome(models.TextChoices):
        AGREES = "agrees", "Agrees with the current plan"
        DIFFERS = "differs", "Differs from the current plan"

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="second_opinion_requests")
    received_on = models.DateField(help_text="The day the request reached the network.")
    requested_by = models.CharField("who asks", max_length=30, choices=RequestedBy.choices)
    requester_name = models.CharField("name of who asks", max_length=200)
    requester_contact = models.CharField(
        "their contact details", max_length=300, help_text="Telephone and/or e-mail address."
    )
    current_service = models.CharField("treating service", max_length=10, choices=CurrentService.choices)
    treating_hospital = models.CharField(
        max_length=200, blank=True, help_text="Where the patient is looked after, if not RMH or LSS."
    )
    treating_clinician = models.CharField(max_length=200, blank=True)
    standard_management = models.BooleanField(
        "under standard management",
        default=True,
        help_text="Is the patient currently undergoing standard management in their service?",
    )
    requested_service = models.CharField(max_length=10, choices=RequestedService.choices)
    named_clinician = models.CharField(
        max_length=200, blank=True, help_text="The clinician of the other service asked for by name, if any."
    )
    reason = models.CharField(max_length=30, choices=Reason.choices)
    tumour = models.CharField("tumour type", max_length=20, choices=Tumour.choices)
    consent_to_share_records = models.BooleanField(
        "the patient consents to share their records", default=False
    )
    feedback_to = models.CharField(
        "feedback of the opinion to", max_length=20, choices=FeedbackTo.choices, default=FeedbackTo.BOTH
    )

    # The policy's answer (rules.decide), stored as given when the request was made.
    decision = models.CharField(max_length=30, choices=Decision.choices)
    route = models.CharField(max_length=20, choices=Route.choices, blank=True)
    redirect_to = models.CharField(max_length=10, choices=RequestedService.choices, blank=True)
    signpost = models.JSONField(default=list)
    decision_reasons = models.JSONField(default=list)

    status = models.CharField(max_length=30, choices=Status.choices, default=Status.RECEIVED)
    decided_at = models.DateTimeField(null=True, blank=True)
    records_requested_on = models.DateField(null=True, blank=True)
    records_received_on = models.DateField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    outcome_differences = models.TextField("how the opinion differs", blank=True)
    opinion_sent_on = models.DateField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = SecondOpinionRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-pk"]
        permissions = [("view_second_opinion_figures", "Can view second-opinion figures")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="opinion_sent") | ~models.Q(outcome=""),
                name="second_opinion_sent_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"Second-opinion request {self.pk} ({self.get_status_display()})"

    @property
    def allowed_next_statuses(self) -> list[str]:
        """The statuses the transition table allows next, in workflow order (so the forward step
        comes before "closed", and is the form's default button). The services check the guards."""
        allowed = rules.ALLOWED_TRANSITIONS[rules.Status(self.status)]
        return [status.value for status in rules.Status if status in allowed]

    @property
    def turnaround_days(self) -> int | None:
        if self.opinion_sent_on is None:
            return None
        return (self.opinion_sent_on - self.received_on).days


class SecondOpinionTransition(models.Model):
    """One recorded status change: who, when, from, to, why."""

    request = models.ForeignKey(SecondOpinionRequest, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=30, choices=SecondOpinionRequest.Status.choices, blank=True)
    to_status = models.CharField(max_length=30, choices=SecondOpinionRequest.Status.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField()
    note = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status or '(new)'} → {self.to_status}"


class SecondOpinionReminder(models.Model):
    """A reminder that was sent. Unique per request and kind: a second send is impossible."""

    class Kind(models.TextChoices):
        RECORDS_CHASE = "records_chase", "Records not yet received"
        OPINION_OVERDUE = "opinion_overdue", "Opinion overdue"

    request = models.ForeignKey(SecondOpinionRequest, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    sent_at = models.DateTimeField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["request", "kind"], name="second_opinion_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for request {self.request_id}"
