"""Forms. The record forms (PractitionerForm, KeyContactForm) validate every proposed value of a
change request, whether typed into the propose page or read from a CSV row; services.py uses
them, so bad input is refused the same way everywhere."""

import datetime
from typing import Any

from django import forms
from django.db import models

from portal.forms import BoundedModelMultipleChoiceField, SingleLineFieldsMixin
from portal.widgets import DateInput, LongSelect, LongSelectMultiple

from . import rules
from .models import (
    Capability,
    ChangeRequest,
    DiagnosticClinic,
    KeyContact,
    Organisation,
    Practitioner,
    Service,
)


class PractitionerForm(SingleLineFieldsMixin, forms.ModelForm):
    organisation = forms.ModelChoiceField(
        widget=LongSelect,
        queryset=Organisation.objects.all(),
        to_field_name="ods_code",
        label="Organisation",
        error_messages={"invalid_choice": "Unknown organisation: no organisation has this ODS code."},
    )
    core_mdt_service = forms.ModelChoiceField(
        widget=LongSelect,
        queryset=Service.objects.all(),
        to_field_name="code",
        required=False,
        label="Core member of the MDT of",
        help_text="The service whose sarcoma MDT they are a core member of (its quorum counts them).",
        error_messages={"invalid_choice": "Unknown service: no service has this code."},
    )

    class Meta:
        model = Practitioner
        fields = [
            "name",
            "organisation",
            "speciality",
            "email",
            "phone",
            "is_core_mdt_member",
            "core_mdt_service",
            "designation_scope",
            "designation_date",
            "active",
        ]
        widgets = {"designation_date": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # The choice values are ODS codes, so the initial value must be one too.
            self.initial["organisation"] = self.instance.organisation.ods_code
            if self.instance.core_mdt_service_id:
                self.initial["core_mdt_service"] = self.instance.core_mdt_service.code

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("core_mdt_service") and not cleaned.get("is_core_mdt_member"):
            self.add_error(
                "is_core_mdt_member", "A core member of an MDT is a core MDT member: tick core MDT member."
            )
        return cleaned


class KeyContactForm(SingleLineFieldsMixin, forms.ModelForm):
    service = forms.ModelChoiceField(
        widget=LongSelect,
        queryset=Service.objects.all(),
        to_field_name="code",
        label="Service",
        required=False,
        help_text="Leave empty only for a signposting contact outside the network's services.",
        error_messages={"invalid_choice": "Unknown service: no service has this code."},
    )

    class Meta:
        model = KeyContact
        fields = ["label", "service", "signpost", "phone_numbers", "email", "notes", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.service_id:
            self.initial["service"] = self.instance.service.code

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("service") and not cleaned.get("signpost") and "service" not in self.errors:
            self.add_error("service", "Choose the service this contact belongs to.")
        if cleaned.get("signpost") and not (cleaned.get("phone_numbers") or cleaned.get("email")):
            self.add_error("phone_numbers", "A signposting contact needs a telephone number or an e-mail.")
        return cleaned


class ServiceForm(SingleLineFieldsMixin, forms.ModelForm):
    """A service's name, organisations, commissioned capabilities and postal address: referral
    routing reads the capabilities, so changing them moves routing once the SAG approves; letters
    read the address, so the next letter gives the approved one."""

    organisations = BoundedModelMultipleChoiceField(
        widget=LongSelectMultiple,
        queryset=Organisation.objects.all(),
        to_field_name="ods_code",
        label="Organisations",
        error_messages={
            "invalid_choice": "Unknown organisation: no organisation has the ODS code %(value)s."
        },
    )
    capabilities = BoundedModelMultipleChoiceField(
        queryset=Capability.objects.all(),
        to_field_name="code",
        required=False,
        label="Commissioned capabilities",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Unknown capability: %(value)s."},
    )

    class Meta:
        model = Service
        fields = ["name", "organisations", "capabilities", "postal_address"]
        widgets = {"postal_address": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["organisations"] = [o.ods_code for o in self.instance.organisations.all()]
            self.initial["capabilities"] = [c.code for c in self.instance.capabilities.all()]

    def clean_postal_address(self) -> str:
        # Browsers post a text area's lines with CRLF: the address is kept with LF, so a form
        # opened and saved unchanged proposes nothing.
        return "\n".join(rules.postal_address_lines(self.cleaned_data["postal_address"]))


class CatchmentField(forms.CharField):
    """Postcode districts and areas, typed separated by commas or spaces; cleaned to a sorted list."""

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list | tuple) else value

    def to_python(self, value):
        if isinstance(value, list | tuple):
            value = ", ".join(str(v) for v in value)
        value = super().to_python(value)
        try:
            return rules.normalise_catchment(value)
        except ValueError as error:
            raise forms.ValidationError(str(error), code="invalid") from error


class DiagnosticClinicForm(SingleLineFieldsMixin, forms.ModelForm):
    """A diagnostic clinic: host, what it offers, when it runs and the postcodes it serves."""

    host_organisation = forms.ModelChoiceField(
        widget=LongSelect,
        queryset=Organisation.objects.all(),
        to_field_name="ods_code",
        label="Host organisation",
        error_messages={"invalid_choice": "Unknown organisation: no organisation has this ODS code."},
    )
    service = forms.ModelChoiceField(
        widget=LongSelect,
        queryset=Service.objects.all(),
        to_field_name="code",
        required=False,
        label="Specialist service it refers on to",
        error_messages={"invalid_choice": "Unknown service: no service has this code."},
    )
    service_model = forms.MultipleChoiceField(
        choices=DiagnosticClinic.ServiceModel.choices,
        widget=forms.CheckboxSelectMultiple,
        label="Service model",
    )
    clinic_days = forms.MultipleChoiceField(
        choices=DiagnosticClinic.Day.choices, widget=forms.CheckboxSelectMultiple, label="Clinic days"
    )
    catchment = CatchmentField(
        label="Catchment",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text='Postcode districts (e.g. "ME14", "DA1") or whole areas (e.g. "CM"), separated by commas.',
    )

    class Meta:
        model = DiagnosticClinic
        fields = [
            "name",
            "host_organisation",
            "service",
            "service_model",
            "clinic_days",
            "catchment",
            "active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["host_organisation"] = self.instance.host_organisation.ods_code
            self.initial["service"] = self.instance.service.code if self.instance.service_id else None

    def clean_service_model(self):
        return sorted(self.cleaned_data["service_model"])

    def clean_clinic_days(self):
        order = [code for code, _ in DiagnosticClinic.Day.choices]
        return sorted(self.cleaned_data["clinic_days"], key=order.index)


RECORD_FORMS: dict[str, type[forms.ModelForm]] = {
    ChangeRequest.TargetType.PRACTITIONER: PractitionerForm,
    ChangeRequest.TargetType.KEY_CONTACT: KeyContactForm,
    ChangeRequest.TargetType.SERVICE: ServiceForm,
    ChangeRequest.TargetType.DIAGNOSTIC_CLINIC: DiagnosticClinicForm,
}


def jsonable(value: Any, field: forms.Field | None = None) -> Any:
    """A cleaned form value as it is stored in ChangeRequest.proposed_values."""
    to_field = getattr(field, "to_field_name", None) or "pk"
    if isinstance(value, models.Model):
        return value.serializable_value(to_field)
    if isinstance(value, models.Manager | models.QuerySet):
        # Many-to-many: a sorted list, so that equal sets compare equal.
        return sorted(str(item.serializable_value(to_field)) for item in value.all())
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def record_values(instance: models.Model, form_class: type[forms.ModelForm]) -> dict[str, Any]:
    """The current values of a directory record, in the form of proposed_values."""
    form = form_class(instance=instance)
    values = {}
    for name, field in form.fields.items():
        value = getattr(instance, name)
        values[name] = jsonable(value, field)
    return values


class ProposalForm(SingleLineFieldsMixin, forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text="Why the change is needed.")
    effective_date = forms.DateField(
        required=False,
        widget=DateInput(),
        help_text="Optional: the date the change goes live once approved. Empty means at approval.",
    )


class DecisionForm(SingleLineFieldsMixin, forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", "Approve"), ("reject", "Reject")], widget=forms.HiddenInput
    )
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Sent to the proposer with the decision. Required to reject.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "reject" and not cleaned.get("comment", "").strip():
            self.add_error("comment", "Say why the request is rejected.")
        return cleaned


class ImportForm(SingleLineFieldsMixin, forms.Form):
    target_type = forms.ChoiceField(
        label="The file holds",
        choices=[
            (ChangeRequest.TargetType.PRACTITIONER, "Practitioners"),
            (ChangeRequest.TargetType.KEY_CONTACT, "Key contacts"),
        ],
        widget=forms.RadioSelect,
        initial=ChangeRequest.TargetType.PRACTITIONER,
    )
    csv_file = forms.FileField(
        label="CSV file",
        help_text="The columns of the matching export; UTF-8, one entry a row.",
        error_messages={"required": "Choose the CSV file to import"},
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Used for every change request the import creates, unless a row has its own reason.",
        error_messages={"required": "Give the reason for the changes"},
    )


def display_value(form_class: type[forms.ModelForm], name: str, value: Any) -> str:
    """A stored value as a person reads it: labels for choices, names for organisations."""
    field = form_class.base_fields[name]
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(field, forms.ModelMultipleChoiceField):
        to_field = field.to_field_name or "pk"
        found = {
            str(getattr(item, to_field)): str(item)
            for item in field.queryset.filter(**{f"{to_field}__in": value})
        }
        return "; ".join(found.get(str(v), f"{v} (unknown)") for v in value) or "—"
    if isinstance(field, forms.ModelChoiceField):
        to_field = field.to_field_name or "pk"
        found = field.queryset.filter(**{to_field: value}).first()
        return str(found) if found else f"{value} (unknown)"
    if isinstance(field, forms.MultipleChoiceField) and isinstance(value, list):
        labels = dict(field.choices)
        return "; ".join(str(labels.get(v, v)) for v in value) or "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    if isinstance(field, forms.ChoiceField):
        return str(dict(field.choices).get(value, value))
    return str(value)


def field_label(form_class: type[forms.ModelForm], name: str) -> str:
    label = form_class.base_fields[name].label or name.replace("_", " ")
    return str(label)[:1].upper() + str(label)[1:]


def posted_values(form: forms.ModelForm) -> dict[str, Any]:
    """The values a bound record form carries, read the way its widgets read them (an unticked
    checkbox is False), as plain data for services.change_request_propose."""
    return {
        name: field.widget.value_from_datadict(form.data, form.files, form.add_prefix(name))
        for name, field in form.fields.items()
    }
