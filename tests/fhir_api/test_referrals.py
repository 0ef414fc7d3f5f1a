"""Referrals submitted by other systems: POST /fhir/r4/ServiceRequest goes through the referral
form's checks and the intake service, answers the created ServiceRequest with the routing
decision, and refuses bad input with an OperationOutcome naming the element, saving nothing."""

import copy
import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from fhir_api import services
from fhir_api.models import ApiCall
from fhir_api.profiles import NHS_NUMBER_SYSTEM, ODS_SYSTEM, code_system, extension_url
from referrals.models import Patient, Referral, ReferralEvent
from tests.factories import PatientFactory, PractitionerFactory

from .conftest import BASE, auth, submission_bundle, validated

URL = f"{BASE}/ServiceRequest"


def post(client, body, token, content_type="application/fhir+json"):
    return client.post(
        URL, json.dumps(body) if not isinstance(body, str) else body, content_type=content_type, **auth(token)
    )


def refused(response, status: int) -> list[dict]:
    assert response.status_code == status, response.content
    outcome = validated(response)
    assert outcome["resourceType"] == "OperationOutcome"
    assert not Referral.objects.exists()
    assert not Patient.objects.exists()
    return outcome["issue"]


def routing(resource: dict) -> dict:
    extension = next(e for e in resource["extension"] if e["url"] == extension_url("routing-decision"))
    decision: dict = {}
    for part in extension["extension"]:
        value = next(v for k, v in part.items() if k.startswith("value"))
        if part["url"] in {"reasons", "warnings", "refer_to"}:
            decision.setdefault(part["url"], []).append(
                value["display"] if part["url"] == "refer_to" else value
            )
        else:
            decision[part["url"]] = value
    return decision


def extension_value(resource: dict, name: str):
    extension = next(e for e in resource["extension"] if e["url"] == extension_url(name))
    return next(v for k, v in extension.items() if k.startswith("value"))


def test_a_transaction_bundle_is_taken_in_and_answered_with_the_service_request(
    client, submitter, consultant, today
):
    response = post(client, submission_bundle(consultant), submitter[1])
    assert response.status_code == 201, response.content
    resource = validated(response)
    referral = Referral.objects.get()
    assert resource["resourceType"] == "ServiceRequest"
    assert resource["id"] == str(referral.pk)
    assert resource["meta"]["profile"] == [
        "https://fhir.hl7.org.uk/StructureDefinition/UKCore-ServiceRequest"
    ]
    decision = routing(resource)
    assert decision["pathway"] == "spinal"
    assert decision["surgery_at"] == "NHNN"  # skull-base involvement: NHNN, as the form's test
    assert decision["refer_to"] == referral.routing_decision["refer_to"]
    assert decision["reasons"] == referral.routing_decision["reasons"]
    assert extension_value(resource, "patient-match") == "new"
    assert resource["contained"][0]["identifier"] == [{"system": NHS_NUMBER_SYSTEM, "value": "9434765919"}]
    assert referral.source_system == "RNOH EPR"
    assert extension_value(resource, "source-system") == "RNOH EPR"
    assert referral.responsible_consultant == consultant.user
    assert referral.patient.key_worker == consultant.user
    assert ReferralEvent.objects.get(referral=referral).to_status == Referral.Status.RECEIVED


def test_a_service_request_with_a_contained_patient_is_taken_in(client, submitter, consultant, today):
    bundle = submission_bundle(consultant)
    patient = {**bundle["entry"][0]["resource"], "id": "p1"}
    request = {**bundle["entry"][1]["resource"], "contained": [patient], "subject": {"reference": "#p1"}}
    response = post(client, request, submitter[1])
    assert response.status_code == 201, response.content
    validated(response)
    assert Referral.objects.get().patient.nhs_number == "9434765919"


