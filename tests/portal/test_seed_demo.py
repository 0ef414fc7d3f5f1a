import io

import nhs_number
import pytest
from django.apps import apps
from django.core.management import call_command

from directory.models import KeyContact, Organisation, Practitioner, Service
from policies.models import PolicyDocument
from referrals.models import Patient

pytestmark = pytest.mark.django_db


def _snapshot() -> dict:
    counts = {}
    for model in apps.get_models():
        if model._meta.app_label in {
            "portal",
            "directory",
            "policies",
            "referrals",
            "second_opinions",
            "auth",
        }:
            counts[model._meta.label] = model.objects.count()
    return counts


def _seed(**kwargs) -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **kwargs)
    return out.getvalue()


def test_seed_demo_twice_changes_nothing():
    _seed(password="demo-password-1")
    first = _snapshot()
    passwords = dict(apps.get_model("portal", "User").objects.values_list("username", "password"))
    output = _seed(password="demo-password-1")
    assert _snapshot() == first
    assert dict(apps.get_model("portal", "User").objects.values_list("username", "password")) == passwords
    assert "existing passwords kept" in output


def test_seed_demo_generates_and_prints_a_password_when_none_given(monkeypatch, django_user_model):
    monkeypatch.delenv("PORTAL_DEMO_PASSWORD", raising=False)
    output = _seed()
    line = next(line for line in output.splitlines() if line.startswith("Password"))
    password = line.rsplit(": ", 1)[1]
    assert len(password) >= 12
    assert django_user_model.objects.get(username="office").check_password(password)


def test_seed_demo_reads_the_password_from_the_environment(monkeypatch, django_user_model):
    monkeypatch.setenv("PORTAL_DEMO_PASSWORD", "from-the-environment")
    _seed()
    assert django_user_model.objects.get(username="sag").check_password("from-the-environment")


def test_seed_demo_creates_the_accounts_with_their_roles(django_user_model):
    _seed(password="demo-password-1")
    roles = {
        user.username: (sorted(user.role_names), user.is_staff, user.is_superuser)
        for user in django_user_model.objects.all()
    }
    assert roles == {
        "office": (["MDT office"], True, False),
        "clinician1": (["Clinician"], False, False),
        "clinician2": (["Clinician"], False, False),
        "sag": (["SAG member"], False, False),
        "admin": ([], True, True),
    }


def test_demo_clinicians_have_disjoint_synthetic_patients(django_user_model):
    _seed(password="demo-password-1")
    c1 = django_user_model.objects.get(username="clinician1")
    c2 = django_user_model.objects.get(username="clinician2")
    mine = set(Patient.objects.visible_to(c1).values_list("pk", flat=True))
    theirs = set(Patient.objects.visible_to(c2).values_list("pk", flat=True))
    assert mine
    assert theirs
    assert not mine & theirs
    for number in Patient.objects.values_list("nhs_number", flat=True):
        assert number.startswith("999")
        assert nhs_number.is_valid(number)


def test_seed_demo_loads_the_spinal_pathway_reference_data():
    _seed(password="demo-password-1")
    assert set(Organisation.objects.values_list("ods_code", flat=True)) >= {"RAN", "RRV", "RPY"}
    nhnn = Organisation.objects.get(name__startswith="National Hospital for Neurology")
    assert nhnn.parent.ods_code == "RRV"
    assert set(Service.objects.values_list("code", flat=True)) == {"LSS", "RMH", "RNOH", "UCLH", "NHNN"}
    lss = Service.objects.get(code="LSS")
    assert set(lss.organisations.values_list("ods_code", flat=True)) == {"RRV", "RAN"}
    designated = Practitioner.objects.filter(designation_scope="spinal_surgery")
    assert set(designated.values_list("name", flat=True)) == {"David Choi", "Antonino Russo", "Parag Sayal"}
    # Kept exactly as the document gives it, inconsistency included, for the SAG to see.
    assert KeyContact.objects.get(label="Nick Hayden").email == "nicholashaden@nhs.net"
    assert KeyContact.objects.get(label="MDT Office").phone_numbers == "020 8909 5600/5111/5603"
    pathway = PolicyDocument.objects.get(title__startswith="LSESN Pathway for spinal sarcomas")
    assert (pathway.version_number, str(pathway.approval_date)) == ("2", "2024-03-22")


def test_seed_demo_leaves_one_pending_directory_change_for_the_sag():
    from directory.models import ChangeRequest

    _seed(password="demo-password-1")
    _seed(password="demo-password-1")
    pending = ChangeRequest.objects.get(status="pending")
    # Issue 16: the signposting contacts come in through approved requests too (four, once); and
    # issue 20: the two MDT offices' contacts every letter gives (letters/seed.py), once.
    assert ChangeRequest.objects.filter(status="applied", target_type="key_contact").count() == 6
    # Issue 20: the demo services' postal addresses, in the directory through approved requests
    # (three, once), never by a migration.
    addressed = ChangeRequest.objects.filter(status="applied", target_type="service")
    assert sorted(addressed.values_list("service__code", flat=True)) == ["LSS", "RMH", "RNOH"]
    assert all(Service.objects.get(code=code).postal_address for code in ("LSS", "RMH", "RNOH"))
    assert pending.proposed_by.username == "office"
    assert "7946 0" in pending.proposed_values["phone_numbers"]  # Ofcom's drama range
