"""ServiceRequest/$route: the routing decision without saving, the same as `route_referral`."""

import io
import json

import pytest
from django.core.management import call_command

from referrals.models import Patient, Referral

from .conftest import BASE, auth, validated

URL = f"{BASE}/ServiceRequest/$route"

CASES = [
    {"age": 40, "presentation": "confirmed", "tumour": "bone", "site": "spine"},
    {"age": 50, "presentation": "suspected", "tumour": "bone", "site": "spine", "skull_base": True},
    {"age": 12, "presentation": "suspected", "tumour": "soft_tissue", "site": "limb"},
    {"age": 19, "presentation": "confirmed", "tumour": "gist", "site": "abdomen", "clinically_urgent": True},
    {"age": 70, "presentation": "suspected", "tumour": "unknown", "site": "sacrum", "suspected_mscc": True},
]


def parameters(case: dict) -> dict:
    return {
        "resourceType": "Parameters",
        "parameter": [
            {
                "name": key,
                "valueInteger"
                if key == "age"
                else "valueBoolean"
                if isinstance(value, bool)
                else "valueCode": value,
            }
            for key, value in case.items()
        ],
    }


def command(case: dict, monkeypatch) -> dict:
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(case)))
    out = io.StringIO()
    call_command("route_referral", stdout=out)
    return json.loads(out.getvalue())


def folded(answer: dict) -> dict:
    """The Parameters answer back as route_referral's JSON (lists repeated, empty left out)."""
    decision: dict = {"refer_to": [], "reasons": [], "warnings": []}
    for parameter in answer["parameter"]:
        value = next(v for k, v in parameter.items() if k.startswith("value"))
        if parameter["name"] in decision and isinstance(decision[parameter["name"]], list):
            decision[parameter["name"]].append(value)
        else:
            decision[parameter["name"]] = value
    return decision


@pytest.mark.parametrize("case", CASES)
def test_route_gives_the_same_answer_as_the_command(client, directory, submitter, monkeypatch, case):
    response = client.post(
        URL, json.dumps(parameters(case)), content_type="application/fhir+json", **auth(submitter[1])
    )
    assert response.status_code == 200, response.content
    answer = validated(response)
    expected = {key: value for key, value in command(case, monkeypatch).items() if value is not None}
    assert folded(answer) == expected
    assert not Referral.objects.exists()
    assert not Patient.objects.exists()


def test_a_bad_parameter_is_named(client, directory, submitter):
    case = {"age": 40, "presentation": "confirmed", "tumour": "bone", "site": "moon"}
    response = client.post(
        URL, json.dumps(parameters(case)), content_type="application/fhir+json", **auth(submitter[1])
    )
    assert response.status_code == 400
    outcome = validated(response)
    assert outcome["issue"][0]["expression"] == ["Parameters.parameter[3]"]
    assert "site" in outcome["issue"][0]["diagnostics"]


def test_a_wrongly_typed_parameter_is_named(client, directory, submitter):
    body = {"resourceType": "Parameters", "parameter": [{"name": "age", "valueString": "forty"}]}
    response = client.post(URL, json.dumps(body), content_type="application/fhir+json", **auth(submitter[1]))
    assert response.status_code == 400
    assert validated(response)["issue"][0]["expression"] == ["Parameters.parameter[0]"]


def test_route_needs_the_referral_scope(client, directory, reader):
    body = json.dumps(parameters(CASES[0]))
    anonymous = client.post(URL, body, content_type="application/fhir+json")
    assert anonymous.status_code == 401
    assert validated(anonymous)["issue"][0]["code"] == "login"
    response = client.post(URL, body, content_type="application/fhir+json", **auth(reader[1]))
    assert response.status_code == 403
    assert validated(response)["issue"][0]["code"] == "forbidden"
