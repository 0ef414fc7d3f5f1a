"""MDT events on the patient's timeline (issue 19, item 2): adding a case to a meeting's list,
recording and sending its outcome appear as sentences, from the mdt app (referrals/ asks through
REFERRAL_TIMELINE_SOURCES and imports no mdt code)."""

import datetime

from django.urls import reverse

from mdt import services
from mdt.timeline import referral_timeline_entries
from tests.conftest import on
from tests.factories import (
    DiscussedMdtDiscussionFactory,
    MdtFactory,
    PlannedMeetingFactory,
    ReceivedReferralFactory,
)


def _timeline_html(client, user, patient) -> str:
    client.force_login(user)
    html = client.get(reverse("referrals:patient_detail", args=[patient.pk])).content.decode()
    return html[html.index('id="timeline-heading"') :]


def test_adding_to_an_mdt_appears_on_the_timeline_with_the_meeting(client, office_user):
    meeting = PlannedMeetingFactory(mdt=MdtFactory(name="London Sarcoma Service"))
    referral = ReceivedReferralFactory(received_on=datetime.date(2026, 11, 2))
    with on(datetime.date(2026, 11, 24)):
        services.discussion_add(meeting_id=meeting.pk, referral=referral, by=office_user, question="Plan?")
        html = _timeline_html(client, office_user, referral.patient)
    assert (
        "Referral received 2 November 2026 added to the case list of the London Sarcoma Service "
        "meeting of 2 December 2026 at 08:00"
    ) in html
    assert "Question for the MDT: Plan?" in html


def test_recording_and_sending_an_outcome_appear_on_the_timeline(client, office_user):
    discussion = DiscussedMdtDiscussionFactory(outcome_recipients="referrer")
    services.outcome_send(
        discussion_id=discussion.pk,
        by=office_user,
        now=datetime.datetime(2026, 11, 19, 9, 0, tzinfo=datetime.UTC),
    )
    html = _timeline_html(client, office_user, discussion.referral.patient)
    assert "MDT outcome of the " in html
    assert "sent to the referring clinician" in html


def test_another_clinicians_mdt_events_stay_off_a_break_glass_timeline(client, clinician, office_user):
    discussion = DiscussedMdtDiscussionFactory()
    services.outcome_send(discussion_id=discussion.pk, by=office_user)
    assert (
        referral_timeline_entries(
            patient=discussion.referral.patient, referrals=[discussion.referral], user=clinician
        )
        == []
    )
    assert referral_timeline_entries(
        patient=discussion.referral.patient, referrals=[discussion.referral], user=office_user
    )
