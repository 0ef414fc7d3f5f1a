import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from policies import services
from policies.models import OutstandingItem, PolicyDocument
from tests.factories import (
    ApprovedPolicyDocumentFactory,
    AwaitingApprovalPolicyDocumentFactory,
    CirculationGroupFactory,
    DraftPolicyDocumentFactory,
    OpenOutstandingItemFactory,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 24)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(datetime.datetime(2026, 11, 24, 10, 0, tzinfo=datetime.UTC), tick=False):
        yield


def approve(document, user, **kwargs):
    return services.policy_version_approve(document_id=document.pk, approver=user, **kwargs)


def draft(user, **kwargs):
    kwargs.setdefault("title", "A pathway")
    kwargs.setdefault("version_number", "0.1")
    kwargs.setdefault("circulation", [CirculationGroupFactory()])
    return services.policy_draft_create(created_by=user, **kwargs)


# Drafting ---------------------------------------------------------------------------------------


def test_office_drafts_a_new_policy_as_0_x(office_user):
    document = draft(
        office_user,
        title="LSESN Pathway for GIST",
        outstanding_items=["Agree the surgical sites", ""],
        owners=[office_user],
    )
    assert document.status == PolicyDocument.Status.DRAFT
    assert list(document.owners.all()) == [office_user]
    assert [item.description for item in document.outstanding_items.all()] == ["Agree the surgical sites"]


def test_a_draft_cannot_take_a_whole_number(office_user):
    with pytest.raises(ValidationError) as error:
        draft(office_user, version_number="1")
    assert "0.x or n.x" in error.value.message_dict["version_number"][0]
    assert not PolicyDocument.objects.exists()


def test_a_new_version_number_cannot_go_backwards(office_user):
    current = ApprovedPolicyDocumentFactory(version_number="2")
    DraftPolicyDocumentFactory(series=current.series, version_number="2.10")
    with pytest.raises(ValidationError) as error:
        draft(office_user, title=current.title, version_number="2.9", series=current.series)
    assert "cannot go backwards: 2.9 is not later than 2.10" in error.value.message_dict["version_number"][0]
    assert current.series.versions.count() == 2


def test_a_new_version_numbered_numerically_later_is_accepted(office_user):
    current = ApprovedPolicyDocumentFactory(version_number="2")
    DraftPolicyDocumentFactory(series=current.series, version_number="2.9")
    document = draft(office_user, title=current.title, version_number="2.10", series=current.series)
    assert document.version_number == "2.10"


def test_a_draft_is_circulated_to_at_least_one_group(office_user):
    with pytest.raises(ValidationError) as error:
        draft(office_user, circulation=[])
    assert "at least one group" in error.value.message_dict["circulation"][0]
    assert not PolicyDocument.objects.exists()


def test_clinicians_cannot_draft(clinician):
    with pytest.raises(PermissionDenied):
        draft(clinician)


