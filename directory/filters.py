"""The public directory's search (django-filter): by name, speciality, organisation, designation."""

import django_filters
from django.db.models import Q, QuerySet

from .models import Organisation, Practitioner


class PractitionerFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Name")
    speciality = django_filters.ChoiceFilter(
        choices=Practitioner.Speciality.choices, empty_label="Any speciality"
    )
    organisation = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.all(),
        method="filter_organisation",
        empty_label="Any organisation",
        label="Organisation",
    )
    designation = django_filters.ChoiceFilter(
        choices=[
            ("core", "Core MDT member"),
            ("any", "Any designated practitioner"),
            *[
                (code, f"Designated: {label}")
                for code, label in Practitioner.DesignationScope.choices
                if code
            ],
        ],
        method="filter_designation",
        empty_label="Any role",
        label="Role or designation",
    )

    class Meta:
        model = Practitioner
        fields = ["name", "speciality", "organisation", "designation"]

    def filter_organisation(self, queryset: QuerySet, name: str, value: Organisation) -> QuerySet:
        """A trust includes its hospital sites (NHNN Queen Square is a UCLH site)."""
        return queryset.filter(Q(organisation=value) | Q(organisation__parent=value))

    def filter_designation(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "core":
            return queryset.filter(is_core_mdt_member=True)
        if value == "any":
            return queryset.exclude(designation_scope="")
        return queryset.filter(designation_scope=value)
