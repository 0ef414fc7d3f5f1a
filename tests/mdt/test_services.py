import datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError

from mdt import services
from mdt.models import MdtAttendance, MdtDiscussion, MdtMeeting, MdtReminderSent, PatientOutcomePreference
from mdt.rules import LONDON
from tests.factories import (
    CancelledMeetingFactory,
    DiscussedMdtDiscussionFactory,
    HeldMeetingFactory,
    ListClosedMeetingFactory,
    MdtDiscussionFactory,
    MdtFactory,
    MdtPractitionerFactory,
    OrganisationFactory,
    PatientFactory,
    PlannedMeetingFactory,
    QuorateHeldMeetingFactory,
    ReceivedReferralFactory,
    set_core_members,
)

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
BEFORE_CUTOFF = datetime.datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
AFTER_CUTOFF = datetime.datetime(2026, 11, 30, 13, 0, tzinfo=UTC)


def _field_errors(excinfo) -> dict:
    return excinfo.value.message_dict


# Meetings ---------------------------------------------------------------------------------------


@time_machine.travel(datetime.datetime(2026, 11, 24, 7, 0, tzinfo=UTC), tick=False)
def test_meetings_are_created_ahead_from_the_weekly_slot_and_not_twice():
    mdt = MdtFactory(weeks_ahead=8)
    created = services.mdt_meetings_generate(mdt=mdt)
    days = [m.starts_at.astimezone(LONDON).date() for m in created]
    assert days[0] == datetime.date(2026, 11, 25)
    assert days[-1] == datetime.date(2027, 1, 13)
    assert datetime.date(2026, 12, 30) in days
    assert all(m.starts_at.astimezone(LONDON).time() == datetime.time(8, 0) for m in created)
    # Cut-off before the meeting after Christmas skips the Boxing Day substitute holiday.
    after_christmas = next(
        m for m in created if m.starts_at.astimezone(LONDON).date() == datetime.date(2026, 12, 30)
    )
    assert after_christmas.cutoff_at.astimezone(LONDON).date() == datetime.date(2026, 12, 24)
    assert services.mdt_meetings_generate(mdt=mdt) == []
    assert mdt.meetings.count() == len(created)


@time_machine.travel(datetime.datetime(2026, 11, 24, 7, 0, tzinfo=UTC), tick=False)
def test_a_cancelled_date_is_not_recreated():
    mdt = MdtFactory(weeks_ahead=3)
    cancelled = CancelledMeetingFactory(mdt=mdt)  # Wednesday 2 December
    created = services.mdt_meetings_generate(mdt=mdt)
    assert [m.starts_at.astimezone(LONDON).date() for m in created] == [
        datetime.date(2026, 11, 25),
        datetime.date(2026, 12, 9),
    ]
    assert mdt.meetings.filter(status=MdtMeeting.Status.CANCELLED).get() == cancelled


@time_machine.travel(datetime.datetime(2026, 10, 12, 7, 0, tzinfo=UTC), tick=False)
def test_generated_meetings_keep_local_time_across_the_clock_change():
    mdt = MdtFactory(weekday=1, start_time=datetime.time(9, 0), weeks_ahead=3)
    created = services.mdt_meetings_generate(mdt=mdt)
    assert [m.starts_at.astimezone(UTC).hour for m in created] == [8, 8, 9]


def test_closing_the_list_twice_is_refused(office_user):
    meeting = PlannedMeetingFactory()
    services.meeting_close_list(meeting_id=meeting.pk, by=office_user)
    with pytest.raises(ValidationError, match="list closed"):
        services.meeting_close_list(meeting_id=meeting.pk, by=office_user)
    meeting.refresh_from_db()
    assert meeting.status == MdtMeeting.Status.LIST_CLOSED
    assert meeting.history.count() == 2


def test_a_meeting_is_marked_held_only_once_it_has_started(office_user):
    meeting = PlannedMeetingFactory()
    with pytest.raises(ValidationError, match="once it has started"):
        services.meeting_mark_held(
            meeting_id=meeting.pk, by=office_user, now=meeting.starts_at - datetime.timedelta(hours=1)
        )
    services.meeting_mark_held(meeting_id=meeting.pk, by=office_user, now=meeting.starts_at)
    meeting.refresh_from_db()
    assert meeting.status == MdtMeeting.Status.HELD


def test_a_meeting_with_cases_cannot_be_cancelled_until_they_are_moved(office_user):
    discussion = MdtDiscussionFactory()
    with pytest.raises(ValidationError, match="Move the 1 case"):
        services.meeting_cancel(meeting_id=discussion.meeting_id, reason="Strike", by=office_user)
    empty = PlannedMeetingFactory(
        mdt=discussion.meeting.mdt, starts_at=discussion.meeting.starts_at + datetime.timedelta(weeks=1)
    )
    with pytest.raises(ValidationError) as excinfo:
        services.meeting_cancel(meeting_id=empty.pk, reason=" ", by=office_user)
    assert "reason" in _field_errors(excinfo)
    services.meeting_cancel(meeting_id=empty.pk, reason="Strike", by=office_user)
    empty.refresh_from_db()
    assert (empty.status, empty.cancel_reason) == (MdtMeeting.Status.CANCELLED, "Strike")


