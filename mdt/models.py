"""MDTs, their meetings, who attended, the cases discussed with their outcomes, the patient's
outcome preference, the reminders sent and calendar-feed tokens. Rules in mdt/rules.py, writes in
mdt/services/.

The tables keep the names they had when these models lived in referrals/ (`db_table`,
`table_name`): moving the app moved no row (migrations/0001_initial.py)."""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from referrals.models import Patient, Referral


class Mdt(models.Model):
    """A sarcoma MDT (e.g. the London Sarcoma Service MDT) and its standing arrangements."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    name = models.CharField(max_length=200)
    code = models.SlugField(max_length=20, unique=True, help_text="Short code, e.g. LSS, RMH.")
    service = models.ForeignKey("directory.Service", on_delete=models.PROTECT, related_name="mdts")
    # Before issue 16 the office kept the core members here, by hand, a second step after the
    # directory. They now come from the directory (`core_member_practitioners`: practitioners the
    # SAG approved as core members of this MDT's service); this list is kept, with its history, as
    # the record of that time, and is no longer read or edited.
    core_members = models.ManyToManyField(
        "directory.Practitioner",
        blank=True,
        editable=False,
        related_name="core_of_mdts",
        db_table="referrals_mdt_core_members",
        verbose_name="core members kept in the MDT before issue 16 (no longer used)",
    )
    lead = models.ForeignKey(
        "directory.Practitioner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="leads_mdts",
        help_text="The MDT lead, who sees the attendance figures.",
    )
    weekday = models.PositiveSmallIntegerField(
        choices=Weekday.choices, help_text="A change applies to meetings created from then on."
    )
    start_time = models.TimeField(
        help_text="Local time in London (GMT or BST). A change applies to meetings created from then on."
    )
    duration_minutes = models.PositiveSmallIntegerField(default=120)
    location = models.CharField(max_length=200, blank=True)
    video_link = models.URLField(blank=True)
    cutoff_working_days = models.PositiveSmallIntegerField(
        "case-list cut-off (working days before)",
        default=2,
        help_text="Cases are added up to noon this many working days before the meeting.",
    )
    quorum_specialities = models.JSONField(
        default=list,
        blank=True,
        help_text="The specialities (directory practitioner specialities) that must be present.",
    )
    weeks_ahead = models.PositiveSmallIntegerField(default=8, help_text="How far ahead meetings are created.")
    office_email = models.EmailField(
        "MDT office e-mail", blank=True, help_text="Where office reminders go; else every MDT office user."
    )
    active = models.BooleanField(default=True)
    history = HistoricalRecords(table_name="referrals_historicalmdt", m2m_fields=[core_members])

    class Meta:
        db_table = "referrals_mdt"
        ordering = ["name"]
        verbose_name = "MDT"
        verbose_name_plural = "MDTs"

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def quorum_labels(self) -> list[str]:
        from directory.models import Practitioner

        labels = dict(Practitioner.Speciality.choices)
        return [labels.get(code, code) for code in self.quorum_specialities]

    def core_member_practitioners(self):
        """The MDT's core members: active practitioners the directory (SAG-approved) lists as core
        members of the MDT of this MDT's service. An approved change counts at once."""
        from directory.models import Practitioner

        return Practitioner.objects.filter(
            core_mdt_service_id=self.service_id, is_core_mdt_member=True, active=True
        ).order_by("name")


class MdtMeetingQuerySet(models.QuerySet):
    def upcoming(self, now) -> "MdtMeetingQuerySet":
        return self.filter(starts_at__gte=now).exclude(status=MdtMeeting.Status.CANCELLED)

    def open_for_cases(self) -> "MdtMeetingQuerySet":
        return self.filter(status__in=[MdtMeeting.Status.PLANNED, MdtMeeting.Status.LIST_CLOSED])