def test_a_posted_referral_equals_one_taken_in_through_the_form(
    client, submitter, consultant, office_user, today
):
    """The same referral, once through the intake form (tests/referrals/test_views.py's data)
    and once over FHIR: the stored patient and referral are the same in every field the form
    sets, and so is the routing decision."""
    form_data = {
        "nhs_number": "943 476 5919",
        "given_name": "Alice",
        "family_name": "Arden",
        "date_of_birth": "1968-04-12",
        "sex": "female",
        "postcode": "HA7 4LP",
        "key_worker": consultant.user_id,
        "received_on": "2026-11-02",
        "referring_organisation": consultant.organisation_id,
        "referring_clinician": "Dr R Referrer",
        "referrer_contact": "020 7946 0999",
        "presentation": "suspected",
        "tumour_type": "bone",
        "site": "spine",
        "skull_base": "on",
        "clinically_urgent": "on",
        "responsible_consultant": consultant.user_id,
        "lump_size_cm": "6.5",
        "lump_depth": "deep",
        "imaging_done": "xray",
        "imaging_result": "suggests_sarcoma",
    }
    client.force_login(office_user)
    intake = reverse("referrals:intake")
    checked = client.post(intake, {**form_data, "action": "check"})
    fingerprint = re.search(r'name="routing_checked" value="([0-9a-f]+)"', checked.content.decode()).group(1)
    client.post(intake, {**form_data, "routing_checked": fingerprint, "action": "save"})
    client.logout()
    by_form = Referral.objects.get()
    form_patient = by_form.patient
    # Take the form's one out of the way (another NHS number would be another patient).
    snapshot_referral = {f.name: getattr(by_form, f.attname) for f in Referral._meta.concrete_fields}
    snapshot_patient = {f.name: getattr(form_patient, f.attname) for f in Patient._meta.concrete_fields}
    by_form.delete()
    ReferralEvent.objects.all().delete()
    Referral.objects.all().delete()
    form_patient.delete()

    bundle = submission_bundle(
        consultant,
        patient={"address": [{"postalCode": "HA7 4LP"}]},
        service_request={
            "requester": {
                "identifier": {"system": ODS_SYSTEM, "value": consultant.organisation.ods_code},
                "display": "Dr R Referrer",
            },
            "extension": [
                {"url": extension_url("referrer-contact"), "valueString": "020 7946 0999"},
                {"url": extension_url("lump-size-cm"), "valueDecimal": 6.5},
            ],
        },
    )
    bundle["entry"][1]["resource"]["orderDetail"] += [
        {"coding": [{"system": code_system("referral-flag"), "code": "clinically_urgent"}]},
        {"coding": [{"system": code_system("lump-depth"), "code": "deep"}]},
        {"coding": [{"system": code_system("imaging-done"), "code": "xray"}]},
        {"coding": [{"system": code_system("imaging-result"), "code": "suggests_sarcoma"}]},
    ]
    response = post(client, bundle, submitter[1])
    assert response.status_code == 201, response.content
    by_api = Referral.objects.get()
    differing = {
        name
        for name, value in snapshot_referral.items()
        if getattr(by_api, Referral._meta.get_field(name).attname) != value
    }
    assert differing == {"id", "patient", "source_system"}
    assert by_api.source_system == "RNOH EPR"
    differing_patient = {
        name
        for name, value in snapshot_patient.items()
        if getattr(by_api.patient, Patient._meta.get_field(name).attname) != value
    }
    assert differing_patient == {"id"}


def test_an_existing_nhs_number_takes_the_referral_to_the_existing_patient(
    client, submitter, consultant, today
):
    existing = PatientFactory(nhs_number="9434765919", given_name="Alice", family_name="Arden")
    resource = validated(post(client, submission_bundle(consultant), submitter[1]))
    assert Referral.objects.get().patient == existing
    assert Patient.objects.count() == 1
    assert extension_value(resource, "patient-match") == "existing"


def test_a_likely_duplicate_is_flagged_as_at_intake(client, submitter, consultant, today):
    duplicate = PatientFactory(
        nhs_number=None, given_name="Alice", family_name="Arden", date_of_birth="1968-04-12"
    )
    resource = validated(post(client, submission_bundle(consultant), submitter[1]))
    created = Referral.objects.get().patient
    assert created.possible_duplicate_of == duplicate
    assert extension_value(resource, "patient-match") == "possible-duplicate"


@pytest.mark.parametrize(
    ("overrides", "expression"),
    [
        (
            {"patient": {"identifier": [{"system": NHS_NUMBER_SYSTEM, "value": "9434765910"}]}},
            "Bundle.entry[0].resource.identifier[0].value",
        ),
        ({"patient": {"birthDate": "2030-01-01"}}, "Bundle.entry[0].resource.birthDate"),
        ({"service_request": {"authoredOn": "2026-12-25"}}, "Bundle.entry[1].resource.authoredOn"),
        (
            {"service_request": {"performer": [{"reference": "Practitioner/999999"}]}},
            "Bundle.entry[1].resource.performer[0]",
        ),
        ({"service_request": {"orderDetail": []}}, "Bundle.entry[1].resource.orderDetail"),
        (
            {"service_request": {"requester": {"identifier": {"system": ODS_SYSTEM, "value": "XXX"}}}},
            "Bundle.entry[1].resource.requester.identifier",
        ),
    ],
)
def test_bad_input_is_refused_naming_the_element_and_nothing_is_saved(
    client, submitter, consultant, today, overrides, expression
):
    issues = refused(
        post(client, submission_bundle(consultant, **copy.deepcopy(overrides)), submitter[1]), 422
    )
    assert expression in [e for issue in issues for e in issue.get("expression", [])]