# Attendance and quoracy -------------------------------------------------------------------------


@pytest.fixture
def core():
    return {
        speciality: MdtPractitionerFactory(speciality=speciality)
        for speciality in ("surgery", "radiology", "pathology")
    }


def test_a_meeting_is_quorate_when_the_rule_specialities_attend(office_user, core):
    meeting = HeldMeetingFactory()
    set_core_members(meeting.mdt, core.values())
    result = services.attendance_record(
        meeting_id=meeting.pk, present=[core["surgery"], core["radiology"]], by=office_user
    )
    assert (result.quorate, result.missing) == (False, ("pathology",))
    deputy = MdtPractitionerFactory(speciality="pathology", is_core_mdt_member=False)
    result = services.attendance_record(
        meeting_id=meeting.pk,
        present=[core["surgery"], core["radiology"]],
        deputies=[(deputy, core["pathology"])],
        by=office_user,
    )
    assert result.quorate
    assert meeting.attendance.get(practitioner=deputy).deputy_for == core["pathology"]
    # Replacing the attendance keeps a history of who was recorded and removed.
    history = MdtAttendance.history.filter(meeting_id=meeting.pk)
    assert history.filter(history_type="+").count() == 5
    assert history.filter(history_type="-").count() == 2
    assert services.meeting_quoracy(meeting).quorate


def test_a_deputy_must_cover_a_core_member(office_user, core):
    meeting = HeldMeetingFactory()
    set_core_members(meeting.mdt, core.values())
    outsider = MdtPractitionerFactory(is_core_mdt_member=False)
    with pytest.raises(ValidationError) as excinfo:
        services.attendance_record(
            meeting_id=meeting.pk, present=[], deputies=[(MdtPractitionerFactory(), outsider)], by=office_user
        )
    assert "deputies" in _field_errors(excinfo)
    assert not meeting.attendance.exists()


def test_attendance_over_time_counts_deputies_and_only_the_last_12_months(office_user, core):
    mdt = MdtFactory()
    set_core_members(mdt, core.values())
    starts = [datetime.datetime(2026, 11, day, 8, 0, tzinfo=LONDON) for day in (4, 11, 18)]
    meetings = [HeldMeetingFactory(mdt=mdt, starts_at=s) for s in starts]
    old = HeldMeetingFactory(mdt=mdt, starts_at=datetime.datetime(2025, 10, 1, 8, 0, tzinfo=LONDON))
    PlannedMeetingFactory(mdt=mdt)  # not held: does not count
    deputy = MdtPractitionerFactory(is_core_mdt_member=False)
    services.attendance_record(
        meeting_id=meetings[0].pk, present=[core["surgery"], core["radiology"]], by=office_user
    )
    services.attendance_record(
        meeting_id=meetings[1].pk,
        present=[core["surgery"]],
        deputies=[(deputy, core["radiology"])],
        by=office_user,
    )
    services.attendance_record(meeting_id=meetings[2].pk, present=[core["pathology"]], by=office_user)
    services.attendance_record(meeting_id=old.pk, present=[core["pathology"]], by=office_user)
    rows = {
        row["member"].speciality: row["share"]
        for row in services.attendance_over_time(mdt=mdt, today=datetime.date(2026, 11, 24))
    }
    assert (rows["surgery"].attended, rows["surgery"].meetings, rows["surgery"].meets_expectation) == (
        2,
        3,
        True,
    )
    assert (rows["radiology"].attended, rows["radiology"].meets_expectation) == (2, True)
    assert (rows["pathology"].attended, rows["pathology"].meets_expectation) == (1, False)


# Discussions ------------------------------------------------------------------------------------


def test_a_case_is_added_before_the_cutoff_without_a_reason(office_user, clinician):
    meeting = PlannedMeetingFactory()
    referral = ReceivedReferralFactory(responsible_consultant=clinician)
    discussion = services.discussion_add(
        meeting_id=meeting.pk, referral=referral, by=office_user, question="Plan?", now=BEFORE_CUTOFF
    )
    assert discussion.presenting_clinician == clinician
    assert discussion.late_addition_reason == ""
    assert discussion.outcome_recipients == PatientOutcomePreference.Recipients.REFERRER


def test_adding_a_case_after_the_cutoff_needs_a_reason(office_user):
    meeting = PlannedMeetingFactory()
    referral = ReceivedReferralFactory()
    with pytest.raises(ValidationError) as excinfo:
        services.discussion_add(meeting_id=meeting.pk, referral=referral, by=office_user, now=AFTER_CUTOFF)
    assert "late_addition_reason" in _field_errors(excinfo)
    assert not MdtDiscussion.objects.exists()
    discussion = services.discussion_add(
        meeting_id=meeting.pk,
        referral=referral,
        by=office_user,
        late_addition_reason="Cord compression on MRI",
        now=AFTER_CUTOFF,
    )
    assert discussion.late_addition_reason == "Cord compression on MRI"


