"""Forms of the diagnostic pathway: they parse input; diagnostics.services decides and writes."""

from django import forms

from directory.models import DiagnosticClinic, Organisation, Service
from portal.forms import SingleLineFieldsMixin
from portal.widgets import LongSelect
from referrals.forms import DateInput
from referrals.models import Referral

from .models import ClinicSurvey


class ClinicOverrideForm(SingleLineFieldsMixin, forms.Form):
    clinic = forms.ModelChoiceField(
        widget=LongSelect,
        queryset=DiagnosticClinic.objects.filter(active=True),
        required=False,
        empty_label="No diagnostic clinic",
        label="Diagnostic clinic",
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), help_text="Why not the suggested clinic."
    )


class ReturnForm(SingleLineFieldsMixin, forms.Form):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, help_text="Optional note to the referrer."
    )


class ResubmitForm(SingleLineFieldsMixin, forms.ModelForm):
    """The referrer's missing information (the clinical features of NICE NG12 section 1.11)."""

    postcode = forms.CharField(
        max_length=10, required=False, help_text="The patient's postcode, if it was missing."
    )

    class Meta:
        model = Referral
        fields = [
            "referring_clinician",
            "referrer_contact",
            "lump_size_cm",
            "lump_depth",
            "lump_growing",
            "lump_painful",
            "imaging_done",
            "imaging_result",
        ]


class PathologyRequestForm(SingleLineFieldsMixin, forms.Form):
    pathologist = forms.ModelChoiceField(
        queryset=None, label="Designated sarcoma pathologist", help_text="From the network directory."
    )
    requested_on = forms.DateField(widget=DateInput)

    def __init__(self, *args, **kwargs):
        from .services import designated_pathologists

        super().__init__(*args, **kwargs)
        self.fields["pathologist"].queryset = designated_pathologists()


class PathologyReportForm(PathologyRequestForm):
    reported_on = forms.DateField(widget=DateInput)
    diagnosis = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pathologist"].label = "Reported by"
        del self.fields["requested_on"]


class MolecularTestForm(SingleLineFieldsMixin, forms.Form):
    test_name = forms.CharField(
        max_length=200, help_text="e.g. MDM2 FISH, NTRK fusion panel, whole genome sequencing."
    )
    requested_on = forms.DateField(widget=DateInput)


class MolecularResultForm(SingleLineFieldsMixin, forms.Form):
    resulted_on = forms.DateField(widget=DateInput)
    result = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))


class DiagnosticDatesForm(SingleLineFieldsMixin, forms.Form):
    first_appointment_on = forms.DateField(widget=DateInput, required=False)
    diagnosed_on = forms.DateField(
        widget=DateInput, required=False, label="Diagnosis communicated (or cancer ruled out) on"
    )
    diagnosis_outcome = forms.ChoiceField(
        choices=[("", "—"), *Referral.DiagnosisOutcome.choices], required=False, label="Diagnosis"
    )


class UnplannedExcisionForm(SingleLineFieldsMixin, forms.Form):
    organisation = forms.ModelChoiceField(
        widget=LongSelect, queryset=Organisation.objects.all(), label="Where the excision happened"
    )
    excised_on = forms.DateField(widget=DateInput, required=False)


class MutualAidRedirectForm(SingleLineFieldsMixin, forms.Form):
    service = forms.ModelChoiceField(
        widget=LongSelect, queryset=Service.objects.all(), label="Partner service"
    )


class CapacityDeclarationForm(SingleLineFieldsMixin, forms.Form):
    service = forms.ModelChoiceField(
        widget=LongSelect,
        queryset=Service.objects.all(),
        label="Service with reduced capacity",
        error_messages={"required": "Choose the service with reduced capacity"},
    )
    partner_service = forms.ModelChoiceField(
        widget=LongSelect,
        queryset=Service.objects.all(),
        label="Partner service (mutual aid)",
        error_messages={"required": "Choose the partner service"},
    )
    starts_on = forms.DateField(
        widget=DateInput, label="From", error_messages={"required": "Enter the first day of reduced capacity"}
    )
    ends_on = forms.DateField(
        widget=DateInput,
        label="To (inclusive)",
        error_messages={"required": "Enter the last day of reduced capacity"},
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Give the reason for the reduced capacity"},
    )


NUMBER_FIELDS = (
    "referrals_per_year",
    "sarcomas_diagnosed",
    "clinics_per_week",
    "radiologists_wte",
    "sonographers_wte",
    "nurse_specialists_wte",
)


class ClinicSurveyForm(SingleLineFieldsMixin, forms.ModelForm):
    service_model = forms.MultipleChoiceField(
        choices=DiagnosticClinic.ServiceModel.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    pathway_steps = forms.MultipleChoiceField(
        choices=ClinicSurvey.PathwayStep.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = ClinicSurvey
        fields = [
            "service_model",
            "referrals_per_year",
            "sarcomas_diagnosed",
            "clinics_per_week",
            "radiologists_wte",
            "sonographers_wte",
            "nurse_specialists_wte",
            "pathway_steps",
            "notes",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Counts and staff numbers are a few characters: inputs sized to them (NHS.UK input widths).
        for name in NUMBER_FIELDS:
            self.fields[name].widget.attrs["class"] = "nhsuk-input--width-5"


class EvaluationFilterForm(SingleLineFieldsMixin, forms.Form):
    start = forms.DateField(widget=DateInput, required=False, label="Referrals received from")
    end = forms.DateField(widget=DateInput, required=False, label="to")
