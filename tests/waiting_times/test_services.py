"""The waiting-time services: each date recorded with an event and history, refused with the
field named when the clock rules refuse it; breach reasons before closing; next actions; and the
pathway every referral gets at intake. "Today" is Tuesday 24 November 2026; the factories'
referral was received on Monday 2 November 2026 (day 0), so day 28 is Mon 30 Nov."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from referrals import services as referral_services
from tests.factories import (
    ClosedPathwayFactory,
    DiagnosedPathwayFactory,
    OrganisationFactory,
    RuledOutPathwayFactory,
    RunningPathwayFactory,
    TransferMissingFirstReceiptPathwayFactory,
    TransferPathwayFactory,
    TreatedLatePathwayFactory,
)
from waiting_times import services
from waiting_times.models import BreachReason, CancerPathway, PathwayEvent
from waiting_times.services import PathwayConflict

pytestmark = pytest.mark.django_db

D = datetime.date


def test_recording_a_date_writes_an_event_with_who_when_from_to_and_why(today, office_user):
    """Issue 18: "Every change to these dates is an event with who, when and why, and history"."""
    pathway = RunningPathwayFactory()
    services.pathway_record(
        pathway_id=pathway.pk,
        by=office_user,
        changes={"told_on": D(2026, 11, 20), "outcome": "cancer"},
        reason="Told in clinic by the consultant.",
    )
    events = {e.field: e for e in PathwayEvent.objects.filter(pathway=pathway)}
    assert set(events) == {"told_on", "outcome"}
    told = events["told_on"]
    assert (told.actor, told.from_value, told.to_value, told.reason) == (
        office_user,
        "",
        "2026-11-20",
        "Told in clinic by the consultant.",
    )
    latest = pathway.history.order_by("-history_id").first()
    assert (latest.told_on, latest.history_change_reason) == (
        D(2026, 11, 20),
        "Told in clinic by the consultant.",
    )


def test_recording_a_date_moves_the_ptl_to_the_next_clock(today, office_user):
    """CWT guidance v12.1, 1.1: the 28-day standard runs "to the date the patient is informed of a
    diagnosis or ruling out of cancer"; told on 20 Nov, the PTL tracks the 62-day clock (due 3 Jan
    2027, 62 days after 2 Nov)."""
    pathway = RunningPathwayFactory()
    assert (pathway.ptl_standard, pathway.ptl_due_on) == ("fds", D(2026, 11, 30))
    services.pathway_record(
        pathway_id=pathway.pk,
        by=office_user,
        changes={"told_on": D(2026, 11, 20), "outcome": "cancer"},
        reason="Told.",
    )
    pathway.refresh_from_db()
    assert (pathway.ptl_standard, pathway.ptl_due_on) == ("62", D(2027, 1, 3))


def test_a_treatment_before_the_referral_is_refused_naming_the_field(today, office_user):
    """Issue 18: bad input, "a treatment before the referral", is refused naming the key."""
    pathway = DiagnosedPathwayFactory()
    with pytest.raises(ValidationError) as refused:
        services.pathway_record(
            pathway_id=pathway.pk, by=office_user, changes={"treated_on": D(2026, 10, 1)}, reason="Surgery."
        )
    assert "treated_on" in refused.value.error_dict
    assert not PathwayEvent.objects.filter(pathway=pathway, field="treated_on").exists()


def test_a_date_after_today_is_refused(today, office_user):
    pathway = RunningPathwayFactory()
    with pytest.raises(ValidationError) as refused:
        services.pathway_record(
            pathway_id=pathway.pk,
            by=office_user,
            changes={"told_on": D(2026, 11, 25), "outcome": "cancer"},
            reason="Typed tomorrow.",
        )
    assert "told_on" in refused.value.error_dict


def test_a_change_without_a_reason_is_refused(today, office_user):
    pathway = RunningPathwayFactory()
    with pytest.raises(ValidationError) as refused:
        services.pathway_record(
            pathway_id=pathway.pk, by=office_user, changes={"dna_rebooked_on": D(2026, 11, 9)}, reason=" "
        )
    assert "reason" in refused.value.error_dict


def test_a_consultant_upgrade_needs_its_date(today, office_user):
    """Data Dictionary, Consultant Upgrade Date: "A Consultant Upgrade Date is the DATE that the
    CONSULTANT ... decided that the PATIENT should be upgraded onto an urgent Cancer PATIENT
    PATHWAY": the route needs that date."""
    pathway = RunningPathwayFactory()
    with pytest.raises(ValidationError) as refused:
        services.pathway_record(
            pathway_id=pathway.pk, by=office_user, changes={"route": "consultant_upgrade"}, reason="Upgraded."
        )
    assert "upgraded_on" in refused.value.error_dict


