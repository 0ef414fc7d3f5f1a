"""seed_synthetic: valid test-range NHS numbers, the sizes asked for, the same rows for the same seed."""

import io

import nhs_number
import pytest
from django.core.management import call_command
from django.db import transaction

from mdt.models import MdtDiscussion, MdtMeeting
from policies.models import PolicyDocument
from portal.synthetic import nhs_check_digit, synthetic_nhs_numbers
from referrals.models import Patient, Referral
from second_opinions.models import SecondOpinionRequest


def test_check_digit_agrees_with_the_nhs_number_package():
    for serial in range(0, 1_000_000, 997):
        digits = f"999{serial:06d}"
        expected = nhs_number.calculate_checksum(digits)
        assert nhs_check_digit(digits) == (None if expected == 10 else expected)


def test_synthetic_numbers_are_valid_and_in_the_test_range():
    numbers = synthetic_nhs_numbers()
    sample = [next(numbers) for _ in range(2000)]
    assert all(number.startswith("999") and nhs_number.is_valid(number) for number in sample)
    assert len(set(sample)) == len(sample)


def _seed(seed: int) -> None:
    call_command(
        "seed_synthetic",
        "--referrals=60",
        "--patients=40",
        "--clinicians=4",
        "--practitioners=20",
        "--organisations=6",
        "--years=2",
        "--second-opinions=5",
        "--policies=3",
        f"--seed={seed}",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )


def _snapshot() -> list:
    return [
        list(
            Patient.objects.order_by("pk").values_list(
                "nhs_number", "given_name", "family_name", "date_of_birth"
            )
        ),
        list(Referral.objects.order_by("pk").values_list("patient_id", "received_on", "status", "pathway")),
        list(MdtDiscussion.objects.order_by("pk").values_list("referral_id", "meeting_id", "outcome")),
    ]


@pytest.mark.django_db
def test_seed_synthetic_writes_the_sizes_asked_for_with_history():
    _seed(1)
    assert Patient.objects.count() == 40
    assert Referral.objects.count() == 60
    assert SecondOpinionRequest.objects.count() == 5
    assert PolicyDocument.objects.filter(title__startswith="Synthetic").count() == 3
    assert MdtMeeting.objects.exists()
    assert MdtDiscussion.objects.exists()
    assert Referral.history.count() == 60
    assert Patient.history.count() == 40
    assert MdtDiscussion.history.count() == MdtDiscussion.objects.count()
    assert all(nhs_number.is_valid(n) for n in Patient.objects.values_list("nhs_number", flat=True))


def _seeded_snapshot(seed: int) -> list:
    """The rows one seed gives on this database, rolled back afterwards."""
    with transaction.atomic():
        _seed(seed)
        snapshot = _snapshot()
        transaction.set_rollback(True)
    return snapshot


@pytest.mark.django_db
def test_seed_synthetic_gives_the_same_rows_for_the_same_seed():
    first = _seeded_snapshot(7)
    assert first[1]
    assert _seeded_snapshot(7) == first


@pytest.mark.django_db
def test_seed_synthetic_differs_for_another_seed():
    assert _seeded_snapshot(1)[1] != _seeded_snapshot(2)[1]


@pytest.mark.django_db
def test_seed_synthetic_streams_discussions_in_batches_without_losing_any(monkeypatch):
    monkeypatch.setattr("portal.synthetic.writer.BATCH", 7)
    _seed(3)
    reached_mdt = Referral.objects.exclude(status__in=["declined", "redirected", "received", "triaged"])
    assert MdtDiscussion.objects.count() > 7
    assert MdtDiscussion.objects.count() == MdtDiscussion.history.count()
    assert set(MdtDiscussion.objects.values_list("referral_id", flat=True)) <= set(
        reached_mdt.values_list("pk", flat=True)
    )


@pytest.mark.django_db
def test_seed_synthetic_gives_every_referral_its_cancer_pathway_with_history(monkeypatch):
    """The PTL, the figures and the alert sweep have a pathway per referral to read, written in
    batches with a "+" history row each (the history leaves out the derived PTL and outcome
    fields, as CancerPathway's does); open ones carry their PTL dates, closed ones their outcomes."""
    from waiting_times.models import CancerPathway
    from waiting_times.tracking import NOTHING_DUE

    monkeypatch.setattr("portal.synthetic.writer.BATCH", 7)
    _seed(3)
    assert CancerPathway.objects.count() == Referral.objects.count() == 60
    assert CancerPathway.history.count() == 60
    assert set(CancerPathway.objects.values_list("referral_id", flat=True)) == set(
        Referral.objects.values_list("pk", flat=True)
    )
    open_pathways = CancerPathway.objects.open()
    assert open_pathways.exclude(ptl_due_on=NOTHING_DUE).exists()
    assert CancerPathway.objects.filter(closed_at__isnull=False, rtt62_met__isnull=False).exists()
    assert CancerPathway.objects.filter(
        referring_provider__isnull=False, transferred_on__isnull=False
    ).exists()
    assert not CancerPathway.objects.filter(referral__service__isnull=True).exists()
