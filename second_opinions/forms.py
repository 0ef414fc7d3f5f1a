"""Forms of the second-opinion pages. They parse and validate input only; the policy is in
rules.py and every write in services.py."""

import hashlib
import json

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils import timezone

from portal.forms import SingleLineFieldsMixin
from portal.widgets import DateInput, LongSelect
from referrals.models import Patient

from .models import SecondOpinionRequest
from .services import RequestDetails

R = SecondOpinionRequest

DETAIL_FIELDS = [
    "requested_by",
    "requester_name",
    "requester_contact",
    "current_service",
    "treating_hospital",
    "treating_clinician",
    "standard_management",
    "requested_service",
    "named_clinician",
    "reason",
    "tumour",
    "consent_to_share_records",
    "feedback_to",
]


class SecondOpinionRequestForm(SingleLineFieldsMixin, forms.ModelForm):
    """The request form. `patient` offers only the patients this user may see. A hidden
    `checked` fingerprint ties a confirmation to the answers whose decision the user was shown."""

    checked = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = SecondOpinionRequest
        fields = ["patient", "received_on", *DETAIL_FIELDS]
        widgets = {
            "patient": LongSelect,
            "received_on": DateInput(),
            "requested_by": forms.RadioSelect,
            "current_service": forms.RadioSelect,
            "requested_service": forms.RadioSelect,
            "reason": forms.RadioSelect,
            "tumour": forms.RadioSelect,
            "feedback_to": forms.RadioSelect,
            "requester_contact": forms.TextInput,
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["patient"].queryset = Patient.objects.visible_to(user)
        self.fields["received_on"].initial = timezone.localdate
        for field in self.fields.values():
            if isinstance(field.widget, forms.RadioSelect):
                # A radio group needs no "---------" choice: nothing ticked means no answer.
                field.choices = [choice for choice in field.choices if choice[0] != ""]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_received_on(self):
        received_on = self.cleaned_data["received_on"]
        if received_on > timezone.localdate():
            raise forms.ValidationError("The day the request was received cannot be in the future.")
        return received_on

    def details(self) -> RequestDetails:
        data = self.cleaned_data
        return RequestDetails(**{name: data[name] for name in DETAIL_FIELDS})

    def fingerprint(self) -> str:
        """A digest of the cleaned answers: a confirmation with other answers than were checked
        is shown the (new) decision again instead of being saved."""
        data = {name: str(self.cleaned_data[name]) for name in ["received_on", *DETAIL_FIELDS]}
        data["patient"] = self.cleaned_data["patient"].pk
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


class TransitionForm(SingleLineFieldsMixin, forms.Form):
    """One step of the workflow, as posted by a button on the queue or the request's page."""

    to = forms.ChoiceField(choices=R.Status.choices)
    expected_status = forms.ChoiceField(choices=R.Status.choices, widget=forms.HiddenInput)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class OpinionSentForm(SingleLineFieldsMixin, forms.Form):
    """Recording the opinion: agrees or differs (how), and when it was sent."""

    expected_status = forms.ChoiceField(choices=R.Status.choices, widget=forms.HiddenInput)
    outcome = forms.ChoiceField(choices=R.Outcome.choices, widget=forms.RadioSelect, label="The opinion")
    outcome_differences = forms.CharField(
        label="How it differs from the current plan",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )
    sent_on = forms.DateField(label="Sent on", widget=DateInput(), initial=timezone.localdate)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the template's <form> has the token


class FiguresPeriodForm(SingleLineFieldsMixin, forms.Form):
    """An optional period for the SAG's figures, by the day requests were received."""

    received_from = forms.DateField(required=False, widget=DateInput())
    received_to = forms.DateField(required=False, widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_class = "portal-filters"
        self.helper.add_input(Submit("submit", "Show", css_class="nhsuk-button--secondary"))
        self.helper.disable_csrf = True

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("received_from"), cleaned.get("received_to")
        if start and end and start > end:
            self.add_error("received_to", "The end of the period cannot be before its start.")
        return cleaned
