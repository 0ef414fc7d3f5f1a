"""The `route_referral` command's contract: one JSON object in, one out; errors exit 2."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from directory.models import Capability, Service

ROOT = Path(__file__).resolve().parents[2]


def route(payload, monkeypatch) -> dict:
    monkeypatch.setattr(
        "sys.stdin", io.StringIO(payload if isinstance(payload, str) else json.dumps(payload))
    )
    out = io.StringIO()
    call_command("route_referral", stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.django_db
def test_spinal_bone_case(monkeypatch):
    result = route({"age": 40, "presentation": "confirmed", "tumour": "bone", "site": "spine"}, monkeypatch)
    assert result["pathway"] == "spinal"
    assert result["refer_to"] == ["RNOH"]
    assert result["surgery_at"] == "RNOH"
    assert result["radiotherapy_at"] == "UCLH"
    assert result["mdt"] == "LSS"
    assert result["mdt_before_treatment"] is True
    assert result["specialist_pathology_review"] is True
    assert result["urgent"] is False
    assert all(isinstance(r, str) for r in result["reasons"])


@pytest.mark.django_db
def test_booleans_default_to_false(monkeypatch):
    result = route({"age": 30, "presentation": "suspected", "tumour": "gist", "site": "abdomen"}, monkeypatch)
    assert result["urgent"] is False
    assert result["refer_to"] == ["LSS", "RMH"]


@pytest.mark.django_db
def test_the_command_reads_capabilities_from_the_directory(monkeypatch):
    uclh = Service.objects.create(code="UCLH", name="UCLH")
    uclh.capabilities.add(Capability.objects.create(code="spinal_surgery"))
    result = route(
        {"age": 40, "presentation": "confirmed", "tumour": "soft_tissue", "site": "spine"}, monkeypatch
    )
    assert result["refer_to"] == ["UCLH"]


@pytest.mark.parametrize(
    ("payload", "key"),
    [
        ({"presentation": "suspected", "tumour": "bone", "site": "spine"}, "age"),
        ({"age": 40, "tumour": "bone", "site": "spine"}, "presentation"),
        ({"age": 40, "presentation": "suspected", "tumour": "bone", "site": "spine", "colour": 1}, "colour"),
        ({"age": "forty", "presentation": "suspected", "tumour": "bone", "site": "spine"}, "age"),
        ({"age": True, "presentation": "suspected", "tumour": "bone", "site": "spine"}, "age"),
        ({"age": -1, "presentation": "suspected", "tumour": "bone", "site": "spine"}, "age"),
        ({"age": 40, "presentation": "maybe", "tumour": "bone", "site": "spine"}, "presentation"),
        ({"age": 40, "presentation": "suspected", "tumour": "cartilage", "site": "spine"}, "tumour"),
        ({"age": 40, "presentation": "suspected", "tumour": "bone", "site": "knee"}, "site"),
        (
            {"age": 40, "presentation": "suspected", "tumour": "bone", "site": "spine", "skull_base": "yes"},
            "skull_base",
        ),
    ],
)
@pytest.mark.django_db
def test_bad_input_names_the_key_and_exits_2(payload, key, monkeypatch):
    with pytest.raises(CommandError) as error:
        route(payload, monkeypatch)
    assert error.value.returncode == 2
    assert f"'{key}'" in str(error.value)


@pytest.mark.parametrize("raw", ["not json", "[1, 2]", ""])
@pytest.mark.django_db
def test_non_object_input_is_refused(raw, monkeypatch):
    with pytest.raises(CommandError) as error:
        route(raw, monkeypatch)
    assert error.value.returncode == 2


def test_the_command_as_a_process_prints_json_and_exits_2_on_error(tmp_path):
    env = {
        "DJANGO_SETTINGS_MODULE": "portal.settings.local",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
    }
    env = {**os.environ, **env}
    ok = subprocess.run(
        [sys.executable, "manage.py", "route_referral"],
        input='{"age": 15, "presentation": "suspected", "tumour": "bone", "site": "limb"}',
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["pathway"] == "children"
    bad = subprocess.run(
        [sys.executable, "manage.py", "route_referral"],
        input='{"age": 15}', cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert bad.returncode == 2
    assert "missing key 'presentation'" in bad.stderr
    assert bad.stdout == ""
