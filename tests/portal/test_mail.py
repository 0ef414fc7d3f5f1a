"""Patient data in e-mail (issue 17 finding 6): production's e-mail backend and TLS, and
patient-identifiable e-mail only to the secure domains."""

import datetime
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail

from portal.mail import is_secure_address, one_line, patient_messages
from referrals import tasks
from referrals.models import ReferralEvent
from tests.conftest import on
from tests.factories import (
    HospitalNumberFactory,
    PatientFactory,
    ReceivedReferralFactory,
    RunningPathwayFactory,
    UserFactory,
)

ROOT = Path(__file__).resolve().parents[2]
SMTP = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE = "django.core.mail.backends.console.EmailBackend"


def production(tmp_path, *args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("EMAIL_", "PORTAL_", "SECRET_KEY"))}
    clean.update(
        DJANGO_SETTINGS_MODULE="portal.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="portal.example.nhs.uk",
        DATABASE_URL=f"sqlite:///{tmp_path / 'p.sqlite3'}",
        **env,
    )
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("backend", [CONSOLE, "django.core.mail.backends.filebased.EmailBackend"])
def test_production_refuses_a_console_or_file_backend(tmp_path, backend):
    """Guards issue 17 finding 6: production printed every e-mail, patient names and NHS numbers
    included, to the server's log."""
    result = production(tmp_path, "manage.py", "check", "--deploy", EMAIL_BACKEND=backend)
    assert result.returncode != 0
    assert "portal.E001" in result.stderr
    refused = production(tmp_path, "-c", "import portal.wsgi", EMAIL_BACKEND=backend)
    assert refused.returncode != 0
    assert "portal.E001" in refused.stderr


def test_production_takes_a_console_backend_when_told_explicitly(tmp_path):
    result = production(
        tmp_path, "manage.py", "check", EMAIL_BACKEND=CONSOLE, PORTAL_EMAIL_LOCAL_BACKEND_ALLOWED="true"
    )
    assert result.returncode == 0, result.stderr


def test_production_sends_by_smtp_with_tls_by_default(tmp_path):
    code = "from django.conf import settings; print(settings.EMAIL_BACKEND, settings.EMAIL_USE_TLS)"
    result = production(tmp_path, "manage.py", "shell", "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == f"{SMTP} True"


def test_production_warns_of_smtp_without_tls(tmp_path):
    result = production(
        tmp_path, "manage.py", "check", "--deploy", "--fail-level", "WARNING", EMAIL_USE_TLS="false"
    )
    assert result.returncode != 0
    assert "portal.W001" in result.stderr


@pytest.mark.parametrize(
    ("address", "secure"),
    [
        ("jane.onc@nhs.net", True),
        ("Jane Onc <JANE.ONC@NHS.NET>", True),
        ("jane@gmail.com", False),
        ("jane@mail.nhs.net", False),  # a subdomain is another organisation's mail
        ("jane@nhs.net.evil.example", False),
        ("nhs.net", False),
        ("", False),
    ],
)
def test_only_the_listed_domains_are_secure(settings, address, secure):
    settings.PORTAL_SECURE_EMAIL_DOMAINS = ["nhs.net"]
    assert is_secure_address(address) is secure


def test_each_group_of_recipients_gets_its_own_message(settings):
    settings.PORTAL_SECURE_EMAIL_DOMAINS = ["nhs.net"]
    messages = patient_messages(
        subject="Case list\r\nBcc: x@evil.example",
        identifiable_body="Alice Arden 943 476 5919",
        link_only_body="Referral 7: https://portal/x",
        to=["a@nhs.net", "b@trust.nhs.uk", "c@nhs.net"],
    )
    assert [(m.to, m.body) for m in messages] == [
        (["a@nhs.net", "c@nhs.net"], "Alice Arden 943 476 5919"),
        (["b@trust.nhs.uk"], "Referral 7: https://portal/x"),
    ]
    assert messages[0].subject == "Case list Bcc: x@evil.example"


def test_one_line_removes_every_control_character():
    assert one_line("Line1\nLine2\r\n\tEnd\u2028x\x00") == "Line1 Line2 End x"


def _alerted(settings, email: str) -> str:
    """The pathway alert sweep (waiting_times, which replaced the referral sweep) for a clock at
    risk, with the responsible consultant at `email`."""
    from waiting_times import tasks as waiting_times_tasks

    settings.PORTAL_SECURE_EMAIL_DOMAINS = ["nhs.net"]
    consultant = UserFactory(username="consultant", role="Clinician", email=email)
    patient = PatientFactory(given_name="Alice", family_name="Arden", nhs_number="9434765919")
    HospitalNumberFactory(patient=patient, number="RM555")
    pathway = RunningPathwayFactory(
        referral__patient=patient,
        referral__received_on=datetime.date(2026, 11, 2),
        referral__responsible_consultant=consultant,
    )
    with on(datetime.date(2026, 11, 24)):
        waiting_times_tasks.send_pathway_alerts.delay().get()
    (message,) = [m for m in mail.outbox if email in m.to]
    assert f"pathway {pathway.pk}" in message.body
    return message.body


def test_an_alert_outside_the_secure_domains_carries_the_referral_number_and_a_link_only(db, settings):
    """Guards issue 17 finding 6: alerts named the patient (initials, hospital number) to any address."""
    body = _alerted(settings, "consultant@trust.example.org")
    assert "RM555" not in body
    assert "AA" not in body
    assert "Arden" not in body
    assert "/ptl/pathways/" in body  # the link, to the pathway the alert is about


def test_an_alert_to_nhsmail_identifies_the_patient(db, settings):
    body = _alerted(settings, "consultant@nhs.net")
    assert "AA" in body
    assert "RM555" in body


def test_a_digest_outside_the_secure_domains_names_referrals_by_number(db, settings):
    settings.PORTAL_SECURE_EMAIL_DOMAINS = ["nhs.net"]
    clinician = UserFactory(username="digest", role="Clinician", email="digest@trust.example.org")
    patient = PatientFactory(given_name="Alice", family_name="Arden")
    HospitalNumberFactory(patient=patient, number="RM555")
    referral = ReceivedReferralFactory(
        patient=patient, received_on=datetime.date(2026, 11, 20), responsible_consultant=clinician
    )
    with on(datetime.date(2026, 11, 20)):
        ReferralEvent.objects.create(referral=referral, actor=clinician, from_status="", to_status="received")
    with on(datetime.date(2026, 11, 23)):
        tasks.send_weekly_digests.delay().get()
    (message,) = mail.outbox
    assert f"referral {referral.pk}:" in message.body
    assert "RM555" not in message.body
    assert "AA," not in message.body
