"""The admin's form for issuing a client token: the client's name, contact and scopes."""

from django import forms

from portal.forms import SingleLineFieldsMixin

from .models import ApiClient


class ApiClientIssueForm(SingleLineFieldsMixin, forms.ModelForm):
    class Meta:
        model = ApiClient
        fields = ["name", "contact", "can_read_directory", "can_submit_referrals"]
