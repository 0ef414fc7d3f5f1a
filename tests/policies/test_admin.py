import pytest
from django.urls import reverse

from tests.factories import ApprovedPolicyDocumentFactory, DraftPolicyDocumentFactory

pytestmark = pytest.mark.django_db


def test_office_opens_policies_in_the_admin(client, office_user):
    approved = ApprovedPolicyDocumentFactory()
    draft = DraftPolicyDocumentFactory()
    client.force_login(office_user)
    assert client.get(reverse("admin:policies_policydocument_changelist")).status_code == 200
    assert client.get(reverse("admin:policies_policydocument_change", args=[draft.pk])).status_code == 200
    assert client.get(reverse("admin:policies_policydocument_change", args=[approved.pk])).status_code == 200
    assert client.get(reverse("admin:policies_policyreviewalert_changelist")).status_code == 200


def test_an_issued_version_cannot_be_edited_in_place_in_the_admin(client, office_user):
    approved = ApprovedPolicyDocumentFactory(title="Issued pathway")
    client.force_login(office_user)
    url = reverse("admin:policies_policydocument_change", args=[approved.pk])
    response = client.post(
        url,
        {
            "title": "Changed in place",
            "review_date": "2099-01-01",
            "owners": [office_user.pk],
            "outstanding_items-TOTAL_FORMS": "0",
            "outstanding_items-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302  # saved: owners may change, the issued content may not
    approved.refresh_from_db()
    assert list(approved.owners.all()) == [office_user]
    assert approved.title == "Issued pathway"
    assert str(approved.review_date) == "2027-11-01"


def test_versions_are_not_added_in_the_admin(client, office_user):
    client.force_login(office_user)
    assert client.get(reverse("admin:policies_policydocument_add")).status_code == 403
