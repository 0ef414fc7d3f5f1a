import datetime

from django.core import mail

from portal.celery import app
from referrals import tasks
from referrals.models import DigestSent, ReferralEvent
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


def test_beat_schedules_the_digest_and_the_pathway_alerts_that_replaced_the_referral_sweep():
    tasks_scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert {
        "waiting_times.tasks.send_pathway_alerts",
        "referrals.tasks.send_weekly_digests",
    } <= tasks_scheduled
    assert "referrals.tasks.send_waiting_time_alerts" not in tasks_scheduled


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
