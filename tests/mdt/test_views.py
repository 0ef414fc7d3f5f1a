import datetime
from html.parser import HTMLParser

import icalendar
import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from mdt import services
from mdt.models import MdtCalendarToken, MdtDiscussion
from mdt.rules import LONDON
from portal.roles import Role
from tests.factories import (
    CancelledMeetingFactory,
    DiscussedMdtDiscussionFactory,
    HeldMeetingFactory,
    MdtDiscussionFactory,
    MdtFactory,
    MdtPractitionerFactory,
    PlannedMeetingFactory,
    PractitionerFactory,
    QuorateHeldMeetingFactory,
    ReceivedReferralFactory,
    set_core_members,
)

pytestmark = pytest.mark.django_db

BEFORE_CUTOFF = datetime.datetime(2026, 11, 24, 10, 0, tzinfo=LONDON)
AFTER_CUTOFF = datetime.datetime(2026, 11, 30, 13, 0, tzinfo=LONDON)


@pytest.fixture
def discussion(clinician):
    return MdtDiscussionFactory(
        referral=ReceivedReferralFactory(responsible_consultant=clinician), presenting_clinician=clinician
    )


def _office_urls(discussion) -> list[str]:
    return [
        reverse("mdt:meeting_list"),
        reverse("mdt:meeting_detail", args=[discussion.meeting_id]),
        reverse("mdt:meeting_print", args=[discussion.meeting_id]),
        reverse("mdt:discussion_outcome", args=[discussion.pk]),
        reverse("mdt:discussion_move", args=[discussion.pk]),
        reverse("mdt:add_to_next", args=[discussion.referral_id]),
    ]


@pytest.mark.parametrize("persona", ["outsider", "clinician", "sag_member"])
def test_office_pages_are_refused_to_everyone_else(client, request, persona, discussion):
    client.force_login(request.getfixturevalue(persona))
    for url in _office_urls(discussion):
        assert client.get(url).status_code == 403, url
    for url in (
        reverse("mdt:meeting_add_discussion", args=[discussion.meeting_id]),
        reverse("mdt:meeting_attendance", args=[discussion.meeting_id]),
        reverse("mdt:meeting_transition", args=[discussion.meeting_id, "held"]),
        reverse("mdt:discussion_send", args=[discussion.pk]),
        reverse("mdt:add_to_next", args=[discussion.referral_id]),
    ):
        assert client.post(url).status_code == 403, url
    assert MdtDiscussion.objects.count() == 1


