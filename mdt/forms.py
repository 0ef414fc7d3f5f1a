"""Forms for MDT pages. They parse and label input only; the rules are in mdt_services."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.html import conditional_escape
from django.utils.text import slugify

from directory.models import Practitioner, Service
from portal.forms import BoundedModelMultipleChoiceField, SingleLineFieldsMixin
from portal.roles import Role
from portal.widgets import DateInput, LongSelect, LongSelectMultiple

from .models import Mdt, MdtDiscussion, MdtMeeting, PatientOutcomePreference


def _helper(submit: str, *, style: str = "") -> FormHelper:
    """`style`: "" (a primary button), "secondary" or "warning" (a destructive action)."""
    helper = FormHelper()
    # The templates write the <form> with its action and CSRF token (several forms share a page).
    helper.form_tag = False
    helper.disable_csrf = True
    css_class = f"nhsuk-button--{style}" if style else ""
    helper.add_input(Submit(slugify(submit).replace("-", "_"), submit, css_class=css_class))
    return helper


class AddToNextMeetingForm(SingleLineFieldsMixin, forms.Form):
    """The MDT is preselected where one is known (the one that discussed the referral before, the
    one routing chose, or the one serving the referrer), and then leaving it empty uses it too, so
    a bare POST (a button on the referral page) works. Where none is known it must be chosen, and
    the form says why."""

    mdt = forms.ModelChoiceField(label="MDT", queryset=Mdt.objects.filter(active=True), required=False)
    question = forms.CharField(
        label="Question for the MDT", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, default_mdt: Mdt | None = None, reason: str = "", **kwargs):
        kwargs.setdefault("initial", {})
        if default_mdt is not None:
            kwargs["initial"].setdefault("mdt", default_mdt.pk)
        super().__init__(*args, **kwargs)
        field = self.fields["mdt"]
        if default_mdt is not None:
            # Crispy renders help text unescaped: the MDT's name is escaped here.
            field.help_text = conditional_escape(
                f"{default_mdt.name} is preselected: {reason}. Leaving it empty also uses it."
            )
        else:
            field.required = True
            field.help_text = conditional_escape(reason)
            field.error_messages["required"] = reason or "Choose the MDT."
        self.helper = _helper("Add to the next meeting")


class CaseSearchForm(SingleLineFieldsMixin, forms.Form):
    """Find the patient to add to a case list: POSTed, kept in the session, never in a URL."""

    q = forms.CharField(
        label="Patient's name or NHS number",
        max_length=100,
        help_text='Surname or its start, with a given name if you like ("Smith Ada"); NHS number; '
        "or hospital number.",
    )


class DiscussionAddForm(SingleLineFieldsMixin, forms.Form):
    """Add a referral to this meeting's list (by referral number, which the office has to hand)."""

    referral = forms.IntegerField(label="Referral number", min_value=1)
    question = forms.CharField(label="Question for the MDT", widget=forms.Textarea(attrs={"rows": 3}))
    presenting_clinician = forms.ModelChoiceField(
        widget=LongSelect,
        queryset=get_user_model().objects.filter(groups__name=Role.CLINICIAN.value, is_active=True),
        required=False,
        help_text="Leave empty for the referral's responsible consultant.",
    )
    imaging_available = forms.BooleanField(
        required=False, help_text="Imaging recorded on the referral at intake counts as available."
    )
    pathology_available = forms.BooleanField(required=False)
    referrer_email = forms.EmailField(label="Referring clinician's e-mail", required=False)
    late_addition_reason = forms.CharField(
        label="Reason for adding after the cut-off",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, referrals=None, **kwargs):
        super().__init__(*args, **kwargs)
        if referrals is not None:
            # The referrals of the patients found by a search, chosen by patient, not by number.
            self.fields["referral"] = forms.TypedChoiceField(
                label="Patient and referral",
                coerce=int,
                choices=[(referral.pk, referral_choice_label(referral)) for referral in referrals],
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": "Choose one of the patients found, or search again."},
            )
        self.helper = _helper("Add to the case list")


def referral_choice_label(referral) -> str:
    """A referral as the office knows it: the patient, their NHS number and the referral's day."""
    patient = referral.patient
    nhs = f", NHS number {patient.nhs_number_display}" if patient.nhs_number else ""
    born = f", born {patient.date_of_birth:%d/%m/%Y}" if patient.date_of_birth else ""
    return (
        f"{patient}{nhs}{born}: referral received {referral.received_on:%d/%m/%Y} "
        f"({referral.get_status_display().lower()})"
    )


class ReadinessForm(SingleLineFieldsMixin, forms.Form):
    imaging_available = forms.BooleanField(required=False)
    pathology_available = forms.BooleanField(required=False)


class MoveForm(SingleLineFieldsMixin, forms.Form):
    to_meeting = forms.ModelChoiceField(
        widget=LongSelect, label="Move to meeting", queryset=MdtMeeting.objects.none()
    )
    # The meeting the user saw the case on, so a move made meanwhile by someone else is not undone.
    from_meeting = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label="Reason for the move", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, meetings=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_meeting"].queryset = meetings if meetings is not None else MdtMeeting.objects.none()
        self.helper = _helper("Move the case")


