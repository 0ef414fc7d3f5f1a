"""The pathway alerts (beat, daily): clocks at risk or breached to the MDT office and the
responsible consultant, naming the next action and its owner; day-38 handovers due to both
providers' directory contacts; each alert once, a skipped day caught up. Pathways are received
on Monday 2 November 2026 unless said otherwise: day 21 of the FDS (at risk) is 23 November."""

import datetime

import pytest
from django.core import mail

from portal.celery import app
from tests.conftest import on
from tests.factories import (
    ClosedPathwayFactory,
    DiagnosedPathwayFactory,
    HospitalNumberFactory,
    KeyContactFactory,
    OrganisationFactory,
    PatientFactory,
    RunningPathwayFactory,
    ServiceFactory,
)
from waiting_times import tasks
from waiting_times.models import NextAction, PathwayAlert, PathwayAlertDelivery

pytestmark = pytest.mark.django_db

D = datetime.date


def run(day: datetime.date) -> int:
    with on(day):
        return tasks.send_pathway_alerts.delay().get()


def _recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


# At risk and breached ---------------------------------------------------------------------------


def test_an_at_risk_clock_is_alerted_once_to_the_consultant_and_the_mdt_office(clinician, office_user):
    """Issue 18: alerts "at-risk and breached as today", each once. Day 22 of 28 on 24 Nov: the
    FDS is at risk from day 21 (CWT_AT_RISK_DAY)."""
    RunningPathwayFactory(referral__responsible_consultant=clinician)
    assert run(D(2026, 11, 24)) == 1
    assert _recipients() == sorted([clinician.email, office_user.email])
    assert "28-day Faster Diagnosis: at risk (due 30/11/2026)" in mail.outbox[0].body
    alert = PathwayAlert.objects.get()
    assert (alert.kind, alert.standard, alert.due_on) == ("at_risk", "fds", D(2026, 11, 30))
    mail.outbox.clear()
    assert run(D(2026, 11, 25)) == 0
    assert mail.outbox == []


def test_a_skipped_day_does_not_lose_the_alert(clinician, office_user):
    """The house style: select "due on or before today and not yet sent", never "due exactly
    today". No run from 21 to 23 November, when the clock turned at risk."""
    RunningPathwayFactory(referral__responsible_consultant=clinician)
    assert run(D(2026, 11, 20)) == 0
    assert run(D(2026, 11, 24)) == 1


def test_a_breach_is_alerted_once_after_its_at_risk_alert(clinician, office_user):
    """Received 2 Nov: at risk on 24 Nov (day 22), breached from 1 Dec (day 29)."""
    RunningPathwayFactory(referral__responsible_consultant=clinician)
    assert run(D(2026, 11, 24)) == 1
    assert run(D(2026, 12, 1)) == 1
    assert run(D(2026, 12, 2)) == 0
    assert sorted(PathwayAlert.objects.values_list("kind", flat=True)) == ["at_risk", "breached"]


def test_only_the_clock_the_ptl_tracks_is_alerted(clinician, office_user):
    """Received 1 Oct, nobody told: on 24 Nov the FDS (due 29 Oct) is breached and the 62-day
    clock at risk (day 54); the PTL tracks the clock due first, the FDS, and so does the alert
    (docs/cwt-guidance.md). The 62-day clock is alerted once the FDS stops."""
    pathway = RunningPathwayFactory(
        referral__responsible_consultant=clinician,
        first_received_on=D(2026, 10, 1),
        referral__received_on=D(2026, 10, 1),
    )
    assert run(D(2026, 11, 24)) == 1
    assert list(PathwayAlert.objects.values_list("standard", "kind")) == [("fds", "breached")]
    assert pathway.ptl_standard == "fds"


def test_closed_pathways_and_clocks_not_at_risk_are_not_alerted(clinician, office_user):
    ClosedPathwayFactory(referral__responsible_consultant=clinician)
    DiagnosedPathwayFactory(referral__responsible_consultant=clinician)  # 31-day clock from day 14: day 8
    assert run(D(2026, 11, 24)) == 0
    assert mail.outbox == []


def test_the_alert_names_the_next_action_and_its_owner(clinician, office_user):
    """Issue 18: "at-risk and breached as today, with the owner and next action"."""
    with_action = RunningPathwayFactory(referral__responsible_consultant=clinician)
    NextAction.objects.create(
        pathway=with_action, what="Chase the biopsy result", owner=office_user, due_on=D(2026, 11, 26)
    )
    RunningPathwayFactory(referral__responsible_consultant=clinician)
    run(D(2026, 11, 24))
    (body,) = [message.body for message in mail.outbox if message.to == [clinician.email]]
    assert f"Next action: Chase the biopsy result, owner {office_user}, by 26/11/2026." in body
    assert "No next action recorded: add one on the PTL." in body


def test_the_email_identifies_the_patient_by_initials_and_hospital_number_only(clinician, office_user):
    patient = PatientFactory(given_name="Alice", family_name="Arden")
    HospitalNumberFactory(patient=patient, number="RM555")
    pathway = RunningPathwayFactory(referral__patient=patient, referral__responsible_consultant=clinician)
    run(D(2026, 11, 24))
    body = mail.outbox[0].body
    assert "AA, hospital no. RM555" in body
    assert "Arden" not in body
    assert patient.nhs_number not in body
    assert f"/ptl/pathways/{pathway.pk}/" in body


