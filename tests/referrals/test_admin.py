import datetime

import pytest
from django.contrib.admin import site
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape

from referrals.admin import ReferralAdmin
from referrals.models import Patient, Referral
from tests.factories import (
    DiagnosticClinicFactory,
    HospitalNumberFactory,
    PatientFactory,
    ReceivedReferralFactory,
    SpinalReferralFactory,
    UserFactory,
)


def test_admin_pages_for_referrals_and_patients_open(client, office_user):
    referral = ReceivedReferralFactory()
    HospitalNumberFactory(patient=referral.patient)
    client.force_login(office_user)
    for url in [
        reverse("admin:referrals_referral_change", args=[referral.pk]),
        reverse("admin:referrals_referral_history", args=[referral.pk]),
        reverse("admin:referrals_patient_change", args=[referral.patient.pk]),
        reverse("admin:referrals_patient_changelist") + "?q=" + referral.patient.nhs_number,
    ]:
        assert client.get(url, follow=True).status_code == 200, url


def test_status_and_the_routed_case_cannot_be_edited_in_the_admin(client, office_user):
    referral = ReceivedReferralFactory()
    client.force_login(office_user)
    response = client.get(reverse("admin:referrals_referral_change", args=[referral.pk]))
    fields = response.context["adminform"].form.fields
    for name in (
        "status",
        "site",
        "tumour_type",
        "skull_base",
        "routing_decision",
        "surgeon",
        "first_treatment_on",
    ):
        assert name not in fields, name
    assert "diagnosis_communicated_on" in fields  # the office records clock events here


def test_admin_merge_action_keeps_the_older_record_and_every_referral(client, office_user):
    older = PatientFactory(nhs_number=None, family_name="Arden")
    newer = PatientFactory(family_name="Arden", possible_duplicate_of=older)
    ReceivedReferralFactory(patient=older)
    ReceivedReferralFactory(patient=newer)
    client.force_login(office_user)
    client.post(
        reverse("admin:referrals_patient_changelist"),
        {"action": "merge_selected", "_selected_action": [older.pk, newer.pk]},
    )
    newer.refresh_from_db()
    assert newer.merged_into == older
    assert older.referrals.count() == 2
    assert Patient.objects.current().count() == 1


def test_admin_merge_action_needs_exactly_two_records(client, office_user):
    patients = [PatientFactory(nhs_number=None) for _ in range(3)]
    client.force_login(office_user)
    response = client.post(
        reverse("admin:referrals_patient_changelist"),
        {"action": "merge_selected", "_selected_action": [p.pk for p in patients]},
        follow=True,
    )
    assert "Select exactly two" in response.content.decode()
    assert Patient.objects.current().count() == 3


def test_admin_stores_an_nhs_number_typed_with_spaces_normalised(client, office_user):
    patient = PatientFactory(nhs_number=None)
    client.force_login(office_user)
    url = reverse("admin:referrals_patient_change", args=[patient.pk])
    data = {
        "nhs_number": "943 476 5919",
        "given_name": patient.given_name,
        "family_name": patient.family_name,
        "date_of_birth": "1970-01-01",
        "sex": "not_known",
        "hospital_numbers-TOTAL_FORMS": "0",
        "hospital_numbers-INITIAL_FORMS": "0",
    }
    assert client.post(url, data).status_code == 302
    patient.refresh_from_db()
    assert patient.nhs_number == "9434765919"