def test_an_unknown_code_is_refused_naming_the_coding(client, submitter, consultant, today):
    bundle = submission_bundle(consultant)
    bundle["entry"][1]["resource"]["orderDetail"][2]["coding"][0]["system"] = "http://example.org/sites"
    issues = refused(post(client, bundle, submitter[1]), 422)
    assert "Bundle.entry[1].resource.orderDetail[2].coding[0]" in issues[0]["expression"]


def test_a_resource_fhir_resources_refuses_is_400_with_the_element(client, submitter, consultant, today):
    bundle = submission_bundle(consultant, patient={"birthDate": "12/04/1968"})
    issues = refused(post(client, bundle, submitter[1]), 400)
    assert issues[0]["expression"] == ["Bundle.entry[0].resource.birthDate"]
    assert issues[0]["code"] == "structure"


def test_an_unknown_gender_is_refused_by_the_forms_choices(client, submitter, consultant, today):
    issues = refused(
        post(client, submission_bundle(consultant, patient={"gender": "lady"}), submitter[1]), 422
    )
    assert issues[0]["expression"] == ["Bundle.entry[0].resource.gender"]


def test_not_json_and_wrong_shapes_are_refused(client, submitter, consultant, today):
    refused(post(client, "{not json", submitter[1]), 400)
    refused(post(client, {"resourceType": "Bundle", "type": "batch", "entry": []}, submitter[1]), 400)
    refused(post(client, submission_bundle(consultant), submitter[1], content_type="text/plain"), 415)
    bundle = submission_bundle(consultant)
    bundle["entry"][1]["resource"]["subject"] = {"reference": "urn:uuid:other"}
    issues = refused(post(client, bundle, submitter[1]), 400)
    assert issues[0]["expression"] == ["Bundle.entry[1].resource.subject"]


def test_submitting_needs_a_token_with_the_referral_scope(
    client, reader, submitter, consultant, superuser, today
):
    body = json.dumps(submission_bundle(consultant))
    assert refused(client.post(URL, body, content_type="application/fhir+json"), 401)[0]["code"] == "login"
    assert refused(post(client, submission_bundle(consultant), reader[1]), 403)[0]["code"] == "forbidden"
    services.api_client_revoke(client_id=submitter[0].pk, by=superuser)
    assert refused(post(client, submission_bundle(consultant), submitter[1]), 401)[0]["code"] == "login"


def test_a_system_posts_without_a_csrf_cookie(submitter, consultant, today):
    """Systems send a bearer token, not a session cookie: no CSRF token is asked for."""
    strict = Client(enforce_csrf_checks=True)
    assert post(strict, submission_bundle(consultant), submitter[1]).status_code == 201
    route = strict.post(
        f"{URL}/$route",
        json.dumps({"resourceType": "Parameters", "parameter": []}),
        content_type="application/fhir+json",
        **auth(submitter[1]),
    )
    assert route.status_code == 400  # refused by $route for its missing parameters, not by CSRF


def test_get_on_service_request_is_not_allowed(client, submitter, db):
    response = client.get(URL, **auth(submitter[1]))
    assert response.status_code == 405
    assert validated(response)["issue"][0]["code"] == "not-supported"


def test_the_call_log_names_client_and_outcome_but_no_patient(client, submitter, consultant, today, caplog):
    post(client, submission_bundle(consultant), submitter[1])
    post(client, submission_bundle(consultant, patient={"birthDate": "2030-01-01"}), submitter[1])
    calls = list(
        ApiCall.objects.order_by("pk").values("client", "resource", "interaction", "status", "outcome")
    )
    assert calls == [
        {
            "client": submitter[0].pk,
            "resource": "ServiceRequest",
            "interaction": "create",
            "status": 201,
            "outcome": "created",
        },
        {
            "client": submitter[0].pk,
            "resource": "ServiceRequest",
            "interaction": "create",
            "status": 422,
            "outcome": "invalid",
        },
    ]
    logged = " ".join(str(row) for row in ApiCall.objects.values_list()) + caplog.text
    for identifier in ("9434765919", "Arden", "1968-04-12"):
        assert identifier not in logged


def test_a_practitioner_without_a_portal_account_cannot_be_the_consultant(
    client, submitter, consultant, today
):
    no_account = PractitionerFactory()
    bundle = submission_bundle(
        consultant, service_request={"performer": [{"reference": f"Practitioner/{no_account.pk}"}]}
    )
    issues = refused(post(client, bundle, submitter[1]), 422)
    assert issues[0]["expression"] == ["Bundle.entry[1].resource.performer[0]"]
