import datetime

from django.core import mail

from portal.celery import app
from referrals import tasks
from referrals.models import DigestSent, ReferralEvent, WaitingTimeAlert
from tests.conftest import on
from tests.factories import (
    AwaitingMdtReferralFactory,
    HospitalNumberFactory,
    PatientFactory,
    ReceivedReferralFactory,
)

RECEIVED = datetime.date(2026, 11, 2)


def _recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def test_alert_goes_once_to_the_responsible_consultant_and_the_mdt_office(db, clinician, office_user):
    ReceivedReferralFactory(received_on=RECEIVED, responsible_consultant=clinician)
    with on(datetime.date(2026, 11, 24)):  # day 22 of 28: the FDS clock is at risk
        assert tasks.send_waiting_time_alerts.delay().get() == 1
    assert _recipients() == [clinician.email, office_user.email]
    assert "28-day" in mail.outbox[0].body
    alert = WaitingTimeAlert.objects.get()
    assert (alert.standard, alert.kind) == ("fds_28", "at_risk")

    mail.outbox.clear()
    with on(datetime.date(2026, 11, 25)):
        assert tasks.send_waiting_time_alerts.delay().get() == 0
    assert mail.outbox == []


def test_a_skipped_day_does_not_lose_the_alert(db, clinician, office_user):
    ReceivedReferralFactory(received_on=RECEIVED, responsible_consultant=clinician)
    with on(datetime.date(2026, 11, 20)):  # day 18: nothing due yet
        assert tasks.send_waiting_time_alerts.delay().get() == 0
    # No run from the 21st to the 23rd (the at-risk day falls in the gap).
    with on(datetime.date(2026, 11, 24)):
        assert tasks.send_waiting_time_alerts.delay().get() == 1
    assert WaitingTimeAlert.objects.count() == 1


def test_breach_is_alerted_once_as_well(db, clinician, office_user):
    ReceivedReferralFactory(received_on=datetime.date(2026, 10, 1), responsible_consultant=clinician)
    with on(datetime.date(2026, 11, 24)):  # day 54: FDS breached, 62-day at risk
        assert tasks.send_waiting_time_alerts.delay().get() == 2
        assert tasks.send_waiting_time_alerts.delay().get() == 0
    kinds = set(WaitingTimeAlert.objects.values_list("standard", "kind"))
    assert kinds == {("fds_28", "breached"), ("rtt_62", "at_risk")}
    # Both alerts for one recipient travel in one e-mail.
    assert len([m for m in mail.outbox if clinician.email in m.to]) == 1


def test_closed_or_stopped_clocks_are_not_alerted(db, clinician, office_user):
    ReceivedReferralFactory(received_on=RECEIVED, status="closed", responsible_consultant=clinician)
    ReceivedReferralFactory(
        received_on=RECEIVED,
        diagnosis_communicated_on=datetime.date(2026, 11, 10),
        responsible_consultant=clinician,
    )
    with on(datetime.date(2026, 11, 24)):
        assert tasks.send_waiting_time_alerts.delay().get() == 0
    assert mail.outbox == []


def test_alert_email_identifies_the_patient_by_initials_and_hospital_number_only(db, clinician, office_user):
    patient = PatientFactory(given_name="Alice", family_name="Arden")
    HospitalNumberFactory(patient=patient, number="RM555")
    ReceivedReferralFactory(patient=patient, received_on=RECEIVED, responsible_consultant=clinician)
    with on(datetime.date(2026, 11, 24)):
        tasks.send_waiting_time_alerts.delay().get()
    body = mail.outbox[0].body
    assert "AA" in body
    assert "RM555" in body
    assert "Arden" not in body
    assert patient.nhs_number not in body
    assert f"/patients/{patient.pk}/" in body


def test_weekly_digest_is_sent_once_per_clinician_per_iso_week(db, clinician, other_clinician):
    patient = PatientFactory(given_name="Bashir", family_name="Brook")
    HospitalNumberFactory(patient=patient, number="RM777")
    AwaitingMdtReferralFactory(
        patient=patient, received_on=datetime.date(2026, 10, 31), responsible_consultant=clinician
    )
    with on(datetime.date(2026, 11, 23)):  # Monday, ISO week 48
        assert tasks.send_weekly_digests.delay().get() == 1
    with on(datetime.date(2026, 11, 27)):  # Friday, same week
        assert tasks.send_weekly_digests.delay().get() == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [clinician.email]
    assert "BB, hospital no. RM777" in message.body
    assert "Brook" not in message.body
    assert "Awaiting MDT discussion" in message.body
    assert "at risk" in message.body
    assert DigestSent.objects.get().iso_week == 48
    with on(datetime.date(2026, 11, 30)):  # next Monday, ISO week 49
        assert tasks.send_weekly_digests.delay().get() == 1