class MdtMeeting(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        LIST_CLOSED = "list_closed", "List closed"
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"

    mdt = models.ForeignKey(Mdt, on_delete=models.PROTECT, related_name="meetings")
    starts_at = models.DateTimeField()
    cutoff_at = models.DateTimeField("case-list cut-off")
    chair = models.ForeignKey(
        "directory.Practitioner", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    cancel_reason = models.CharField(max_length=300, blank=True)
    moved_from = models.DateField(
        "moved from (bank holiday)",
        null=True,
        blank=True,
        help_text="The bank holiday the weekly slot fell on: the meeting moved to the next working day.",
    )
    attendees = models.ManyToManyField(
        "directory.Practitioner",
        through="MdtAttendance",
        through_fields=("meeting", "practitioner"),
        related_name="mdt_meetings_attended",
        blank=True,
    )
    history = HistoricalRecords(table_name="referrals_historicalmdtmeeting")

    objects = MdtMeetingQuerySet.as_manager()

    class Meta:
        db_table = "referrals_mdtmeeting"
        ordering = ["starts_at"]
        verbose_name = "MDT meeting"
        constraints = [
            models.UniqueConstraint(fields=["mdt", "starts_at"], name="mdt_meeting_once_per_start"),
        ]

    def __str__(self) -> str:
        return f"{self.mdt.code} MDT {timezone.localtime(self.starts_at):%a %d %b %Y %H:%M}"

    @property
    def ends_at(self):
        return self.starts_at + datetime.timedelta(minutes=self.mdt.duration_minutes)


class MdtAttendance(models.Model):
    """Who was present at a meeting; a deputy names the core member they covered for."""

    meeting = models.ForeignKey(MdtMeeting, on_delete=models.CASCADE, related_name="attendance")
    practitioner = models.ForeignKey("directory.Practitioner", on_delete=models.PROTECT, related_name="+")
    deputy_for = models.ForeignKey(
        "directory.Practitioner", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords(table_name="referrals_historicalmdtattendance")

    class Meta:
        db_table = "referrals_mdtattendance"
        verbose_name = "MDT attendance"
        verbose_name_plural = "MDT attendance"
        constraints = [
            models.UniqueConstraint(fields=["meeting", "practitioner"], name="mdt_attendance_once"),
        ]

    def __str__(self) -> str:
        return f"{self.practitioner} at {self.meeting}"


class PatientOutcomePreference(models.Model):
    """The patient's recorded wishes: who receives their MDT outcomes."""

    class Recipients(models.TextChoices):
        REFERRER = "referrer", "Referring clinician only"
        PATIENT = "patient", "Patient only"
        BOTH = "both", "Referring clinician and patient"

    patient = models.OneToOneField(Patient, on_delete=models.PROTECT, related_name="outcome_preference")
    recipients = models.CharField(max_length=20, choices=Recipients.choices, default=Recipients.REFERRER)
    patient_email = models.EmailField("patient's e-mail for outcomes", blank=True)
    history = HistoricalRecords(table_name="referrals_historicalpatientoutcomepreference")

    class Meta:
        db_table = "referrals_patientoutcomepreference"

    def __str__(self) -> str:
        return f"Outcome preference {self.pk}"


class MdtDiscussionQuerySet(models.QuerySet):
    def visible_to(self, user) -> "MdtDiscussionQuerySet":
        """The MDT office sees every discussion; a clinician those of their own patients and those
        they present; anyone else none."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser or user.is_mdt_office:
            return self
        if user.is_clinician:
            # A discussion has one referral and one presenter: no join that could repeat a row.
            return self.filter(
                models.Q(referral__patient_id__in=Patient.objects.visible_pks(user))
                | models.Q(presenting_clinician=user)
            )
        return self.none()


class MdtDiscussion(models.Model):
    """A case on a meeting's list. Moving it to another meeting changes `meeting` on the same row,
    so its history (django-simple-history) keeps every meeting it was on and why it moved."""

    class Outcome(models.TextChoices):
        SURGERY = "surgery", "Surgery"
        CHEMOTHERAPY = "chemotherapy", "Chemotherapy / systemic therapy"
        RADIOTHERAPY = "radiotherapy", "Radiotherapy"
        FURTHER_INVESTIGATION = "further_investigation", "Further imaging or biopsy"
        SURVEILLANCE = "surveillance", "Surveillance"
        REFER_ELSEWHERE = "refer_elsewhere", "Refer to another service"
        SUPPORTIVE_CARE = "supportive_care", "Best supportive care"
        NOT_SARCOMA = "not_sarcoma", "Not sarcoma: back to the referrer"
        REDISCUSS = "rediscuss", "Re-discuss at a later meeting"

    Recipients = PatientOutcomePreference.Recipients

    meeting = models.ForeignKey(MdtMeeting, on_delete=models.PROTECT, related_name="discussions")
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="mdt_discussions")
    question = models.TextField("question for the MDT", blank=True)
    presenting_clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mdt_presentations",
    )
    imaging_available = models.BooleanField(default=False)
    pathology_available = models.BooleanField(default=False)
    late_addition_reason = models.TextField(blank=True)
    unplanned_excision = models.BooleanField(
        "listed for an unplanned excision",
        default=False,
        help_text="Put on the list because an unplanned excision was recorded on the referral.",
    )
    added_at = models.DateTimeField()
    outcome = models.CharField(max_length=30, choices=Outcome.choices, blank=True)
    recommendation = models.TextField(blank=True)
    decision_to_treat_on = models.DateField(
        null=True, blank=True, help_text="Starts the 31-day decision-to-treat clock."
    )
    agreed_treatment_centre = models.ForeignKey(
        "directory.Service",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="alternative centre agreed for planned treatment",
        help_text='"Patients with spinal sarcomas can have planned treated at an alternative centre '
        '(i.e. NHNN Queens Square) following MDT agreement that it is appropriate to do so."',
    )
    outcome_caveat = models.CharField(
        max_length=300,
        blank=True,
        help_text="Set when the outcome was recorded for a meeting not marked as held or not quorate.",
    )
    outcome_caveat_reason = models.TextField("why the outcome was recorded anyway", blank=True)
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)
    outcome_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome_recipients = models.CharField(
        "who gets the outcome", max_length=20, choices=Recipients.choices, default=Recipients.REFERRER
    )
    referrer_email = models.EmailField("referring clinician's e-mail", blank=True)
    outcome_sent_at = models.DateTimeField(null=True, blank=True)
    outcome_sent_to = models.CharField(max_length=20, choices=Recipients.choices, blank=True)
    version = models.PositiveIntegerField(default=0, help_text="Bumped by every outcome save.")
    history = HistoricalRecords(table_name="referrals_historicalmdtdiscussion")

    objects = MdtDiscussionQuerySet.as_manager()

    class Meta:
        db_table = "referrals_mdtdiscussion"
        ordering = ["meeting__starts_at", "added_at"]
        verbose_name = "MDT discussion"
        constraints = [
            models.UniqueConstraint(fields=["meeting", "referral"], name="mdt_discussion_once_per_meeting"),
        ]

    def __str__(self) -> str:
        return f"Referral {self.referral_id} at {self.meeting}"

    @property
    def is_ready(self) -> bool:
        return self.imaging_available and self.pathology_available


class MdtReminderSent(models.Model):
    """What was sent to whom, about what, for which meeting. The unique constraint makes a second
    send of the same reminder impossible; the row is written in the same transaction as the send."""

    class Kind(models.TextChoices):
        READINESS_CHASE = "readiness_chase", "Readiness chase to the presenting clinician"
        CASE_LIST = "case_list", "Case list and invitation to a core member"
        CANCELLATION = "cancellation", "Cancellation to a core member who had the invitation"
        MISSING_OUTCOME = "missing_outcome", "Missing outcome to the MDT office"
        OUTCOME_NOT_SENT = "outcome_not_sent", "Outcome not sent, to the MDT office"
        OUTCOME_TO_REFERRER = "outcome_to_referrer", "Outcome to the referring clinician"
        OUTCOME_TO_PATIENT = "outcome_to_patient", "Outcome to the patient"

    kind = models.CharField(max_length=30, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField(help_text="The meeting or discussion it was about.")
    # A discussion moved to another meeting is chased and reminded about again for that meeting.
    meeting = models.ForeignKey(MdtMeeting, on_delete=models.PROTECT, related_name="reminders_sent")
    recipient = models.CharField(max_length=254)
    sent_at = models.DateTimeField()
    history = HistoricalRecords(table_name="referrals_historicalmdtremindersent")

    class Meta:
        db_table = "referrals_mdtremindersent"
        ordering = ["-sent_at"]
        verbose_name = "MDT reminder sent"
        verbose_name_plural = "MDT reminders sent"
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id", "meeting", "recipient"], name="mdt_reminder_sent_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.object_id}"


class MdtCalendarToken(models.Model):
    """The secret in a clinician's calendar-feed URL (calendar apps cannot sign in)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mdt_calendar"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    history = HistoricalRecords(table_name="referrals_historicalmdtcalendartoken", excluded_fields=["token"])

    class Meta:
        db_table = "referrals_mdtcalendartoken"
        verbose_name = "MDT calendar token"

    def __str__(self) -> str:
        return f"Calendar feed of user {self.user_id}"