def test_a_closed_list_needs_a_reason_even_before_the_cutoff(office_user):
    meeting = ListClosedMeetingFactory()
    with pytest.raises(ValidationError) as excinfo:
        services.discussion_add(
            meeting_id=meeting.pk, referral=ReceivedReferralFactory(), by=office_user, now=BEFORE_CUTOFF
        )
    assert "late_addition_reason" in _field_errors(excinfo)


def test_a_case_cannot_be_added_twice_or_to_a_past_or_cancelled_meeting(office_user):
    discussion = MdtDiscussionFactory()
    with pytest.raises(ValidationError) as excinfo:
        services.discussion_add(
            meeting_id=discussion.meeting_id, referral=discussion.referral, by=office_user, now=BEFORE_CUTOFF
        )
    assert "referral" in _field_errors(excinfo)
    for meeting in (
        HeldMeetingFactory(),
        CancelledMeetingFactory(starts_at=datetime.datetime(2026, 12, 9, 8, 0, tzinfo=LONDON)),
    ):
        with pytest.raises(ValidationError) as excinfo:
            services.discussion_add(
                meeting_id=meeting.pk, referral=ReceivedReferralFactory(), by=office_user, now=BEFORE_CUTOFF
            )
        assert "meeting" in _field_errors(excinfo)


def test_the_outcome_recipients_start_from_the_patients_recorded_wishes(office_user):
    patient = PatientFactory()
    PatientOutcomePreference.objects.create(
        patient=patient, recipients="both", patient_email="p@example.invalid"
    )
    discussion = services.discussion_add(
        meeting_id=PlannedMeetingFactory().pk,
        referral=ReceivedReferralFactory(patient=patient),
        by=office_user,
        now=BEFORE_CUTOFF,
    )
    assert discussion.outcome_recipients == "both"


def test_moving_a_case_keeps_its_history_with_the_reason(office_user):
    discussion = MdtDiscussionFactory()
    first = discussion.meeting
    later = PlannedMeetingFactory(mdt=first.mdt, starts_at=first.starts_at + datetime.timedelta(weeks=1))
    moved = services.discussion_move(
        discussion_id=discussion.pk,
        to_meeting_id=later.pk,
        reason="Awaiting biopsy",
        by=office_user,
        now=BEFORE_CUTOFF,
    )
    assert moved.pk == discussion.pk
    assert moved.meeting == later
    history = list(discussion.history.order_by("history_date"))
    assert [h.meeting_id for h in history] == [first.pk, later.pk]
    assert history[-1].history_change_reason == "Moved: Awaiting biopsy"


