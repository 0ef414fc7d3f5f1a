"""Sign-in protection behind a reverse proxy (issue 17 findings 7 and 10)."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from portal.sign_in import client_address
from tests.factories import UserFactory

PASSWORD = "correct-horse-battery"
PROXY = "10.0.0.5"


def sign_in(client, username, password=PASSWORD, *, forwarded_for=None, remote=PROXY):
    extra = {"REMOTE_ADDR": remote}
    if forwarded_for:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def test_behind_a_proxy_failures_elsewhere_do_not_lock_the_account_out(client, clinician, settings):
    """Guards issue 17 finding 7: behind a proxy every attempt came from the proxy's address, so
    five wrong passwords from anywhere locked the clinician out of their patients everywhere."""
    settings.PORTAL_TRUSTED_PROXY_COUNT = 1
    for _ in range(5):
        sign_in(client, "clinician1", "wrong-password", forwarded_for="203.0.113.9")
    assert sign_in(client, "clinician1", forwarded_for="203.0.113.9").status_code == 429
    assert sign_in(client, "clinician1", forwarded_for="198.51.100.7").status_code == 302


def test_without_trusted_proxies_a_forged_forwarded_header_does_not_dodge_the_lockout(
    client, clinician, settings
):
    settings.PORTAL_TRUSTED_PROXY_COUNT = 0
    for i in range(5):
        sign_in(client, "clinician1", "wrong-password", forwarded_for=f"198.51.100.{i}", remote="203.0.113.9")
    assert (
        sign_in(client, "clinician1", forwarded_for="198.51.100.99", remote="203.0.113.9").status_code == 429
    )


def test_one_address_spraying_many_accounts_is_throttled(client, db, settings):
    """Guards issue 17 finding 7: 24 attempts over 6 accounts (4 each, under the account lockout)
    were not slowed at all."""
    settings.PORTAL_TRUSTED_PROXY_COUNT = 1
    accounts = [UserFactory(username=f"staff{i}", role="Clinician").username for i in range(6)]
    answers = [
        sign_in(client, username, "Winter2026!", forwarded_for="203.0.113.9").status_code
        for _ in range(4)
        for username in accounts
    ]
    assert answers[: settings.PORTAL_SIGN_IN_ADDRESS_FAILURE_LIMIT] == [200] * 20
    assert set(answers[settings.PORTAL_SIGN_IN_ADDRESS_FAILURE_LIMIT :]) == {429}
    # The throttled address cannot sign in even with a right password; another address can.
    assert sign_in(client, accounts[0], forwarded_for="203.0.113.9").status_code == 429
    assert sign_in(client, accounts[0], forwarded_for="198.51.100.7").status_code == 302


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "198.51.100.7", PROXY),  # no trusted proxy: the header is anyone's to write
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "1.2.3.4, 198.51.100.7", "198.51.100.7"),  # the client's own entry is not believed
        (2, "1.2.3.4, 198.51.100.7, 10.0.0.4", "198.51.100.7"),
        (2, "198.51.100.7", PROXY),  # fewer entries than proxies: not through them all
        (1, "not-an-address", PROXY),
        (1, "", PROXY),
    ],
)
def test_the_client_address_is_read_through_the_trusted_proxies_only(settings, count, forwarded, expected):
    settings.PORTAL_TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected
