"""The contract of `python manage.py second_opinion_eligibility`: one JSON object in, one out;
bad input names the key on stderr and exits with 2."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

ROOT = Path(__file__).resolve().parent.parent.parent

VALID = {
    "current_service": "RMH",
    "standard_management": True,
    "requested_service": "LSS",
    "requested_by": "treating_sarcoma_clinician",
    "reason": "named_clinician",
    "named_clinician": "Dr Nia Named",
    "tumour": "soft_tissue",
}


def run(payload) -> dict:
    text = payload if isinstance(payload, str) else json.dumps(payload)
    out = io.StringIO()
    call_command("second_opinion_eligibility", stdin=io.StringIO(text), stdout=out)
    return json.loads(out.getvalue())


def refused(payload) -> CommandError:
    text = payload if isinstance(payload, str) else json.dumps(payload)
    with pytest.raises(CommandError) as caught:
        call_command("second_opinion_eligibility", stdin=io.StringIO(text), stdout=io.StringIO())
    assert caught.value.returncode == 2
    return caught.value


def test_prints_exactly_the_output_keys():
    answer = run(VALID)
    assert set(answer) == {"decision", "route", "redirect_to", "signpost", "reasons"}
    assert answer["decision"] == "accept"
    assert answer["route"] == "clinic"
    assert answer["redirect_to"] is None
    assert answer["signpost"] == ["sarcoma_uk_support_line"]
    assert all(r.startswith("LSESN second-opinion policy (SAG-approved): ") for r in answer["reasons"])


def test_named_clinician_is_optional():
    payload = {**VALID, "reason": "mdt_review"}
    del payload["named_clinician"]
    assert run(payload)["route"] == "mdt_review"


def test_named_clinician_may_be_null():
    assert run({**VALID, "named_clinician": None})["decision"] == "not_routinely_available"


def test_redirect_output():
    answer = run({**VALID, "requested_service": "RMH", "current_service": "other", "tumour": "bone"})
    assert (answer["decision"], answer["route"], answer["redirect_to"]) == ("redirect", None, "LSS")


def test_not_routinely_available_output_signposts_clinician_support_line_and_pals():
    answer = run({**VALID, "requested_by": "patient", "reason": "patient_choice"})
    assert answer["decision"] == "not_routinely_available"
    assert answer["route"] is None
    assert answer["signpost"] == ["sarcoma_uk_support_line", "ask_treating_clinician", "pals"]


@pytest.mark.parametrize("text", ["", "not json", '{"current_service": "RMH"', "{'a': 1}"])
def test_invalid_json_is_refused(text):
    assert "invalid JSON" in str(refused(text))


@pytest.mark.parametrize("payload", [[], [VALID], '"RMH"', 3, None, True])
def test_input_that_is_not_an_object_is_refused(payload):
    assert "expected one JSON object" in str(refused(payload))


@pytest.mark.parametrize(
    "key", ["current_service", "standard_management", "requested_service", "requested_by", "reason", "tumour"]
)
def test_missing_key_is_named(key):
    payload = {k: v for k, v in VALID.items() if k != key}
    message = str(refused(payload))
    assert key in message
    assert "missing" in message


def test_unknown_key_is_named():
    message = str(refused({**VALID, "nhs_number": "9990000018"}))
    assert "nhs_number" in message
    assert "unknown key" in message


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("current_service", 1),
        ("current_service", None),
        ("requested_service", ["LSS"]),
        ("requested_by", True),
        ("reason", {"x": 1}),
        ("tumour", 2.5),
        ("standard_management", "true"),
        ("standard_management", 1),
        ("standard_management", None),
        ("named_clinician", 42),
    ],
)
def test_wrong_type_is_named(key, value):
    message = str(refused({**VALID, key: value}))
    assert key in message
    assert "expected" in message


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("current_service", "UCLH"),
        ("current_service", "rmh"),
        ("requested_service", "other"),
        ("requested_service", "none"),
        ("requested_by", "nurse"),
        ("reason", "second_opinion"),
        ("tumour", "osteosarcoma"),
    ],
)
def test_unknown_value_is_named_with_the_allowed_values(key, value):
    message = str(refused({**VALID, key: value}))
    assert key in message
    assert repr(value) in message
    assert "expected one of" in message


def test_real_process_prints_one_json_object_and_exits_0():
    result = subprocess.run(
        [sys.executable, "manage.py", "second_opinion_eligibility"],
        input=json.dumps(VALID),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.test"},
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["decision"] == "accept"
    assert result.stdout.count("\n") <= 1


def test_real_process_names_the_bad_key_on_stderr_and_exits_2():
    result = subprocess.run(
        [sys.executable, "manage.py", "second_opinion_eligibility"],
        input=json.dumps({**VALID, "tumour": "osteosarcoma"}),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.test"},
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert "tumour" in result.stderr
    assert "osteosarcoma" in result.stderr