def test_an_attached_file_must_be_a_pdf(office_user):
    fake = SimpleUploadedFile("pathway.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    with pytest.raises(ValidationError) as error:
        draft(office_user, document_file=fake)
    assert "not a valid PDF" in error.value.message_dict["document_file"][0]
    word = SimpleUploadedFile("pathway.docx", b"PK..", content_type="application/msword")
    with pytest.raises(ValidationError) as error:
        draft(office_user, document_file=word)
    assert "must be a PDF" in error.value.message_dict["document_file"][0]
    assert not PolicyDocument.objects.exists()


def test_a_real_pdf_is_stored(office_user):
    pdf = SimpleUploadedFile("pathway.pdf", b"%PDF-1.7\n...", content_type="application/pdf")
    document = draft(office_user, document_file=pdf)
    assert document.document_file.name.startswith("policies/")
    assert document.document_file.read().startswith(b"%PDF-")


# Submitting and approving -----------------------------------------------------------------------


def test_office_submits_a_draft_for_approval(office_user):
    draft = DraftPolicyDocumentFactory()
    services.policy_version_submit(document_id=draft.pk, submitted_by=office_user)
    draft.refresh_from_db()
    assert draft.status == PolicyDocument.Status.AWAITING_APPROVAL


def test_sag_member_approves_and_the_approver_and_date_are_recorded(sag_member):
    document = AwaitingApprovalPolicyDocumentFactory(version_number="0.3")
    approve(document, sag_member)
    document.refresh_from_db()
    assert document.status == PolicyDocument.Status.APPROVED
    assert document.version_number == "1"
    assert document.approver == sag_member
    assert document.approval_date == TODAY
    assert document.approved_by == "LSESN SAG"
    assert document.is_current


def test_approving_a_new_version_supersedes_the_previous_one(sag_member):
    previous = ApprovedPolicyDocumentFactory(version_number="2")
    new = AwaitingApprovalPolicyDocumentFactory(series=previous.series, version_number="2.1")
    unrelated = ApprovedPolicyDocumentFactory()
    approve(new, sag_member, approval_date=TODAY, review_date=datetime.date(2028, 11, 1))
    previous.refresh_from_db()
    new.refresh_from_db()
    unrelated.refresh_from_db()
    assert (previous.status, new.status, new.version_number) == ("superseded", "approved", "3")
    assert unrelated.status == "approved"
    assert list(PolicyDocument.objects.approved().filter(series=previous.series)) == [new]
    # The superseded version keeps its own history of status changes.
    assert [h.status for h in previous.history.order_by("history_date")][-1] == "superseded"


@pytest.mark.parametrize("persona", ["office_user", "clinician", "outsider", "superuser"])
def test_only_a_sag_member_may_approve(persona, request):
    user = request.getfixturevalue(persona)
    document = AwaitingApprovalPolicyDocumentFactory()
    with pytest.raises(PermissionDenied):
        approve(document, user)
    document.refresh_from_db()
    assert document.status == PolicyDocument.Status.AWAITING_APPROVAL


def test_a_version_with_open_outstanding_items_cannot_be_approved(sag_member, office_user):
    item = OpenOutstandingItemFactory()
    with pytest.raises(services.PolicyTransitionError, match="1 open outstanding item"):
        approve(item.document, sag_member)
    services.outstanding_item_close(item_id=item.pk, closed_by=office_user)
    approve(item.document, sag_member)
    assert PolicyDocument.objects.get(pk=item.document.pk).status == "approved"


def test_a_closed_item_cannot_be_closed_twice(office_user, sag_member):
    item = OpenOutstandingItemFactory()
    services.outstanding_item_close(item_id=item.pk, closed_by=office_user)
    with pytest.raises(services.PolicyTransitionError, match="already closed"):
        services.outstanding_item_close(item_id=item.pk, closed_by=sag_member)
    assert OutstandingItem.objects.get(pk=item.pk).closed_by == office_user


def test_review_date_before_approval_date_is_rejected(sag_member):
    document = AwaitingApprovalPolicyDocumentFactory()
    with pytest.raises(ValidationError) as error:
        approve(document, sag_member, approval_date=TODAY, review_date=datetime.date(2026, 11, 23))
    assert "cannot be before the approval date" in error.value.message_dict["review_date"][0]
    document.refresh_from_db()
    assert (document.status, document.approval_date, document.approver) == ("awaiting_approval", None, None)


def test_an_approval_date_in_the_future_is_rejected(sag_member):
    document = AwaitingApprovalPolicyDocumentFactory()
    with pytest.raises(ValidationError) as error:
        approve(document, sag_member, approval_date=datetime.date(2026, 11, 25))
    assert "cannot be in the future" in error.value.message_dict["approval_date"][0]


def test_approved_version_number_cannot_go_backwards_or_be_a_fraction(sag_member):
    previous = ApprovedPolicyDocumentFactory(version_number="3")
    new = AwaitingApprovalPolicyDocumentFactory(series=previous.series, version_number="3.1")
    with pytest.raises(ValidationError) as error:
        approve(new, sag_member, version_number="2")
    assert "cannot go backwards" in error.value.message_dict["version_number"][0]
    with pytest.raises(ValidationError) as error:
        approve(new, sag_member, version_number="3.2")
    assert "whole number" in error.value.message_dict["version_number"][0]
    previous.refresh_from_db()
    assert previous.status == "approved"


def test_a_version_cannot_be_approved_twice(sag_member, other_sag_member):
    document = AwaitingApprovalPolicyDocumentFactory()
    approve(document, sag_member)
    with pytest.raises(services.PolicyTransitionError, match="another user may have got there first"):
        approve(document, other_sag_member)
    document.refresh_from_db()
    assert document.approver == sag_member


def test_a_draft_not_yet_submitted_cannot_be_approved(sag_member):
    document = DraftPolicyDocumentFactory()
    with pytest.raises(services.PolicyTransitionError, match="it is draft"):
        approve(document, sag_member)


def test_withdrawing_the_approved_version_leaves_no_current_version(office_user):
    document = ApprovedPolicyDocumentFactory()
    services.policy_version_withdraw(document_id=document.pk, withdrawn_by=office_user)
    assert not PolicyDocument.objects.approved().exists()
    with pytest.raises(services.PolicyTransitionError):
        services.policy_version_withdraw(document_id=document.pk, withdrawn_by=office_user)


def test_clinicians_cannot_withdraw(clinician):
    document = ApprovedPolicyDocumentFactory()
    with pytest.raises(PermissionDenied):
        services.policy_version_withdraw(document_id=document.pk, withdrawn_by=clinician)
