"""A letter is a record: what was written (the HTML and the PDF, kept as generated), its
version, who generated it and when, to whom, and how it went (secure e-mail attachment, or
printed for the post in a daily print batch). Rules in letters/rules.py, writes in
letters/services.py.

Regenerating a letter after a correction makes the next version of the same letter (same kind,
same source record); earlier versions are kept. The PDF and HTML are not copied into the history
table (they never change once written: a correction is a new version)."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from referrals.models import Patient


class LetterQuerySet(models.QuerySet):
    def visible_to(self, user) -> "LetterQuerySet":
        """Least privilege, as for the patient: the MDT office sees every letter; a clinician the
        letters of patients they may see; anyone else none."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser or user.is_mdt_office:
            return self
        if user.is_clinician:
            return self.filter(patient_id__in=Patient.objects.visible_pks(user))
        return self.none()

    def to_post(self) -> "LetterQuerySet":
        return self.filter(status=Letter.Status.TO_POST, print_batch__isnull=True)


class Letter(models.Model):
    class Kind(models.TextChoices):
        MDT_OUTCOME_REFERRER = "mdt_outcome_referrer", "MDT outcome to the referrer or GP"
        MDT_OUTCOME_PATIENT = "mdt_outcome_patient", "MDT outcome to the patient"
        REFERRAL_RETURNED = "referral_returned", "Referral returned: information missing"
        SECOND_OPINION_ACKNOWLEDGEMENT = "so_acknowledgement", "Second opinion: acknowledgement"
        SECOND_OPINION_RECORDS_REQUESTED = "so_records_requested", "Second opinion: records requested"
        SECOND_OPINION_SENT = "so_opinion_sent", "Second opinion: the opinion"
        SECOND_OPINION_NOT_AVAILABLE = "so_not_available", "Second opinion: not routinely available"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft: to check and send"
        SUPERSEDED = "superseded", "Superseded by a later version (never sent)"
        SENT = "sent", "Sent by secure e-mail"
        TO_POST = "to_post", "To print for the post"
        PRINTED = "printed", "Printed for the post"

    class Method(models.TextChoices):
        EMAIL = "email", "Secure e-mail (PDF attached)"
        POST = "post", "Printed for the post"

    kind = models.CharField(max_length=30, choices=Kind.choices)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="letters")
    discussion = models.ForeignKey(
        "mdt.MdtDiscussion", on_delete=models.PROTECT, null=True, blank=True, related_name="letters"
    )
    referral_return = models.ForeignKey(
        "diagnostics.ReferralReturn", on_delete=models.PROTECT, null=True, blank=True, related_name="letters"
    )
    second_opinion = models.ForeignKey(
        "second_opinions.SecondOpinionRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="letters",
    )
    # "discussion:12", "return:3" or "second_opinion:7": which record the letter is about, so the
    # versions of one letter share (kind, source) and a version number is given once.
    source = models.CharField(max_length=40, editable=False)
    version = models.PositiveIntegerField(default=1)
    recipient_name = models.CharField("to", max_length=200)
    recipient_address = models.TextField("postal address", blank=True)
    recipient_email = models.EmailField("e-mail address", blank=True)
    correction = models.CharField(
        "what this version corrects", max_length=300, blank=True, help_text="Required from version 2 on."
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    method = models.CharField("how it went", max_length=10, choices=Method.choices, blank=True)
    generated_at = models.DateTimeField()
    generated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was sent or marked for the post."
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    emailed_at = models.DateTimeField(null=True, blank=True, help_text="When the e-mail went (set once).")
    print_batch = models.ForeignKey(
        "PrintBatch", on_delete=models.PROTECT, null=True, blank=True, related_name="letters"
    )
    html = models.TextField(editable=False)
    pdf = models.BinaryField(editable=False)
    history = HistoricalRecords(excluded_fields=["html", "pdf"])

    objects = LetterQuerySet.as_manager()

    class Meta:
        ordering = ["-generated_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "source", "version"], name="letter_version_once"),
            models.CheckConstraint(
                condition=(
                    models.Q(
                        discussion__isnull=False, referral_return__isnull=True, second_opinion__isnull=True
                    )
                    | models.Q(
                        discussion__isnull=True, referral_return__isnull=False, second_opinion__isnull=True
                    )
                    | models.Q(
                        discussion__isnull=True, referral_return__isnull=True, second_opinion__isnull=False
                    )
                ),
                name="letter_has_one_source",
            ),
        ]

    def __str__(self) -> str:
        return f"Letter {self.pk}: {self.get_kind_display()}, version {self.version}"

    @property
    def filename(self) -> str:
        """The PDF's file name: ids only, never a patient identifier."""
        return f"letter-{self.pk}-v{self.version}.pdf"


class PrintBatch(models.Model):
    """One day's letters for the post, gathered into one PDF for the MDT office to print."""

    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when the daily task made it.",
    )
    pdf = models.BinaryField(editable=False)
    history = HistoricalRecords(excluded_fields=["pdf"])

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "print batches"

    def __str__(self) -> str:
        return f"Print batch {self.pk}"

    @property
    def filename(self) -> str:
        return f"print-batch-{self.pk}.pdf"
