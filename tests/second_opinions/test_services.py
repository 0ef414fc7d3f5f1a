"""Writes of the second-opinion workflow: creating a request with the policy's decision, every
transition (recorded, and an invalid jump refused clearly), and the outcome."""

import datetime

import pytest
import time_machine
from django.core import mail

from second_opinions import services
from second_opinions.models import SecondOpinionRequest, SecondOpinionTransition
from tests.factories import (
    DecidedSecondOpinionRequestFactory,
    NotRoutinelyAvailableSecondOpinionRequestFactory,
    OpinionSentSecondOpinionRequestFactory,
    PatientFactory,
    ReceivedSecondOpinionRequestFactory,
    RecordsReceivedSecondOpinionRequestFactory,
    RecordsRequestedSecondOpinionRequestFactory,
    ReviewedSecondOpinionRequestFactory,
)

pytestmark = pytest.mark.django_db
R = SecondOpinionRequest


def details(**overrides) -> services.RequestDetails:
    values = {
        "requested_by": "treating_sarcoma_clinician",
        "requester_name": "Dr Tess Treating",
        "requester_contact": "tess@example.invalid",
        "current_service": "LSS",
        "treating_hospital": "",
        "treating_clinician": "Dr Tess Treating",
        "standard_management": True,
        "requested_service": "RMH",
        "named_clinician": "",
        "reason": "mdt_review",
        "tumour": "soft_tissue",
        "consent_to_share_records": True,
        "feedback_to": "clinician",
    }
    values.update(overrides)
    return services.RequestDetails(**values)


