"""Bulk and conditional writes to audited models leave history rows (simple_history skips
QuerySet.update, so the services save the row once more or go through the history helpers)."""

import pytest

from policies.models import PolicyReviewAlert
from policies.services import _reclaim
from referrals import services
from tests.factories import ApprovedPolicyDocumentFactory, PatientFactory

pytestmark = pytest.mark.django_db


def test_merging_a_patient_records_the_moved_duplicate_flag_in_the_flagged_patients_history(office_user):
    keep, merge = PatientFactory(), PatientFactory(nhs_number="")
    flagged = PatientFactory(possible_duplicate_of=merge)
    before = flagged.history.count()

    services.patient_merge(keep_id=keep.pk, merge_id=merge.pk, by=office_user)

    flagged.refresh_from_db()
    assert flagged.possible_duplicate_of_id == keep.pk
    latest = flagged.history.first()
    assert flagged.history.count() == before + 1
    assert latest.possible_duplicate_of_id == keep.pk
    assert latest.history_change_reason == f"Merged patient {merge.pk} into {keep.pk}"


def test_reclaiming_a_failed_review_alert_is_in_its_history():
    document = ApprovedPolicyDocumentFactory()
    alert = PolicyReviewAlert.objects.create(
        document=document,
        threshold="before-30",
        due_on=document.review_date,
        review_date=document.review_date,
        status=PolicyReviewAlert.Status.FAILED,
    )
    assert _reclaim(alert).status == PolicyReviewAlert.Status.CLAIMED
    assert list(alert.history.values_list("status", flat=True)) == ["claimed", "failed"]
    assert _reclaim(alert) is None  # a second worker does not claim it again
