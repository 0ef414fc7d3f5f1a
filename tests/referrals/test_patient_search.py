"""The patient list's search: surname prefixes (with a given name either way round), NHS numbers
and hospital numbers, and never another clinician's patient."""

import re

import pytest
from django.urls import reverse

from tests.factories import HospitalNumberFactory, PatientFactory, ReceivedReferralFactory
from tests.referrals.conftest import search_patients

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
    response = search_patients(client, q)
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
    response = search_patients(client, "a" * 101)
    assert response.status_code == 200
    assert "Ensure this value has at most 100 characters" in response.content.decode()
    assert response.context["rows"] == []  # not the whole unfiltered list


def test_a_search_with_a_refused_filter_lists_nobody_and_says_why(client, office_user, people):
    client.force_login(office_user)
    response = search_patients(client, "smith", status="no-such-status")
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert "Select a valid choice" in response.content.decode()


def test_a_search_puts_no_name_or_nhs_number_in_any_url(client, office_user, people):
    """Guards issue 17 finding 10: search terms travelled in the query string, into web-server
    logs. The form POSTs; the list's URL and its links carry a token that names the terms."""
    for i in range(55):
        ReceivedReferralFactory(patient=PatientFactory(family_name="Smith", given_name=f"G{i:02d}"))
    client.force_login(office_user)
    number = people["Ada Smith"].nhs_number
    for terms in ("Smith Ada", f"{number[:3]} {number[3:6]} {number[6:]}", "smith"):
        answer = client.post(LIST, {"q": terms, "status": "received"})
        assert answer.status_code == 302
        location = answer["Location"]
        assert "search=" in location
        assert "status=received" in location
        for word in terms.split():
            assert word.lower() not in location.lower()
        page = client.get(location)
        assert page.context["rows"]
        links = re.findall(r'href="([^"]*)"', page.content.decode())
        assert not [link for link in links if "smith" in link.lower() or number[:3] in link]


def test_a_search_typed_into_the_address_is_not_run(client, office_user, people):
    client.force_login(office_user)
    rows = client.get(LIST, {"q": "Smithson"}).context["rows"]
    assert len(rows) == len(people)  # the whole list: q in a URL is ignored


def test_a_search_token_is_worth_nothing_in_another_session(client, office_user, people):
    from django.test import Client

    client.force_login(office_user)
    location = client.post(LIST, {"q": "Smithson"})["Location"]
    other = Client()
    other.force_login(office_user)
    response = other.get(location)
    assert "That search has ended" in response.content.decode()
    assert response.context["filter"].form.data.get("q") is None


@pytest.mark.parametrize("model", ["referrals_patient", "referrals_referral"])
def test_an_admin_search_puts_no_name_in_any_url_either(client, office_user, model):
    """Guards issue 17 finding 10 in the admin: its search box sent the terms in the query string,
    and every link of the list (pages, filters, sorting, the way back) repeated them."""
    for i in range(120):
        ReceivedReferralFactory(patient=PatientFactory(family_name="Qwertyson", given_name=f"G{i:03d}"))
    client.force_login(office_user)
    url = reverse(f"admin:{model}_changelist")
    answer = client.post(url, {"_portal_search": "1", "q": "Qwertyson"})
    assert answer.status_code == 302
    assert "qwertyson" not in answer["Location"].lower()
    page = client.get(answer["Location"])
    assert page.context["cl"].result_count == 120
    html = page.content.decode()
    links = re.findall(r'(?:href|action)="([^"]*)"', html)
    assert [link for link in links if "_qt=" in link or "_qt%3D" in link]  # the token is carried
    assert not [link for link in links if "qwertyson" in link.lower()]
    assert 'method="post" role="search"' in html


def test_an_admin_search_typed_into_the_address_still_finds_and_links_by_token(client, office_user):
    ReceivedReferralFactory(patient=PatientFactory(family_name="Qwertyson"))
    client.force_login(office_user)
    page = client.get(reverse("admin:referrals_patient_changelist"), {"q": "Qwertyson"}, follow=True)
    assert "q=" not in page.request["QUERY_STRING"]
    assert page.context["cl"].result_count == 1
    links = re.findall(r'href="([^"]*)"', page.content.decode())
    assert not [link for link in links if "qwertyson" in link.lower()]
