"""The clinicians' patient list filters and search (django-filter)."""

from functools import reduce
from operator import or_

import django_filters
from django.db.models import Q, Value
from django.db.models.functions import Upper
from django.utils import timezone

from . import policy_rules, rules
from .models import HospitalNumber, Patient, Referral

NAME_SEARCH_WORDS = 6


def _starts(surname: str, given: str = "") -> Q | None:
    """Surname starting with `surname` and, if given, a given name starting with `given`; both
    upper-cased by the database, as the keys are (PatientQuerySet.with_name_keys). None without a
    surname: a search for a given name alone would have to read every patient."""
    if not surname.strip():
        return None
    match = Q(family_key__startswith=Upper(Value(surname.strip())))
    if given.strip():
        match &= Q(given_key__startswith=Upper(Value(given.strip())))
    return match


def name_options(value: str) -> list[Q]:
    """The ways `value` can name a patient. "Smith, Ada" is surname then given name. Otherwise the
    words are the whole surname, or a surname and a given name either way round ("Smith Ada",
    "Ada Smith", "de Souza Ana")."""
    if "," in value:
        surname, _, given = value.partition(",")
        options = [_starts(surname, given)]
    else:
        words = value.split()[:NAME_SEARCH_WORDS]
        options = [_starts(" ".join(words))]
        for cut in range(1, len(words)):
            first, rest = " ".join(words[:cut]), " ".join(words[cut:])
            options += [_starts(first, rest), _starts(rest, first)]
    return [option for option in options if option is not None]


class PatientFilter(django_filters.FilterSet):
    search_options: tuple[Q, ...] | list[Q] = ()  # set by search(): the alternatives of a search
    q = django_filters.CharFilter(
        label="Search",
        method="search",
        max_length=100,
        help_text='Surname or its start, with a given name if you like ("Smith Ada"); NHS number; '
        "or hospital number.",
    )
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
        """A surname or its start ("smi"), optionally with a given name or its start ("Smith
        Ada", "Smith, Ada" or "Ada Smith"); an NHS number (any spacing); or a hospital number.
        Names match from their start, as on the Spine and hospital PAS systems.

        The alternatives are kept in `search_options`: the patient list reads each on its own
        (portal.paging.keyset_page's `parts`), so each reads its page from the name-key index
        however many patients share a surname; their OR, returned here, is the same set."""
        value = value.strip()
        if not value:
            return queryset
        digits = policy_rules.nhs_number_digits(value)
        # The hospital-number matches are read first (an index on UPPER(number)), so every term
        # below is on the patient table: no join, no DISTINCT.
        by_hospital_number = list(
            HospitalNumber.objects.filter(number__iexact=value).values_list("patient_id", flat=True)[:100]
        )
        options = name_options(value)
        if by_hospital_number:
            options.append(Q(pk__in=by_hospital_number))
        if digits:
            options.append(Q(nhs_number=digits))
        self.search_options = options
        if not options:
            return queryset.none()
        return queryset.with_name_keys().filter(reduce(or_, options))

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
