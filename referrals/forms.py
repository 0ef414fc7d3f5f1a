"""Forms: they parse and check input only; the services decide and write."""

import datetime
import hashlib
import json

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from directory.models import Organisation, Practitioner, Service
from portal.forms import (
    NamedModelChoiceField,
    NamedModelMultipleChoiceField,
    PersonLabels,
    SingleLineFieldsMixin,
)
from portal.roles import Role
from portal.services import BREAK_GLASS_REASON_MAX_LENGTH, BREAK_GLASS_REASON_MIN_LENGTH
from portal.widgets import DateInput, LongSelect, LongSelectMultiple

from . import policy_rules, rules
from .models import Patient, Referral
from .services.intake import PatientDetails, ReferralDetails


def _users_with_roles(*roles: Role):
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=[role.value for role in roles])
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


class UserChoiceField(PersonLabels, NamedModelChoiceField):
    """A person, by name: the options read as values (the intake form lists every clinician and
    the MDT office twice)."""


class UsersChoiceField(PersonLabels, NamedModelMultipleChoiceField):
    """People, by name, read as values."""


class NameAndCodeChoiceField(NamedModelChoiceField):
    """A trust or practice (an Organisation, code_field "ods_code") or a centre (a Service, "code"),
    labelled "name (code)" as str() of either gives it, read as values."""

    def __init__(self, queryset, *, code_field: str, **kwargs) -> None:
        super().__init__(queryset, **kwargs)
        self.label_fields = ("name", code_field)

    def label_from_values(self, name: str, code: str) -> str:
        return f"{name} ({code})"


INTAKE_SECTIONS = (
    # (legend, fields): the order a coordinator takes a referral in, from the referral form's top.
    (
        "1. Patient",
        (
            "nhs_number", "given_name", "family_name", "date_of_birth", "sex", "postcode",
            "hospital_organisation", "hospital_number", "key_worker",
        ),
    ),
    ("2. Referrer", ("referring_organisation", "referring_clinician", "referrer_contact")),
    (
        "3. Clinical details",
        (
            "presentation", "tumour_type", "site", "skull_base", "transnasal_ccj", "suspected_mscc",
            "clinically_urgent", "lump_size_cm", "lump_depth", "lump_growing", "lump_painful",
        ),
    ),
    ("4. Imaging (NICE NG12 section 1.11)", ("imaging_done", "imaging_result")),
    ("5. Waiting-time clocks", ("received_on", "transferred_between_trusts")),
    ("6. Care team", ("responsible_consultant", "care_team")),
)  # fmt: skip


class IntakeForm(SingleLineFieldsMixin, forms.Form):
    """A new referral: the patient (found by NHS number if known) and the case to route, in
    sections taken in order (INTAKE_SECTIONS), so the error summary lists errors in page order."""

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
    hospital_organisation = NameAndCodeChoiceField(
        code_field="ods_code",
        widget=LongSelect,
        label="Hospital number issued by",
        queryset=Organisation.objects.all(),
        required=False,
    )
    hospital_number = forms.CharField(max_length=30, required=False)
    key_worker = UserChoiceField(
        widget=LongSelect,
        queryset=_users_with_roles(Role.CLINICIAN, Role.MDT_OFFICE),
        help_text="Every patient has a named key worker (NICE quality standard QS78).",
    )
    received_on = forms.DateField(
        label="Referral received on",
        widget=DateInput,
        initial=timezone.localdate,
        help_text="Today unless the referral arrived earlier: the cancer waiting-time clocks start here.",
    )
    referring_organisation = NameAndCodeChoiceField(
        code_field="ods_code", widget=LongSelect, queryset=Organisation.objects.all(), required=False
    )
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
    transferred_between_trusts = forms.BooleanField(
        required=False,
        help_text="A 62-day pathway shared between providers: each counts half the patient.",
    )
    responsible_consultant = UserChoiceField(widget=LongSelect, queryset=_users_with_roles(Role.CLINICIAN))
    care_team = UsersChoiceField(
        widget=LongSelectMultiple, queryset=_users_with_roles(Role.CLINICIAN), required=False
    )
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
        # The page shows its own error summary (portal/_error_summary.html), which also lists what
        # the service refuses at "save"; the template pack's would be a second one.
        self.helper.form_show_errors = False
        self.order_fields([name for _legend, names in INTAKE_SECTIONS for name in names])
        self.helper.layout = Layout(
            *(Fieldset(legend, *names) for legend, names in INTAKE_SECTIONS),
            "routing_checked",
        )

    def details(self) -> "tuple[PatientDetails, ReferralDetails]":
        """The cleaned input as the intake service takes it (the form and the FHIR API both)."""
        data = self.cleaned_data
        patient = PatientDetails(
            nhs_number=data["nhs_number"],
            given_name=data["given_name"],
            family_name=data["family_name"],
            date_of_birth=data["date_of_birth"],
            sex=data["sex"],
            postcode=data["postcode"],
            key_worker=data["key_worker"],
            hospital_number=data["hospital_number"],
            hospital_organisation=data["hospital_organisation"],
        )
        referral = ReferralDetails(
            received_on=data["received_on"],
            presentation=data["presentation"],
            tumour_type=data["tumour_type"],
            site=data["site"],
            referring_organisation=data["referring_organisation"],
            referring_clinician=data["referring_clinician"],
            referrer_contact=data["referrer_contact"],
            skull_base=data["skull_base"],
            transnasal_ccj=data["transnasal_ccj"],
            suspected_mscc=data["suspected_mscc"],
            clinically_urgent=data["clinically_urgent"],
            transferred_between_trusts=data["transferred_between_trusts"],
            responsible_consultant=data["responsible_consultant"],
            care_team=list(data["care_team"]),
            lump_size_cm=data["lump_size_cm"],
            lump_depth=data["lump_depth"],
            lump_growing=data["lump_growing"],
            lump_painful=data["lump_painful"],
            imaging_done=data["imaging_done"],
            imaging_result=data["imaging_result"],
        )
        return patient, referral

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
    surgeon = NamedModelChoiceField(
        widget=LongSelect,
        queryset=Practitioner.objects.filter(active=True, speciality=Practitioner.Speciality.SURGERY),
    )

    def __init__(self, *args, referral: Referral, **kwargs):
        super().__init__(*args, **kwargs)
        self.auto_id = f"id_surgeon_{referral.pk}_%s"


class FirstTreatmentForm(SingleLineFieldsMixin, forms.Form):
    """The first definitive treatment: when, what, who and where. The service checks who and where
    against the directory and the pathway, and asks for an override reason where they depart."""

    treated_on = forms.DateField(label="First treatment on", widget=DateInput)
    modality = forms.ChoiceField(label="Treatment", choices=Referral.TreatmentModality.choices)
    practitioner = NamedModelChoiceField(
        label="Given by",
        queryset=Practitioner.objects.filter(active=True).order_by("name"),
        widget=LongSelect,
        help_text="From the network directory: the pathway says who may give each treatment.",
    )
    centre = NameAndCodeChoiceField(
        code_field="code",
        widget=LongSelect,
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
