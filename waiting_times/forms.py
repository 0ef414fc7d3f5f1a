"""Forms of the PTL and the pathway page: they parse; the rules run in waiting_times.services."""

from django import forms
from django.contrib.auth import get_user_model

from directory.models import Organisation
from portal.roles import Role
from portal.widgets import LongSelect
from referrals.forms import DateInput

from .models import BreachReason, CancerPathway, Ending, Outcome, Route


def office_users():
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.MDT_OFFICE.value)
        .order_by("last_name", "first_name", "username")
    )


def owner_choices(pathway: CancerPathway):
    """Who may own a next action on this pathway: the MDT office and the referral's consultant
    (the service checks again that the owner may see the patient)."""
    users = get_user_model().objects.filter(is_active=True)
    consultant = users.filter(pk=pathway.referral.responsible_consultant_id)
    return (office_users() | consultant).distinct().order_by("last_name", "first_name", "username")


class NextActionForm(forms.Form):
    what = forms.CharField(label="Next action", max_length=200)
    owner = forms.ModelChoiceField(label="Owner", queryset=get_user_model().objects.none())
    due_on = forms.DateField(label="Due", widget=DateInput)

    def __init__(self, *args, pathway: CancerPathway, owners: list | None = None, **kwargs) -> None:
        """`owners`, for a form only shown (the PTL's rows): the users to offer, already read, so
        a page of forms costs no query per row. Posted, the form checks against the database."""
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owner_choices(pathway)
        if owners is not None:
            self.fields["owner"].choices = [("", "Choose"), *((user.pk, str(user)) for user in owners)]


class PathwayDatesForm(forms.ModelForm):
    """Every date of the pathway at once (so a pair of dates can be corrected together), with
    the reason for the change."""

    reason = forms.CharField(
        label="Why (kept with the change)", max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    class Meta:
        model = CancerPathway
        fields = [
            "route",
            "upgraded_on",
            "first_received_on",
            "referring_provider",
            "transferred_on",
            "dna_rebooked_on",
            "told_on",
            "outcome",
            "decision_to_treat_on",
            "offer_declined_for",
            "offer_available_from",
            "treated_on",
            "treatment_admitted",
            "ended",
            "ended_on",
        ]
        widgets = dict.fromkeys(
            (
                "upgraded_on",
                "first_received_on",
                "transferred_on",
                "dna_rebooked_on",
                "told_on",
                "decision_to_treat_on",
                "offer_declined_for",
                "offer_available_from",
                "treated_on",
                "ended_on",
            ),
            DateInput,
        ) | {"referring_provider": LongSelect}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["route"].choices = Route.choices
        self.fields["outcome"].choices = [("", "Not told yet"), *Outcome.choices]
        self.fields["ended"].choices = [("", "Not ended"), *Ending.choices]
        self.fields["referring_provider"].queryset = Organisation.objects.order_by("name")

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.changed_data}


class BreachReasonForm(forms.Form):
    breach_reason = forms.ChoiceField(label="Breach reason", choices=[("", "Choose"), *BreachReason.choices])
    details = forms.CharField(
        label="Details", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class CloseForm(forms.Form):
    reason = forms.CharField(label="Why close the pathway", max_length=500)
