"""Object-level isolation: clinician1 reaches only their own patients' records, by any URL,
filter, search, export, calendar feed or admin path. Every id of clinician2's records is tried."""

import pytest
from django.urls import reverse

from mdt.models import MdtDiscussion
from referrals.models import Referral

NOT_YOURS = {403, 404}


def identifiers(side) -> list[str]:
    patient = side.patient
    return [patient.given_name, patient.family_name, patient.nhs_number]


def assert_nothing_of(side, response, *, except_typed=()):
    """No identifier of the side's patient in the page (names in any case), except what the
    user typed into a search box, which the form shows back."""
    body = response.content.decode().lower()
    for identifier in identifiers(side):
        if identifier not in except_typed:
            assert identifier.lower() not in body


@pytest.fixture
def signed_in(client, clinician):
    client.force_login(clinician)
    return client


def other_clinicians_urls(world) -> list[str]:
    theirs = world.theirs
    return [
        reverse("referrals:patient_detail", kwargs={"pk": theirs.patient.pk}),
        reverse("mdt:discussion_detail", kwargs={"pk": theirs.discussion.pk}),
        reverse("mdt:discussion_outcome", kwargs={"pk": theirs.discussion.pk}),
        reverse("mdt:discussion_move", kwargs={"pk": theirs.discussion.pk}),
        reverse("mdt:meeting_detail", kwargs={"pk": theirs.discussion.meeting_id}),
        reverse("mdt:meeting_print", kwargs={"pk": theirs.discussion.meeting_id}),
        reverse("mdt:add_to_next", kwargs={"referral_id": theirs.referral.pk}),
        reverse("second_opinions:detail", kwargs={"pk": theirs.second_opinion.pk}),
        reverse("waiting_times:pathway", kwargs={"pk": theirs.pathway.pk}),
    ]


def test_every_page_of_another_clinicians_patient_is_refused(world, signed_in):
    for url in other_clinicians_urls(world):
        response = signed_in.get(url)
        assert response.status_code in NOT_YOURS, url
        assert_nothing_of(world.theirs, response)


def test_the_same_pages_of_their_own_patient_open(world, signed_in):
    """The control: the refusals above are about whose patient it is, not about the page."""
    mine = world.mine
    for url in [
        reverse("referrals:patient_detail", kwargs={"pk": mine.patient.pk}),
        reverse("mdt:discussion_detail", kwargs={"pk": mine.discussion.pk}),
        reverse("second_opinions:detail", kwargs={"pk": mine.second_opinion.pk}),
    ]:
        response = signed_in.get(url)
        assert response.status_code == 200, url
        assert mine.patient.family_name.lower() in response.content.decode().lower()


def test_no_write_reaches_another_clinicians_referral_or_discussion(world, signed_in):
    theirs = world.theirs
    referral_history = theirs.referral.history.count()
    discussion_history = theirs.discussion.history.count()
    posts = [
        (reverse("referrals:transition", kwargs={"pk": theirs.referral.pk}), {"to_status": "accepted"}),
        (reverse("referrals:assign_surgeon", kwargs={"pk": theirs.referral.pk}), {"practitioner": "1"}),
        (
            reverse("referrals:first_treatment", kwargs={"pk": theirs.referral.pk}),
            {"treated_on": "2026-11-20"},
        ),
        (reverse("mdt:discussion_outcome", kwargs={"pk": theirs.discussion.pk}), {"outcome": "surgery"}),
        (reverse("mdt:discussion_send", kwargs={"pk": theirs.discussion.pk}), {}),
        (
            reverse("mdt:discussion_readiness", kwargs={"pk": theirs.discussion.pk}),
            {"imaging_available": "on"},
        ),
        (reverse("mdt:add_to_next", kwargs={"referral_id": theirs.referral.pk}), {}),
        (
            reverse("second_opinions:transition", kwargs={"pk": theirs.second_opinion.pk}),
            {"to_status": "closed"},
        ),
    ]
    for url, data in posts:
        response = signed_in.post(url, data)
        assert response.status_code in NOT_YOURS, url
    assert Referral.objects.get(pk=theirs.referral.pk).status == theirs.referral.status
    assert theirs.referral.history.count() == referral_history
    assert MdtDiscussion.objects.get(pk=theirs.discussion.pk).outcome == theirs.discussion.outcome
    assert theirs.discussion.history.count() == discussion_history


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"q": "{family_name}"},
        {"q": "{given_name}"},
        {"q": "{nhs_number}"},
        {"status": "received"},
        {"clock": "at_risk"},
        {"clock": "breached"},
        {"q": "{family_name}", "status": "received"},
    ],
)
def test_no_filter_or_search_of_the_patient_list_shows_another_clinicians_patient(world, signed_in, query):
    patient = world.theirs.patient
    values = {
        "family_name": patient.family_name,
        "given_name": patient.given_name,
        "nhs_number": patient.nhs_number,
    }
    params = {key: value.format(**values) for key, value in query.items()}
    response = signed_in.get(reverse("referrals:patient_list"), params)
    assert response.status_code == 200
    assert_nothing_of(world.theirs, response, except_typed=set(params.values()))
    assert f"/patients/{patient.pk}/" not in response.content.decode()


