"""Fixtures of the FHIR API tests: clients with tokens per scope, a consultant in the directory
with a portal account, and a submission as a referring system would send it."""

import json

import pytest
from fhir.resources.R4B import get_fhir_model_class

from directory.models import Organisation
from fhir_api import services
from fhir_api.profiles import NHS_NUMBER_SYSTEM, ODS_SYSTEM, code_system, extension_url
from tests.factories import PractitionerFactory

BASE = "/fhir/r4"


def validated(response) -> dict:
    """The response's body, validated by the fhir.resources R4B model of its resourceType."""
    assert response["Content-Type"].startswith("application/fhir+json")
    body = json.loads(response.content)
    model = get_fhir_model_class(body["resourceType"])
    model.model_validate(body)
    return body


@pytest.fixture
def reader(db, superuser):
    client, token = services.api_client_issue(
        name="Trust directory reader",
        contact="",
        can_read_directory=True,
        can_submit_referrals=False,
        by=superuser,
    )
    return client, token


@pytest.fixture
def submitter(db, superuser):
    client, token = services.api_client_issue(
        name="RNOH EPR",
        contact="epr@nhs.example",
        can_read_directory=True,
        can_submit_referrals=True,
        by=superuser,
    )
    return client, token


def auth(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def consultant(directory, clinician):
    """clinician1 as a directory practitioner (the form's responsible consultant and key worker)."""
    return PractitionerFactory(
        name="Dr Clare Consultant", user=clinician, organisation=Organisation.objects.get(ods_code="RRV")
    )


def submission_bundle(consultant, **overrides) -> dict:
    """The intake test's referral (tests/referrals/test_views.py intake_data) as a transaction
    Bundle: a suspected bone tumour of the spine with skull-base involvement."""
    patient = {
        "resourceType": "Patient",
        "identifier": [{"system": NHS_NUMBER_SYSTEM, "value": "9434765919"}],
        "name": [{"use": "official", "family": "Arden", "given": ["Alice"]}],
        "gender": "female",
        "birthDate": "1968-04-12",
        **overrides.pop("patient", {}),
    }
    service_request = {
        "resourceType": "ServiceRequest",
        "status": "active",
        "intent": "order",
        "subject": {"reference": "urn:uuid:7f7d3c52-5c8e-4a55-9d0a-2a1f0c0d1e01"},
        "authoredOn": "2026-11-02",
        "performer": [{"reference": f"Practitioner/{consultant.pk}"}],
        "orderDetail": [
            {"coding": [{"system": code_system("presentation"), "code": "suspected"}]},
            {"coding": [{"system": code_system("tumour-type"), "code": "bone"}]},
            {"coding": [{"system": code_system("site"), "code": "spine"}]},
            {"coding": [{"system": code_system("referral-flag"), "code": "skull_base"}]},
        ],
        **overrides.pop("service_request", {}),
    }
    return {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": "urn:uuid:7f7d3c52-5c8e-4a55-9d0a-2a1f0c0d1e01",
                "resource": patient,
                "request": {"method": "POST", "url": "Patient"},
            },
            {"resource": service_request, "request": {"method": "POST", "url": "ServiceRequest"}},
        ],
    }


__all__ = [
    "BASE",
    "NHS_NUMBER_SYSTEM",
    "ODS_SYSTEM",
    "auth",
    "extension_url",
    "submission_bundle",
    "validated",
]
