"""Reading the directory and the MDTs over FHIR: every answer validated by fhir.resources' R4B
models, each search parameter, paging, errors, published data only, and flat query counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from directory.models import Organisation, Practitioner, Service
from fhir_api import rules
from fhir_api.models import ApiCall
from fhir_api.profiles import ODS_SYSTEM, UK_CORE, code_system
from tests.factories import MdtFactory, MdtPractitionerFactory, PractitionerFactory

from .conftest import BASE, auth, validated

pytestmark = pytest.mark.django_db


def ids(bundle: dict) -> list[str]:
    return [entry["resource"]["id"] for entry in bundle.get("entry", [])]


def search(client, path: str, **headers) -> dict:
    response = client.get(f"{BASE}/{path}", **headers)
    assert response.status_code == 200, response.content
    bundle = validated(response)
    assert bundle["type"] == "searchset"
    for entry in bundle.get("entry", []):
        assert entry["resource"]["meta"]["profile"] == [f"{UK_CORE}{entry['resource']['resourceType']}"]
    return bundle


def error(client, path: str, status: int, **headers) -> dict:
    response = client.get(f"{BASE}/{path}", **headers)
    assert response.status_code == status, response.content
    outcome = validated(response)
    assert outcome["resourceType"] == "OperationOutcome"
    return outcome


@pytest.fixture
def lss(directory):
    return Service.objects.get(code="LSS")


@pytest.fixture
def mdt(lss):
    return MdtFactory(name="London Sarcoma Service MDT", code="LSS", service=lss)


# The capability statement ------------------------------------------------------------------------


def test_metadata_states_each_resource_its_interactions_and_search_parameters(client, db):
    statement = validated(client.get(f"{BASE}/metadata"))
    resources = {r["type"]: r for r in statement["rest"][0]["resource"]}
    assert set(resources) == {
        "Organization",
        "HealthcareService",
        "Practitioner",
        "PractitionerRole",
        "CareTeam",
        "ServiceRequest",
    }
    assert {p["name"] for p in resources["PractitionerRole"]["searchParam"]} == {
        "organization",
        "specialty",
        "practitioner",
        "active",
        "_lastUpdated",
        "_count",
    }
    assert [i["code"] for i in resources["ServiceRequest"]["interaction"]] == ["create"]
    assert resources["ServiceRequest"]["operation"][0]["name"] == "route"
    assert resources["Organization"]["profile"] == f"{UK_CORE}Organization"


# Resources and fields ------------------------------------------------------------------------------


def test_organization_carries_its_ods_code_and_its_trust(client, directory):
    site = Organisation.objects.exclude(parent=None).first()
    body = validated(client.get(f"{BASE}/Organization/{site.pk}"))
    assert body["identifier"] == [{"system": ODS_SYSTEM, "value": site.ods_code}]
    assert body["partOf"] == {"reference": f"Organization/{site.parent_id}"}
    assert body["name"] == site.name


def test_healthcare_service_lists_the_capabilities_routing_reads(client, lss):
    body = validated(client.get(f"{BASE}/HealthcareService/{lss.pk}"))
    codes = {coding["code"] for concept in body["type"] for coding in concept["coding"]}
    assert codes == set(lss.capabilities.values_list("code", flat=True))
    assert body["providedBy"]["reference"].startswith("Organization/")


def test_practitioner_role_shows_speciality_designation_core_membership_and_contact(client, lss):
    person = PractitionerFactory(
        name="Dr Dora Designated",
        speciality="surgery",
        designation_scope="spinal_surgery",
        designation_date=datetime.date(2025, 3, 1),
        is_core_mdt_member=True,
        core_mdt_service=lss,
        phone="020 7946 0001",
    )
    role = validated(client.get(f"{BASE}/PractitionerRole/{person.pk}"))
    codes = {coding["code"] for concept in role["code"] for coding in concept["coding"]}
    assert codes == {"core-mdt-member", "spinal_surgery"}
    assert role["period"] == {"start": "2025-03-01"}
    assert role["specialty"][0]["coding"][0] == {
        "system": code_system("speciality"),
        "code": "surgery",
        "display": "Surgery",
    }
    assert {t["value"] for t in role["telecom"]} == {person.email, "020 7946 0001"}
    assert role["healthcareService"][0]["reference"] == f"HealthcareService/{lss.pk}"
    assert role["practitioner"]["reference"] == f"Practitioner/{person.pk}"


def test_care_team_is_the_mdt_with_its_core_members_from_the_directory(client, mdt, lss):
    core = MdtPractitionerFactory(name="Dr Core Member", core_mdt_service=lss)
    MdtPractitionerFactory(name="Dr Retired Core", core_mdt_service=lss, active=False)
    PractitionerFactory(name="Dr Not Core")
    body = validated(client.get(f"{BASE}/CareTeam/{mdt.pk}"))
    assert body["name"] == "London Sarcoma Service MDT"
    assert body["status"] == "active"
    members = [p["member"]["reference"] for p in body["participant"]]
    assert members == [f"Practitioner/{core.pk}"]


def test_a_retired_practitioner_is_not_published(client, directory):
    retired = PractitionerFactory(active=False)
    error(client, f"Practitioner/{retired.pk}", 404)
    error(client, f"PractitionerRole/{retired.pk}", 404)
    assert str(retired.pk) not in ids(search(client, "Practitioner?_count=100"))


def test_unknown_type_and_unknown_id_are_404_with_an_operation_outcome(client, db):
    assert error(client, "Patient", 404)["issue"][0]["code"] == "not-supported"
    assert error(client, "Organization/999999", 404)["issue"][0]["code"] == "not-found"
    assert error(client, "Organization/abc", 404)["issue"][0]["code"] == "not-found"


# Search parameters ------------------------------------------------------------------------------


def test_search_by_name_matches_any_part_case_insensitively(client, directory):
    wanted = PractitionerFactory(name="Dr Zebedee Quill")
    PractitionerFactory(name="Dr Other Person")
    assert ids(search(client, "Practitioner?name=zebedee")) == [str(wanted.pk)]
    organisation = Organisation.objects.get(ods_code="RRV")
    assert str(organisation.pk) in ids(search(client, f"Organization?name={organisation.name[:8].lower()}"))
    assert ids(search(client, "HealthcareService?name=nomatchatall")) == []


def test_search_organization_by_ods_identifier(client, directory):
    organisation = Organisation.objects.get(ods_code="RRV")
    assert ids(search(client, f"Organization?identifier={ODS_SYSTEM}|RRV")) == [str(organisation.pk)]
    assert ids(search(client, "Organization?identifier=RRV")) == [str(organisation.pk)]
    assert ids(search(client, "Organization?identifier=http://other.example|RRV")) == []


def test_search_by_organization_includes_a_trusts_sites(client, directory):
    site = Organisation.objects.exclude(parent=None).first()
    at_site = PractitionerFactory(organisation=site)
    at_trust = PractitionerFactory(organisation=site.parent)
    elsewhere = PractitionerFactory()
    found = ids(search(client, f"PractitionerRole?organization=Organization/{site.parent_id}&_count=100"))
    assert {str(at_site.pk), str(at_trust.pk)} <= set(found)
    assert str(elsewhere.pk) not in found
    services = ids(search(client, f"HealthcareService?organization={site.parent_id}"))
    assert set(services) == {str(s.pk) for s in Service.objects.filter(organisations=site.parent_id)}


def test_search_by_organization_refuses_what_is_not_an_id(client, db):
    outcome = error(client, "PractitionerRole?organization=Organization/RRV", 400)
    assert outcome["issue"][0]["expression"] == ["organization"]


def test_search_healthcare_service_by_service_type(client, directory):
    """Routing reads the capabilities: a client finds who holds one."""
    holders = {str(s.pk) for s in Service.objects.filter(capabilities__code="spinal_surgery")}
    assert holders
    assert set(ids(search(client, "HealthcareService?service-type=spinal_surgery"))) == holders
    with_system = f"HealthcareService?service-type={code_system('capability')}|spinal_surgery"
    assert set(ids(search(client, with_system))) == holders
    assert ids(search(client, "HealthcareService?service-type=no_such_capability")) == []


def test_search_practitioner_role_by_practitioner(client, directory):
    person = PractitionerFactory()
    assert ids(search(client, f"PractitionerRole?practitioner=Practitioner/{person.pk}")) == [str(person.pk)]
    assert ids(search(client, f"PractitionerRole?practitioner={person.pk}")) == [str(person.pk)]


def test_search_by_specialty(client, directory):
    radiologist = PractitionerFactory(speciality="radiology")
    found = ids(search(client, "PractitionerRole?specialty=radiology&_count=100"))
    assert str(radiologist.pk) in found
    assert set(found) == {str(p.pk) for p in Practitioner.objects.filter(active=True, speciality="radiology")}
    with_system = ids(
        search(client, f"PractitionerRole?specialty={code_system('speciality')}|radiology&_count=100")
    )
    assert with_system == found


def test_search_by_active(client, directory):
    assert (
        len(ids(search(client, "Practitioner?active=true&_count=100")))
        == Practitioner.objects.filter(active=True).count()
    )
    assert ids(search(client, "Practitioner?active=false")) == []
    assert ids(search(client, "Organization?active=false")) == []
    assert error(client, "Practitioner?active=yes", 400)["issue"][0]["expression"] == ["active"]


def test_care_team_search_by_status_and_name(client, mdt, lss):
    closed = MdtFactory(name="Closed MDT", code="OLD", service=lss, active=False)
    assert ids(search(client, "CareTeam?status=inactive")) == [str(closed.pk)]
    assert ids(search(client, "CareTeam?status=active")) == [str(mdt.pk)]
    assert ids(search(client, "CareTeam?name=london")) == [str(mdt.pk)]


def test_search_by_last_updated(client, directory, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 20, 12, tzinfo=datetime.UTC), tick=False)
    old = PractitionerFactory(name="Dr Old Entry")
    time_machine.move_to(datetime.datetime(2026, 11, 25, 12, tzinfo=datetime.UTC), tick=False)
    new = PractitionerFactory(name="Dr New Entry")
    recent = ids(search(client, "Practitioner?_lastUpdated=ge2026-11-25&_count=100"))
    assert str(new.pk) in recent
    assert str(old.pk) not in recent
    assert str(old.pk) in ids(search(client, "Practitioner?_lastUpdated=2026-11-20&_count=100"))
    assert ids(search(client, "Practitioner?_lastUpdated=lt2026-11-21T00:00:00Z&name=Entry")) == [str(old.pk)]
    body = validated(client.get(f"{BASE}/Practitioner/{new.pk}"))
    assert body["meta"]["lastUpdated"].startswith("2026-11-25T12:00:00")
    assert str(new.pk) in ids(search(client, "PractitionerRole?_lastUpdated=gt2026-11-24&_count=100"))
    assert str(old.pk) not in ids(search(client, "PractitionerRole?_lastUpdated=gt2026-11-24&_count=100"))
    assert error(client, "Practitioner?_lastUpdated=yesterday", 400)["issue"][0]["expression"] == [
        "_lastUpdated"
    ]


def test_an_unknown_search_parameter_is_refused_by_name(client, db):
    outcome = error(client, "Practitioner?speciality=surgery", 400)
    assert outcome["issue"][0]["expression"] == ["speciality"]


# Paging ----------------------------------------------------------------------------------------


def test_paging_follows_bundle_link_next_to_the_end_without_repeats(client, directory):
    for n in range(7):
        PractitionerFactory(name=f"Dr Paged {n}")
    seen, url, pages = [], f"{BASE}/Practitioner?name=Paged&_count=3", 0
    while url:
        response = client.get(url)
        bundle = validated(response)
        seen += ids(bundle)
        pages += 1
        url = next((link["url"] for link in bundle["link"] if link["relation"] == "next"), None)
    assert pages == 3
    assert len(seen) == len(set(seen)) == 7
    assert "name=Paged" in validated(client.get(f"{BASE}/Practitioner?name=Paged&_count=3"))["link"][1]["url"]


def test_count_is_capped(client, directory):
    for _ in range(rules.MAX_COUNT + 1 - Practitioner.objects.filter(active=True).count()):
        PractitionerFactory()
    bundle = search(client, "Practitioner?_count=100000")
    assert len(bundle["entry"]) == rules.MAX_COUNT
    assert any(link["relation"] == "next" for link in bundle["link"])
    assert error(client, "Practitioner?_count=0", 400)["issue"][0]["expression"] == ["_count"]
    assert error(client, "Practitioner?_after=x", 400)["issue"][0]["expression"] == ["_after"]


@pytest.mark.parametrize(
    "path", ["Organization", "HealthcareService", "Practitioner", "PractitionerRole", "CareTeam"]
)
def test_query_count_of_a_page_does_not_grow_with_rows(client, lss, path):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            search(client, f"{path}?_count=100")
        return len(captured)

    made = Organisation.objects.count()

    def grow(n: int) -> None:
        """n more of everything: organisations, services with an organisation, core members, MDTs."""
        nonlocal made
        for _ in range(n):
            made += 1
            organisation = Organisation.objects.create(name=f"Grown trust {made}", ods_code=f"G{made}")
            service = Service.objects.create(name=f"Grown service {made}", code=f"G{made}")
            service.organisations.add(organisation)
            MdtPractitionerFactory(organisation=organisation, core_mdt_service=service)
            MdtFactory(service=service, code=f"G{made}")

    grow(2)
    small = queries()
    grow(20)
    assert queries() == small


# Tokens on reads ---------------------------------------------------------------------------------


def test_reads_are_public_and_a_token_if_sent_must_be_valid(client, directory, reader, submitter, superuser):
    search(client, "Organization")
    search(client, "Organization", **auth(reader[1]))
    assert error(client, "Organization", 401, **auth("not-a-token"))["issue"][0]["code"] == "login"
    from fhir_api import services

    services.api_client_revoke(client_id=reader[0].pk, by=superuser)
    error(client, "Organization", 401, **auth(reader[1]))


def test_a_token_without_directory_read_is_refused(client, directory, superuser):
    from fhir_api import services

    _client, token = services.api_client_issue(
        name="Submit only", contact="", can_read_directory=False, can_submit_referrals=True, by=superuser
    )
    assert error(client, "Organization", 403, **auth(token))["issue"][0]["code"] == "forbidden"


def test_every_read_is_logged_with_client_resource_and_outcome(client, directory, reader):
    search(client, "Organization", **auth(reader[1]))
    error(client, "Practitioner/0", 404)
    error(client, "9434765919", 404)
    calls = list(ApiCall.objects.order_by("pk").values_list("client", "resource", "interaction", "outcome"))
    assert calls == [
        (reader[0].pk, "Organization", "search-type", "ok"),
        (None, "Practitioner", "read", "not_found"),
        (None, "unknown", "search-type", "not_found"),
    ]
