"""Issuing and revoking client tokens in the admin: superusers only, the token shown once and
stored only as its hash."""

import re

import pytest
from django.urls import reverse

from fhir_api import rules
from fhir_api.models import ApiClient

ADD = "admin:fhir_api_apiclient_add"
CHANGELIST = "admin:fhir_api_apiclient_changelist"


def test_a_superuser_issues_a_token_shown_once_and_stored_as_its_hash(client, superuser):
    client.force_login(superuser)
    response = client.post(
        reverse(ADD),
        {
            "name": "Trust EPR",
            "contact": "epr@nhs.example",
            "can_read_directory": "on",
            "can_submit_referrals": "on",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    token = re.search(r'id="issued-token" type="text" readonly size="60" value="([^"]+)"', page).group(1)
    issued = ApiClient.objects.get()
    assert issued.token_hash == rules.token_hash(token)
    assert token not in str(ApiClient.objects.values_list())
    assert issued.scopes == ["directory.read", "referral.submit"]
    assert issued.issued_by == superuser
    change = client.get(reverse("admin:fhir_api_apiclient_change", args=[issued.pk])).content.decode()
    assert token not in change
    assert token[:6] in change  # the hint, to tell tokens apart


def test_a_superuser_revokes_a_token_with_the_action(client, superuser):
    from fhir_api import services

    issued, token = services.api_client_issue(
        name="Old system", contact="", can_read_directory=True, can_submit_referrals=False, by=superuser
    )
    client.force_login(superuser)
    client.post(reverse(CHANGELIST), {"action": "revoke", "_selected_action": [issued.pk]})
    issued.refresh_from_db()
    assert issued.revoked_by == superuser
    assert services.api_client_for_token(token) is None
    with pytest.raises(services.ClientError, match="already revoked"):
        services.api_client_revoke(client_id=issued.pk, by=superuser)


def test_the_mdt_office_cannot_issue_or_see_tokens(client, office_user):
    client.force_login(office_user)
    assert client.get(reverse(ADD)).status_code == 403
    assert client.get(reverse(CHANGELIST)).status_code == 403
    assert client.get(reverse("admin:fhir_api_apicall_changelist")).status_code == 403
