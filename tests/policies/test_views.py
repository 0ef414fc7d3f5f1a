import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from policies.models import PolicyDocument
from policies.seed import SPINAL_PATHWAY_TITLE, load_reference_data
from tests.factories import (
    ApprovedPolicyDocumentFactory,
    AwaitingApprovalPolicyDocumentFactory,
    CirculationGroupFactory,
    DraftPolicyDocumentFactory,
    OpenOutstandingItemFactory,
    SupersededPolicyDocumentFactory,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2026, 11, 24, 10, 0, tzinfo=datetime.UTC)
LIST = reverse("policies:list")


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(TODAY, tick=False):
        yield


def content(response) -> str:
    return response.content.decode()


# The policies page ------------------------------------------------------------------------------


def test_the_seeded_spinal_pathway_shows_as_overdue_on_the_public_policies_page(client):
    load_reference_data()
    page = content(client.get(LIST))
    assert SPINAL_PATHWAY_TITLE in page
    assert '<span class="nhsuk-tag rag-red">Overdue for review</span>' in page
    assert "01/03/2026" in page


def test_public_sees_only_approved_versions(client):
    approved = ApprovedPolicyDocumentFactory(title="Approved pathway")
    DraftPolicyDocumentFactory(title="Secret draft")
    SupersededPolicyDocumentFactory(title="Old pathway", version_number="0", series=approved.series)
    page = content(client.get(LIST))
    assert "Approved pathway" in page
    assert "Secret draft" not in page
    assert "Old pathway" not in page
    assert 'name="status"' not in page


def test_clinicians_see_the_public_list(client, clinician):
    DraftPolicyDocumentFactory(title="Secret draft")
    client.force_login(clinician)
    assert "Secret draft" not in content(client.get(LIST))


def test_staff_see_every_status_and_can_filter_by_status(client, office_user):
    ApprovedPolicyDocumentFactory(title="Approved pathway")
    DraftPolicyDocumentFactory(title="A draft pathway")
    client.force_login(office_user)
    page = content(client.get(LIST))
    assert "Approved pathway" in page
    assert "A draft pathway" in page
    page = content(client.get(LIST, {"status": "draft"}))
    assert "A draft pathway" in page
    assert "Approved pathway" not in page


def test_filter_by_review_status_and_search_by_title(client):
    ApprovedPolicyDocumentFactory(title="Overdue pathway", review_date=datetime.date(2026, 11, 1))
    ApprovedPolicyDocumentFactory(title="Soon pathway", review_date=datetime.date(2027, 2, 22))  # 90 days
    ApprovedPolicyDocumentFactory(title="Later pathway", review_date=datetime.date(2027, 2, 23))
    amber = content(client.get(LIST, {"rag": "amber"}))
    assert "Soon pathway" in amber
    assert "Review due soon" in amber
    assert "Overdue pathway" not in amber
    assert "Later pathway" not in amber
    green = content(client.get(LIST, {"rag": "green"}))
    assert "Later pathway" in green
    assert "In date" in green
    assert "Soon pathway" not in green
    red = content(client.get(LIST, {"rag": "red"}))
    assert "Overdue pathway" in red
    assert "Soon pathway" not in red
    found = content(client.get(LIST, {"q": "later"}))
    assert "Later pathway" in found
    assert "Soon pathway" not in found


def test_a_bad_filter_value_is_ignored_not_a_500(client):
    ApprovedPolicyDocumentFactory(title="Approved pathway")
    response = client.get(LIST, {"rag": "purple"})
    assert response.status_code == 200
    assert "Select a valid choice" in content(response)


# The detail page -------------------------------------------------------------------------------


def test_detail_shows_the_document_control_summary_and_every_published_version(client):
    old = SupersededPolicyDocumentFactory(title="Spinal pathway", version_number="1")
    current = ApprovedPolicyDocumentFactory(title="Spinal pathway", version_number="2", series=old.series)
    DraftPolicyDocumentFactory(title="Spinal pathway", version_number="2.1", series=old.series)
    page = content(client.get(current.get_absolute_url()))
    assert "Document control summary" in page
    assert "Date of review" in page
    assert "01/11/2027" in page
    assert "(the current version)" in page
    assert reverse("policies:detail", args=[old.pk]) in page
    assert "2.1" not in page


def test_staff_see_drafts_in_the_version_history(client, office_user):
    current = ApprovedPolicyDocumentFactory(version_number="2")
    draft = DraftPolicyDocumentFactory(series=current.series, version_number="2.1")
    client.force_login(office_user)
    page = content(client.get(current.get_absolute_url()))
    assert reverse("policies:detail", args=[draft.pk]) in page


@pytest.mark.parametrize("factory", [DraftPolicyDocumentFactory, AwaitingApprovalPolicyDocumentFactory])
def test_unpublished_versions_are_404_to_the_public(client, clinician, factory):
    document = factory()
    assert client.get(document.get_absolute_url()).status_code == 404
    client.force_login(clinician)
    assert client.get(document.get_absolute_url()).status_code == 404