def test_a_move_needs_a_reason_and_an_open_later_meeting(office_user):
    discussion = MdtDiscussionFactory()
    later = PlannedMeetingFactory(
        mdt=discussion.meeting.mdt, starts_at=discussion.meeting.starts_at + datetime.timedelta(weeks=1)
    )
    with pytest.raises(ValidationError) as excinfo:
        services.discussion_move(
            discussion_id=discussion.pk, to_meeting_id=later.pk, reason="", by=office_user, now=BEFORE_CUTOFF
        )
    assert "reason" in _field_errors(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        services.discussion_move(
            discussion_id=discussion.pk,
            to_meeting_id=HeldMeetingFactory().pk,
            reason="x",
            by=office_user,
            now=BEFORE_CUTOFF,
        )
    assert "to_meeting" in _field_errors(excinfo)
    discussion.refresh_from_db()
    assert discussion.meeting_id != later.pk


def test_a_discussed_case_cannot_be_moved(office_user):
    discussion = DiscussedMdtDiscussionFactory()
    with pytest.raises(ValidationError, match="already has an outcome"):
        services.discussion_move(
            discussion_id=discussion.pk,
            to_meeting_id=PlannedMeetingFactory().pk,
            reason="x",
            by=office_user,
            now=BEFORE_CUTOFF,
        )


@time_machine.travel(BEFORE_CUTOFF, tick=False)
def test_add_to_next_uses_the_next_meeting_whose_list_is_open(office_user):
    mdt = MdtFactory()
    PlannedMeetingFactory(
        mdt=mdt, starts_at=datetime.datetime(2026, 11, 25, 8, 0, tzinfo=LONDON)
    )  # cut-off passed
    open_meeting = PlannedMeetingFactory(mdt=mdt)
    discussion = services.discussion_add_to_next(referral=ReceivedReferralFactory(), mdt=mdt, by=office_user)
    assert discussion.meeting == open_meeting


@time_machine.travel(BEFORE_CUTOFF, tick=False)
def test_add_to_next_without_an_mdt_uses_the_previous_or_the_referrers_mdt(office_user):
    organisation = OrganisationFactory(ods_code="RPY")
    mdt = MdtFactory()
    mdt.service.organisations.add(organisation)
    meeting = PlannedMeetingFactory(mdt=mdt)
    referral = ReceivedReferralFactory(referring_organisation=organisation)
    assert services.mdt_for_referral(referral) == mdt
    assert services.discussion_add_to_next(referral=referral, mdt=None, by=office_user).meeting == meeting
    with pytest.raises(ValidationError) as excinfo:
        services.discussion_add_to_next(referral=ReceivedReferralFactory(), mdt=None, by=office_user)
    assert "mdt" in _field_errors(excinfo)


def test_discussions_for_patient_respect_who_may_see_them(clinician, other_clinician, office_user):
    mine = MdtDiscussionFactory(referral=ReceivedReferralFactory(responsible_consultant=clinician))
    patient = mine.referral.patient
    assert list(services.discussions_for_patient(patient, clinician)) == [mine]
    assert list(services.discussions_for_patient(patient, office_user)) == [mine]
    assert list(services.discussions_for_patient(patient, other_clinician)) == []


# Outcomes ---------------------------------------------------------------------------------------


def _record(discussion, by, **overrides):
    values = {
        "discussion_id": discussion.pk,
        "version": discussion.version,
        "outcome": "chemotherapy",
        "recommendation": "Neoadjuvant chemotherapy, then re-image.",
        "decision_to_treat_on": datetime.date(2026, 11, 18),
        "outcome_recipients": "referrer",
        "referrer_email": "gp@example.invalid",
        "patient_email": "",
        "by": by,
        "now": datetime.datetime(2026, 11, 18, 12, 0, tzinfo=UTC),
    }
    return services.outcome_record(**{**values, **overrides})


def test_an_outcome_is_recorded_with_the_patients_wishes(office_user):
    discussion = MdtDiscussionFactory(meeting=QuorateHeldMeetingFactory())
    saved = _record(discussion, office_user, outcome_recipients="both", patient_email="pat@example.invalid")
    assert (saved.outcome, saved.version, saved.outcome_recorded_by) == ("chemotherapy", 1, office_user)
    preference = PatientOutcomePreference.objects.get(patient=discussion.referral.patient)
    assert (preference.recipients, preference.patient_email) == ("both", "pat@example.invalid")


def test_a_second_concurrent_outcome_save_is_refused(office_user, superuser):
    discussion = MdtDiscussionFactory(meeting=QuorateHeldMeetingFactory())
    _record(discussion, office_user)  # built from version 0
    with pytest.raises(ValidationError, match="Another user got there first"):
        _record(discussion, superuser, outcome="surgery")  # also built from version 0
    discussion.refresh_from_db()
    assert (discussion.outcome, discussion.outcome_recorded_by) == ("chemotherapy", office_user)


def test_outcome_input_is_checked_field_by_field(office_user):
    discussion = MdtDiscussionFactory(meeting=HeldMeetingFactory())
    for overrides, field in [
        ({"outcome": "magic"}, "outcome"),
        ({"recommendation": "  "}, "recommendation"),
        ({"decision_to_treat_on": datetime.date(2026, 11, 1)}, "decision_to_treat_on"),
    ]:
        with pytest.raises(ValidationError) as excinfo:
            _record(discussion, office_user, **overrides)
        assert field in _field_errors(excinfo)
    discussion.refresh_from_db()
    assert discussion.outcome == ""


def test_no_outcome_before_the_meeting(office_user):
    discussion = MdtDiscussionFactory()
    with pytest.raises(ValidationError, match="once the meeting has started"):
        _record(discussion, office_user, now=BEFORE_CUTOFF, decision_to_treat_on=None)


@pytest.mark.parametrize(
    ("recipients", "expected"),
    [
        ("referrer", {"referrer@example.invalid"}),
        ("patient", {"patient@example.invalid"}),
        ("both", {"referrer@example.invalid", "patient@example.invalid"}),
    ],
)
def test_the_outcome_goes_to_whom_the_patient_wishes(office_user, recipients, expected):
    discussion = DiscussedMdtDiscussionFactory(outcome_recipients=recipients)
    PatientOutcomePreference.objects.create(
        patient=discussion.referral.patient, recipients=recipients, patient_email="patient@example.invalid"
    )
    now = datetime.datetime(2026, 11, 19, 9, 0, tzinfo=UTC)
    services.outcome_send(discussion_id=discussion.pk, by=office_user, now=now)
    assert {address for message in mail.outbox for address in message.to} == expected
    assert all("Wide local excision" in message.body for message in mail.outbox)
    discussion.refresh_from_db()
    assert (discussion.outcome_sent_at, discussion.outcome_sent_to) == (now, recipients)
    assert MdtReminderSent.objects.filter(object_id=discussion.pk).count() == len(expected)


def test_the_patient_letter_names_only_the_patient_and_the_referrer_letter_identifies_them(office_user):
    discussion = DiscussedMdtDiscussionFactory(outcome_recipients="both")
    PatientOutcomePreference.objects.create(
        patient=discussion.referral.patient, recipients="both", patient_email="p@example.invalid"
    )
    services.outcome_send(discussion_id=discussion.pk, by=office_user)
    to_referrer = next(m for m in mail.outbox if m.to == ["referrer@example.invalid"])
    to_patient = next(m for m in mail.outbox if m.to == ["p@example.invalid"])
    assert discussion.referral.patient.nhs_number in to_referrer.body
    assert discussion.referral.patient.nhs_number not in to_patient.body


def test_an_outcome_is_not_sent_without_the_address_the_wishes_need(office_user):
    discussion = DiscussedMdtDiscussionFactory(outcome_recipients="patient")
    with pytest.raises(ValidationError) as excinfo:
        services.outcome_send(discussion_id=discussion.pk, by=office_user)
    assert "patient_email" in _field_errors(excinfo)
    assert mail.outbox == []
    discussion.refresh_from_db()
    assert discussion.outcome_sent_at is None


def test_an_outcome_is_sent_once(office_user):
    discussion = DiscussedMdtDiscussionFactory()
    services.outcome_send(discussion_id=discussion.pk, by=office_user)
    with pytest.raises(ValidationError, match="already"):
        services.outcome_send(discussion_id=discussion.pk, by=office_user)
    assert len(mail.outbox) == 1


def test_an_outcome_cannot_be_sent_before_it_is_recorded(office_user):
    discussion = MdtDiscussionFactory(meeting=HeldMeetingFactory())
    with pytest.raises(ValidationError, match="Record the outcome"):
        services.outcome_send(discussion_id=discussion.pk, by=office_user)


# Calendar token ---------------------------------------------------------------------------------


def test_resetting_the_calendar_token_replaces_it(clinician):
    first = services.calendar_token_get_or_create(user=clinician).token
    assert services.calendar_token_get_or_create(user=clinician).token == first
    assert services.calendar_token_get_or_create(user=clinician, reset=True).token != first


def test_the_31_day_clock_starts_at_the_first_decision_to_treat():
    referral = ReceivedReferralFactory()
    assert services.referral_decision_to_treat_on(referral) is None
    DiscussedMdtDiscussionFactory(referral=referral, decision_to_treat_on=datetime.date(2026, 11, 20))
    DiscussedMdtDiscussionFactory(
        referral=referral,
        meeting=HeldMeetingFactory(starts_at=datetime.datetime(2026, 11, 11, 8, 0, tzinfo=LONDON)),
        decision_to_treat_on=datetime.date(2026, 11, 12),
    )
    assert services.referral_decision_to_treat_on(referral) == datetime.date(2026, 11, 12)


# The referral follows its MDT discussions --------------------------------------------------------


def test_listing_an_accepted_referral_moves_it_to_awaiting_mdt_with_an_event(office_user):
    referral = ReceivedReferralFactory(status="accepted")
    services.discussion_add(
        meeting_id=PlannedMeetingFactory().pk, referral=referral, by=office_user, now=BEFORE_CUTOFF
    )
    referral.refresh_from_db()
    assert referral.status == "awaiting_mdt"
    event = referral.events.get()
    assert (event.from_status, event.to_status, event.actor) == ("accepted", "awaiting_mdt", office_user)


def test_listing_a_referral_not_yet_accepted_leaves_its_status(office_user):
    referral = ReceivedReferralFactory(status="received")
    services.discussion_add(
        meeting_id=PlannedMeetingFactory().pk, referral=referral, by=office_user, now=BEFORE_CUTOFF
    )
    referral.refresh_from_db()
    assert referral.status == "received"
    assert not referral.events.exists()


def test_an_outcome_starts_the_31_day_clock_and_moves_the_referral_to_discussed(office_user):
    referral = ReceivedReferralFactory(status="awaiting_mdt", received_on=datetime.date(2026, 11, 2))
    discussion = MdtDiscussionFactory(meeting=QuorateHeldMeetingFactory(), referral=referral)
    _record(discussion, office_user, decision_to_treat_on=datetime.date(2026, 11, 18))
    referral.refresh_from_db()
    assert referral.status == "discussed_at_mdt"
    assert referral.mdt_outcome_on == discussion.meeting.starts_at.astimezone(LONDON).date()
    assert referral.decision_to_treat_on == datetime.date(2026, 11, 18)
    clocks = {c.standard: c for c in referral.clocks(today=datetime.date(2026, 11, 25))}
    assert clocks["dtt_31"].start == datetime.date(2026, 11, 18)
    assert clocks["dtt_31"].due_date == datetime.date(2026, 12, 19)
    # With an MDT outcome, a first treatment is no longer "treatment before MDT".
    from referrals.services import referral_record_first_treatment

    treated = referral_record_first_treatment(
        referral_id=referral.pk, treated_on=datetime.date(2026, 11, 25), by=office_user,
        modality="surgery", practitioner_id=MdtPractitionerFactory().pk,
        centre_id=discussion.meeting.mdt.service_id,
    )  # fmt: skip
    assert treated.status == "first_treatment_given"


def test_a_move_from_a_meeting_the_case_has_left_is_refused(office_user):
    discussion = MdtDiscussionFactory(meeting=PlannedMeetingFactory())
    start = discussion.meeting
    one = PlannedMeetingFactory(mdt=start.mdt, starts_at=start.starts_at + datetime.timedelta(weeks=1))
    two = PlannedMeetingFactory(mdt=start.mdt, starts_at=start.starts_at + datetime.timedelta(weeks=2))
    services.discussion_move(
        discussion_id=discussion.pk, to_meeting_id=one.pk, from_meeting_id=start.pk,
        reason="Imaging not back", by=office_user, now=BEFORE_CUTOFF,
    )  # fmt: skip
    with pytest.raises(ValidationError, match="Another user got there first"):
        services.discussion_move(
            discussion_id=discussion.pk, to_meeting_id=two.pk, from_meeting_id=start.pk,
            reason="Surgeon away", by=office_user, now=BEFORE_CUTOFF,
        )  # fmt: skip
    discussion.refresh_from_db()
    assert discussion.meeting == one
    assert (
        discussion.history.order_by("-history_id").first().history_change_reason == "Moved: Imaging not back"
    )


# E-mail outside the secure domains (issue 17 finding 6) and a failing recipient (finding 8) -----


def test_an_outcome_to_a_referrer_outside_the_secure_domains_carries_the_referral_number_and_a_link(
    office_user, settings
):
    """ "E-mail that carries patient-identifiable content goes only to addresses in the secure
    domains a setting lists (nhs.net by default); to anyone else it carries a link and the referral
    number only." (issue 17, finding 6)"""
    settings.PORTAL_SECURE_EMAIL_DOMAINS = ["nhs.net"]
    discussion = DiscussedMdtDiscussionFactory(referrer_email="gp@practice.example.org")
    services.outcome_send(discussion_id=discussion.pk, by=office_user)
    (message,) = mail.outbox
    patient = discussion.referral.patient
    for identifier in (
        patient.family_name,
        patient.given_name,
        patient.nhs_number,
        discussion.recommendation,
    ):
        assert identifier not in message.body
    assert f"referral {discussion.referral_id}" in message.body
    assert f"/mdt/discussions/{discussion.pk}/" in message.body


def test_an_outcome_to_a_patients_own_address_outside_the_secure_domains_holds_no_medical_detail(
    office_user, settings
):
    """The same rule for the patient's own address: the portal's choice is that the outcome then
    reaches them by letter or at their appointment (docs/clinical-safety.md, the network's
    choices); the e-mail only says it is ready."""
    settings.PORTAL_SECURE_EMAIL_DOMAINS = ["nhs.net"]
    discussion = DiscussedMdtDiscussionFactory(
        outcome_recipients="patient", referral__patient__family_name="Quillfeatherstone"
    )
    PatientOutcomePreference.objects.create(
        patient=discussion.referral.patient, recipients="patient", patient_email="me@home.example.org"
    )
    services.outcome_send(discussion_id=discussion.pk, by=office_user)
    (message,) = mail.outbox
    assert discussion.recommendation not in message.body
    assert discussion.get_outcome_display() not in message.body
    assert discussion.referral.patient.family_name not in message.body
    assert "by letter or at your next appointment" in message.body


def test_a_case_list_sweep_goes_on_past_a_recipient_whose_email_fails(monkeypatch):
    """ "a sweep that fails one recipient goes on to the next and records the failure" (issue 17,
    finding 8): the failed one is not recorded as sent, so the next run tries it again."""
    from mdt.services import reminders

    sent_to = []

    def send_once(**kwargs):
        if kwargs["recipient"] == "broken@example.invalid":
            raise ValueError("Header values may not contain linefeed or carriage return characters")
        sent_to.append(kwargs["recipient"])
        return True

    monkeypatch.setattr(reminders, "send_once", send_once)
    assert (
        reminders.sweep_send_once(
            kind="case_list",
            object_id=1,
            meeting_id=1,
            recipient="broken@example.invalid",
            message=None,
            now=None,
        )
        is False
    )
    assert (
        reminders.sweep_send_once(
            kind="case_list",
            object_id=1,
            meeting_id=1,
            recipient="fine@example.invalid",
            message=None,
            now=None,
        )
        is True
    )
    assert sent_to == ["fine@example.invalid"]


# Issue 16 item 11: the quorum counts the directory's core members of that MDT ----------------------


def test_a_core_member_approved_in_the_directory_counts_at_once(office_user, sag_member, other_sag_member):
    """Item 11. spinal-sarcoma-pathway-lsesn.txt: "All patients with confirmed bone or soft tissue
    sarcomas involving the spine or paraspinal tissues must be discussed in the London Sarcoma
    Service MDT to plan appropriate multidisciplinary care." """
    from directory import services as directory_services

    meeting = HeldMeetingFactory()
    mdt = meeting.mdt
    mdt.quorum_specialities = ["surgery", "pathology"]
    mdt.save()
    surgeon = MdtPractitionerFactory(speciality="surgery", is_core_mdt_member=False)
    pathologist = MdtPractitionerFactory(speciality="pathology", is_core_mdt_member=False)
    set_core_members(mdt, [surgeon])
    result = services.attendance_record(meeting_id=meeting.pk, present=[surgeon, pathologist], by=office_user)
    assert (result.quorate, result.missing) == (False, ("pathology",))  # present, but not core
    change = directory_services.change_request_propose(
        proposer=sag_member, kind="change", target_type="practitioner", target_id=pathologist.pk,
        values={"is_core_mdt_member": True, "core_mdt_service": mdt.service.code},
        reason="Joins the MDT as its core pathologist.",
    )  # fmt: skip
    directory_services.change_request_approve(change_request_id=change.pk, approver=other_sag_member)
    # No second step in the MDT app: the approved entry counts.
    assert services.meeting_quoracy(meeting).quorate
    assert pathologist in mdt.core_member_practitioners()


def test_a_spinal_case_needs_a_designated_spinal_surgeon_present(office_user):
    """Item 11. spinal-sarcoma-pathway-lsesn.txt: "People with suspected sarcomas arising in the
    spine, sacrum and paraspinal tissues with spine contact or involvement must be referred to a
    designated bone sarcoma service, which will be a Sarcoma Specialist Centre where spine MDTs and
    sarcoma MDTs work jointly." """
    meeting = QuorateHeldMeetingFactory()
    spinal = MdtDiscussionFactory(meeting=meeting, referral=ReceivedReferralFactory(site="spine"))
    limb = MdtDiscussionFactory(meeting=meeting, referral=ReceivedReferralFactory(site="limb"))
    assert services.meeting_quoracy(meeting).quorate
    assert services.discussion_quoracy(limb).quorate
    assert services.discussion_quoracy(spinal).missing == ("spinal_surgeon",)
    spine_surgeon = MdtPractitionerFactory(is_core_mdt_member=False, designation_scope="spinal_surgery")
    MdtAttendance.objects.create(meeting=meeting, practitioner=spine_surgeon)
    assert services.discussion_quoracy(spinal).quorate


def test_the_demo_mdts_have_core_members_and_can_be_quorate(office_user):
    """Item 11. spinal-sarcoma-pathway-lsesn.txt: "The principal role of a Sarcoma MDT is to
    determine a care plan for all people with bone and soft tissue sarcoma" """
    from directory.seed import load_demo_core_members, load_reference_data
    from mdt.seed import load_mdts

    load_reference_data()
    load_demo_core_members()
    with time_machine.travel(datetime.datetime(2026, 11, 24, 7, 0, tzinfo=UTC), tick=False):
        mdts = load_mdts()
    assert {mdt.code for mdt in mdts} == {"LSS", "RMH"}
    for mdt in mdts:
        core = list(mdt.core_member_practitioners())
        assert {p.speciality for p in core} >= set(mdt.quorum_specialities)
        assert mdt.lead in core
        meeting = HeldMeetingFactory(mdt=mdt)
        assert services.attendance_record(meeting_id=meeting.pk, present=core, by=office_user).quorate


# Issue 16 item 12: a bank-holiday meeting moves to the next working day -----------------------------


@time_machine.travel(datetime.datetime(2026, 3, 30, 7, 0, tzinfo=UTC), tick=False)
def test_the_easter_monday_meeting_is_created_on_tuesday_once(settings):
    """Item 12. spinal-sarcoma-pathway-lsesn.txt: "Discussion should take place before treatment
    unless clinical urgency means this is not possible." """
    mdt = MdtFactory(weekday=0, weeks_ahead=2)
    services.mdt_meetings_generate(mdt=mdt)
    moved = mdt.meetings.get(moved_from=datetime.date(2026, 4, 6))
    assert moved.starts_at.astimezone(LONDON).date() == datetime.date(2026, 4, 7)
    assert services.mdt_meetings_generate(mdt=mdt) == []
    settings.MDT_BANK_HOLIDAY_MEETINGS = "cancel"
    other = MdtFactory(weekday=0, weeks_ahead=2)
    services.mdt_meetings_generate(mdt=other)
    assert not other.meetings.filter(moved_from__isnull=False).exists()
    assert other.meetings.count() == mdt.meetings.count() - 1


# Issue 16 item 13: an outcome for a meeting not held, or not quorate, needs a reason ---------------


def test_an_outcome_for_a_meeting_not_marked_held_needs_a_reason_and_shows_it(office_user):
    """Item 13. spinal-sarcoma-pathway-lsesn.txt: "All patients with confirmed bone or soft tissue
    sarcomas involving the spine or paraspinal tissues must be discussed in the London Sarcoma
    Service MDT to plan appropriate multidisciplinary care." """
    meeting = QuorateHeldMeetingFactory(status=MdtMeeting.Status.LIST_CLOSED)  # started, not marked held
    discussion = MdtDiscussionFactory(meeting=meeting)
    with pytest.raises(ValidationError) as excinfo:
        _record(discussion, office_user)
    assert (
        "recorded before the meeting was marked as held" in _field_errors(excinfo)["outcome_caveat_reason"][0]
    )
    saved = _record(discussion, office_user, outcome_caveat_reason="Chair away; marked held tomorrow.")
    assert saved.outcome_caveat == "recorded before the meeting was marked as held"
    assert saved.outcome_caveat_reason == "Chair away; marked held tomorrow."


def test_an_outcome_for_a_meeting_not_quorate_needs_a_reason_naming_what_was_missing(office_user):
    """Item 13. spinal-sarcoma-pathway-lsesn.txt: "a Sarcoma Specialist Centre where spine MDTs and
    sarcoma MDTs work jointly" """
    discussion = MdtDiscussionFactory(
        meeting=QuorateHeldMeetingFactory(), referral=ReceivedReferralFactory(site="sacrum")
    )
    with pytest.raises(ValidationError) as excinfo:
        _record(discussion, office_user)
    assert "a designated spinal surgeon" in _field_errors(excinfo)["outcome_caveat_reason"][0]
    saved = _record(discussion, office_user, outcome_caveat_reason="Spinal surgeon joined by telephone.")
    assert saved.outcome_caveat == (
        "the meeting was not quorate for this case (missing: a designated spinal surgeon)"
    )
    quorate = MdtDiscussionFactory(meeting=QuorateHeldMeetingFactory())
    assert _record(quorate, office_user, outcome_caveat_reason="ignored").outcome_caveat_reason == ""


# Issue 16 item 8: the MDT outcome records an agreed alternative centre -------------------------------


def test_an_outcome_records_the_mdts_agreement_to_an_alternative_centre(office_user, directory):
    """Item 8. spinal-sarcoma-pathway-lsesn.txt: "Patients with spinal sarcomas can have planned
    treated at an alternative centre (i.e. NHNN Queens Square) following MDT agreement that it is
    appropriate to do so." """
    from directory.models import Service
    from referrals.services import referral_record_first_treatment
    from tests.factories import DesignatedSpinalSurgeonFactory

    nhnn = Service.objects.get(code="NHNN")
    referral = ReceivedReferralFactory(
        site="spine", tumour_type="bone", pathway="spinal", status="awaiting_mdt"
    )
    discussion = MdtDiscussionFactory(meeting=QuorateHeldMeetingFactory(), referral=referral)
    surgeon = DesignatedSpinalSurgeonFactory()
    MdtAttendance.objects.create(meeting=discussion.meeting, practitioner=surgeon)

    def treat():
        return referral_record_first_treatment(
            referral_id=referral.pk, treated_on=datetime.date(2026, 11, 20), modality="surgery",
            practitioner_id=surgeon.pk, centre_id=nhnn.pk, by=office_user,
        )  # fmt: skip

    _record(discussion, office_user, outcome="surgery")
    with pytest.raises(ValidationError) as excinfo:
        treat()  # the MDT has agreed no other centre: RNOH is the pathway's
    assert "following MDT agreement that it is appropriate to do so." in _field_errors(excinfo)["centre"][0]
    discussion.refresh_from_db()
    _record(
        discussion, office_user, outcome="surgery", version=discussion.version, agreed_treatment_centre=nhnn
    )
    referral.refresh_from_db()
    assert referral.mdt_agreed_centre == nhnn
    assert f"(MDT discussion {discussion.pk})" in referral.mdt_agreement_source
    treated = treat()
    assert treated.first_treatment_centre == nhnn
    assert treated.urgent_override_departures == []


def test_imaging_recorded_at_intake_starts_available_on_the_case_list(office_user):
    """Issue 19: "the case list does not say 'imaging missing' when imaging was recorded at
    intake". A referral with an MRI recorded starts with its imaging available; one with none
    recorded starts missing until the office ticks it."""
    meeting = PlannedMeetingFactory()
    scanned = ReceivedReferralFactory(imaging_done="mri", imaging_result="suggests_sarcoma")
    unscanned = ReceivedReferralFactory(imaging_done="none")
    with_scan = services.discussion_add(
        meeting_id=meeting.pk, referral=scanned, by=office_user, now=BEFORE_CUTOFF
    )
    without = services.discussion_add(
        meeting_id=meeting.pk, referral=unscanned, by=office_user, now=BEFORE_CUTOFF
    )
    assert with_scan.imaging_available is True
    assert without.imaging_available is False
    services.discussion_readiness_set(
        discussion_id=with_scan.pk, imaging_available=False, pathology_available=False, by=office_user
    )
    with_scan.refresh_from_db()
    assert with_scan.imaging_available is False  # the office can still say the images have not arrived
