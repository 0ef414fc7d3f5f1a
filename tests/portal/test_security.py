"""Sign-in protection, sessions, passwords, two factors, CSP, history and the access log."""

import time

import pytest
import time_machine
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.models import AccessLog
from portal.services import access_log_record

PASSWORD = "correct-horse-battery"


def sign_in(client, username, password=PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


# Lockout -----------------------------------------------------------------------------------------


def test_five_failed_sign_ins_lock_the_account_even_with_the_right_password(client, clinician):
    for _ in range(4):
        assert sign_in(client, "clinician1", "wrong-password").status_code == 200
    assert sign_in(client, "clinician1", "wrong-password").status_code == 429  # the fifth
    response = sign_in(client, "clinician1")
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302  # not signed in


def test_lockout_ends_after_the_cool_off(client, clinician):
    with time_machine.travel("2026-11-24 09:00", tick=False):
        for _ in range(5):
            sign_in(client, "clinician1", "wrong-password")
        assert sign_in(client, "clinician1").status_code == 429
    with time_machine.travel("2026-11-24 09:16", tick=False):
        assert sign_in(client, "clinician1").status_code == 302


# Sessions ----------------------------------------------------------------------------------------


def test_session_ends_after_30_minutes_idle(client, clinician):
    with time_machine.travel("2026-11-24 09:00", tick=False):
        sign_in(client, "clinician1")
        assert client.get(reverse("home")).status_code == 200
    with time_machine.travel("2026-11-24 09:29", tick=False):
        assert client.get(reverse("home")).status_code == 200
    with time_machine.travel("2026-11-24 10:00", tick=False):
        response = client.get(reverse("home"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_session_has_a_maximum_lifetime_whatever_the_activity(client, clinician, settings):
    start = time.mktime((2026, 11, 24, 8, 0, 0, 0, 0, -1))
    with time_machine.travel(start, tick=False):
        sign_in(client, "clinician1")
    for minutes in range(20, 10 * 60, 20):  # a request every 20 minutes for ten hours
        with time_machine.travel(start + minutes * 60, tick=False):
            assert client.get(reverse("home")).status_code == 200, minutes
    with time_machine.travel(start + 10 * 3600 + 60, tick=False):
        assert client.get(reverse("home")).status_code == 302


def test_changing_the_password_ends_other_sessions(client, clinician):
    from django.test import Client

    other = Client()
    other.force_login(clinician)
    sign_in(client, "clinician1")
    new = "a-much-longer-passphrase-2026"
    response = client.post(
        reverse("password_change"), {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200  # this session carries on
    assert other.get(reverse("home")).status_code == 302  # the other one has ended


# Passwords ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Short9!x", "at least 10 characters"),
        ("password123", "too common"),
        ("1234567890123", "entirely numeric"),
    ],
)
def test_weak_passwords_are_refused(password, message, clinician):
    with pytest.raises(ValidationError) as error:
        password_validation.validate_password(password, clinician)
    assert message in " ".join(error.value.messages)


def test_a_recent_password_cannot_be_reused(clinician):
    first = "first-long-passphrase-2026"
    clinician.set_password(first)
    clinician.save()
    clinician.set_password("second-long-passphrase-2026")
    clinician.save()
    with pytest.raises(ValidationError):
        password_validation.validate_password(first, clinician)
    password_validation.validate_password("third-long-passphrase-2026", clinician)


# Two factors -------------------------------------------------------------------------------------


def test_production_settings_enforce_two_factors():
    import importlib
    import os

    os.environ.setdefault("SECRET_KEY", "k" * 64)
    production = importlib.import_module("portal.settings.production")
    assert production.PORTAL_REQUIRE_2FA is True


@pytest.mark.parametrize("persona", ["office_user", "clinician", "sag_member", "superuser", "outsider"])
def test_every_role_must_set_up_two_factors(client, request, persona, settings):
    settings.PORTAL_REQUIRE_2FA = True
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("two_factor_setup"))
    assert client.get(reverse("admin:index")).url.startswith(reverse("two_factor_setup"))


@pytest.mark.parametrize("role", ["MDT office", "Clinician"])
def test_a_role_that_reads_patients_needs_two_factors_without_is_staff(client, db, role, settings):
    """Guards issue 17 finding 2: an MDT office member without is_staff (and every clinician) read
    patients with a password alone, because two factors followed is_staff, not the role."""
    from tests.factories import UserFactory

    settings.PORTAL_REQUIRE_2FA = True
    client.force_login(UserFactory(username="no-staff-flag", role=role, is_staff=False))
    response = client.get(reverse("referrals:patient_list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("two_factor_setup"))


def _secret(page) -> str:
    import re

    return re.search(r"<code>([A-Z2-7=]+)</code>", page.content.decode()).group(1)


def test_each_session_sets_up_its_own_secret_and_cannot_confirm_another(sag_member, settings):
    """Guards issue 17 finding 2: the set-up secret was one per account, so a second session
    (signed in with the password alone) saw the same secret and could enrol it."""
    import base64

    from django.test import Client

    settings.PORTAL_REQUIRE_2FA = True
    victim, attacker = Client(), Client()
    victim.force_login(sag_member)
    attacker.force_login(sag_member)
    victims_secret = _secret(victim.get(reverse("two_factor_setup")))
    attackers_secret = _secret(attacker.get(reverse("two_factor_setup")))
    assert victims_secret != attackers_secret
    assert _secret(victim.get(reverse("two_factor_setup"))) == victims_secret  # kept for the attempt
    code = f"{totp(base64.b32decode(victims_secret)):06d}"
    refused = attacker.post(reverse("two_factor_setup"), {"token": code})
    assert "That code is not right" in refused.content.decode()
    assert not TOTPDevice.objects.filter(user=sag_member, confirmed=True).exists()
    assert victim.post(reverse("two_factor_setup"), {"token": code, "next": "/"}).status_code == 302
    confirmed = TOTPDevice.objects.get(user=sag_member, confirmed=True)
    assert base64.b32encode(confirmed.bin_key).decode() == victims_secret
    assert not TOTPDevice.objects.filter(user=sag_member, confirmed=False).exists()
    # The attacker's session still has no second factor, and can only be sent to verify.
    assert attacker.get(reverse("home")).url.startswith(reverse("two_factor_verify"))


def test_two_factor_set_up_then_verify(client, sag_member, settings):
    settings.PORTAL_REQUIRE_2FA = True
    client.force_login(sag_member)
    page = client.get(reverse("two_factor_setup"))
    assert page.status_code == 200
    assert "data:image/svg+xml" in page.content.decode()
    device = TOTPDevice.objects.get(user=sag_member)
    right = f"{totp(device.bin_key):06d}"
    wrong = client.post(reverse("two_factor_setup"), {"token": "000000" if right != "000000" else "111111"})
    assert "That code is not right" in wrong.content.decode()
    device.refresh_from_db()
    assert device.confirmed is False
    # django-otp throttles after a failure: the next try is accepted once the back-off has passed.
    with time_machine.travel(time.time() + 30, tick=False):
        token = f"{totp(device.bin_key):06d}"
        assert client.post(reverse("two_factor_setup"), {"token": token, "next": "/"}).status_code == 302
    device.refresh_from_db()
    assert device.confirmed is True
    assert client.get(reverse("home")).status_code == 200
    # A new session must verify a fresh code.
    client.logout()
    client.force_login(sag_member)
    assert client.get(reverse("home")).url.startswith(reverse("two_factor_verify"))
    with time_machine.travel(time.time() + 90, tick=False):
        fresh = f"{totp(device.bin_key):06d}"
        assert client.post(reverse("two_factor_verify"), {"token": fresh}).status_code == 302
        assert client.get(reverse("home")).status_code == 200


def test_two_factor_next_url_cannot_leave_the_site(client, sag_member, settings):
    settings.PORTAL_REQUIRE_2FA = True
    client.force_login(sag_member)
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=sag_member)
    response = client.post(
        reverse("two_factor_setup"), {"token": f"{totp(device.bin_key):06d}", "next": "https://evil.example/"}
    )
    assert response.url == "/"


# Headers and history -----------------------------------------------------------------------------


def test_content_security_policy_allows_no_inline_script(client, db):
    header = client.get(reverse("login")).headers["Content-Security-Policy"]
    assert "script-src 'self'" in header
    assert "unsafe-inline" not in header
    assert "frame-ancestors 'none'" in header


def test_history_cannot_be_reverted_and_needs_the_history_permission(settings):
    assert settings.SIMPLE_HISTORY_REVERT_DISABLED is True
    assert settings.SIMPLE_HISTORY_ENFORCE_HISTORY_MODEL_PERMISSIONS is True


def test_office_reads_referral_history_in_the_admin(client, office_user):
    from tests.factories import ReceivedReferralFactory

    referral = ReceivedReferralFactory()
    client.force_login(office_user)
    url = reverse("admin:referrals_referral_history", args=[referral.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert "Revert" not in response.content.decode()


# Access log --------------------------------------------------------------------------------------


def test_access_log_records_each_patient_once_per_read(clinician):
    written = access_log_record(user=clinician, patient_ids=[3, 5, 3], action="list", page="/patients/")
    assert written == 2
    assert sorted(AccessLog.objects.values_list("patient_id", flat=True)) == [3, 5]


def test_access_log_is_read_only_in_the_admin_even_for_superusers(client, superuser, clinician):
    access_log_record(user=clinician, patient_ids=[7], action="read", page="/patients/7/")
    entry = AccessLog.objects.get()
    client.force_login(superuser)
    assert client.get(reverse("admin:portal_accesslog_changelist")).status_code == 200
    assert client.get(reverse("admin:portal_accesslog_add")).status_code == 403
    assert (
        client.post(reverse("admin:portal_accesslog_delete", args=[entry.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert AccessLog.objects.filter(pk=entry.pk).exists()


def test_access_log_is_hidden_from_the_office_without_the_lead_permission(client, office_user):
    client.force_login(office_user)
    assert client.get(reverse("admin:portal_accesslog_changelist")).status_code == 403


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_refuses_to_update_or_delete_the_access_log(clinician):
    access_log_record(user=clinician, patient_ids=[9], action="read", page="/patients/9/")
    for statement in ("UPDATE portal_accesslog SET patient_id = 10", "DELETE FROM portal_accesslog"):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
    assert list(AccessLog.objects.values_list("patient_id", flat=True)) == [9]