class AttendanceForm(SingleLineFieldsMixin, forms.Form):
    """Who was present, and up to three deputies each covering a named core member. Given the
    meeting's `recorded` attendance (MdtAttendance rows), an unbound form starts from it: saving
    replaces the whole attendance, so a form showing less would wipe the rest."""

    DEPUTY_ROWS = 3  # at least; more when more deputies were recorded

    present = BoundedModelMultipleChoiceField(
        label="Core members present",
        queryset=Practitioner.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    others_present = BoundedModelMultipleChoiceField(
        label="Others present (not deputising)",
        queryset=Practitioner.objects.filter(active=True),
        required=False,
        widget=LongSelectMultiple(attrs={"size": 6}),
    )

    def __init__(self, *args, meeting: MdtMeeting, recorded=None, **kwargs):
        super().__init__(*args, **kwargs)
        core = meeting.mdt.core_member_practitioners()
        # Those already recorded stay on offer when they have left the directory since, so saving
        # the form again keeps them; as many deputy rows as were recorded, and at least three.
        offered = Practitioner.objects.filter(
            Q(active=True) | Q(pk__in=meeting.attendance.values("practitioner_id"))
        )
        self.deputy_rows = max(self.DEPUTY_ROWS, meeting.attendance.exclude(deputy_for=None).count())
        self.fields["present"].queryset = core
        self.fields["others_present"].queryset = offered.exclude(pk__in=core.values("pk"))
        # The offered practitioners are read once for the lists that offer them (a national
        # directory has thousands); the querysets still validate what is posted.
        listed = [
            (pk, name if active else f"{name} (no longer in the directory)")
            for pk, name, active in offered.order_by("name").values_list("pk", "name", "active")
        ]
        core_ids = {practitioner.pk for practitioner in core}
        if recorded is not None:
            self.initial = {**self._initial_from(recorded, core_ids, self.deputy_rows), **self.initial}
        others = [(pk, name) for pk, name in listed if pk not in core_ids]
        self.fields["others_present"].widget.choices = others
        for row in range(1, self.deputy_rows + 1):
            self.fields[f"deputy_{row}"] = forms.ModelChoiceField(
                label=f"Deputy {row}", queryset=offered, required=False, widget=LongSelect
            )
            self.fields[f"deputy_{row}"].widget.choices = [("", "---------"), *listed]
            self.fields[f"deputy_{row}_for"] = forms.ModelChoiceField(
                label=f"Deputy {row} covers for", queryset=core, required=False
            )
        self.helper = _helper("Record attendance")

    def clean(self):
        cleaned = super().clean()
        deputies = []
        for row in range(1, self.deputy_rows + 1):
            deputy, covered = cleaned.get(f"deputy_{row}"), cleaned.get(f"deputy_{row}_for")
            if bool(deputy) != bool(covered):
                self.add_error(
                    f"deputy_{row}_for", "Name both the deputy and the core member they cover for."
                )
            elif deputy:
                deputies.append((deputy, covered))
        cleaned["deputies"] = deputies
        return cleaned

    @staticmethod
    def _initial_from(recorded, core_ids: set[int], rows: int) -> dict:
        """The fields as the recorded attendance fills them; deputies in the order recorded."""
        present = [a.practitioner_id for a in recorded if a.deputy_for_id is None]
        initial = {
            "present": [pk for pk in present if pk in core_ids],
            "others_present": [pk for pk in present if pk not in core_ids],
        }
        deputies = sorted((a for a in recorded if a.deputy_for_id is not None), key=lambda a: a.pk)
        for row, deputy in enumerate(deputies[:rows], start=1):
            initial[f"deputy_{row}"] = deputy.practitioner_id
            initial[f"deputy_{row}_for"] = deputy.deputy_for_id
        return initial


class OutcomeForm(SingleLineFieldsMixin, forms.Form):
    outcome = forms.ChoiceField(label="Outcome", choices=[("", "---------"), *MdtDiscussion.Outcome.choices])
    recommendation = forms.CharField(label="Recommendation", widget=forms.Textarea(attrs={"rows": 5}))
    decision_to_treat_on = forms.DateField(
        label="Decision to treat on",
        required=False,
        widget=DateInput(),
        help_text="Starts the 31-day clock. Leave empty if no decision to treat was made.",
    )
    outcome_recipients = forms.ChoiceField(
        label="Who receives the outcome (the patient's wishes)",
        choices=PatientOutcomePreference.Recipients.choices,
    )
    referrer_email = forms.EmailField(label="Referring clinician's e-mail", required=False)
    patient_email = forms.EmailField(
        label="Patient's e-mail", required=False, help_text="Needed if the patient receives the outcome."
    )
    agreed_treatment_centre = forms.ModelChoiceField(
        widget=LongSelect,
        label="Alternative centre the MDT agreed for planned treatment",
        queryset=Service.objects.order_by("name"),
        required=False,
        help_text="Only where the MDT agreed a centre other than the pathway's: \"Patients with spinal "
        "sarcomas can have planned treated at an alternative centre (i.e. NHNN Queens Square) following "
        'MDT agreement that it is appropriate to do so."',
    )
    outcome_caveat_reason = forms.CharField(
        label="Why the outcome is recorded although the meeting is not marked as held or not quorate",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Needed only then; the outcome shows that it was.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("Save the outcome")


class CancelForm(SingleLineFieldsMixin, forms.Form):
    reason = forms.CharField(label="Reason for cancelling", max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("Cancel the meeting", style="warning")
