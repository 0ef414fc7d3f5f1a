"""The patient list's search: surname prefixes (with a given name either way round), NHS numbers
and hospital numbers, and never another clinician's patient."""

import pytest
from django.urls import reverse

from tests.factories import HospitalNumberFactory, PatientFactory, ReceivedReferralFactory

pytestmark = pytest.mark.django_db

LIST = reverse("referrals:patient_list")


@pytest.fixture
def people(office_user):
    made = {}
    for family, given in [
        ("Smith", "Ada"),
        ("Smith", "Ben"),
        ("Smithson", "Ada"),
        ("Blacksmith", "Cara"),
        ("Ada", "Smith"),
        ("de Souza", "Ana"),
        ("O'Brien", "Dev"),
    ]:
        patient = PatientFactory(family_name=family, given_name=given)
        ReceivedReferralFactory(patient=patient)
        made[f"{given} {family}"] = patient
    return made


def found(client, q: str) -> list[str]:
    response = client.get(LIST, {"q": q})
    assert response.status_code == 200
    return [f"{row['patient'].given_name} {row['patient'].family_name}" for row in response.context["rows"]]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("smith", ["Ada Smith", "Ben Smith", "Ada Smithson"]),
        ("SMI", ["Ada Smith", "Ben Smith", "Ada Smithson"]),
        ("Smith Ada", ["Smith Ada", "Ada Smith", "Ada Smithson"]),  # either way round
        ("Ada Smith", ["Smith Ada", "Ada Smith", "Ada Smithson"]),
        ("smith, b", ["Ben Smith"]),
        ("de souza", ["Ana de Souza"]),
        ("de Souza An", ["Ana de Souza"]),
        ("o'b", ["Dev O'Brien"]),
        ("mith", []),  # names match from their start: Blacksmith is not a "smith" search
        ("100%", []),
        ("_", []),
        (",", []),  # no surname: nothing, not everybody
        (", Ada", []),  # a given name alone is not a search the index can serve
    ],
)
def test_name_search_matches_surname_prefixes_with_an_optional_given_name(
    client, office_user, people, q, expected
):
    client.force_login(office_user)
    assert found(client, q) == expected


def test_nhs_and_hospital_numbers_find_their_patient(client, office_user, people):
    patient = people["Cara Blacksmith"]
    HospitalNumberFactory(patient=patient, number="RM555")
    client.force_login(office_user)
    assert found(client, "rm555") == ["Cara Blacksmith"]
    number = patient.nhs_number
    assert found(client, f"{number[:3]} {number[3:6]} {number[6:]}") == ["Cara Blacksmith"]


def test_a_clinician_finds_only_their_own_patients_by_name(client, clinician, people):
    ReceivedReferralFactory(patient=people["Ben Smith"], responsible_consultant=clinician)
    client.force_login(clinician)
    assert found(client, "smith") == ["Ben Smith"]


def test_an_over_long_search_is_refused_with_a_message_not_an_error(client, office_user, people):
    client.force_login(office_user)
    response = client.get(LIST, {"q": "a" * 101})
    assert response.status_code == 200
    assert "Ensure this value has at most 100 characters" in response.content.decode()
    assert response.context["rows"] == []  # not the whole unfiltered list


def test_a_search_with_a_refused_filter_lists_nobody_and_says_why(client, office_user, people):
    client.force_login(office_user)
    response = client.get(LIST, {"q": "smith", "status": "no-such-status"})
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert "Select a valid choice" in response.content.decode()
