"""Forms of the letters pages: they parse input only; every write is in services.py."""

from django import forms

from portal.forms import SingleLineFieldsMixin

from .models import Letter


class GenerateForm(SingleLineFieldsMixin, forms.Form):
    """Who the letter is to, checked by the office before it is written (and, from version 2 on,
    what the new version corrects)."""

    recipient_name = forms.CharField(label="To", max_length=200)
    recipient_address = forms.CharField(
        label="Postal address",
        required=False,
        max_length=600,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Needed to print the letter for the post.",
    )
    recipient_email = forms.EmailField(
        label="E-mail address",
        required=False,
        help_text="A letter is e-mailed only to a secure (NHSmail) address.",
    )
    correction = forms.CharField(
        label="What this version corrects",
        required=False,
        max_length=300,
        help_text="Required when the letter was written before: the new version is kept beside the old.",
    )


class SendForm(SingleLineFieldsMixin, forms.Form):
    method = forms.ChoiceField(
        label="How the letter goes",
        choices=Letter.Method.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