def test_a_declined_offer_needs_both_dates(today, office_user):
    pathway = DiagnosedPathwayFactory()
    with pytest.raises(ValidationError) as refused:
        services.pathway_record(
            pathway_id=pathway.pk,
            by=office_user,
            changes={"offer_declined_for": D(2026, 11, 20)},
            reason="Declined the date offered.",
        )
    assert "offer_available_from" in refused.value.error_dict


def test_entering_the_first_receipt_of_a_transfer_moves_its_clock_start(today, office_user):
    """Issue 18: "The 62-day clock runs from the first provider's receipt; the handover date is
    day 38 of that clock". Received by the referring provider on 1 Oct 2026: handover by 8 Nov."""
    pathway = TransferMissingFirstReceiptPathwayFactory()
    assert pathway.first_receipt_missing
    services.pathway_record(
        pathway_id=pathway.pk,
        by=office_user,
        changes={"first_received_on": D(2026, 10, 1)},
        reason="Date from the referring trust's letter.",
    )
    pathway.refresh_from_db()
    assert not pathway.first_receipt_missing
    assert pathway.ptl_handover_by == D(2026, 11, 8)
    assert pathway.tracking(today).clock.start == D(2026, 10, 1)


def test_a_closed_pathway_cannot_change(today, office_user):
    pathway = ClosedPathwayFactory()
    with pytest.raises(PathwayConflict):
        services.pathway_record(
            pathway_id=pathway.pk, by=office_user, changes={"dna_rebooked_on": D(2026, 11, 9)}, reason="x"
        )


# Breach reasons and closing --------------------------------------------------------------------


def test_closing_a_pathway_with_a_breached_clock_is_refused_without_a_breach_reason(today, office_user):
    """Issue 18: "A breached clock needs a breach reason from the national delay-reason list (and
    free text) before the pathway can close"."""
    pathway = TreatedLatePathwayFactory()
    with pytest.raises(ValidationError) as refused:
        services.pathway_close(pathway_id=pathway.pk, by=office_user, reason="Treated.")
    assert "breach_reason" in refused.value.error_dict
    pathway.refresh_from_db()
    assert pathway.closed_at is None


def test_closing_a_breached_pathway_with_its_breach_reason(today, office_user):
    pathway = TreatedLatePathwayFactory()
    services.pathway_record_breach_reason(
        pathway_id=pathway.pk,
        by=office_user,
        breach_reason=BreachReason.ELECTIVE_CAPACITY,
        details="No theatre.",
    )
    services.pathway_close(pathway_id=pathway.pk, by=office_user, reason="Treated.")
    pathway.refresh_from_db()
    assert (pathway.closed_by, pathway.close_reason) == (office_user, "Treated.")
    assert not CancerPathway.objects.open().filter(pk=pathway.pk).exists()
    assert list(PathwayEvent.objects.filter(pathway=pathway).values_list("field", flat=True)) == [
        "breach_reason",
        "closed",
    ]


def test_other_as_breach_reason_needs_the_details(today, office_user):
    """Data Dictionary (delay reasons): "If National Code 98 'Other reason' is used, further detail
    must be recorded for the precise cause of the delay"."""
    pathway = TreatedLatePathwayFactory()
    with pytest.raises(ValidationError) as refused:
        services.pathway_record_breach_reason(
            pathway_id=pathway.pk, by=office_user, breach_reason=BreachReason.OTHER, details=""
        )
    assert "details" in refused.value.error_dict


