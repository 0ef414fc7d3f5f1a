"""The PTL's filters (django-filter): provider, standard, status, at risk this week, consultant,
tumour group, transfers in and out, and handovers due this week. Each is a condition on the pathway row or its
referral, so the list stays one query whatever is chosen."""

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from directory.models import Service
from portal.roles import Role
from portal.widgets import LongSelect
from referrals.models import Referral

from .models import CancerPathway
from .tracking import PtlStatus, Standard


class AnyYesNo(django_filters.widgets.BooleanWidget):
    """Yes / no / any: django-filter's own reads "Unknown" for "don't filter", which a tracker
    reads as a state of the patient."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = (("", "Any"), ("true", "Yes"), ("false", "No"))


class PtlFilter(django_filters.FilterSet):
    # The long lists render in Python (portal/widgets.py): 200 clinicians through Django's option
    # templates cost the PTL ~20 ms a page.
    provider = django_filters.ModelChoiceFilter(
        label="Provider",
        field_name="referral__service",
        queryset=Service.objects.order_by("name"),
        widget=LongSelect,
    )
    standard = django_filters.ChoiceFilter(
        label="Standard that matters now", field_name="ptl_standard", choices=Standard.choices
    )
    status = django_filters.ChoiceFilter(label="Status", choices=PtlStatus.choices, method="filter_status")
    at_risk_week = django_filters.BooleanFilter(
        label="At risk this week (now or within 7 days)",
        method="filter_at_risk_week",
        widget=AnyYesNo(),
    )
    consultant = django_filters.ModelChoiceFilter(
        label="Consultant",
        field_name="referral__responsible_consultant",
        queryset=get_user_model().objects.filter(groups__name=Role.CLINICIAN.value, is_active=True),
        widget=LongSelect,
    )
    tumour_group = django_filters.ChoiceFilter(
        label="Tumour group", field_name="referral__tumour_type", choices=Referral.TumourType.choices
    )
    transfer = django_filters.ChoiceFilter(
        label="Transfers",
        choices=[
            ("in", "Transferred in"),
            ("first_receipt_missing", "Transferred in, first receipt date missing"),
            ("out", "Transferred out"),
            ("out_awaiting", "To be transferred out, not yet made"),
        ],
        method="filter_transfer",
    )
    handover = django_filters.BooleanFilter(
        label="Handover (day 38) due this week or overdue",
        method="filter_handover",
        widget=AnyYesNo(),
    )

    next_action_due = django_filters.BooleanFilter(
        label="Next action due",
        method="filter_next_action_due",
        widget=AnyYesNo(),
    )

    class Meta:
        model = CancerPathway
        fields = [
            "provider",
            "standard",
            "status",
            "at_risk_week",
            "consultant",
            "tumour_group",
            "transfer",
            "handover",
            "next_action_due",
        ]

    def filter_status(self, queryset, name, value):
        return queryset.with_ptl_status(timezone.localdate()).filter(ptl_state=value)

    def filter_at_risk_week(self, queryset, name, value):
        return queryset.at_risk_this_week(timezone.localdate()) if value else queryset

    def filter_transfer(self, queryset, name, value):
        if value == "out":
            return queryset.transferred_out()
        if value == "out_awaiting":
            return queryset.transferred_out().filter(transferred_out_on__isnull=True)
        transferred = queryset.filter(Q(referring_provider__isnull=False) | Q(transferred_on__isnull=False))
        if value == "first_receipt_missing":
            return transferred.filter(first_received_on__isnull=True)
        return transferred

    def filter_handover(self, queryset, name, value):
        return queryset.handover_due(timezone.localdate()) if value else queryset

    def filter_next_action_due(self, queryset, name, value):
        return queryset.next_action_due(timezone.localdate()) if value else queryset
