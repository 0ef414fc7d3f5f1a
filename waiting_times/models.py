"""One cancer pathway per referral: the dates the waiting-time clocks are counted from, the next
actions the MDT office tracks, and an event for every change of a date.

The clocks themselves are never stored: `CancerPathway.clocks()` builds `rules.PathwayFacts` from
the recorded dates and asks the pure rules, so the referral page, the PTL and the extract count
the same way. What is stored (the `ptl_*` fields) is only what the PTL needs to sort and filter a
national-sized list in the database: which clock matters now and the dates on which it is due,
turns "at risk" and breaches. Those dates do not move as the days pass; services recompute them on
every change (`services.pathway_refresh_tracking`) and `manage.py cwt_refresh` after a change of
the settings they depend on."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Case, Exists, OuterRef, Q, Value, When
from django.utils import timezone
from simple_history.models import HistoricalRecords

from referrals.models import Referral

from . import rules
from .tracking import (
    NOTHING_DUE,
    OUTCOME_FIELDS,
    TRACKING_FIELDS,
    PtlStatus,
    Standard,
    Tracking,
    clock_policy,
    clock_start_on,
    facts_of,
)


class Route(models.TextChoices):
    """How the pathway started (rules.Route, with the words people read)."""

    URGENT_SUSPECTED_CANCER = rules.Route.URGENT_SUSPECTED_CANCER.value, "Urgent suspected cancer referral"
    SCREENING = rules.Route.SCREENING.value, "NHS screening programme"
    BREAST_SYMPTOMATIC = rules.Route.BREAST_SYMPTOMATIC.value, "Breast symptomatic"
    CONSULTANT_UPGRADE = rules.Route.CONSULTANT_UPGRADE.value, "Consultant upgrade"
    OTHER = rules.Route.OTHER.value, "Other (routine, then found)"


class Outcome(models.TextChoices):
    CANCER = rules.Outcome.CANCER.value, "Told they have cancer"
    RULED_OUT = rules.Outcome.RULED_OUT.value, "Told cancer is ruled out"


class Ending(models.TextChoices):
    DIED = rules.Ending.DIED.value, "Died"
    DECLINED_TREATMENT = rules.Ending.DECLINED_TREATMENT.value, "Declined all treatment"


class BreachReason(models.TextChoices):
    """Why a standard was breached, in the categories of the national cancer waiting times delay
    reasons (CWT dataset; the national codes are mapped when the extract is written). "Other"
    needs the free text, as the Data Dictionary asks of its "Other reason" code: "further detail
    must be recorded for the precise cause of the delay"."""

    PROVIDER_CANCELLATION = "provider_cancellation", "Elective or clinic cancellation (provider initiated)"
    PROVIDER_DELAY = "provider_delay", "Provider-initiated delay to a diagnostic test or treatment planning"
    OUTPATIENT_CAPACITY = "outpatient_capacity", "Out-patient capacity inadequate"
    ELECTIVE_CAPACITY = "elective_capacity", "Elective (treatment) capacity inadequate"
    ADMINISTRATIVE = "administrative", "Administrative delay"
    COMPLEX_PATHWAY = "complex_pathway", "Complex diagnostic pathway (clinically appropriate)"
    MEDICAL_REASON = "medical_reason", "Medical reason (patient not fit)"
    PATIENT_CHOICE = "patient_choice", "Patient choice (declined or cancelled dates offered)"
    LATE_TRANSFER = "late_transfer", "Late inter-provider transfer"
    OTHER = "other", "Other reason (give details)"


HANDOVER_WINDOW_DAYS = 7


def awaiting_transfer_q() -> Q:
    """Transfers not yet made: in (a referring provider, no arrival date) or out (the provider
    that is to treat, no date it reached them)."""
    return Q(referring_provider__isnull=False, transferred_on__isnull=True) | Q(
        transfer_out_to__isnull=False, transferred_out_on__isnull=True
    )


def handover_due_q(today: datetime.date) -> Q:
    return awaiting_transfer_q() & Q(
        ptl_handover_by__lte=today + datetime.timedelta(days=HANDOVER_WINDOW_DAYS - 1)
    )


AT_RISK_WINDOW_DAYS = 7


def at_risk_this_week_q(today: datetime.date) -> Q:
    """A running clock at risk now or turning at risk within the week (today and the six days
    after), not yet breached: the PTL's stored dates."""
    return Q(
        ptl_status="",
        ptl_at_risk_on__lte=today + datetime.timedelta(days=AT_RISK_WINDOW_DAYS - 1),
        ptl_breached_on__gt=today,
    )


def next_action_due_q(today: datetime.date) -> Q:
    due = NextAction.objects.filter(pathway=OuterRef("pk"), done_at__isnull=True, due_on__lte=today)
    return Q(Exists(due))


