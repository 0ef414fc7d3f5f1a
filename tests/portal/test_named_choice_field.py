"""NamedModelChoiceField: a long directory list read as (id, name) values (issue 22)."""

from django import forms

from directory.models import Practitioner
from portal.forms import NamedModelChoiceField
from portal.widgets import LongSelect
from tests.factories import PractitionerFactory


def _forms(queryset):
    class Named(forms.Form):
        who = NamedModelChoiceField(queryset=queryset, widget=LongSelect)

    class Plain(forms.Form):
        who = forms.ModelChoiceField(queryset=queryset, widget=LongSelect)

    return Named, Plain


def test_its_options_are_those_of_a_model_choice_field(db):
    PractitionerFactory(name="Dr <Zed> & Co")
    chosen = PractitionerFactory(name="Dr Ada Byron")
    queryset = Practitioner.objects.order_by("name")
    Named, Plain = _forms(queryset)
    assert list(Named().fields["who"].choices)[1:] == [(p.pk, str(p)) for p in queryset]
    assert str(Named(initial={"who": chosen.pk})["who"]) == str(Plain(initial={"who": chosen.pk})["who"])
    assert f'<option value="{chosen.pk}" selected>Dr Ada Byron</option>' in str(
        Named(initial={"who": chosen.pk})["who"]
    )
    assert "Dr &lt;Zed&gt; &amp; Co" in str(Named()["who"])


def test_it_takes_only_a_row_of_its_queryset(db):
    active = PractitionerFactory(active=True)
    retired = PractitionerFactory(active=False)
    Named, _plain = _forms(Practitioner.objects.filter(active=True))
    assert Named({"who": active.pk}).is_valid()
    refused = Named({"who": retired.pk})
    assert not refused.is_valid()
    assert "Select a valid choice" in refused.errors["who"][0]
    form = Named({"who": active.pk})
    form.is_valid()
    assert form.cleaned_data["who"] == active


def test_it_reads_no_model_instances_for_its_options(db, django_assert_num_queries):
    PractitionerFactory.create_batch(3)
    Named, _plain = _forms(Practitioner.objects.order_by("name"))
    with django_assert_num_queries(1):
        choices = [choice for choice in Named().fields["who"].choices]  # noqa: C416  (list() also counts)
    assert all(not isinstance(value, Practitioner) for value, _label in choices)
    assert len(choices) == 4  # the empty choice and three practitioners