def test_a_pathway_ruled_out_closes_without_a_breach_reason(today, office_user):
    """Issue 18: "Ruled out stops the 28-day clock and ends the 62-day pathway with no breach"."""
    pathway = RuledOutPathwayFactory()
    services.pathway_close(pathway_id=pathway.pk, by=office_user, reason="Cancer ruled out.")
    pathway.refresh_from_db()
    assert pathway.closed_at is not None


def test_closing_twice_is_refused(today, office_user):
    pathway = ClosedPathwayFactory()
    with pytest.raises(PathwayConflict):
        services.pathway_close(pathway_id=pathway.pk, by=office_user, reason="Again.")


# Next actions --------------------------------------------------------------------------------------


def test_a_next_action_is_added_and_completed_once(today, office_user):
    pathway = RunningPathwayFactory()
    action = services.next_action_add(
        pathway_id=pathway.pk, by=office_user, what="Book MRI", owner=office_user, due_on=D(2026, 11, 26)
    )
    done = services.next_action_complete(action_id=action.pk, by=office_user)
    assert (done.done_by, done.is_done) == (office_user, True)
    with pytest.raises(PathwayConflict):
        services.next_action_complete(action_id=action.pk, by=office_user)
    assert action.history.count() == 2


def test_a_next_action_owner_must_be_able_to_see_the_patient(today, office_user, clinician, other_clinician):
    pathway = RunningPathwayFactory(referral__responsible_consultant=clinician)
    services.next_action_add(
        pathway_id=pathway.pk, by=office_user, what="Review scan", owner=clinician, due_on=D(2026, 11, 26)
    )
    with pytest.raises(ValidationError) as refused:
        services.next_action_add(
            pathway_id=pathway.pk,
            by=office_user,
            what="Review scan",
            owner=other_clinician,
            due_on=D(2026, 11, 26),
        )
    assert "owner" in refused.value.error_dict


def test_a_next_action_due_in_the_past_is_refused(today, office_user):
    pathway = RunningPathwayFactory()
    with pytest.raises(ValidationError) as refused:
        services.next_action_add(
            pathway_id=pathway.pk, by=office_user, what="Chase", owner=office_user, due_on=D(2026, 11, 23)
        )
    assert "due_on" in refused.value.error_dict


# Intake -------------------------------------------------------------------------------------------


def _intake(office_user, **referral):
    details = {
        "received_on": D(2026, 11, 20),
        "presentation": "suspected",
        "tumour_type": "soft_tissue",
        "site": "limb",
        **referral,
    }
    return referral_services.referral_create(
        by=office_user,
        patient=referral_services.PatientDetails(
            given_name="Ada", family_name="Intake", date_of_birth=D(1970, 1, 1)
        ),
        referral=referral_services.ReferralDetails(**details),
    )


def test_a_new_referral_gets_its_pathway_at_intake(today, directory, office_user):
    referral = _intake(office_user)
    pathway = referral.cancer_pathway
    assert (pathway.route, pathway.first_received_on, pathway.ptl_standard) == (
        "urgent_suspected_cancer",
        D(2026, 11, 20),
        "fds",
    )
    assert pathway.events.get().reason == "Referral taken in."


def test_a_transfer_taken_in_has_its_first_receipt_date_missing(today, directory, office_user):
    """Issue 18: a transfer is "the date the first provider received the referral (the clock start),
    and the date the transfer reached this provider"; intake knows only the second."""
    referring = OrganisationFactory()
    referral = _intake(office_user, transferred_between_trusts=True, referring_organisation=referring)
    pathway = referral.cancer_pathway
    assert (pathway.transferred_on, pathway.referring_provider, pathway.first_receipt_missing) == (
        D(2026, 11, 20),
        referring,
        True,
    )


def test_unknown_fields_are_refused(today, office_user):
    pathway = RunningPathwayFactory()
    with pytest.raises(ValidationError) as refused:
        services.pathway_record(
            pathway_id=pathway.pk, by=office_user, changes={"closed_at": None}, reason="x"
        )
    assert "closed_at" in refused.value.error_dict