class CancerPathwayQuerySet(models.QuerySet):
    def open(self) -> "CancerPathwayQuerySet":
        return self.filter(closed_at__isnull=True)

    def visible_to(self, user) -> "CancerPathwayQuerySet":
        """The referral's rule (Referral.objects.visible_to): the MDT office sees every pathway, a
        clinician those of their own patients' referrals, anyone else none."""
        visible = Referral.objects.visible_pks(user)
        return self.all() if visible is None else self.filter(referral__in=visible)

    def open_visible_to(self, user) -> "CancerPathwayQuerySet":
        """The open pathways `user` may see (the PTL, its CSV, the home page's counts), by the
        same rule as `visible_to`. A clinician's are found from their referrals whose pathway is
        open, each list joined to the open pathways' index (open_pathway_referral), so the
        database reads the clinician's few open pathways. Given every referral of theirs instead
        (thousands, over the years), PostgreSQL hashed them and read every open pathway's row to
        find the few that match: at 1,000,000 referrals, 31,729 rows for a clinician's 175
        (docs/performance.md)."""
        # "Its id is among the open pathways' referral ids": read from the open pathways' index
        # alone. `cancer_pathway__closed_at__isnull=True` was a LEFT JOIN that fetched the pathway
        # row of each of the clinician's referrals (5,051 at 1,000,000); its INNER JOIN form
        # (`cancer_pathway__isnull=False`) fetched every open pathway's row for its id.
        open_pathway = Q(pk__in=self.model.objects.filter(closed_at__isnull=True).values("referral_id"))
        visible = Referral.objects.visible_pks(user, among=open_pathway)
        return self.open() if visible is None else self.open().filter(referral__in=visible)

    def handover_due(self, today: datetime.date) -> "CancerPathwayQuerySet":
        """Transfers, in or out, not yet made whose day-38 handover is within a week or already
        past."""
        return self.filter(handover_due_q(today))

    def at_risk_this_week(self, today: datetime.date) -> "CancerPathwayQuerySet":
        """Running clocks at risk now or becoming at risk within 7 days, not yet breached."""
        return self.filter(at_risk_this_week_q(today))

    def transferred_out(self) -> "CancerPathwayQuerySet":
        """Pathways transferred, or to be transferred, from this provider to another."""
        return self.filter(transfer_out_to__isnull=False)

    def next_action_due(self, today: datetime.date) -> "CancerPathwayQuerySet":
        """Pathways with a next action not done and due on or before `today`."""
        return self.filter(next_action_due_q(today))

    def todays_work(self, today: datetime.date) -> dict[str, int]:
        """The counts the home page starts with, in one query: open pathways breached, at risk
        this week (now or within 7 days), with a handover due this week and with a next action
        due."""
        return (
            self.open()
            .with_ptl_status(today)
            .aggregate(
                breached=models.Count("pk", filter=Q(ptl_state=PtlStatus.BREACHED)),
                at_risk_this_week=models.Count("pk", filter=at_risk_this_week_q(today)),
                handover_due=models.Count("pk", filter=handover_due_q(today)),
                next_action_due=models.Count("pk", filter=next_action_due_q(today)),
            )
        )

    def with_ptl_status(self, today: datetime.date) -> "CancerPathwayQuerySet":
        """`ptl_state` on `today`, in the database, from the stored tracking dates; the same answer
        as `rules.display_status` on the clock that matters now (tests/waiting_times)."""
        return self.annotate(
            ptl_state=Case(
                When(~Q(ptl_status=""), then="ptl_status"),
                When(ptl_breached_on__lte=today, then=Value(PtlStatus.BREACHED)),
                When(ptl_at_risk_on__lte=today, then=Value(PtlStatus.AT_RISK)),
                default=Value(PtlStatus.RUNNING),
                output_field=models.CharField(),
            )
        )


