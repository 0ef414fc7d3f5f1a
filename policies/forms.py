"""Forms: parse and label input. Version and date rules live in rules.py / services.py."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.contrib.auth import get_user_model

from portal.forms import BoundedModelMultipleChoiceField, SingleLineFieldsMixin
from portal.widgets import DateInput, LongSelectMultiple

from . import rules
from .models import PolicyDocument

DATE_INPUT = DateInput()


class PolicyFilterForm(SingleLineFieldsMixin, forms.Form):
    """Filter and search on the policies page (GET). Status is offered to staff only."""

    q = forms.CharField(label="Search by title", required=False, max_length=200)
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *PolicyDocument.Status.choices]
    )
    rag = forms.ChoiceField(
        label="Review status",
        required=False,
        choices=[("", "Any review status")] + [(rag.value, rag.label) for rag in rules.Rag],
    )

    def __init__(self, *args, show_status: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not show_status:
            del self.fields["status"]
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.layout = Layout(
            Row(
                *(Column(name) for name in self.fields),
                Column(Submit("filter", "Filter", css_class="nhsuk-button--secondary")),
                css_class="portal-filters",
            )
        )


class PolicyDraftForm(SingleLineFieldsMixin, forms.ModelForm):
    """A draft version: a new policy, or a new version of an existing one (prefilled)."""

    outstanding_items = forms.CharField(
        label="Outstanding items",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One a line. A version with open outstanding items cannot be approved.",
    )
    storage_location = forms.URLField(
        label="Storage pathway",
        required=False,
        assume_scheme="https",
        help_text="Where the document is kept.",
    )

    class Meta:
        model = PolicyDocument
        fields = [
            "title",
            "version_number",
            "aims",
            "issued_by",
            "circulation",
            "authors",
            "version_date",
            "review_date",
            "storage_location",
            "owners",
            "document_file",
        ]
        labels = {"review_date": "Proposed date of review"}
        field_classes = {
            "circulation": BoundedModelMultipleChoiceField,
            "owners": BoundedModelMultipleChoiceField,
        }
        help_texts = {
            "document_file": "Optional. A PDF of the document.",
            "circulation": "One or more. The MDT office adds new groups in the admin.",
        }
        widgets = {
            "aims": forms.Textarea(attrs={"rows": 3}),
            "circulation": forms.CheckboxSelectMultiple,
            "owners": LongSelectMultiple,
            "version_date": DATE_INPUT,
            "review_date": DATE_INPUT,
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["circulation"].required = True
        # What to do, in the error summary and by the field (NHS error messages), not "This field
        # is required." twice over.
        for name, message in (
            ("title", "Enter the title of the document"),
            ("version_number", "Enter the version number"),
            ("circulation", "Choose at least one group to circulate it to"),
        ):
            self.fields[name].error_messages["required"] = message
        self.fields["owners"].queryset = get_user_model().objects.filter(is_active=True)
        self.fields["version_number"].widget.attrs["class"] = "nhsuk-input--width-5"
        self.fields["owners"].widget.attrs["size"] = 6  # a list to scroll, not two lines cut in half
        self.fields["document_file"].widget.attrs["accept"] = "application/pdf,.pdf"
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", "Save draft"))


class PolicyApproveForm(SingleLineFieldsMixin, forms.Form):
    version_number = forms.CharField(
        label="Approved version number", max_length=20, help_text="An approved version takes a whole number."
    )
    approved_by = forms.CharField(label="Approved by", max_length=300, initial="LSESN SAG")
    approval_date = forms.DateField(label="Approval date", widget=DATE_INPUT)
    review_date = forms.DateField(label="Date of review", widget=DATE_INPUT)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, message in (
            ("version_number", "Enter the approved version number"),
            ("approved_by", "Enter who approved the version"),
            ("approval_date", "Enter the approval date"),
            ("review_date", "Enter the date of review"),
        ):
            self.fields[name].error_messages["required"] = message
        self.fields["version_number"].widget.attrs["class"] = "nhsuk-input--width-5"
        self.helper = FormHelper()
        self.helper.add_input(Submit("approve", "Approve this version"))


class OutstandingItemForm(SingleLineFieldsMixin, forms.Form):
    description = forms.CharField(label="New outstanding item", max_length=500)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("add", "Add item", css_class="nhsuk-button--secondary"))
