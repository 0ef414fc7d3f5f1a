"""The migration that gives every existing referral its cancer pathway from the old clock fields
(waiting_times/migrations/0002), tested through its function on today's models."""

import datetime
import importlib

import pytest
from django.apps import apps

from referrals.models import Referral
from tests.factories import OrganisationFactory, ReceivedReferralFactory, RunningPathwayFactory
from waiting_times.models import CancerPathway

migration = importlib.import_module("waiting_times.migrations.0002_pathways_from_referrals")

pytestmark = pytest.mark.django_db

D = datetime.date


def test_a_transferred_referral_becomes_a_transfer_with_its_first_receipt_date_missing(today):
    """Issue 18: "the transfer flag becomes a transfer with an unknown first receipt date (shown as
    "first receipt date missing" on the PTL until someone enters it)"."""
    referring = OrganisationFactory()
    referral = ReceivedReferralFactory(
        transferred_between_trusts=True, referring_organisation=referring, received_on=D(2026, 11, 2)
    )
    assert migration.pathways_from_referrals(apps, None) == 1
    pathway = CancerPathway.objects.get(referral=referral)
    assert (pathway.first_received_on, pathway.transferred_on, pathway.referring_provider) == (
        None,
        D(2026, 11, 2),
        referring,
    )
    assert pathway.first_receipt_missing
    assert pathway.tracking(today).clock.start == D(2026, 11, 2)  # provisional: counted from the transfer
    referral.refresh_from_db()
    assert referral.transferred_between_trusts  # the old field stays


def test_every_old_date_is_kept(today):
    """Issue 18: "A migration turns today's clock fields into the new ones without losing a date"."""
    referral = ReceivedReferralFactory(
        received_on=D(2026, 9, 1),
        diagnosis_communicated_on=D(2026, 9, 20),
        diagnosis_outcome=Referral.DiagnosisOutcome.SARCOMA,
        decision_to_treat_on=D(2026, 10, 1),
        first_treatment_on=D(2026, 10, 20),
        status=Referral.Status.FIRST_TREATMENT_GIVEN,
    )
    migration.pathways_from_referrals(apps, None)
    pathway = CancerPathway.objects.get(referral=referral)
    assert (
        pathway.route,
        pathway.first_received_on,
        pathway.told_on,
        pathway.outcome,
        pathway.decision_to_treat_on,
        pathway.treated_on,
        pathway.closed_at,
    ) == (
        "urgent_suspected_cancer",
        D(2026, 9, 1),
        D(2026, 9, 20),
        "cancer",
        D(2026, 10, 1),
        D(2026, 10, 20),
        None,
    )
    # Treated on day 49 of 62: met; the PTL's stored status says so.
    assert (pathway.ptl_standard, pathway.ptl_status) == ("62", "met")
    first = pathway.history.get()
    assert first.history_change_reason == migration.REASON


def test_not_sarcoma_becomes_ruled_out_and_a_closed_referral_a_closed_pathway(today):
    referral = ReceivedReferralFactory(
        diagnosis_communicated_on=D(2026, 11, 10),
        diagnosis_outcome=Referral.DiagnosisOutcome.NOT_SARCOMA,
        status=Referral.Status.CLOSED,
    )
    migration.pathways_from_referrals(apps, None)
    pathway = CancerPathway.objects.get(referral=referral)
    assert pathway.outcome == "ruled_out"
    assert pathway.closed_at is not None


def test_dates_the_rules_refuse_are_kept_and_listed_as_dates_to_correct(today):
    referral = ReceivedReferralFactory(
        diagnosis_communicated_on=D(2026, 11, 10),
        decision_to_treat_on=D(2026, 11, 20),
        first_treatment_on=D(2026, 11, 15),
    )
    migration.pathways_from_referrals(apps, None)
    pathway = CancerPathway.objects.get(referral=referral)
    assert (pathway.treated_on, pathway.ptl_status) == (D(2026, 11, 15), "invalid")


def test_running_it_again_creates_nothing_and_leaves_existing_pathways_alone(today):
    existing = RunningPathwayFactory(route="screening")
    ReceivedReferralFactory()
    assert migration.pathways_from_referrals(apps, None) == 1
    assert migration.pathways_from_referrals(apps, None) == 0
    existing.refresh_from_db()
    assert existing.route == "screening"
