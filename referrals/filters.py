"""The clinicians' patient list filters and search (django-filter)."""

import django_filters
from django.db.models import Q
from django.utils import timezone

from . import rules
from .models import HospitalNumber, Patient, Referral


class PatientFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search", method="search")
    status = django_filters.ChoiceFilter(
        label="Referral status", choices=Referral.Status.choices, method="filter_status"
    )
    clock = django_filters.ChoiceFilter(
        label="Waiting-time clock",
        choices=[(rules.ClockState.AT_RISK.value, "At risk"), (rules.ClockState.BREACHED.value, "Breached")],
        method="filter_clock",
    )

    class Meta:
        model = Patient
        fields = ["q", "status", "clock"]

    def search(self, queryset, name, value):
        """Name, NHS number (any spacing) or hospital number."""
        value = value.strip()
        if not value:
            return queryset
        digits = value.replace(" ", "").replace("-", "")
        # The hospital-number matches are read first (an index on UPPER(number)), so every term
        # below is on the patient table and each can use its own index (trigram for the names):
        # no join, no DISTINCT, no scan of every patient.
        by_hospital_number = list(
            HospitalNumber.objects.filter(number__iexact=value).values_list("patient_id", flat=True)[:100]
        )
        match = (
            Q(given_name__icontains=value) | Q(family_name__icontains=value) | Q(pk__in=by_hospital_number)
        )
        if digits.isdigit():
            match |= Q(nhs_number=digits)
        return queryset.filter(match)

    def _referrals(self):
        """Only the referrals this user may see: a filter must not reveal another clinician's
        referral of a shared patient."""
        return Referral.objects.visible_to(self.request.user)

    def filter_status(self, queryset, name, value):
        """Patients with a referral (that the user may see) in this status."""
        return queryset.filter(pk__in=self._referrals().filter(status=value).values("patient_id"))

    def filter_clock(self, queryset, name, value):
        """Patients with an open referral whose worst clock is in that state today."""
        referrals = self._referrals().open().filter(patient__in=queryset)
        ids = referrals.with_clock_state([value], timezone.localdate()).values("patient_id")
        return queryset.filter(pk__in=ids)