def test_beat_runs_the_pathway_alerts_daily():
    (entry,) = [
        e for e in app.conf.beat_schedule.values() if e["task"] == "waiting_times.tasks.send_pathway_alerts"
    ]
    assert entry["schedule"].hour == {7}


# Day-38 handover --------------------------------------------------------------------------------


DIAGNOSED_21_OCTOBER = {"first_received_on": D(2026, 10, 21), "told_on": D(2026, 10, 30), "outcome": "cancer"}


@pytest.fixture
def transfer(today):
    """Referred to trust R on 21 Oct (day 0), told on 30 Oct (the FDS met, nothing else at risk):
    day 38, the handover, is 28 Nov, within the week of 24 Nov; the patient has not reached LSS
    yet. Both providers have directory contacts."""
    lss = ServiceFactory(code="LSS", name="London Sarcoma Service")
    trust = OrganisationFactory(ods_code="RXR", name="Referring Trust")
    trust_service = ServiceFactory(code="RXRS", name="Referring Trust sarcoma service")
    trust_service.organisations.add(trust)
    KeyContactFactory(service=lss, label="LSS MDT office", email="lss.mdt@nhs.example")
    KeyContactFactory(service=trust_service, label="Cancer tracker", email="tracker@rxr.nhs.example")
    KeyContactFactory(service=trust_service, label="Switchboard", email="")  # no e-mail: not used
    return RunningPathwayFactory(
        referral__service=lss,
        referring_provider=trust,
        transferred_on=None,
        **DIAGNOSED_21_OCTOBER,
    )


def test_a_handover_due_is_sent_once_to_both_providers_contacts_and_the_office(
    transfer, office_user, clinician
):
    """Issue 18: "Alerts (beat): day-38 handover due, to the referring and the treating provider's
    contacts in the directory, once each". National Cancer Breach Allocation Guidance (2016):
    "a single maximum handover date of day 38, the date by which cancer patients on an inter
    provider (IPT) pathways should be transferred from the referring trust/s to the treating
    trust"."""
    transfer.referral.responsible_consultant = clinician
    transfer.referral.save()
    assert run(D(2026, 11, 24)) == 1
    assert _recipients() == sorted([office_user.email, "lss.mdt@nhs.example", "tracker@rxr.nhs.example"])
    body = mail.outbox[0].body
    assert (
        "Day-38 handover due 28/11/2026 (transfer in from Referring Trust to London Sarcoma Service)" in body
    )
    alert = PathwayAlert.objects.get()
    assert (alert.kind, alert.standard, alert.due_on, alert.note) == ("handover_due", "", D(2026, 11, 28), "")
    contacts = set(PathwayAlertDelivery.objects.exclude(contact="").values_list("contact", flat=True))
    assert contacts == {"LSS MDT office (LSS)", "Cancer tracker (RXRS)"}
    assert run(D(2026, 11, 25)) == 0


def test_no_handover_alert_before_the_week_of_the_handover(transfer, office_user):
    """Handover 28 Nov: the week before it starts 22 Nov."""
    assert run(D(2026, 11, 21)) == 0
    assert run(D(2026, 11, 22)) == 1


def test_a_provider_without_a_contact_is_named_for_the_office_to_telephone(office_user, today):
    lss = ServiceFactory(code="LSS", name="London Sarcoma Service")
    KeyContactFactory(service=lss, email="lss.mdt@nhs.example")
    RunningPathwayFactory(
        referral__service=lss,
        referring_provider=OrganisationFactory(name="Quiet Trust"),
        transferred_on=None,
        **DIAGNOSED_21_OCTOBER,
    )
    run(D(2026, 11, 24))
    (body,) = [message.body for message in mail.outbox if message.to == [office_user.email]]
    assert (
        "No directory contact with an e-mail address for the referring provider, Quiet Trust: telephone them."
        in body
    )


def test_a_transfer_made_before_the_email_went_withdraws_the_alert(transfer, office_user, monkeypatch):
    from django.core.mail.backends.locmem import EmailBackend

    class Down(OSError):
        pass

    def down(self, messages):
        raise Down

    monkeypatch.setattr(EmailBackend, "send_messages", down)
    with pytest.raises(Exception, match="stay pending"):
        run(D(2026, 11, 24))
    monkeypatch.undo()
    type(transfer).objects.filter(pk=transfer.pk).update(transferred_on=D(2026, 11, 25))
    assert run(D(2026, 11, 25)) == 0
    assert mail.outbox == []
    assert set(PathwayAlertDelivery.objects.values_list("status", "withdrawn_reason")) == {
        ("withdrawn", "The transfer has been made.")
    }


def test_a_transfer_out_is_handed_over_to_the_provider_that_is_to_treat(office_user, today):
    """A transfer out: the service refers, the other provider treats; both hear of the handover."""
    lss = ServiceFactory(code="LSS", name="London Sarcoma Service")
    KeyContactFactory(service=lss, email="lss.mdt@nhs.example")
    treating = OrganisationFactory(name="Treating Trust")
    treating_service = ServiceFactory(code="TTS")
    treating_service.organisations.add(treating)
    KeyContactFactory(service=treating_service, label="Cancer office", email="office@tt.nhs.example")
    RunningPathwayFactory(referral__service=lss, transfer_out_to=treating, **DIAGNOSED_21_OCTOBER)
    assert run(D(2026, 11, 24)) == 1
    assert _recipients() == sorted([office_user.email, "lss.mdt@nhs.example", "office@tt.nhs.example"])
    assert "(transfer out from London Sarcoma Service to Treating Trust)" in mail.outbox[0].body