class CancerPathway(models.Model):
    """The cancer waiting-time pathway of one referral: how it started, the dates that start,
    stop, adjust and end its clocks, and why a breached standard was breached. Every change goes
    through `waiting_times.services` (an event and a history row each)."""

    referral = models.OneToOneField(Referral, on_delete=models.CASCADE, related_name="cancer_pathway")
    route = models.CharField(
        "how the pathway started", max_length=30, choices=Route.choices, default=Route.URGENT_SUSPECTED_CANCER
    )
    first_received_on = models.DateField(
        "date the first provider received the referral",
        null=True,
        blank=True,
        help_text="The clock start. For a patient transferred in, the referring provider's receipt.",
    )
    referring_provider = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="For an inter-provider transfer: the provider the patient was transferred from.",
    )
    transferred_on = models.DateField("date the transfer reached this provider", null=True, blank=True)
    transfer_out_to = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="transferred out to",
        help_text="For an inter-provider transfer out: the provider that is to treat the patient.",
    )
    transferred_out_on = models.DateField(
        "date the transfer out reached the other provider", null=True, blank=True
    )
    upgraded_on = models.DateField("consultant upgrade date", null=True, blank=True)
    dna_rebooked_on = models.DateField(
        "first appointment not attended: date the patient rebooked", null=True, blank=True
    )
    told_on = models.DateField("date the patient was told", null=True, blank=True)
    outcome = models.CharField("what they were told", max_length=20, choices=Outcome.choices, blank=True)
    decision_to_treat_on = models.DateField(
        "decision to treat",
        null=True,
        blank=True,
        help_text="The date the patient agreed the treatment plan.",
    )
    offer_declined_for = models.DateField(
        "declined offer of admitted treatment: date offered", null=True, blank=True
    )
    offer_available_from = models.DateField(
        "declined offer: date the patient is available from", null=True, blank=True
    )
    treated_on = models.DateField("first definitive treatment on", null=True, blank=True)
    treatment_admitted = models.BooleanField(
        "first treatment admitted (in-patient or day case)", null=True, blank=True
    )
    # The first treatment's modality, practitioner and centre are the referral's
    # (Referral.first_treatment_modality, _practitioner, _centre): read from there, not copied.
    ended = models.CharField(
        "pathway ended without treatment", max_length=30, choices=Ending.choices, blank=True
    )
    ended_on = models.DateField("date it ended", null=True, blank=True)
    breach_reason = models.CharField(max_length=30, choices=BreachReason.choices, blank=True)
    breach_reason_text = models.TextField("breach reason details", blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    close_reason = models.TextField(blank=True)
    # The PTL's tracking dates (see the module docstring): which clock matters now, the date it
    # is due (the sort key), the dates it turns at risk and breached while running, and a fixed
    # status once it has stopped ("" while it runs).
    ptl_standard = models.CharField(max_length=3, choices=Standard.choices, blank=True)
    ptl_due_on = models.DateField(default=NOTHING_DUE)
    ptl_at_risk_on = models.DateField(null=True, blank=True)
    ptl_breached_on = models.DateField(null=True, blank=True)
    ptl_status = models.CharField(max_length=20, choices=PtlStatus.choices, blank=True)
    ptl_handover_by = models.DateField(null=True, blank=True)
    # What the performance figures count (tracking.outcome_fields): for each standard whose clock
    # stopped met or breached, the day it stopped, whether it met, and the share of the patient
    # counted to the referral's service, in half patients (2: whole; 1: half, on a two-provider
    # pathway; 0: the other provider's), the rest to the other provider of a transfer.
    fds_stopped_on = models.DateField(null=True, blank=True)
    fds_met = models.BooleanField(null=True, blank=True)
    fds_service_halves = models.PositiveSmallIntegerField(null=True, blank=True)
    rtt62_stopped_on = models.DateField(null=True, blank=True)
    rtt62_met = models.BooleanField(null=True, blank=True)
    rtt62_service_halves = models.PositiveSmallIntegerField(null=True, blank=True)
    dtt31_stopped_on = models.DateField(null=True, blank=True)
    dtt31_met = models.BooleanField(null=True, blank=True)
    dtt31_service_halves = models.PositiveSmallIntegerField(null=True, blank=True)
    history = HistoricalRecords(excluded_fields=[*TRACKING_FIELDS, *OUTCOME_FIELDS])

    objects = CancerPathwayQuerySet.as_manager()

    class Meta:
        ordering = ["ptl_due_on", "id"]
        indexes = [
            # The PTL: open pathways in the order of days left, read a page at a time.
            models.Index(
                fields=["ptl_due_on", "id"], name="open_pathway_due", condition=Q(closed_at__isnull=True)
            ),
            # A clinician's PTL: their open pathways, looked up by their referrals' ids.
            models.Index(
                fields=["referral"], name="open_pathway_referral", condition=Q(closed_at__isnull=True)
            ),
            models.Index(
                fields=["ptl_handover_by"],
                name="open_pathway_handover",
                condition=Q(closed_at__isnull=True, transferred_on__isnull=True),
            ),
            # The performance figures: clocks stopped in a range of months, per standard.
            models.Index(fields=["fds_stopped_on"], name="pathway_fds_stopped"),
            models.Index(fields=["rtt62_stopped_on"], name="pathway_rtt62_stopped"),
            models.Index(fields=["dtt31_stopped_on"], name="pathway_dtt31_stopped"),
        ]
        permissions = [
            ("view_cwt_performance", "Can view the cancer waiting-time performance figures"),
            ("export_cwt_extract", "Can download the national cancer waiting-times extract"),
        ]

    def __str__(self) -> str:
        return f"Cancer pathway of referral {self.referral_id}"

    @property
    def is_transfer(self) -> bool:
        """An inter-provider transfer in: a referring provider or a transfer date is recorded."""
        return self.referring_provider_id is not None or self.transferred_on is not None

    @property
    def is_transfer_out(self) -> bool:
        """An inter-provider transfer out: the provider that is to treat is recorded."""
        return self.transfer_out_to_id is not None

    @property
    def first_receipt_missing(self) -> bool:
        """A transfer whose first provider's receipt date is not known: its clocks are counted
        from the transfer until someone enters it, so they show less waiting than there was."""
        return self.first_received_on is None

    @property
    def clock_start_on(self) -> datetime.date | None:
        return clock_start_on(self)

    def facts(self, today: datetime.date | None = None) -> rules.PathwayFacts:
        """The recorded dates as the rules take them (tracking.facts_of)."""
        return facts_of(self, today or timezone.localdate())

    def clocks(self, today: datetime.date | None = None) -> rules.PathwayClocks:
        """The three clocks on `today`; raises rules.PathwayError for dates no pathway has."""
        return rules.pathway_clocks(self.facts(today), policy=clock_policy())

    def tracking(self, today: datetime.date | None = None) -> Tracking:
        """What the PTL, the referral page and the extract show of this pathway on `today`."""
        return Tracking(self, today or timezone.localdate())


class NextAction(models.Model):
    """What has to happen next on a pathway, who does it and by when; done when recorded done."""

    pathway = models.ForeignKey(CancerPathway, on_delete=models.CASCADE, related_name="next_actions")
    what = models.CharField(max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(
                fields=["pathway", "due_on"], name="open_next_action", condition=Q(done_at__isnull=True)
            )
        ]

    def __str__(self) -> str:
        return f"{self.what} (due {self.due_on:%d/%m/%Y})"

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


class PathwayEvent(models.Model):
    """One change of one field of a pathway: who, when, from what, to what and why. Written by
    the services with the change; never edited."""

    pathway = models.ForeignKey(CancerPathway, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    field = models.CharField(max_length=50)
    from_value = models.CharField(max_length=200, blank=True)
    to_value = models.CharField(max_length=200, blank=True)
    reason = models.TextField()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.field}: {self.from_value or '-'} -> {self.to_value or '-'}"


class PathwayAlert(models.Model):
    """An alert raised about one pathway: its clock at risk or breached (per standard), or its
    day-38 handover due. The unique constraint makes each alert once-only; its deliveries are the
    e-mails that carry it."""

    class Kind(models.TextChoices):
        AT_RISK = PtlStatus.AT_RISK.value, "At risk"
        BREACHED = PtlStatus.BREACHED.value, "Breached"
        HANDOVER_DUE = "handover_due", "Day-38 handover due"

    pathway = models.ForeignKey(CancerPathway, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    standard = models.CharField(
        max_length=3,
        choices=Standard.choices,
        blank=True,
        help_text="The clock's standard; none for a handover.",
    )
    due_on = models.DateField(
        help_text="The clock's due date, or the handover date, when the alert was raised."
    )
    note = models.CharField(
        max_length=300, blank=True, help_text="What the alert could not do, e.g. a provider with no contact."
    )
    raised_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-raised_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["pathway", "kind", "standard"], name="one_pathway_alert_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.standard} for pathway {self.pathway_id}".replace("  ", " ")


class PathwayAlertDelivery(models.Model):
    """One recipient's copy of a pathway alert: a portal user (the MDT office, the responsible
    consultant) or a directory contact of a provider (a handover), by e-mail address. Marked sent
    in the transaction of the e-mail that carries it, one address at a time, so a run cut off
    between two addresses leaves the rest pending and sends nothing twice; withdrawn, with the
    reason, if by then it should not go (the pathway closed, the transfer made, the recipient no
    longer has the patient). The row is itself the record of a send: no history."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        WITHDRAWN = "withdrawn", "Withdrawn"

    alert = models.ForeignKey(PathwayAlert, on_delete=models.CASCADE, related_name="deliveries")
    email = models.EmailField()
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="The portal user, if the recipient is one; empty for a directory contact.",
    )
    contact = models.CharField(max_length=300, blank=True, help_text="The directory contact, if it is one.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    sent_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["alert", "email"]
        verbose_name_plural = "pathway alert deliveries"
        constraints = [
            models.UniqueConstraint(fields=["alert", "email"], name="one_pathway_alert_delivery_per_address")
        ]
        indexes = [
            models.Index(fields=["email"], condition=Q(status="pending"), name="pending_pathway_alerts")
        ]

    def __str__(self) -> str:
        return f"{self.alert} to {self.email}"
