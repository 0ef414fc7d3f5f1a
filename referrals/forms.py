"""Forms: they parse and check input only; the services decide and write."""

import datetime
import hashlib
import json

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout
from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from directory.models import Organisation, Practitioner, Service
from portal.forms import BoundedModelMultipleChoiceField, SingleLineFieldsMixin
from portal.roles import Role
from portal.services import BREAK_GLASS_REASON_MAX_LENGTH, BREAK_GLASS_REASON_MIN_LENGTH
from portal.widgets import DateInput, LongSelect

from . import policy_rules, rules
from .models import Patient, Referral


def _users_with_roles(*roles: Role):
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=[role.value for role in roles])
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


class UsersChoiceField(BoundedModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


class IntakeForm(SingleLineFieldsMixin, forms.Form):
    """A new referral: the patient (found by NHS number if known) and the case to route."""

    nhs_number = forms.CharField(
        label="NHS number",
        max_length=14,
        required=False,
        help_text="10 digits, spaces allowed. An existing NHS number opens the existing patient.",
    )
    given_name = forms.CharField(max_length=100)
    family_name = forms.CharField(max_length=100)
    date_of_birth = forms.DateField(widget=DateInput)
    sex = forms.ChoiceField(choices=Patient.Sex.choices, initial=Patient.Sex.NOT_KNOWN)
    postcode = forms.CharField(max_length=10, required=False)
    hospital_organisation = forms.ModelChoiceField(
        label="Hospital number issued by", queryset=Organisation.objects.all(), required=False
    )
    hospital_number = forms.CharField(max_length=30, required=False)
    key_worker = UserChoiceField(
        queryset=_users_with_roles(Role.CLINICIAN, Role.MDT_OFFICE),
        help_text="Every patient has a named key worker (NICE quality standard QS78).",
    )
    received_on = forms.DateField(label="Referral received on", widget=DateInput)
    referring_organisation = forms.ModelChoiceField(queryset=Organisation.objects.all(), required=False)
    referring_clinician = forms.CharField(max_length=200, required=False)
    referrer_contact = forms.CharField(label="Referrer's contact", max_length=200, required=False)
    presentation = forms.ChoiceField(choices=Referral.Presentation.choices)
    tumour_type = forms.ChoiceField(choices=Referral.TumourType.choices)
    site = forms.ChoiceField(choices=Referral.SITE_CHOICES)
    skull_base = forms.BooleanField(label="Skull-base involvement", required=False)
    transnasal_ccj = forms.BooleanField(
        label="Needs a transnasal approach to the craniocervical junction", required=False
    )
    suspected_mscc = forms.BooleanField(
        label="Suspected metastatic spinal cord compression, presenting as an emergency", required=False
    )
    clinically_urgent = forms.BooleanField(required=False)
    transferred_between_trusts = forms.BooleanField(required=False)
    responsible_consultant = UserChoiceField(queryset=_users_with_roles(Role.CLINICIAN))
    care_team = UsersChoiceField(queryset=_users_with_roles(Role.CLINICIAN), required=False)
    # The network's urgent suspected sarcoma referral: the clinical features NICE NG12 section
    # 1.11 asks about (diagnostics.rules.NG12_SOFT_TISSUE and NG12_BONE).
    lump_size_cm = forms.DecimalField(
        label="Lump size (cm)",
        required=False,
        min_value=0,
        max_value=999,
        decimal_places=1,
        help_text="Largest diameter. A lump over about 5 cm raises concern.",
    )
    lump_depth = forms.ChoiceField(
        label="Depth", choices=[("", "—"), *Referral.LumpDepth.choices], required=False
    )
    lump_growing = forms.ChoiceField(
        label="Increasing in size",
        choices=[("", "—"), *Referral.YesNoUnknown.choices],
        required=False,
        help_text="NICE NG12 1.11.4: an unexplained lump increasing in size: ultrasound within 2 weeks.",
    )
    lump_painful = forms.ChoiceField(
        label="Painful", choices=[("", "—"), *Referral.YesNoUnknown.choices], required=False
    )
    imaging_done = forms.ChoiceField(
        label="Imaging already done",
        choices=[("", "—"), *Referral.Imaging.choices],
        required=False,
        help_text="NICE NG12 1.11.1-1.11.3: X-ray first for suspected bone sarcoma; 1.11.4-1.11.7: "
        "ultrasound first for a soft tissue lump.",
    )
    imaging_result = forms.ChoiceField(
        label="Imaging result",
        choices=[("", "—"), *Referral.ImagingResult.choices],
        required=False,
        help_text="NICE NG12: refer on the suspected cancer pathway if imaging suggests sarcoma, or is "
        "uncertain and clinical concern persists.",
    )
    routing_checked = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False  # the template holds the two submit buttons
        self.helper.layout = Layout(
            Fieldset(
                "Patient",
                "nhs_number",
                Div(
                    Div("given_name", css_class="nhsuk-grid-column-one-half"),
                    Div("family_name", css_class="nhsuk-grid-column-one-half"),
                    css_class="nhsuk-grid-row",
                ),
                Div(
                    Div("date_of_birth", css_class="nhsuk-grid-column-one-third"),
                    Div("sex", css_class="nhsuk-grid-column-one-third"),
                    Div("postcode", css_class="nhsuk-grid-column-one-third"),
                    css_class="nhsuk-grid-row",
                ),
                Div(
                    Div("hospital_organisation", css_class="nhsuk-grid-column-one-half"),
                    Div("hospital_number", css_class="nhsuk-grid-column-one-half"),
                    css_class="nhsuk-grid-row",
                ),
                "key_worker",
            ),
            Fieldset(
                "Referral",
                "received_on",
                "referring_organisation",
                Div(
                    Div("referring_clinician", css_class="nhsuk-grid-column-one-half"),
                    Div("referrer_contact", css_class="nhsuk-grid-column-one-half"),
                    css_class="nhsuk-grid-row",
                ),
            ),
            Fieldset(
                "Case",
                Div(
                    Div("presentation", css_class="nhsuk-grid-column-one-third"),
                    Div("tumour_type", css_class="nhsuk-grid-column-one-third"),
                    Div("site", css_class="nhsuk-grid-column-one-third"),
                    css_class="nhsuk-grid-row",
                ),
                "skull_base",
                "transnasal_ccj",
                "suspected_mscc",
                "clinically_urgent",
                "transferred_between_trusts",
            ),
            Fieldset(
                "Clinical features (urgent suspected sarcoma referral, NICE NG12 section 1.11)",
                Div(
                    Div("lump_size_cm", css_class="nhsuk-grid-column-one-quarter"),
                    Div("lump_depth", css_class="nhsuk-grid-column-one-quarter"),
                    Div("lump_growing", css_class="nhsuk-grid-column-one-quarter"),
                    Div("lump_painful", css_class="nhsuk-grid-column-one-quarter"),
                    css_class="nhsuk-grid-row",
                ),
                Div(
                    Div("imaging_done", css_class="nhsuk-grid-column-one-half"),
                    Div("imaging_result", css_class="nhsuk-grid-column-one-half"),
                    css_class="nhsuk-grid-row",
                ),
            ),
            Fieldset("Care team", "responsible_consultant", "care_team"),
            "routing_checked",
        )

    def clean_nhs_number(self) -> str:
        raw = self.cleaned_data["nhs_number"].strip()
        if not raw:
            return ""
        try:
            return policy_rules.normalise_nhs_number(raw)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error

    def clean_date_of_birth(self) -> datetime.date:
        value = self.cleaned_data["date_of_birth"]
        if value > timezone.localdate():
            raise forms.ValidationError("The date of birth cannot be in the future.")
        return value

    def clean_received_on(self) -> datetime.date:
        value = self.cleaned_data["received_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("The referral cannot have been received in the future.")
        return value

    def clean(self) -> dict:
        data = super().clean()
        if bool(data.get("hospital_number")) != bool(data.get("hospital_organisation")):
            self.add_error("hospital_number", "Give the hospital number together with the organisation.")
        dob, received = data.get("date_of_birth"), data.get("received_on")
        if dob and received and received < dob:
            self.add_error("received_on", "The referral cannot be received before the date of birth.")
        return data


def routing_fingerprint(decision: rules.RoutingDecision, patient_id: int | None) -> str:
    """Ties the "save" step to the decision that was shown: changed input means check again."""
    payload = json.dumps({"decision": decision.as_dict(), "patient": patient_id}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


class TransitionForm(SingleLineFieldsMixin, forms.Form):
    to_status = forms.ChoiceField(label="New status", choices=[])
    reason = forms.CharField(label="Why", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    redirect_destination = forms.CharField(
        label="Redirect to", max_length=200, required=False, help_text="Only when redirecting."
    )
    expected_status = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, referral: Referral, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = policy_rules.ALLOWED_TRANSITIONS.get(referral.status, frozenset())
        self.fields["to_status"].choices = [
            (value, label)
            for value, label in Referral.Status.choices
            if value in allowed and value != Referral.Status.FIRST_TREATMENT_GIVEN
        ]
        self.fields["expected_status"].initial = referral.status
        self.auto_id = f"id_transition_{referral.pk}_%s"


class SurgeonForm(SingleLineFieldsMixin, forms.Form):
    surgeon = forms.ModelChoiceField(
        queryset=Practitioner.objects.filter(active=True, speciality=Practitioner.Speciality.SURGERY)
    )

    def __init__(self, *args, referral: Referral, **kwargs):
        super().__init__(*args, **kwargs)
        self.auto_id = f"id_surgeon_{referral.pk}_%s"


class FirstTreatmentForm(SingleLineFieldsMixin, forms.Form):
    """The first definitive treatment: when, what, who and where. The service checks who and where
    against the directory and the pathway, and asks for an override reason where they depart."""

    treated_on = forms.DateField(label="First treatment on", widget=DateInput)
    modality = forms.ChoiceField(label="Treatment", choices=Referral.TreatmentModality.choices)
    practitioner = forms.ModelChoiceField(
        label="Given by",
        queryset=Practitioner.objects.filter(active=True).order_by("name"),
        widget=LongSelect,
        help_text="From the network directory: the pathway says who may give each treatment.",
    )
    centre = forms.ModelChoiceField(
        label="At (centre)",
        queryset=Service.objects.order_by("name"),
        help_text="The directory's services: the pathway names the centres for spinal surgery and for "
        "radiotherapy of primary bone tumours of the spine or sacrum.",
    )
    urgent_override_reason = forms.CharField(
        label="Clinically urgent override: reason",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Only where clinical urgency meant the pathway could not be followed (treatment before "
        "an MDT outcome, or a practitioner or centre the pathway does not name). The MDT lead is told.",
    )
    expected_status = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, referral: Referral, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expected_status"].initial = referral.status
        if referral.surgeon_id:
            self.fields["practitioner"].initial = referral.surgeon_id
        self.auto_id = f"id_treatment_{referral.pk}_%s"

    def clean_treated_on(self) -> datetime.date:
        value = self.cleaned_data["treated_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("The first treatment cannot be in the future.")
        return value


class BreakGlassForm(SingleLineFieldsMixin, forms.Form):
    """The reason a clinician gives to open a patient who is not theirs in an emergency."""

    reason = forms.CharField(
        label="Why do you need this record now?",
        help_text="The clinical emergency, in your own words. The MDT office lead reads it.",
        min_length=BREAK_GLASS_REASON_MIN_LENGTH,
        max_length=BREAK_GLASS_REASON_MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