def test_recording_the_first_treatment_on_the_referral_stops_the_pathways_clocks(today, office_user):
    """National CWT guidance v12.1, 1.1 (docs/cwt-guidance.md): the 62-day standard runs "to First
    Definitive Treatment", and the 31-day standard "From Decision To Treat/Earliest Clinically
    Appropriate Date to Treatment of cancer". The date recorded once, on the referral, is the
    pathway's too (REFERRAL_FIRST_TREATMENT_STEPS)."""
    from tests.factories import CoreMdtSurgeonFactory, DiscussedAtMdtReferralFactory, ServiceFactory

    pathway = RunningPathwayFactory(referral=DiscussedAtMdtReferralFactory())
    services.pathway_record(
        pathway_id=pathway.pk,
        by=office_user,
        changes={"told_on": D(2026, 11, 10), "outcome": "cancer", "decision_to_treat_on": D(2026, 11, 12)},
        reason="Told at clinic.",
    )
    referral_services.referral_record_first_treatment(
        referral_id=pathway.referral_id,
        treated_on=D(2026, 11, 20),
        modality="surgery",
        practitioner_id=CoreMdtSurgeonFactory().pk,
        centre_id=ServiceFactory(code="LSS").pk,
        by=office_user,
    )
    pathway.refresh_from_db()
    assert pathway.treated_on == D(2026, 11, 20)
    clocks = pathway.tracking().clocks
    assert (clocks.rtt_62.stopped_on, clocks.dtt_31.stopped_on) == (D(2026, 11, 20), D(2026, 11, 20))
    assert pathway.events.filter(field="treated_on").get().reason.startswith("First definitive treatment")


def test_a_transfer_out_is_recorded_with_the_provider_and_counts_as_the_transfer(today, office_user):
    """Breach Allocation Guidance (2016): the handover of an inter-provider transfer is "the date by
    which cancer patients on an inter provider (IPT) pathways should be transferred from the
    referring trust/s to the treating trust". Transferred out on day 10; a treatment dated before
    the transfer is refused on the transfer out's field, as a transfer in's would be."""
    pathway = RunningPathwayFactory()
    other = OrganisationFactory()
    services.pathway_record(
        pathway_id=pathway.pk,
        by=office_user,
        changes={"transfer_out_to": other, "transferred_out_on": datetime.date(2026, 11, 12)},
        reason="Sent to the treating trust.",
    )
    pathway.refresh_from_db()
    assert (pathway.transfer_out_to, pathway.is_transfer_out) == (other, True)
    assert set(PathwayEvent.objects.filter(pathway=pathway).values_list("field", flat=True)) >= {
        "transfer_out_to",
        "transferred_out_on",
    }
    with pytest.raises(ValidationError) as refused:
        services.pathway_record(
            pathway_id=pathway.pk,
            by=office_user,
            changes={
                "told_on": datetime.date(2026, 11, 5),
                "outcome": "cancer",
                "decision_to_treat_on": datetime.date(2026, 11, 6),
                "treated_on": datetime.date(2026, 11, 10),
            },
            reason="Treated.",
        )
    assert "transferred_out_on" in refused.value.message_dict


def test_a_transfer_out_needs_its_provider_and_a_pathway_has_one_transfer(today, office_user):
    """Portal choice (docs/cwt-guidance.md): BAG 2016's multi-provider pathways are not modelled;
    a pathway is transferred in or out, not both."""
    pathway = RunningPathwayFactory()
    with pytest.raises(ValidationError) as no_provider:
        services.pathway_record(
            pathway_id=pathway.pk,
            by=office_user,
            changes={"transferred_out_on": datetime.date(2026, 11, 12)},
            reason="Sent.",
        )
    assert "transfer_out_to" in no_provider.value.message_dict
    transfer_in = TransferPathwayFactory()
    with pytest.raises(ValidationError) as both:
        services.pathway_record(
            pathway_id=transfer_in.pk,
            by=office_user,
            changes={"transfer_out_to": OrganisationFactory()},
            reason="Onward.",
        )
    assert "transfer_out_to" in both.value.message_dict
