"""Passwords are stored with Argon2id at OWASP's minimum parameters (portal/hashers.py), and the
hashes made before are re-hashed at the owner's next sign-in. The test settings hash with MD5 for
speed; these tests put the production list back."""

import importlib
import os

import pytest
from django.contrib.auth.hashers import (
    Argon2PasswordHasher,
    PBKDF2PasswordHasher,
    check_password,
    make_password,
)
from django.urls import reverse

from tests.factories import UserFactory

PASSWORD = "a-long-enough-passphrase"
# OWASP Password Storage Cheat Sheet: "Use Argon2id with a minimum configuration of 19 MiB of
# memory, an iteration count of 2, and 1 degree of parallelism."
OWASP_MINIMUM = "argon2$argon2id$v=19$m=19456,t=2,p=1$"


@pytest.fixture
def production_hashers(settings):
    os.environ.setdefault("SECRET_KEY", "k" * 64)
    production = importlib.import_module("portal.settings.production")
    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS
    return production.PASSWORD_HASHERS


def test_production_stores_a_password_as_argon2id_at_owasps_minimum(production_hashers):
    encoded = make_password(PASSWORD)
    assert encoded.startswith(OWASP_MINIMUM)
    assert check_password(PASSWORD, encoded)
    assert not check_password(PASSWORD + "x", encoded)
    # A salt of its own each time: two hashes of one password differ.
    assert make_password(PASSWORD) != encoded


def test_production_still_verifies_the_hashes_made_before(production_hashers):
    """Accounts made before the change keep working: Django's PBKDF2 (its default until now) and
    Argon2 at Django's own parameters are still understood."""
    earlier = [
        PBKDF2PasswordHasher().encode(PASSWORD, "a1b2c3d4e5f6g7h8i9j0kl", iterations=1000),
        Argon2PasswordHasher().encode(PASSWORD, "a1b2c3d4e5f6g7h8i9j0kl"),
    ]
    for encoded in earlier:
        assert check_password(PASSWORD, encoded)
        assert not check_password("not-the-password", encoded)


@pytest.mark.parametrize(
    "earlier",
    [
        pytest.param(
            lambda: PBKDF2PasswordHasher().encode(PASSWORD, "saltsaltsaltsaltsalt22", 1000), id="pbkdf2"
        ),
        pytest.param(
            lambda: Argon2PasswordHasher().encode(PASSWORD, "saltsaltsaltsaltsalt22"), id="argon2-django"
        ),
    ],
)
def test_signing_in_re_hashes_an_earlier_hash_at_owasps_minimum(client, db, production_hashers, earlier):
    user = UserFactory(username="clinician1", role="Clinician")
    user.password = earlier()
    user.save(update_fields=["password"])
    response = client.post(reverse("login"), {"username": "clinician1", "password": PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith(OWASP_MINIMUM)
    assert user.check_password(PASSWORD)


def test_a_wrong_password_re_hashes_nothing(client, db, production_hashers):
    user = UserFactory(username="clinician1", role="Clinician")
    earlier = PBKDF2PasswordHasher().encode(PASSWORD, "saltsaltsaltsaltsalt22", 1000)
    user.password = earlier
    user.save(update_fields=["password"])
    response = client.post(reverse("login"), {"username": "clinician1", "password": "wrong-password"})
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.password == earlier