def test_weekly_digest_lists_status_changes_of_the_week(db, clinician, office_user):
    referral = ReceivedReferralFactory(
        received_on=datetime.date(2026, 11, 20), responsible_consultant=clinician
    )
    with on(datetime.date(2026, 11, 20)):
        ReferralEvent.objects.create(
            referral=referral, actor=office_user, from_status="received", to_status="triaged"
        )
    with on(datetime.date(2026, 11, 23)):
        tasks.send_weekly_digests.delay().get()
    assert "Received -> Triaged" in mail.outbox[0].body


def test_weekly_digest_lists_new_referrals_of_the_week(db, clinician, office_user):
    referral = ReceivedReferralFactory(
        received_on=datetime.date(2026, 11, 20), responsible_consultant=clinician
    )
    with on(datetime.date(2026, 11, 20)):
        ReferralEvent.objects.create(
            referral=referral, actor=office_user, from_status="", to_status="received"
        )
    with on(datetime.date(2026, 11, 23)):
        tasks.send_weekly_digests.delay().get()
    assert "New referral -> Received" in mail.outbox[0].body


def test_weekly_digest_leaves_out_events_older_than_a_week(db, clinician, office_user):
    referral = ReceivedReferralFactory(
        received_on=datetime.date(2026, 11, 1), status="triaged", responsible_consultant=clinician
    )
    with on(datetime.date(2026, 11, 2)):
        ReferralEvent.objects.create(
            referral=referral, actor=office_user, from_status="received", to_status="triaged"
        )
    with on(datetime.date(2026, 11, 23)):
        tasks.send_weekly_digests.delay().get()
    assert "Received -> Triaged" not in mail.outbox[0].body  # sent for the clock at risk only


def test_clinician_with_no_patients_gets_no_digest(db, clinician):
    with on(datetime.date(2026, 11, 23)):
        assert tasks.send_weekly_digests.delay().get() == 0
    assert mail.outbox == []
    assert not DigestSent.objects.exists()


def test_beat_schedules_the_alerts_and_the_digest():
    tasks_scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert {
        "referrals.tasks.send_waiting_time_alerts",
        "referrals.tasks.send_weekly_digests",
    } <= tasks_scheduled


def test_weekly_digest_lists_pathology_reviews_still_owed(db, clinician):
    from tests.factories import ReportedPathologyReviewFactory, RequestedPathologyReviewFactory

    routed = {"specialist_pathology_review": True}
    not_requested = ReceivedReferralFactory(responsible_consultant=clinician, routing_decision=routed)
    awaited = RequestedPathologyReviewFactory(
        referral=ReceivedReferralFactory(responsible_consultant=clinician, routing_decision=routed)
    )
    reported = ReportedPathologyReviewFactory(
        referral=ReceivedReferralFactory(responsible_consultant=clinician, routing_decision=routed)
    )
    with on(datetime.date(2026, 11, 23)):
        tasks.send_weekly_digests.delay().get()
    body = mail.outbox[0].body
    section = body.split("Specialist pathology review pending:")[1].split("\n\n")[0]
    lines = section.strip().splitlines()
    assert len(lines) == 2
    assert any("review not yet requested" in line and _url(not_requested) in line for line in lines)
    assert any(
        "requested 03/11, awaiting report" in line and _url(awaited.referral) in line for line in lines
    )
    assert _url(reported.referral) not in section


def _url(referral) -> str:
    return f"/patients/{referral.patient_id}/"


def test_a_digest_that_fails_for_one_clinician_still_goes_to_the_others(
    db, clinician, other_clinician, office_user, monkeypatch
):
    """Guards issue 17 finding 8: one recipient's failure stopped the weekly digest sweep."""

    for consultant in (clinician, other_clinician):
        referral = ReceivedReferralFactory(
            received_on=datetime.date(2026, 11, 20), responsible_consultant=consultant
        )
        with on(datetime.date(2026, 11, 20)):
            ReferralEvent.objects.create(
                referral=referral, actor=office_user, from_status="", to_status="received"
            )
    from referrals.services import alerts

    real = alerts.send_mail

    def refuse_clinician1(**kwargs):
        if kwargs["recipient_list"] == [clinician.email]:
            raise ValueError("bad header")
        return real(**kwargs)

    monkeypatch.setattr(alerts, "send_mail", refuse_clinician1)
    with on(datetime.date(2026, 11, 23)):
        assert tasks.send_weekly_digests.delay().get() == 1
    assert [m.to for m in mail.outbox] == [[other_clinician.email]]
    assert list(DigestSent.objects.values_list("recipient", flat=True)) == [other_clinician.pk]