def test_anonymous_users_are_sent_to_sign_in(client, discussion):
    for url in [
        *_office_urls(discussion),
        reverse("mdt:my_mdt"),
        reverse("mdt:discussion_detail", args=[discussion.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


@time_machine.travel(BEFORE_CUTOFF, tick=False)
def test_office_sees_the_meeting_list_and_the_case_list_with_readiness_and_quoracy(
    client, office_user, discussion
):
    client.force_login(office_user)
    listing = client.get(reverse("mdt:meeting_list")).content.decode()
    assert reverse("mdt:meeting_detail", args=[discussion.meeting_id]) in listing
    page = client.get(reverse("mdt:meeting_detail", args=[discussion.meeting_id]))
    content = page.content.decode()
    assert page.status_code == 200
    assert "Imaging missing" in content
    assert "Pathology missing" in content
    assert "Not quorate" in content
    assert "missing: Pathology, Radiology, Surgery" in content
    assert content.count('name="csrfmiddlewaretoken"') == content.count("<form")
    assert str(discussion.referral.patient) in content
    assert content.count("<h1") == 1


def test_printable_case_list_uses_the_print_stylesheet_and_no_inline_style_or_script(
    client, office_user, discussion
):
    client.force_login(office_user)
    content = client.get(reverse("mdt:meeting_print", args=[discussion.meeting_id])).content.decode()
    assert "/static/mdt/mdt-print.css" in content
    assert "<script" not in content.split("<main", 1)[-1]  # the head loads NHS.UK frontend's module file only
    assert "style=" not in content
    assert "<style" not in content
    assert discussion.referral.patient.nhs_number_display in content  # 3-3-4
    assert "MISSING" in content


def test_printable_case_list_shows_the_nhs_number_3_3_4_and_the_hospital_number(client, office_user):
    from tests.factories import HospitalNumberFactory, PatientFactory

    patient = PatientFactory(nhs_number="9434765919")
    HospitalNumberFactory(patient=patient, number="H0012345", organisation__ods_code="RRV")
    discussion = MdtDiscussionFactory(referral=ReceivedReferralFactory(patient=patient))
    client.force_login(office_user)
    content = client.get(reverse("mdt:meeting_print", args=[discussion.meeting_id])).content.decode()
    assert ">943 476 5919</td>" in content
    assert "H0012345 (RRV)" in content
    assert ">Hospital number</th>" in content


def _search(client, meeting, terms: str) -> str:
    """Search for a patient on the meeting's "Add a case" page, as the form does: the terms are
    POSTed, and the page they lead to carries only a token. Returns that page's URL."""
    response = client.post(reverse("mdt:meeting_add_case", args=[meeting.pk]), {"q": terms})
    assert response.status_code == 302
    assert terms not in response.url
    return response.url


def _token(url: str) -> str:
    return url.split("search=")[1]


@time_machine.travel(AFTER_CUTOFF, tick=False)
def test_office_adding_a_case_after_the_cutoff_is_asked_for_a_reason(client, office_user):
    meeting = PlannedMeetingFactory()
    referral = ReceivedReferralFactory(patient__family_name="Arden")
    client.force_login(office_user)
    token = _token(_search(client, meeting, "Arden"))
    url = reverse("mdt:meeting_add_discussion", args=[meeting.pk])
    response = client.post(url, {"search": token, "referral": referral.pk, "question": "Plan?"})
    assert response.status_code == 400
    assert "give the reason this case must be added late" in response.content.decode()
    assert not MdtDiscussion.objects.exists()
    response = client.post(
        url, {"search": token, "referral": referral.pk, "question": "Plan?", "late_addition_reason": "Urgent"}
    )
    assert response.status_code == 302
    assert MdtDiscussion.objects.get().late_addition_reason == "Urgent"


@time_machine.travel(BEFORE_CUTOFF, tick=False)
def test_a_referral_not_among_the_search_results_is_refused_with_words_not_a_500(client, office_user):
    meeting = PlannedMeetingFactory()
    ReceivedReferralFactory(patient__family_name="Arden")
    other = ReceivedReferralFactory(patient__family_name="Brook")
    client.force_login(office_user)
    token = _token(_search(client, meeting, "Arden"))
    response = client.post(
        reverse("mdt:meeting_add_discussion", args=[meeting.pk]),
        {"search": token, "referral": other.pk, "question": "x"},
    )
    assert response.status_code == 400
    assert "Choose one of the patients found, or search again." in response.content.decode()
    response = client.post(
        reverse("mdt:meeting_add_discussion", args=[meeting.pk]), {"referral": 9999, "question": "x"}
    )
    assert response.status_code == 400
    assert "Search for the patient to add." in response.content.decode()
    assert not MdtDiscussion.objects.exists()


@time_machine.travel(BEFORE_CUTOFF, tick=False)
def test_office_finds_the_patient_by_name_or_nhs_number_and_adds_the_case(client, office_user):
    from portal.models import AccessLog

    meeting = PlannedMeetingFactory()
    referral = ReceivedReferralFactory(
        patient__family_name="Arden", patient__given_name="Alice", patient__nhs_number="9434765919"
    )
    ReceivedReferralFactory(patient__family_name="Brook")
    client.force_login(office_user)
    page = client.get(reverse("mdt:meeting_detail", args=[meeting.pk])).content.decode()
    assert "Referral number" not in page
    assert "Patient&#x27;s name or NHS number" in page
    for terms in ("Arden", "943 476 5919"):
        url = _search(client, meeting, terms)
        html = client.get(url).content.decode()
        assert "ARDEN, Alice, NHS number 943 476 5919" in html
        assert "BROOK" not in html
    assert AccessLog.objects.filter(patient_id=referral.patient_id, action="search").exists()
    response = client.post(
        reverse("mdt:meeting_add_discussion", args=[meeting.pk]),
        {"search": _token(url), "referral": referral.pk, "question": "Plan?"},
    )
    assert response.status_code == 302
    assert MdtDiscussion.objects.get().referral == referral
    html = client.get(response.url).content.decode()
    assert "ARDEN, Alice added to the case list." in html
    assert f'href="{reverse("referrals:patient_detail", args=[referral.patient_id])}"' in html


@time_machine.travel(BEFORE_CUTOFF, tick=False)
def test_the_add_case_page_of_a_held_meeting_says_so_before_anything_is_typed(client, office_user):
    meeting = HeldMeetingFactory()
    client.force_login(office_user)
    response = client.get(reverse("mdt:meeting_add_case", args=[meeting.pk]))
    assert response.status_code == 200
    assert "This meeting has taken place or is cancelled" in response.content.decode()
    assert 'name="q"' not in response.content.decode()


def test_office_records_attendance_and_sees_quoracy(client, office_user):
    meeting = HeldMeetingFactory()
    members = [MdtPractitionerFactory(speciality=s) for s in ("surgery", "radiology", "pathology")]
    set_core_members(meeting.mdt, members)
    client.force_login(office_user)
    # The case list links to the attendance page rather than carrying the directory-sized form.
    detail = client.get(reverse("mdt:meeting_detail", args=[meeting.pk])).content.decode()
    url = reverse("mdt:meeting_attendance", args=[meeting.pk])
    assert f'href="{url}"' in detail
    assert 'name="others_present"' not in detail
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="others_present"' in page.content.decode()
    response = client.post(
        reverse("mdt:meeting_attendance", args=[meeting.pk]),
        {"present": [m.pk for m in members]},
        follow=True,
    )
    assert "Attendance recorded: quorate." in response.content.decode()
    assert meeting.attendance.count() == 3


class _SubmittedValues(HTMLParser):
    """What a browser submits from the form posting to `action`: checked boxes, selected options
    and other inputs' values (submit buttons left out)."""

    def __init__(self, action: str):
        super().__init__()
        self.action, self.in_form, self.select, self.data = action, False, None, {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.in_form = attrs.get("action") == self.action
        elif not self.in_form:
            return
        elif tag == "input" and attrs.get("type") != "submit":
            if attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs:
                self.data.setdefault(attrs["name"], []).append(attrs.get("value", ""))
        elif tag == "select":
            self.select = attrs["name"]
        elif tag == "option" and self.select and "selected" in attrs:
            self.data.setdefault(self.select, []).append(attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "select":
            self.select = None


def _attendance(meeting) -> set[tuple[int, int | None]]:
    return set(meeting.attendance.values_list("practitioner_id", "deputy_for_id"))


def test_saving_the_attendance_page_unchanged_keeps_everyone_recorded_before(client, office_user):
    meeting = HeldMeetingFactory()
    surgeon, radiologist = (MdtPractitionerFactory(speciality=s) for s in ("surgery", "radiology"))
    set_core_members(meeting.mdt, [surgeon, radiologist])
    other, deputy = PractitionerFactory(speciality="oncology"), PractitionerFactory(speciality="radiology")
    client.force_login(office_user)
    url = reverse("mdt:meeting_attendance", args=[meeting.pk])
    recorded = client.post(
        url,
        {
            "present": [surgeon.pk],
            "others_present": [other.pk],
            "deputy_1": deputy.pk,
            "deputy_1_for": radiologist.pk,
        },
    )
    assert recorded.status_code == 302
    before = _attendance(meeting)
    assert before == {(surgeon.pk, None), (other.pk, None), (deputy.pk, radiologist.pk)}

    page = client.get(url)
    form = _SubmittedValues(url)
    form.feed(page.content.decode())
    # The page shows everyone recorded, where a save would otherwise wipe them.
    assert form.data["present"] == [str(surgeon.pk)]
    assert form.data["others_present"] == [str(other.pk)]
    assert form.data["deputy_1"] == [str(deputy.pk)]
    assert form.data["deputy_1_for"] == [str(radiologist.pk)]
    assert form.data["deputy_2"] == [""]

    saved = client.post(url, form.data)
    assert saved.status_code == 302
    assert _attendance(meeting) == before


def test_saving_the_attendance_page_keeps_people_who_left_the_directory_and_a_fourth_deputy(
    client, office_user
):
    meeting = HeldMeetingFactory()
    members = [
        MdtPractitionerFactory(speciality=s) for s in ("surgery", "radiology", "pathology", "oncology")
    ]
    set_core_members(meeting.mdt, members)
    deputies = [PractitionerFactory(speciality=member.speciality) for member in members]
    other = PractitionerFactory(speciality="nursing")
    services.attendance_record(
        meeting_id=meeting.pk,
        present=[other],
        deputies=list(zip(deputies, members, strict=True)),
        by=office_user,
    )
    before = _attendance(meeting)
    other.active = False
    other.save()
    client.force_login(office_user)
    url = reverse("mdt:meeting_attendance", args=[meeting.pk])

    page = client.get(url)
    form = _SubmittedValues(url)
    form.feed(page.content.decode())
    assert form.data["others_present"] == [str(other.pk)]
    assert f"{other.name} (no longer in the directory)" in page.content.decode()
    assert form.data["deputy_4"] == [str(deputies[3].pk)]
    assert client.post(url, form.data).status_code == 302
    assert _attendance(meeting) == before


@time_machine.travel(datetime.datetime(2026, 11, 19, 9, 0, tzinfo=LONDON), tick=False)
def test_office_enters_an_outcome_and_a_stale_form_is_refused(client, office_user):
    discussion = MdtDiscussionFactory(meeting=QuorateHeldMeetingFactory())
    client.force_login(office_user)
    url = reverse("mdt:discussion_outcome", args=[discussion.pk])
    assert 'name="version"' in client.get(url).content.decode()
    form = {
        "outcome": "surgery",
        "recommendation": "Excision",
        "outcome_recipients": "referrer",
        "referrer_email": "gp@example.invalid",
        "version": 0,
    }
    assert client.post(url, form).status_code == 302
    response = client.post(url, {**form, "recommendation": "Something else"})
    assert response.status_code == 400
    assert "Another user got there first" in response.content.decode()
    discussion.refresh_from_db()
    assert discussion.recommendation == "Excision"


@time_machine.travel(datetime.datetime(2026, 11, 19, 9, 0, tzinfo=LONDON), tick=False)
def test_outcome_form_names_the_bad_field(client, office_user):
    discussion = MdtDiscussionFactory(meeting=HeldMeetingFactory())
    client.force_login(office_user)
    response = client.post(
        reverse("mdt:discussion_outcome", args=[discussion.pk]),
        {
            "outcome": "surgery",
            "recommendation": "x",
            "outcome_recipients": "referrer",
            "version": 0,
            "referrer_email": "nope",
        },
    )
    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()


def test_office_sends_the_outcome(client, office_user):
    discussion = DiscussedMdtDiscussionFactory()
    client.force_login(office_user)
    client.post(reverse("mdt:discussion_send", args=[discussion.pk]))
    assert [m.to for m in mail.outbox] == [["referrer@example.invalid"]]
    discussion.refresh_from_db()
    assert discussion.outcome_sent_at is not None


@time_machine.travel(BEFORE_CUTOFF, tick=False)
def test_office_moves_a_case_with_a_reason(client, office_user, discussion):
    later = PlannedMeetingFactory(
        mdt=discussion.meeting.mdt, starts_at=discussion.meeting.starts_at + datetime.timedelta(weeks=1)
    )
    client.force_login(office_user)
    url = reverse("mdt:discussion_move", args=[discussion.pk])
    first_meeting = discussion.meeting_id
    assert f'name="from_meeting" value="{first_meeting}"' in client.get(url).content.decode()
    assert (
        client.post(url, {"to_meeting": later.pk, "reason": "", "from_meeting": first_meeting}).status_code
        == 400
    )
    moved = client.post(
        url, {"to_meeting": later.pk, "reason": "Awaiting MRI", "from_meeting": first_meeting}
    )
    assert moved.status_code == 302
    discussion.refresh_from_db()
    assert discussion.meeting == later
    assert "Moved: Awaiting MRI" in client.get(url).content.decode()


@time_machine.travel(BEFORE_CUTOFF, tick=False)
def test_add_to_next_meeting_from_a_referral(client, office_user):
    meeting = PlannedMeetingFactory()
    referral = ReceivedReferralFactory()
    client.force_login(office_user)
    response = client.post(
        reverse("mdt:add_to_next", args=[referral.pk]), {"mdt": meeting.mdt.pk, "question": "Plan?"}
    )
    assert response.status_code == 302
    assert MdtDiscussion.objects.get(referral=referral).meeting == meeting


@time_machine.travel(BEFORE_CUTOFF, tick=False)
def test_admin_bulk_action_adds_referrals_to_the_next_meeting(client, office_user):
    meeting = PlannedMeetingFactory()
    referral = ReceivedReferralFactory()
    earlier = MdtDiscussionFactory(referral=referral, meeting=HeldMeetingFactory(mdt=meeting.mdt))
    unknown = ReceivedReferralFactory()
    client.force_login(office_user)
    response = client.post(
        reverse("admin:referrals_referral_changelist"),
        {"action": "add_to_next_meeting", "_selected_action": [referral.pk, unknown.pk]},
        follow=True,
    )
    content = response.content.decode()
    assert "1 referral(s) added to the next MDT meeting." in content
    assert f"{unknown.patient}: No MDT is known for this referral: choose one." in content
    assert referral.mdt_discussions.exclude(pk=earlier.pk).get().meeting == meeting


# Clinicians -------------------------------------------------------------------------------------


def test_clinician_sees_their_patients_discussion_but_gets_404_for_another(
    client, clinician, other_clinician, discussion
):
    client.force_login(clinician)
    assert client.get(reverse("mdt:discussion_detail", args=[discussion.pk])).status_code == 200
    client.force_login(other_clinician)
    assert client.get(reverse("mdt:discussion_detail", args=[discussion.pk])).status_code == 404


def test_my_mdt_lists_my_patients_discussions_only(client, clinician, other_clinician, discussion):
    theirs = MdtDiscussionFactory(referral=ReceivedReferralFactory(responsible_consultant=other_clinician))
    client.force_login(clinician)
    with time_machine.travel(BEFORE_CUTOFF, tick=False):
        content = client.get(reverse("mdt:my_mdt")).content.decode()
    assert reverse("mdt:discussion_detail", args=[discussion.pk]) in content
    assert str(discussion.referral.patient) in content
    assert reverse("mdt:discussion_detail", args=[theirs.pk]) not in content
    assert str(theirs.referral.patient) not in content


def test_patient_discussions_include_renders_for_the_patient_page(clinician, discussion):
    from django.template.loader import render_to_string

    from mdt.services import discussions_for_patient

    html = render_to_string(
        "mdt/_patient_discussions.html",
        {"discussions": discussions_for_patient(discussion.referral.patient, clinician)},
    )
    assert "Awaiting discussion" in html
    assert reverse("mdt:discussion_detail", args=[discussion.pk]) in html


def _feed(client, token: str):
    return client.get(reverse("mdt:calendar_feed", args=[token]))


@time_machine.travel(BEFORE_CUTOFF, tick=False)
def test_calendar_feed_lists_only_meetings_where_the_clinician_presents_without_patient_details(
    client, clinician, other_clinician, discussion
):
    mdt = discussion.meeting.mdt
    not_mine = PlannedMeetingFactory(
        mdt=mdt, starts_at=discussion.meeting.starts_at + datetime.timedelta(weeks=1)
    )
    MdtDiscussionFactory(meeting=not_mine, presenting_clinician=other_clinician)
    cancelled = CancelledMeetingFactory(
        mdt=mdt, starts_at=discussion.meeting.starts_at + datetime.timedelta(weeks=2)
    )
    MdtDiscussionFactory(meeting=cancelled, presenting_clinician=clinician)
    client.force_login(clinician)
    client.post(reverse("mdt:calendar_token"))
    token = MdtCalendarToken.objects.get(user=clinician).token
    assert token in client.get(reverse("mdt:my_mdt")).content.decode()
    client.logout()  # calendar apps do not sign in

    response = _feed(client, token)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert [str(e["uid"]) for e in events] == [f"mdt-meeting-{discussion.meeting_id}@lsesn-sarcoma-portal"]
    assert events[0].decoded("dtstart") == discussion.meeting.starts_at
    assert "You present 1 case(s)" in str(events[0]["description"])
    text = response.content.decode()
    patient = discussion.referral.patient
    for identifier in (patient.family_name, patient.given_name, patient.nhs_number):
        assert identifier not in text


@time_machine.travel(BEFORE_CUTOFF, tick=False)
def test_another_users_token_shows_only_their_meetings_and_a_wrong_or_replaced_token_is_404(
    client, clinician, other_clinician, discussion
):
    mine = MdtCalendarToken.objects.create(user=clinician, token="a" * 43, created_at=BEFORE_CUTOFF)
    theirs = MdtCalendarToken.objects.create(user=other_clinician, token="b" * 43, created_at=BEFORE_CUTOFF)
    assert icalendar.Calendar.from_ical(_feed(client, theirs.token).content).walk("VEVENT") == []
    assert len(icalendar.Calendar.from_ical(_feed(client, mine.token).content).walk("VEVENT")) == 1
    assert _feed(client, "c" * 43).status_code == 404
    client.force_login(clinician)
    client.post(reverse("mdt:calendar_token"), {"reset": "1"})
    assert _feed(client, mine.token).status_code == 404


def test_a_calendar_event_names_the_mdt_once():
    from mdt.calendar import meeting_title

    assert meeting_title("London Sarcoma Service MDT") == "London Sarcoma Service MDT"
    assert meeting_title("Royal Marsden Sarcoma Unit") == "Royal Marsden Sarcoma Unit MDT"


def test_calendar_pages_are_for_clinicians(client, outsider):
    client.force_login(outsider)
    assert client.get(reverse("mdt:my_mdt")).status_code == 403
    assert client.post(reverse("mdt:calendar_token")).status_code == 403


# Attendance over time ---------------------------------------------------------------------------


def test_attendance_over_time_is_shown_to_the_sag_and_the_mdt_lead_only(
    client, sag_member, clinician, other_clinician, outsider
):
    lead = MdtPractitionerFactory(name="Dr Lead", user=clinician)
    mdt = MdtFactory(lead=lead)
    set_core_members(mdt, [lead, MdtPractitionerFactory(name="Dr Core")])
    url = reverse("mdt:attendance_report")
    for user in (sag_member, clinician):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, user
        assert "Dr Core" in response.content.decode()
    for user in (other_clinician, outsider):
        client.force_login(user)
        assert client.get(url).status_code == 403, user


def test_home_links_each_role_to_its_mdt_pages(client, office_user, clinician, sag_member):
    for user, url in (
        (office_user, reverse("mdt:meeting_list")),
        (clinician, reverse("mdt:my_mdt")),
        (sag_member, reverse("mdt:attendance_report")),
    ):
        client.force_login(user)
        assert url in client.get(reverse("home")).content.decode(), user


def test_office_admin_pages_for_mdts_open_and_cases_cannot_be_added_there(client, office_user):
    discussion = DiscussedMdtDiscussionFactory()
    client.force_login(office_user)
    for name, args in (
        ("admin:mdt_mdt_changelist", []),
        ("admin:mdt_mdtmeeting_change", [discussion.meeting_id]),
        ("admin:mdt_mdtdiscussion_change", [discussion.pk]),
        ("admin:mdt_mdtremindersent_changelist", []),
        ("admin:mdt_mdtdiscussion_history", [discussion.pk]),
        ("admin:mdt_mdtmeeting_history", [discussion.meeting_id]),
    ):
        assert client.get(reverse(name, args=args)).status_code == 200, name
    assert client.get(reverse("admin:mdt_mdtdiscussion_add")).status_code == 403


@time_machine.travel(BEFORE_CUTOFF, tick=False)
def test_a_bare_post_from_the_referral_page_adds_to_the_usual_mdts_next_meeting(client, office_user):
    meeting = PlannedMeetingFactory()
    referral = ReceivedReferralFactory()
    MdtDiscussionFactory(referral=referral, meeting=HeldMeetingFactory(mdt=meeting.mdt))
    client.force_login(office_user)
    assert client.post(reverse("mdt:add_to_next", args=[referral.pk])).status_code == 302
    assert referral.mdt_discussions.filter(meeting=meeting).exists()
    response = client.post(reverse("mdt:add_to_next", args=[ReceivedReferralFactory().pk]))
    assert response.status_code == 400
    assert "No MDT is known for this referral: choose one." in response.content.decode()


@time_machine.travel(BEFORE_CUTOFF, tick=False)
def test_add_to_next_preselects_the_mdt_routing_chose_and_empty_uses_it(client, office_user):
    """Issue 16's routing: a spinal case "must be discussed in the London Sarcoma Service MDT"."""
    meeting = PlannedMeetingFactory(mdt=MdtFactory(code="LSS", name="London Sarcoma Service MDT"))
    referral = ReceivedReferralFactory(
        patient__family_name="Arden", patient__given_name="Alice", routing_decision={"mdt": "LSS"}
    )
    client.force_login(office_user)
    url = reverse("mdt:add_to_next", args=[referral.pk])
    html = client.get(url).content.decode()
    assert f'<option value="{meeting.mdt.pk}" selected>' in html
    assert "London Sarcoma Service MDT is preselected: the referral&#x27;s routing chose it." in html
    assert "Add ARDEN, Alice to the next MDT meeting" in html
    assert f"referral {referral.pk}" not in html.lower()
    response = client.post(url, {"mdt": "", "question": ""})
    assert response.status_code == 302
    assert referral.mdt_discussions.get().meeting == meeting


@time_machine.travel(BEFORE_CUTOFF, tick=False)
def test_add_to_next_says_when_routing_leaves_the_choice(client, office_user):
    PlannedMeetingFactory(mdt=MdtFactory(code="LSS"))
    referral = ReceivedReferralFactory(routing_decision={"mdt": "LSS or RMH"})
    client.force_login(office_user)
    html = client.get(reverse("mdt:add_to_next", args=[referral.pk])).content.decode()
    assert "Routing leaves the choice of MDT (LSS or RMH): choose one." in html
    assert "Leave empty" not in html
    response = client.post(reverse("mdt:add_to_next", args=[referral.pk]), {"mdt": ""})
    assert response.status_code == 400
    assert not referral.mdt_discussions.exists()


def test_the_mdt_quorum_rule_is_chosen_from_the_directory_specialities(client, office_user):
    mdt = MdtFactory()
    client.force_login(office_user)
    content = client.get(reverse("admin:mdt_mdt_change", args=[mdt.pk])).content.decode()
    assert 'name="quorum_specialities" value="pathology"' in content


def test_mdt_model_permissions_by_role(office_user, clinician, sag_member):
    assert office_user.has_perm("mdt.change_mdtdiscussion")
    assert not office_user.has_perm("mdt.delete_mdtmeeting")
    assert not office_user.has_perm("mdt.change_mdtremindersent")
    assert not any(p.startswith("mdt.") for p in clinician.get_all_permissions())
    assert sag_member.has_perm("mdt.view_mdtattendance")
    assert not sag_member.has_perm("mdt.view_mdtdiscussion")


def test_reading_patient_data_on_mdt_pages_is_access_logged(client, office_user, clinician, discussion):
    from portal.models import AccessLog

    patient_id = discussion.referral.patient_id
    client.force_login(office_user)
    client.get(reverse("mdt:meeting_detail", args=[discussion.meeting_id]))
    client.get(reverse("mdt:meeting_print", args=[discussion.meeting_id]))
    client.get(reverse("mdt:discussion_outcome", args=[discussion.pk]))
    client.force_login(clinician)
    client.get(reverse("mdt:discussion_detail", args=[discussion.pk]))
    logged = list(AccessLog.objects.order_by("at", "pk").values_list("user_id", "patient_id", "action"))
    assert logged == [
        (office_user.pk, patient_id, "list"),
        (office_user.pk, patient_id, "export"),
        (office_user.pk, patient_id, "read"),
        (clinician.pk, patient_id, "read"),
    ]


def test_patient_page_shows_the_patients_mdt_discussions_and_the_office_can_list_the_referral(
    client, office_user, clinician
):
    from django.urls import reverse

    from tests.factories import DiscussedMdtDiscussionFactory, ReceivedReferralFactory

    referral = ReceivedReferralFactory(responsible_consultant=clinician, status="accepted")
    discussion = DiscussedMdtDiscussionFactory(referral=referral, recommendation="Proceed to surgery.")
    page = reverse("referrals:patient_detail", args=[referral.patient_id])
    add_url = reverse("mdt:add_to_next", args=[referral.pk])

    client.force_login(clinician)
    content = client.get(page).content.decode()
    assert "MDT discussions" in content
    assert reverse("mdt:discussion_detail", args=[discussion.pk]) in content
    assert discussion.get_outcome_display() in content
    assert add_url not in content  # clinicians do not build case lists

    client.force_login(office_user)
    assert add_url in client.get(page).content.decode()


def test_an_attendance_form_refused_by_the_rules_is_shown_again_with_the_reason(client, office_user):
    meeting = HeldMeetingFactory()
    surgeon = MdtPractitionerFactory(speciality="surgery")
    set_core_members(meeting.mdt, [surgeon])
    client.force_login(office_user)
    response = client.post(
        reverse("mdt:meeting_attendance", args=[meeting.pk]),
        {"present": [surgeon.pk], "deputy_1": surgeon.pk, "deputy_1_for": surgeon.pk},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Attendance: " in body
    assert "cannot deputise for themselves" in body
    assert meeting.attendance.count() == 0


def test_a_cancelled_meeting_has_no_attendance_page(client, office_user):
    meeting = HeldMeetingFactory(status="cancelled", cancel_reason="Bank holiday")
    client.force_login(office_user)
    response = client.get(reverse("mdt:meeting_attendance", args=[meeting.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("mdt:meeting_detail", args=[meeting.pk])
    assert "there is no attendance to record" in response.content.decode()


@time_machine.travel(BEFORE_CUTOFF, tick=False)
def test_a_calendar_feed_stops_when_its_owner_loses_the_clinician_role_or_leaves(
    client, clinician, discussion
):
    """Issue 17 finding 12: "A calendar feed keeps serving after its owner loses the clinician
    role; it should stop." Deactivating the account removes the secret itself."""
    from portal.services import user_deactivate

    token = MdtCalendarToken.objects.create(user=clinician, token="d" * 43, created_at=BEFORE_CUTOFF).token
    assert _feed(client, token).status_code == 200
    clinician.groups.clear()
    assert _feed(client, token).status_code == 404

    clinician.groups.add(Group.objects.get(name=Role.CLINICIAN.value))
    assert _feed(client, token).status_code == 200
    user_deactivate(user_id=clinician.pk, by=clinician)
    assert not MdtCalendarToken.objects.filter(user=clinician).exists()
    assert _feed(client, token).status_code == 404


def test_an_outcome_recorded_with_a_caveat_shows_it_on_the_case_list_and_the_discussion(client, office_user):
    """Item 13. spinal-sarcoma-pathway-lsesn.txt: "must be discussed in the London Sarcoma Service
    MDT to plan appropriate multidisciplinary care." """
    discussion = MdtDiscussionFactory(meeting=HeldMeetingFactory())  # no attendance: not quorate
    client.force_login(office_user)
    url = reverse("mdt:discussion_outcome", args=[discussion.pk])
    page = client.get(url).content.decode()
    assert "An outcome saved now would be the meeting was not quorate for this case" in page
    form = {
        "outcome": "surgery",
        "recommendation": "Excision",
        "outcome_recipients": "referrer",
        "referrer_email": "gp@example.invalid",
        "version": 0,
    }
    refused = client.post(url, form)
    assert refused.status_code == 400
    assert "give the reason it is recorded anyway" in refused.content.decode()
    assert client.post(url, {**form, "outcome_caveat_reason": "Quorum by telephone."}).status_code == 302
    for page_url in (reverse("mdt:meeting_detail", args=[discussion.meeting_id]), url):
        assert "Caveat" in client.get(page_url).content.decode()
    detail_page = client.get(reverse("mdt:discussion_detail", args=[discussion.pk])).content.decode()
    assert "Quorum by telephone." in detail_page


def test_my_mdt_links_my_patients_and_not_a_presented_patient_who_is_not_mine(
    client, clinician, other_clinician
):
    mine = MdtDiscussionFactory(referral=ReceivedReferralFactory(responsible_consultant=clinician))
    presented = MdtDiscussionFactory(
        referral=ReceivedReferralFactory(responsible_consultant=other_clinician),
        presenting_clinician=clinician,
    )
    client.force_login(clinician)
    with time_machine.travel(BEFORE_CUTOFF, tick=False):
        html = client.get(reverse("mdt:my_mdt")).content.decode()
    assert f'href="{reverse("referrals:patient_detail", args=[mine.referral.patient_id])}"' in html
    assert str(presented.referral.patient) in html
    assert reverse("referrals:patient_detail", args=[presented.referral.patient_id]) not in html


@time_machine.travel(BEFORE_CUTOFF, tick=False)
def test_the_outcome_is_offered_only_once_the_meeting_has_started(client, office_user):
    planned = MdtDiscussionFactory()
    held = DiscussedMdtDiscussionFactory()
    client.force_login(office_user)
    html = client.get(reverse("mdt:meeting_detail", args=[planned.meeting_id])).content.decode()
    assert reverse("mdt:discussion_outcome", args=[planned.pk]) not in html
    assert "An outcome can be recorded only once the meeting has started." in html
    html = client.get(reverse("mdt:meeting_detail", args=[held.meeting_id])).content.decode()
    assert reverse("mdt:discussion_outcome", args=[held.pk]) in html


@time_machine.travel(BEFORE_CUTOFF, tick=False)
def test_the_outcome_page_of_a_meeting_not_yet_held_says_why_before_any_form(client, office_user):
    planned = MdtDiscussionFactory()
    client.force_login(office_user)
    response = client.get(reverse("mdt:discussion_outcome", args=[planned.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        "An outcome can be recorded only once the meeting has started. It starts on Wednesday 2 December"
        in html
    )
    assert 'name="recommendation"' not in html


@time_machine.travel(BEFORE_CUTOFF, tick=False)
def test_case_list_does_not_say_imaging_missing_for_imaging_recorded_at_intake(client, office_user):
    """Issue 19: a referral taken in with an MRI recorded, put on the list without ticking
    "imaging", shows its imaging available on the case list."""
    meeting = PlannedMeetingFactory()
    referral = ReceivedReferralFactory(imaging_done="mri", imaging_result="suggests_sarcoma")
    services.discussion_add(meeting_id=meeting.pk, referral=referral, by=office_user)
    client.force_login(office_user)
    content = client.get(reverse("mdt:meeting_detail", args=[meeting.pk])).content.decode()
    assert str(referral.patient) in content
    assert "Imaging available" in content
    assert "Imaging missing" not in content