def test_the_patient_list_does_show_their_own_patient(world, signed_in):
    response = signed_in.get(reverse("referrals:patient_list"), {"status": "received"})
    assert f"/patients/{world.mine.patient.pk}/" in response.content.decode()


def test_their_second_opinion_and_mdt_pages_list_only_their_patients(world, signed_in):
    for name in ("second_opinions:mine", "mdt:my_mdt"):
        response = signed_in.get(reverse(name))
        assert response.status_code == 200, name
        assert_nothing_of(world.theirs, response)
        assert f"/second-opinions/{world.theirs.second_opinion.pk}/" not in response.content.decode()
        assert f"/mdt/discussions/{world.theirs.discussion.pk}/" not in response.content.decode()


def test_the_calendar_feed_names_no_patient_and_not_the_other_clinicians_meetings(
    world, client, clinician, other_clinician
):
    MdtDiscussion.objects.filter(pk=world.mine.discussion.pk).update(presenting_clinician=clinician)
    MdtDiscussion.objects.filter(pk=world.theirs.discussion.pk).update(presenting_clinician=other_clinician)
    response = client.get(reverse("mdt:calendar_feed", kwargs={"token": world.mine.calendar_token}))
    assert response.status_code == 200
    body = response.content.decode()
    assert world.mine.discussion.meeting.mdt.name in body
    assert world.theirs.discussion.meeting.mdt.name not in body
    assert_nothing_of(world.theirs, response)
    assert_nothing_of(world.mine, response)


def test_a_guessed_calendar_token_is_not_found(world, client):
    response = client.get(reverse("mdt:calendar_feed", kwargs={"token": world.mine.calendar_token + "x"}))
    assert response.status_code == 404


def test_the_admin_is_refused_on_every_patient_path(world, signed_in):
    theirs = world.theirs
    for url in [
        reverse("admin:index"),
        reverse("admin:referrals_patient_changelist"),
        reverse("admin:referrals_patient_changelist") + f"?q={theirs.patient.nhs_number}",
        reverse("admin:referrals_patient_change", args=[theirs.patient.pk]),
        reverse("admin:referrals_patient_history", args=[theirs.patient.pk]),
        reverse("admin:referrals_referral_change", args=[theirs.referral.pk]),
        reverse("admin:mdt_mdtdiscussion_change", args=[theirs.discussion.pk]),
        reverse("admin:second_opinions_secondopinionrequest_change", args=[theirs.second_opinion.pk]),
    ]:
        response = signed_in.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"status": "running"},
        {"status": "at_risk"},
        {"transfer": "in"},
        {"handover": "true"},
        {"next_action_due": "true"},
        {"standard": "fds"},
    ],
)
def test_no_filter_of_the_ptl_or_its_csv_shows_another_clinicians_patient(world, signed_in, query):
    for url in (reverse("waiting_times:ptl"), reverse("waiting_times:ptl_csv")):
        response = signed_in.get(url, query)
        assert response.status_code == 200
        assert_nothing_of(world.theirs, response)
    assert (
        world.mine.patient.family_name.upper() in signed_in.get(reverse("waiting_times:ptl")).content.decode()
    )