def test_an_attached_pdf_is_served_to_those_who_may_see_the_version(client, office_user):
    document = DraftPolicyDocumentFactory(
        document_file=SimpleUploadedFile("p.pdf", b"%PDF-1.7 test", content_type="application/pdf")
    )
    url = reverse("policies:file", args=[document.pk])
    assert client.get(url).status_code == 404
    client.force_login(office_user)
    response = client.get(url)
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_an_approved_policys_public_page_shows_the_document_and_a_download(client):
    """Issue 19, item 10: the page shows the PDF itself (framed from this site only) and a
    download, not only the document-control summary."""
    document = ApprovedPolicyDocumentFactory(
        document_file=SimpleUploadedFile("p.pdf", b"%PDF-1.7 test", content_type="application/pdf")
    )
    file_url = reverse("policies:file", args=[document.pk])
    response = client.get(document.get_absolute_url())
    html = response.content.decode()
    assert f'<iframe class="policy-document" src="{file_url}" title="{document.title}' in html
    assert f'href="{file_url}?download=1" download>Download {document.title}' in html
    assert "frame-src 'self'" in response["Content-Security-Policy"]
    assert "object-src 'none'" in response["Content-Security-Policy"]
    shown = client.get(file_url)
    assert shown["Content-Disposition"].startswith("inline;")
    assert shown["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in shown["Content-Security-Policy"]
    downloaded = client.get(f"{file_url}?download=1")
    assert downloaded["Content-Disposition"].startswith("attachment;")


def test_no_other_page_may_frame_anything(client):
    policy = {d.split(" ", 1)[0]: d for d in client.get(LIST)["Content-Security-Policy"].split("; ")}
    assert policy["frame-src"] == "frame-src 'none'"
    assert policy["frame-ancestors"] == "frame-ancestors 'none'"


# Drafting, submitting, approving ---------------------------------------------------------------


def test_office_drafts_a_new_policy_through_the_form(client, office_user):
    client.force_login(office_user)
    assert client.get(reverse("policies:create")).status_code == 200
    response = client.post(
        reverse("policies:create"),
        {
            "title": "LSESN GIST pathway",
            "version_number": "0.1",
            "review_date": "2028-11-01",
            "circulation": [CirculationGroupFactory().pk],
            "outstanding_items": "Agree the surgical sites\n",
            "owners": [office_user.pk],
        },
    )
    document = PolicyDocument.objects.get(title="LSESN GIST pathway")
    assert response.status_code == 302
    assert response.url == document.get_absolute_url()
    assert document.status == "draft"
    assert document.outstanding_items.count() == 1


def test_a_new_version_numbered_backwards_is_refused_with_a_message_on_the_field(client, office_user):
    current = ApprovedPolicyDocumentFactory(version_number="2")
    DraftPolicyDocumentFactory(series=current.series, version_number="2.10")
    client.force_login(office_user)
    url = reverse("policies:new_version", args=[current.pk])
    assert 'value="2.11"' in content(client.get(url))
    response = client.post(
        url, {"title": current.title, "version_number": "2.9", "circulation": [CirculationGroupFactory().pk]}
    )
    assert response.status_code == 200
    assert "cannot go backwards: 2.9 is not later than 2.10" in content(response)
    assert current.series.versions.count() == 2


def test_a_non_pdf_upload_is_refused(client, office_user):
    CirculationGroupFactory()
    client.force_login(office_user)
    response = client.post(
        reverse("policies:create"),
        {
            "title": "LSESN GIST pathway",
            "version_number": "0.1",
            "document_file": SimpleUploadedFile("x.exe", b"MZ", content_type="application/octet-stream"),
        },
    )
    assert response.status_code == 200
    page = content(response)
    assert "File extension “exe” is not allowed" in page
    assert "Choose at least one group to circulate it to" in page
    assert not PolicyDocument.objects.exists()


def test_clinicians_and_sag_cannot_draft(client, clinician, sag_member):
    for user in (clinician, sag_member):
        client.force_login(user)
        assert client.get(reverse("policies:create")).status_code == 403


def test_office_submits_a_draft(client, office_user):
    draft = DraftPolicyDocumentFactory()
    client.force_login(office_user)
    client.post(reverse("policies:submit", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.status == "awaiting_approval"


def test_sag_member_approves_from_the_portal(client, sag_member):
    previous = ApprovedPolicyDocumentFactory(version_number="2")
    document = AwaitingApprovalPolicyDocumentFactory(series=previous.series, version_number="2.1")
    client.force_login(sag_member)
    assert "Approve this version" in content(client.get(document.get_absolute_url()))
    url = reverse("policies:approve", args=[document.pk])
    assert 'value="3"' in content(client.get(url))
    response = client.post(
        url,
        {
            "version_number": "3",
            "approved_by": "LSESN SAG",
            "approval_date": "2026-11-24",
            "review_date": "2028-11-01",
        },
    )
    assert response.status_code == 302
    document.refresh_from_db()
    previous.refresh_from_db()
    assert (document.status, document.version_number, document.approver) == ("approved", "3", sag_member)
    assert previous.status == "superseded"


def test_approval_with_review_before_approval_is_refused_on_the_page(client, sag_member):
    document = AwaitingApprovalPolicyDocumentFactory()
    client.force_login(sag_member)
    response = client.post(
        reverse("policies:approve", args=[document.pk]),
        {
            "version_number": "1",
            "approved_by": "LSESN SAG",
            "approval_date": "2026-11-24",
            "review_date": "2026-11-01",
        },
    )
    assert response.status_code == 200
    assert "cannot be before the approval date" in content(response)
    document.refresh_from_db()
    assert document.status == "awaiting_approval"


def test_approval_with_open_items_is_refused_on_the_page(client, sag_member):
    item = OpenOutstandingItemFactory(description="Agree the RT contact")
    client.force_login(sag_member)
    url = reverse("policies:approve", args=[item.document.pk])
    assert "Agree the RT contact" in content(client.get(url))
    response = client.post(
        url,
        {
            "version_number": "1",
            "approved_by": "SAG",
            "approval_date": "2026-11-24",
            "review_date": "2028-11-01",
        },
    )
    assert "open outstanding item" in content(response)
    assert PolicyDocument.objects.get(pk=item.document.pk).status == "awaiting_approval"


@pytest.mark.parametrize("persona", ["office_user", "clinician", "superuser"])
def test_only_sag_members_may_open_the_approval_page(client, persona, request):
    document = AwaitingApprovalPolicyDocumentFactory()
    client.force_login(request.getfixturevalue(persona))
    url = reverse("policies:approve", args=[document.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"version_number": "1"}).status_code == 403
    document.refresh_from_db()
    assert document.status == "awaiting_approval"


def test_anonymous_approval_is_sent_to_sign_in(client):
    document = AwaitingApprovalPolicyDocumentFactory()
    response = client.post(reverse("policies:approve", args=[document.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_outstanding_items_are_added_and_closed_in_the_portal(client, office_user):
    draft = DraftPolicyDocumentFactory()
    client.force_login(office_user)
    client.post(reverse("policies:item_add", args=[draft.pk]), {"description": "Check contacts"})
    item = draft.outstanding_items.get()
    assert item.is_open
    client.post(reverse("policies:item_close", args=[item.pk]))
    item.refresh_from_db()
    assert not item.is_open
    assert item.closed_by == office_user


def test_clinicians_cannot_close_outstanding_items(client, clinician):
    item = OpenOutstandingItemFactory()
    client.force_login(clinician)
    assert client.post(reverse("policies:item_close", args=[item.pk])).status_code == 404
    item.refresh_from_db()
    assert item.is_open


# The SAG member's home -------------------------------------------------------------------------


def test_sag_home_shows_versions_awaiting_approval_and_the_overdue_spinal_pathway(client, sag_member):
    load_reference_data()
    awaiting = AwaitingApprovalPolicyDocumentFactory(title="LSESN GIST pathway", version_number="0.2")
    ApprovedPolicyDocumentFactory(title="In-date pathway")
    client.force_login(sag_member)
    page = content(client.get(reverse("home")))
    assert "LSESN GIST pathway, draft 0.2" in page
    assert awaiting.get_absolute_url() in page
    assert f"{SPINAL_PATHWAY_TITLE}, version 2" in page
    assert "Overdue for review</span> since 01/03/2026" in page
    assert "In-date pathway" not in page


def test_other_roles_do_not_get_the_sag_policy_panel(client, office_user):
    AwaitingApprovalPolicyDocumentFactory(title="LSESN GIST pathway")
    client.force_login(office_user)
    assert "LSESN GIST pathway" not in content(client.get(reverse("home")))


def test_office_withdraws_a_version_and_the_public_no_longer_sees_it(client, office_user):
    document = ApprovedPolicyDocumentFactory(title="Withdrawn pathway")
    client.force_login(office_user)
    response = client.post(reverse("policies:withdraw", args=[document.pk]))
    assert response.status_code == 302
    client.logout()
    assert "Withdrawn pathway" not in content(client.get(LIST))
    assert client.get(document.get_absolute_url()).status_code == 404


def test_a_sag_member_cannot_submit_drafts(client, sag_member):
    draft = DraftPolicyDocumentFactory()
    client.force_login(sag_member)
    assert client.post(reverse("policies:submit", args=[draft.pk])).status_code == 403
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_submitting_twice_says_another_user_got_there_first(client, office_user):
    draft = AwaitingApprovalPolicyDocumentFactory()
    client.force_login(office_user)
    response = client.post(reverse("policies:submit", args=[draft.pk]), follow=True)
    assert "another user may have got there first" in content(response)