def test_admin_refuses_an_nhs_number_with_a_wrong_check_digit(client, office_user):
    patient = PatientFactory(nhs_number=None)
    client.force_login(office_user)
    url = reverse("admin:referrals_patient_change", args=[patient.pk])
    data = {
        "nhs_number": "943 476 5918",
        "given_name": patient.given_name,
        "family_name": patient.family_name,
        "date_of_birth": "1970-01-01",
        "sex": "not_known",
        "hospital_numbers-TOTAL_FORMS": "0",
        "hospital_numbers-INITIAL_FORMS": "0",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "check digit" in str(response.context["adminform"].form.errors["nhs_number"])
    patient.refresh_from_db()
    assert patient.nhs_number is None


def test_model_validation_refuses_an_unnormalised_nhs_number(db):
    patient = PatientFactory.build(nhs_number="943 476 5919")
    with pytest.raises(ValidationError) as error:
        patient.full_clean()
    assert "nhs_number" in error.value.message_dict


# Names, structured displays and the coordinator's columns (issue 19, item 3) ---------------------


def test_the_referral_admin_offers_consultants_by_name_not_by_id(client, office_user, clinician):
    clinician.first_name, clinician.last_name = "Omar", "Khan"
    clinician.save()
    referral = ReceivedReferralFactory(responsible_consultant=clinician)
    client.force_login(office_user)
    response = client.get(reverse("admin:referrals_referral_change", args=[referral.pk]))
    html = response.content.decode()
    assert f'<option value="{clinician.pk}" selected>Omar Khan</option>' in html
    assert 'name="responsible_consultant" value=' not in html  # no raw id input


def test_the_referral_admin_saved_unchanged_keeps_consultant_and_care_team(client, office_user, clinician):
    member = UserFactory(role="Clinician")
    referral = ReceivedReferralFactory(responsible_consultant=clinician)
    referral.care_team.add(member)
    client.force_login(office_user)
    url = reverse("admin:referrals_referral_change", args=[referral.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if name in form.fields and value is not None}
    data["care_team"] = [member.pk]
    data["responsible_consultant"] = clinician.pk
    data.update({"events-TOTAL_FORMS": 0, "events-INITIAL_FORMS": 0})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    referral.refresh_from_db()
    assert referral.responsible_consultant == clinician
    assert list(referral.care_team.all()) == [member]


def test_routing_and_clinic_suggestion_are_read_only_structured_displays(client, office_user):
    referral = SpinalReferralFactory()
    clinic = DiagnosticClinicFactory(name="Kent Lump Clinic")
    referral.clinic_suggestion = {"clinic_id": clinic.pk, "reason": "Postcode ME14 is in its catchment."}
    referral.save()
    client.force_login(office_user)
    response = client.get(reverse("admin:referrals_referral_change", args=[referral.pk]))
    fields = response.context["adminform"].form.fields
    assert "clinic_suggestion" not in fields
    assert "routing_decision" not in fields
    html = response.content.decode()
    assert "Kent Lump Clinic<br>Postcode ME14 is in its catchment." in html
    assert "clinic_id" not in html
    assert "<dt>MDT that plans the care</dt>" in html
    assert escape(referral.routing_decision["reasons"][0]) in html
    assert "&quot;reasons&quot;" not in html


def test_the_referral_list_shows_the_coordinators_columns(client, office_user, today):
    referral = ReceivedReferralFactory(
        received_on=datetime.date(2026, 11, 2), patient=PatientFactory(nhs_number="9434765919")
    )
    client.force_login(office_user)
    response = client.get(reverse("admin:referrals_referral_changelist"))
    html = response.content.decode()
    assert "943 476 5919" in html
    assert "28-day FDS: at risk" in html  # day 22 of 28, at risk from day 21
    assert "30 Nov 2026" in html  # the FDS clock's due date
    for header in ("NHS number", "Received on", "Status", "Clock", "Due"):
        assert f">{header}</" in html, header
    assert f'href="{reverse("admin:referrals_referral_change", args=[referral.pk])}' in html


def _sorted_rows(client, *columns: str) -> list:
    """The referral list sorted by `columns` ("clock", "-due_on": descending), as the admin's
    column headers sort it (several columns: the first, then the next)."""
    url = reverse("admin:referrals_referral_changelist")
    shown = client.get(url).context["cl"].list_display
    order = ".".join(f"{'-' if c.startswith('-') else ''}{shown.index(c.lstrip('-'))}" for c in columns)
    response = client.get(url, {"o": order})
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


@pytest.fixture
def referrals_with_known_clocks(today):
    """On 24 November 2026, one referral in each state of its clock that matters."""
    D = datetime.date
    return {
        "fds at risk": ReceivedReferralFactory(received_on=D(2026, 11, 2)),  # day 22: due 30 Nov
        "fds breached": ReceivedReferralFactory(received_on=D(2026, 10, 20)),  # day 35: due 17 Nov
        "fds on track": ReceivedReferralFactory(received_on=D(2026, 11, 20)),  # day 4: due 18 Dec
        # Told on day 9: the 62-day clock matters, at risk on day 54, due 2 December.
        "62 at risk": ReceivedReferralFactory(
            received_on=D(2026, 10, 1), diagnosis_communicated_on=D(2026, 10, 10)
        ),
        "none running": ReceivedReferralFactory(
            received_on=D(2026, 9, 1),
            diagnosis_communicated_on=D(2026, 9, 10),
            decision_to_treat_on=D(2026, 9, 20),
            first_treatment_on=D(2026, 10, 1),
        ),
    }


def test_the_referral_list_sorts_by_due_date_both_ways_with_none_running_last_then_first(
    client, office_user, referrals_with_known_clocks
):
    names = {r.pk: name for name, r in referrals_with_known_clocks.items()}
    client.force_login(office_user)
    rows = _sorted_rows(client, "due_on")
    assert [names[r.pk] for r in rows] == [
        "fds breached", "fds at risk", "62 at risk", "fds on track", "none running"
    ]  # fmt: skip
    D = datetime.date
    assert [r.clock_due_on for r in rows] == [
        D(2026, 11, 17),
        D(2026, 11, 30),
        D(2026, 12, 2),
        D(2026, 12, 18),
        None,
    ]
    assert [names[r.pk] for r in _sorted_rows(client, "-due_on")] == [
        "none running", "fds on track", "62 at risk", "fds at risk", "fds breached"
    ]  # fmt: skip


def test_the_referral_list_sorts_by_clock_state_both_ways_and_each_state_by_due_date(
    client, office_user, referrals_with_known_clocks
):
    names = {r.pk: name for name, r in referrals_with_known_clocks.items()}
    client.force_login(office_user)
    assert [names[r.pk] for r in _sorted_rows(client, "clock", "due_on")] == [
        "none running", "fds on track", "fds at risk", "62 at risk", "fds breached"
    ]  # fmt: skip
    rows = _sorted_rows(client, "-clock", "due_on")
    assert [names[r.pk] for r in rows] == [
        "fds breached", "fds at risk", "62 at risk", "fds on track", "none running"
    ]  # fmt: skip
    # The column shows the value it sorts by.
    admin = ReferralAdmin(Referral, site)
    assert [admin.clock(r) for r in rows] == [
        "28-day FDS: breached",
        "28-day FDS: at risk",
        "62-day: at risk",
        "28-day FDS: on track",
        "None running",
    ]
    # Alone, the clock column orders by state: the two at risk side by side.
    alone = [names[r.pk] for r in _sorted_rows(client, "-clock")]
    assert alone[0] == "fds breached"
    assert set(alone[1:3]) == {"fds at risk", "62 at risk"}
    assert alone[3:] == ["fds on track", "none running"]


def test_the_referral_list_pages_show_the_sorted_clock_columns_in_order(
    client, office_user, referrals_with_known_clocks
):
    client.force_login(office_user)
    url = reverse("admin:referrals_referral_changelist")
    shown = client.get(url).context["cl"].list_display
    html = client.get(url, {"o": str(shown.index("due_on"))}).content.decode()
    positions = [
        html.index(text)
        for text in ("17 Nov 2026", "30 Nov 2026", "2 Dec 2026", "18 Dec 2026", "None running")
    ]
    assert positions == sorted(positions)
