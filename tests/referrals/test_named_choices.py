"""The intake form's people and organisation drop-downs, and the first treatment's centres, read
their options as values, and show exactly what the model instances would (issue 22: 1,000 users
made into models cost the routing check about 20 ms a request at 1,000,000 referrals)."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from directory.models import Organisation, Service
from portal.roles import Role
from referrals.forms import (
    FirstTreatmentForm,
    IntakeForm,
    NameAndCodeChoiceField,
    UserChoiceField,
    UsersChoiceField,
)
from tests.factories import OrganisationFactory, ReceivedReferralFactory, ServiceFactory, UserFactory


def _labels(field) -> list:
    return list(field.choices)[1 if field.empty_label is not None else 0 :]


def test_a_person_is_labelled_as_the_instance_labels_them(db):
    UserFactory(username="named", first_name="Ada", last_name="<Byron>", role=Role.CLINICIAN.value)
    UserFactory(username="nameless", first_name="", last_name="", role=Role.CLINICIAN.value)
    UserFactory(username="first-only", first_name="Grace", last_name="", role=Role.CLINICIAN.value)
    form = IntakeForm()
    for name in ("responsible_consultant", "care_team", "key_worker"):
        field = form.fields[name]
        assert isinstance(field, UserChoiceField | UsersChoiceField)
        expected = [(user.pk, field.label_from_instance(user)) for user in field.queryset]
        assert _labels(field) == expected
        assert all(not isinstance(value, get_user_model()) for value, _label in field.choices)
    labels = dict(_labels(form.fields["responsible_consultant"])).values()
    assert {"Ada <Byron>", "nameless", "Grace"} <= set(labels)
    # Escaped once, as Django's option template does.
    assert "Ada &lt;Byron&gt;" in str(form["responsible_consultant"])


def test_an_organisation_is_labelled_as_str_gives_it(db):
    OrganisationFactory(name="St <Elsewhere> & Co", ods_code="RXX")
    OrganisationFactory(name="Royal Marsden NHS Foundation Trust", ods_code="RPY")
    form = IntakeForm()
    for name in ("hospital_organisation", "referring_organisation"):
        field = form.fields[name]
        assert isinstance(field, NameAndCodeChoiceField)
        assert _labels(field) == [(org.pk, str(org)) for org in Organisation.objects.all()]
    assert "St &lt;Elsewhere&gt; &amp; Co (RXX)" in str(form["referring_organisation"])


def test_a_centre_is_labelled_as_str_gives_it(db):
    referral = ReceivedReferralFactory()
    ServiceFactory(name="Centre <A> & B", code="SVC-A")
    form = FirstTreatmentForm(referral=referral)
    field = form.fields["centre"]
    assert isinstance(field, NameAndCodeChoiceField)
    assert _labels(field) == [(service.pk, str(service)) for service in Service.objects.order_by("name")]
    assert "Centre &lt;A&gt; &amp; B (SVC-A)" in str(form["centre"])


def test_one_query_each_and_a_saved_choice_is_selected(db, django_assert_num_queries):
    chosen = UserFactory(username="chosen", role=Role.CLINICIAN.value)
    other = UserFactory(username="other", role=Role.CLINICIAN.value)
    form = IntakeForm(initial={"responsible_consultant": chosen.pk, "care_team": [chosen.pk, other.pk]})
    with django_assert_num_queries(1):
        choices = [choice for choice in form.fields["responsible_consultant"].choices]  # noqa: C416  (list() also counts)
    assert len(choices) == 3  # the empty choice and two clinicians
    html = str(form["responsible_consultant"])
    assert f'<option value="{chosen.pk}" selected>' in html
    assert f'<option value="{other.pk}">' in html
    team = str(form["care_team"])
    assert f'<option value="{chosen.pk}" selected>' in team
    assert f'<option value="{other.pk}" selected>' in team


def test_only_a_person_of_the_list_can_be_chosen(db):
    clinician = UserFactory(username="clinician", role=Role.CLINICIAN.value)
    sag = UserFactory(username="sag-member", role=Role.SAG_MEMBER.value)
    field = IntakeForm().fields["responsible_consultant"]
    assert field.clean(str(clinician.pk)) == clinician
    for refused in (str(sag.pk), "99999999999999999999", "x"):
        with pytest.raises(ValidationError, match="Select a valid choice"):
            field.clean(refused)
    team = IntakeForm().fields["care_team"]
    assert list(team.clean([str(clinician.pk)])) == [clinician]
    for refused in ([str(sag.pk)], ["99999999999999999999"]):
        with pytest.raises(ValidationError):
            team.clean(refused)
