"""Forms of the PTL and the pathway page: they parse; the rules run in waiting_times.services."""

import datetime
import re

from django import forms
from django.contrib.auth import get_user_model
from django.utils.html import format_html, format_html_join

from directory.models import Organisation
from portal.forms import SingleLineFieldsMixin
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


class NextActionForm(SingleLineFieldsMixin, forms.Form):
    what = forms.CharField(label="Next action", max_length=200)
    # LongSelect renders in Python (portal/widgets.py): the PTL shows one of these forms a row.
    owner = forms.ModelChoiceField(
        label="Owner",
        queryset=get_user_model().objects.none(),
        widget=LongSelect(attrs={"class": "nhsuk-select"}),
    )
    due_on = forms.DateField(label="Due", widget=DateInput)

    def __init__(self, *args, pathway: CancerPathway, **kwargs) -> None:
        """The PTL's rows show NextActionRowForm (its owners read once a page); this checks what
        they post, against the database."""
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owner_choices(pathway)


class NextActionRowForm:
    """What the PTL shows of a NextActionForm on each of its rows, without a Django form per row:
    the same field names, ids, labels and widgets (templates/jinja2/waiting_times/_next_action_fields.html
    writes them out; tests/waiting_times/test_views.py posts them back). Fifty forms a page were
    fifty deep copies of their fields, a fifth of the page's time at 1,000,000 referrals. Posted,
    NextActionForm reads and checks what was typed."""

    fields = NextActionForm.base_fields

    def __init__(self, *, pathway: CancerPathway, owner_options: str) -> None:
        """`owner_options` are the <option> elements of the owner select (`owner_options()`),
        built once a page for each list of owners, not once a row."""
        self.prefix = f"p{pathway.pk}"
        self.owner_id = f"id_{self.prefix}-owner"
        self.owner_select = format_html(
            '<select name="{}-owner" class="nhsuk-select" required id="{}">{}</select>',
            self.prefix,
            self.owner_id,
            owner_options,
        )

    @staticmethod
    def owner_options(owners: list) -> str:
        """The owner select's options: "Choose", then each owner, escaped as Django renders them."""
        choices = [("", "Choose"), *((user.pk, str(user)) for user in owners)]
        return format_html_join("", '<option value="{}">{}</option>', choices)

    labels = {name: str(field.label) for name, field in fields.items()}


class PathwayDatesForm(SingleLineFieldsMixin, forms.ModelForm):
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
            "transfer_out_to",
            "transferred_out_on",
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
                "transferred_out_on",
                "dna_rebooked_on",
                "told_on",
                "decision_to_treat_on",
                "offer_declined_for",
                "offer_available_from",
                "treated_on",
                "ended_on",
            ),
            DateInput,
        ) | {"referring_provider": LongSelect, "transfer_out_to": LongSelect}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["route"].choices = Route.choices
        self.fields["outcome"].choices = [("", "Not told yet"), *Outcome.choices]
        self.fields["ended"].choices = [("", "Not ended"), *Ending.choices]
        self.fields["referring_provider"].queryset = Organisation.objects.order_by("name")
        self.fields["transfer_out_to"].queryset = Organisation.objects.order_by("name")

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.changed_data}


class BreachReasonForm(SingleLineFieldsMixin, forms.Form):
    breach_reason = forms.ChoiceField(label="Breach reason", choices=[("", "Choose"), *BreachReason.choices])
    details = forms.CharField(
        label="Details", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class CloseForm(SingleLineFieldsMixin, forms.Form):
    reason = forms.CharField(label="Why close the pathway", max_length=500)


MONTH_FORMAT = re.compile(r"(\d{4})-(\d{2})")


def parse_month(value: str) -> datetime.date:
    """A month written YYYY-MM, as its first day; ValidationError otherwise."""
    match = MONTH_FORMAT.fullmatch((value or "").strip())
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1900:
        raise forms.ValidationError("Enter a month as YYYY-MM, for example 2026-10.")
    return datetime.date(int(match[1]), int(match[2]), 1)


class MonthField(forms.CharField):
    """A month, YYYY-MM (the national extract's and the figures' unit), as its first day."""

    def to_python(self, value):
        value = super().to_python(value)
        return parse_month(value) if value else None


class PerformanceForm(SingleLineFieldsMixin, forms.Form):
    """The performance page's choices: the last month of the twelve shown, one provider or the
    whole network, and the month of the national extract."""

    until = MonthField(label="Twelve months up to (YYYY-MM)", required=False)
    provider = forms.ChoiceField(label="Provider", required=False)
    month = MonthField(label="Extract month (YYYY-MM)", required=False)

    def __init__(self, *args, providers=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [("", "Whole network"), *((p.key, p.name) for p in providers)]