def test_create_stores_the_policys_decision_and_logs_received(
    office_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = services.second_opinion_request_create(
            patient=PatientFactory(),
            details=details(),
            received_on=datetime.date(2026, 11, 20),
            by=office_user,
        )
    request.refresh_from_db()
    assert (request.status, request.decision, request.route, request.redirect_to) == (
        "received",
        "accept",
        "mdt_review",
        "",
    )
    assert request.signpost == ["sarcoma_uk_support_line"]
    assert request.decision_reasons[0].startswith("LSESN second-opinion policy (SAG-approved): ")
    log = list(request.transitions.values_list("from_status", "to_status", "by"))
    assert log == [("", "received", office_user.pk)]
    assert request.history.count() == 1


def test_create_tells_the_office_on_commit_without_patient_identifiers(
    office_user, django_capture_on_commit_callbacks
):
    patient = PatientFactory(given_name="Zebedee", family_name="Quux")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        request = services.second_opinion_request_create(
            patient=patient, details=details(), received_on=datetime.date(2026, 11, 20), by=office_user
        )
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["office@example.invalid"]
    assert f"/second-opinions/{request.pk}/" in message.body
    for identifier in ("Zebedee", "Quux", patient.nhs_number):
        assert identifier not in message.body + message.subject


def test_create_recomputes_a_redirect_for_bone_at_rmh(office_user):
    request = services.second_opinion_request_create(
        patient=PatientFactory(),
        details=details(tumour="bone", current_service="other"),
        received_on=datetime.date(2026, 11, 20),
        by=office_user,
    )
    assert (request.decision, request.redirect_to, request.route) == ("redirect", "LSS", "")


def walk(request, office_user):
    request = services.second_opinion_request_decide(
        request_id=request.pk, expected_status="received", by=office_user
    )
    request = services.second_opinion_request_request_records(
        request_id=request.pk, expected_status="decided", by=office_user
    )
    request = services.second_opinion_request_receive_records(
        request_id=request.pk, expected_status="records_requested", by=office_user
    )
    request = services.second_opinion_request_review(
        request_id=request.pk, expected_status="records_received", by=office_user, note="Discussed at RMH MDT"
    )
    request = services.second_opinion_request_send_opinion(
        request_id=request.pk,
        expected_status="reviewed",
        by=office_user,
        outcome="differs",
        outcome_differences="Recommends preoperative radiotherapy",
    )
    return services.second_opinion_request_close(
        request_id=request.pk, expected_status="opinion_sent", by=office_user
    )


@time_machine.travel(datetime.datetime(2026, 11, 24, 10, tzinfo=datetime.UTC), tick=False)
def test_the_whole_workflow_is_recorded_step_by_step(office_user):
    request = walk(ReceivedSecondOpinionRequestFactory(received_on=datetime.date(2026, 11, 10)), office_user)
    request.refresh_from_db()
    assert request.status == "closed"
    assert request.records_requested_on == datetime.date(2026, 11, 24)
    assert request.records_received_on == datetime.date(2026, 11, 24)
    now = datetime.datetime(2026, 11, 24, 10, tzinfo=datetime.UTC)
    assert (request.decided_at, request.reviewed_at, request.closed_at) == (now, now, now)
    assert (request.outcome, request.outcome_differences) == (
        "differs",
        "Recommends preoperative radiotherapy",
    )
    assert request.opinion_sent_on == datetime.date(2026, 11, 24)
    assert request.turnaround_days == 14
    steps = list(
        SecondOpinionTransition.objects.filter(request=request).values_list("from_status", "to_status")
    )
    assert steps == [
        ("received", "decided"),
        ("decided", "records_requested"),
        ("records_requested", "records_received"),
        ("records_received", "reviewed"),
        ("reviewed", "opinion_sent"),
        ("opinion_sent", "closed"),
    ]
    reviewed = SecondOpinionTransition.objects.get(request=request, to_status="reviewed")
    assert (reviewed.by, reviewed.note) == (office_user, "Discussed at RMH MDT")
    assert request.history.count() == 7  # created by the factory + six transitions


def test_an_invalid_jump_is_refused_clearly_and_nothing_is_saved(office_user):
    request = ReceivedSecondOpinionRequestFactory()
    with pytest.raises(services.SecondOpinionError, match="cannot go from 'received' to 'reviewed'"):
        services.second_opinion_request_review(
            request_id=request.pk, expected_status="received", by=office_user
        )
    request.refresh_from_db()
    assert request.status == "received"
    assert request.reviewed_at is None
    assert not request.transitions.exists()


def test_opinion_cannot_be_sent_straight_from_received(office_user):
    request = ReceivedSecondOpinionRequestFactory()
    with pytest.raises(services.SecondOpinionError, match="cannot go from 'received' to 'opinion_sent'"):
        services.second_opinion_request_send_opinion(
            request_id=request.pk, expected_status="received", by=office_user, outcome="agrees"
        )
    request.refresh_from_db()
    assert (request.status, request.outcome, request.opinion_sent_on) == ("received", "", None)


def test_a_closed_request_cannot_move(office_user):
    request = OpinionSentSecondOpinionRequestFactory()
    services.second_opinion_request_close(
        request_id=request.pk, expected_status="opinion_sent", by=office_user
    )
    with pytest.raises(services.SecondOpinionError, match=r"next steps allowed are: none \(it is closed\)"):
        services.second_opinion_request_decide(
            request_id=request.pk, expected_status="closed", by=office_user
        )


def test_a_stale_page_is_told_another_user_got_there_first(office_user, other_clinician):
    request = DecidedSecondOpinionRequestFactory()
    services.second_opinion_request_request_records(
        request_id=request.pk, expected_status="decided", by=office_user
    )
    with pytest.raises(services.SecondOpinionError, match="Another user got there first"):
        services.second_opinion_request_request_records(
            request_id=request.pk, expected_status="decided", by=office_user
        )
    assert request.transitions.filter(to_status="records_requested").count() == 1


def test_records_are_not_requested_without_consent(office_user):
    request = DecidedSecondOpinionRequestFactory(consent_to_share_records=False)
    with pytest.raises(services.SecondOpinionError, match="not consented to share their records"):
        services.second_opinion_request_request_records(
            request_id=request.pk, expected_status="decided", by=office_user
        )


def test_records_are_not_requested_for_a_request_that_was_not_accepted(office_user):
    request = NotRoutinelyAvailableSecondOpinionRequestFactory(status="decided")
    assert request.decision == "not_routinely_available"
    with pytest.raises(services.SecondOpinionError, match="only for an accepted request"):
        services.second_opinion_request_request_records(
            request_id=request.pk, expected_status="decided", by=office_user
        )
    services.second_opinion_request_close(request_id=request.pk, expected_status="decided", by=office_user)
    request.refresh_from_db()
    assert request.status == "closed"


@pytest.mark.parametrize(
    "factory",
    [
        ReceivedSecondOpinionRequestFactory,
        RecordsRequestedSecondOpinionRequestFactory,
        RecordsReceivedSecondOpinionRequestFactory,
        ReviewedSecondOpinionRequestFactory,
    ],
)
def test_withdrawing_an_open_request_needs_a_reason(office_user, factory):
    request = factory()
    with pytest.raises(services.SecondOpinionError, match="give the reason in the note"):
        services.second_opinion_request_close(
            request_id=request.pk, expected_status=request.status, by=office_user
        )
    services.second_opinion_request_close(
        request_id=request.pk, expected_status=request.status, by=office_user, note="Patient withdrew"
    )
    assert request.transitions.get(to_status="closed").note == "Patient withdrew"


def test_opinion_that_differs_must_say_how(office_user):
    request = ReviewedSecondOpinionRequestFactory()
    with pytest.raises(services.SecondOpinionError, match="how the opinion differs"):
        services.second_opinion_request_send_opinion(
            request_id=request.pk, expected_status="reviewed", by=office_user, outcome="differs"
        )
    with pytest.raises(services.SecondOpinionError, match="agrees with the current plan or differs"):
        services.second_opinion_request_send_opinion(
            request_id=request.pk, expected_status="reviewed", by=office_user, outcome=""
        )
    request.refresh_from_db()
    assert request.status == "reviewed"


@time_machine.travel(datetime.datetime(2026, 11, 24, 10, tzinfo=datetime.UTC), tick=False)
def test_opinion_sent_on_a_given_day_but_not_in_the_future_or_before_the_request(office_user):
    request = ReviewedSecondOpinionRequestFactory(received_on=datetime.date(2026, 11, 2))
    with pytest.raises(services.SecondOpinionError, match="cannot be in the future"):
        services.second_opinion_request_send_opinion(
            request_id=request.pk,
            expected_status="reviewed",
            by=office_user,
            outcome="agrees",
            sent_on=datetime.date(2026, 11, 25),
        )
    with pytest.raises(services.SecondOpinionError, match="before the request was received"):
        services.second_opinion_request_send_opinion(
            request_id=request.pk,
            expected_status="reviewed",
            by=office_user,
            outcome="agrees",
            sent_on=datetime.date(2026, 11, 1),
        )
    services.second_opinion_request_send_opinion(
        request_id=request.pk,
        expected_status="reviewed",
        by=office_user,
        outcome="agrees",
        outcome_differences="ignored when it agrees",
        sent_on=datetime.date(2026, 11, 20),
    )
    request.refresh_from_db()
    assert (request.outcome, request.outcome_differences, request.opinion_sent_on) == (
        "agrees",
        "",
        datetime.date(2026, 11, 20),
    )
    assert request.turnaround_days == 18


def test_visible_to_gives_least_privilege(office_user, clinician, other_clinician, sag_member, outsider):
    from tests.factories import ReceivedReferralFactory

    mine = ReceivedSecondOpinionRequestFactory()
    ReceivedReferralFactory(patient=mine.patient, responsible_consultant=clinician)
    theirs = ReceivedSecondOpinionRequestFactory()
    ReceivedReferralFactory(patient=theirs.patient, responsible_consultant=other_clinician)
    assert set(R.objects.visible_to(office_user)) == {mine, theirs}
    assert list(R.objects.visible_to(clinician)) == [mine]
    assert list(R.objects.visible_to(other_clinician)) == [theirs]
    assert not R.objects.visible_to(sag_member).exists()
    assert not R.objects.visible_to(outsider).exists()


def test_care_team_member_sees_the_patients_requests(clinician):
    from tests.factories import ReceivedReferralFactory

    request = ReceivedSecondOpinionRequestFactory()
    referral = ReceivedReferralFactory(patient=request.patient)
    referral.care_team.add(clinician)
    assert list(R.objects.visible_to(clinician)) == [request]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_users_pressing_the_same_button_at_once_move_the_request_once(office_user):
    import threading

    from django.db import connection

    request = DecidedSecondOpinionRequestFactory()
    barrier = threading.Barrier(2)
    results = []

    def press():
        try:
            barrier.wait()
            services.second_opinion_request_request_records(
                request_id=request.pk, expected_status="decided", by=office_user
            )
            results.append("moved")
        except services.SecondOpinionError as error:
            results.append(str(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=press) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results)[0].startswith("Another user got there first")
    assert sorted(results)[1] == "moved"
    assert request.transitions.filter(to_status="records_requested").count() == 1
