"""The patient's timeline reads as sentences with names and dates (issue 19, item 2): never a
user id, a many-to-many row or stored JSON."""

import datetime

from django.urls import reverse
from django.utils.html import escape

from tests.factories import (
    DiagnosticClinicFactory,
    ReceivedReferralFactory,
    UserFactory,
)


def _timeline_html(client, user, patient) -> str:
    client.force_login(user)
    html = client.get(reverse("referrals:patient_detail", args=[patient.pk])).content.decode()
    return html[html.index('id="timeline-heading"') :]


def test_a_care_team_change_names_the_people_not_their_ids(client, office_user):
    referral = ReceivedReferralFactory(received_on=datetime.date(2026, 11, 2))
    member = UserFactory(first_name="Priya", last_name="Shah")
    referral.care_team.add(member)
    html = _timeline_html(client, office_user, referral.patient)
    assert "Care team now Priya Shah." in html
    assert "&#x27;user&#x27;" not in html
    assert "'user'" not in html
    assert "Referral received 2 November 2026" in html


def test_a_responsible_consultant_change_names_the_consultant(client, office_user):
    referral = ReceivedReferralFactory()
    referral.responsible_consultant = UserFactory(first_name="Omar", last_name="Khan")
    referral.save()
    html = _timeline_html(client, office_user, referral.patient)
    assert "Responsible consultant set to Omar Khan." in html
    assert f"Responsible consultant: — → {referral.responsible_consultant_id}" not in html


def test_a_clinic_suggestion_reads_as_the_clinic_and_its_reason(client, office_user):
    referral = ReceivedReferralFactory()
    clinic = DiagnosticClinicFactory(name="Kent Lump Clinic")
    referral.clinic_suggestion = {"clinic_id": clinic.pk, "reason": "The postcode ME14 is in its catchment."}
    referral.save()
    html = _timeline_html(client, office_user, referral.patient)
    assert "Diagnostic clinic suggested: Kent Lump Clinic. The postcode ME14 is in its catchment." in html
    assert "clinic_id" not in html


def test_a_changed_date_is_written_out(client, office_user):
    referral = ReceivedReferralFactory()
    referral.first_appointment_on = datetime.date(2026, 12, 3)
    referral.save()
    html = _timeline_html(client, office_user, referral.patient)
    assert escape("First appointment on set to 3 December 2026.") in html
