"""The second-opinion pages: the two-step request form, the MDT office's queue and its buttons,
the clinician's view (their patients only), the public page, and who may open what."""

import datetime

import pytest
from django.urls import reverse

from second_opinions.models import SecondOpinionRequest
from tests.factories import (
    DecidedSecondOpinionRequestFactory,
    PatientFactory,
    ReceivedReferralFactory,
    ReceivedSecondOpinionRequestFactory,
    ReviewedSecondOpinionRequestFactory,
)

pytestmark = pytest.mark.django_db
R = SecondOpinionRequest


def form_data(patient, **overrides) -> dict:
    data = {
        "patient": patient.pk,
        "received_on": "2026-11-20",
        "requested_by": "patient",
        "requester_name": "Pat Patient",
        "requester_contact": "07700 900000",
        "current_service": "RMH",
        "treating_hospital": "",
        "treating_clinician": "Dr Tess Treating",
        "standard_management": "on",
        "requested_service": "LSS",
        "named_clinician": "",
        "reason": "patient_choice",
        "tumour": "soft_tissue",
        "consent_to_share_records": "on",
        "feedback_to": "both",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def my_patient(clinician):
    patient = PatientFactory()
    ReceivedReferralFactory(patient=patient, responsible_consultant=clinician)
    return patient


@pytest.fixture
def their_patient(other_clinician):
    patient = PatientFactory()
    ReceivedReferralFactory(patient=patient, responsible_consultant=other_clinician)
    return patient


# The request form -------------------------------------------------------------------------------


def test_check_shows_the_decision_and_reasons_and_saves_nothing(client, office_user, my_patient):
    client.force_login(office_user)
    response = client.post(reverse("second_opinions:create"), {**form_data(my_patient), "action": "check"})
    content = response.content.decode()
    assert response.status_code == 200
    assert "The policy's answer: Not routinely available" in content
    assert "do not routinely see a patient under standard management" in content
    assert "Sarcoma UK Support Line" in content
    assert "PALS" in content
    assert 'name="action" value="confirm"' in content
    assert not R.objects.exists()


def test_confirm_after_check_records_the_request_with_the_decision(client, office_user, my_patient):
    client.force_login(office_user)
    data = form_data(my_patient, current_service="other", treating_hospital="Kent and Canterbury")
    checked = client.post(reverse("second_opinions:create"), {**data, "action": "check"})
    fingerprint = checked.context["form"]["checked"].value()
    assert fingerprint
    response = client.post(
        reverse("second_opinions:create"), {**data, "checked": fingerprint, "action": "confirm"}
    )
    request = R.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("second_opinions:detail", args=[request.pk])
    assert (request.decision, request.route, request.status) == ("accept", "clinic", "received")
    assert request.created_by == office_user
    assert request.patient == my_patient


def test_confirm_with_changed_answers_shows_the_new_decision_instead_of_saving(
    client, office_user, my_patient
):
    client.force_login(office_user)
    data = form_data(my_patient, current_service="other")
    checked = client.post(reverse("second_opinions:create"), {**data, "action": "check"})
    fingerprint = checked.context["form"]["checked"].value()
    changed = {**data, "current_service": "RMH", "checked": fingerprint, "action": "confirm"}
    response = client.post(reverse("second_opinions:create"), changed)
    assert response.status_code == 200
    assert "The answers changed since the decision was shown" in response.content.decode()
    assert "Not routinely available" in response.content.decode()
    assert not R.objects.exists()


def test_confirm_without_a_check_is_not_saved(client, office_user, my_patient):
    client.force_login(office_user)
    response = client.post(reverse("second_opinions:create"), {**form_data(my_patient), "action": "confirm"})
    assert response.status_code == 200
    assert not R.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("requested_service", "UCLH"), ("tumour", ""), ("requester_name", ""), ("received_on", "2026-12-01")],
)
def test_bad_input_is_shown_on_the_field_and_nothing_is_saved(
    client, office_user, my_patient, field, value, today
):
    """On the brief's today (24 November 2026), so that 1 December 2026 is a day not yet come: the
    test failed on the real 1 December, when it no longer was."""
    client.force_login(office_user)
    with_time = form_data(my_patient, **{field: value})
    response = client.post(reverse("second_opinions:create"), {**with_time, "action": "check"})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert f'id="id_{field}-error"' in response.content.decode()
    assert not R.objects.exists()


def test_form_page_renders_with_crispy_and_no_script(client, office_user):
    client.force_login(office_user)
    content = client.get(reverse("second_opinions:create")).content.decode()
    assert "<h1" in content
    assert content.count("<h1") == 1
    assert "<script" not in content.split("<main", 1)[-1]  # the head loads NHS.UK frontend's module file only
    assert 'for="id_requester_name"' in content
    assert "New second-opinion request \u2013 LSESN Sarcoma Portal" in content


def test_clinician_may_only_choose_their_own_patients(client, clinician, my_patient, their_patient):
    client.force_login(clinician)
    response = client.get(reverse("second_opinions:create"))
    assert list(response.context["form"].fields["patient"].queryset) == [my_patient]
    response = client.post(reverse("second_opinions:create"), {**form_data(their_patient), "action": "check"})
    assert "patient" in response.context["form"].errors


def test_clinician_asks_for_an_mdt_review_for_their_patient(client, clinician, my_patient):
    client.force_login(clinician)
    data = form_data(
        my_patient, requested_by="treating_sarcoma_clinician", reason="mdt_review", requester_name="Clara"
    )
    checked = client.post(reverse("second_opinions:create"), {**data, "action": "check"})
    assert "Route: <strong>MDT review</strong>" in checked.content.decode()
    fingerprint = checked.context["form"]["checked"].value()
    client.post(reverse("second_opinions:create"), {**data, "checked": fingerprint, "action": "confirm"})
    assert R.objects.get().route == "mdt_review"


@pytest.mark.parametrize("persona", ["sag_member", "outsider"])
def test_only_office_and_clinicians_may_record_a_request(client, request, persona, my_patient):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("second_opinions:create")).status_code == 403
    response = client.post(reverse("second_opinions:create"), {**form_data(my_patient), "action": "check"})
    assert response.status_code == 403


# The MDT office's queue and transitions -----------------------------------------------------------


def test_queue_lists_open_requests_with_their_next_steps(client, office_user):
    open_request = ReceivedSecondOpinionRequestFactory()
    closed = ReceivedSecondOpinionRequestFactory(status="closed")
    client.force_login(office_user)
    response = client.get(reverse("second_opinions:queue"))
    assert list(response.context["requests"]) == [open_request]
    content = response.content.decode()
    assert reverse("second_opinions:transition", args=[open_request.pk]) in content
    assert 'value="decided"' in content
    assert reverse("second_opinions:detail", args=[closed.pk]) not in content


def test_queue_button_moves_a_request_and_records_who(client, office_user):
    request = ReceivedSecondOpinionRequestFactory()
    client.force_login(office_user)
    response = client.post(
        reverse("second_opinions:transition", args=[request.pk]),
        {"to": "decided", "expected_status": "received", "return_to": "queue"},
    )
    assert response.status_code == 302
    assert response.url == reverse("second_opinions:queue")
    request.refresh_from_db()
    assert request.status == "decided"
    assert request.transitions.get().by == office_user


def test_an_invalid_jump_from_the_page_is_refused_with_a_message(client, office_user):
    request = ReceivedSecondOpinionRequestFactory()
    client.force_login(office_user)
    response = client.post(
        reverse("second_opinions:transition", args=[request.pk]),
        {"to": "reviewed", "expected_status": "received"},
        follow=True,
    )
    assert (
        "A request cannot go from &#x27;received&#x27; to &#x27;reviewed&#x27;" in response.content.decode()
    )
    request.refresh_from_db()
    assert request.status == "received"


def test_a_stale_button_says_another_user_got_there_first(client, office_user):
    request = DecidedSecondOpinionRequestFactory()
    client.force_login(office_user)
    response = client.post(
        reverse("second_opinions:transition", args=[request.pk]),
        {"to": "decided", "expected_status": "received"},
        follow=True,
    )
    assert "Another user got there first" in response.content.decode()


def test_a_malformed_step_names_the_field(client, office_user):
    request = ReceivedSecondOpinionRequestFactory()
    client.force_login(office_user)
    response = client.post(
        reverse("second_opinions:transition", args=[request.pk]), {"to": "teleported"}, follow=True
    )
    content = response.content.decode()
    assert "to: Select a valid choice" in content
    assert "expected_status: This field is required" in content


def test_recording_the_opinion_with_how_it_differs(client, office_user):
    request = ReviewedSecondOpinionRequestFactory(received_on=datetime.date(2026, 11, 2))
    client.force_login(office_user)
    page = client.get(reverse("second_opinions:detail", args=[request.pk])).content.decode()
    assert reverse("second_opinions:send_opinion", args=[request.pk]) in page
    response = client.post(
        reverse("second_opinions:send_opinion", args=[request.pk]),
        {
            "expected_status": "reviewed",
            "outcome": "differs",
            "outcome_differences": "Chemotherapy first",
            "sent_on": "2026-11-20",
        },
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.outcome, request.outcome_differences, request.opinion_sent_on) == (
        "opinion_sent",
        "differs",
        "Chemotherapy first",
        datetime.date(2026, 11, 20),
    )


def test_recording_an_opinion_that_differs_without_saying_how_is_refused(client, office_user):
    request = ReviewedSecondOpinionRequestFactory()
    client.force_login(office_user)
    response = client.post(
        reverse("second_opinions:send_opinion", args=[request.pk]),
        {"expected_status": "reviewed", "outcome": "differs", "sent_on": "2026-11-20"},
    )
    assert response.status_code == 400
    assert "Say how the opinion differs from the current plan." in response.content.decode()
    request.refresh_from_db()
    assert request.status == "reviewed"


def test_opinion_cannot_be_posted_through_the_plain_transition(client, office_user):
    request = ReviewedSecondOpinionRequestFactory()
    client.force_login(office_user)
    client.post(
        reverse("second_opinions:transition", args=[request.pk]),
        {"to": "opinion_sent", "expected_status": "reviewed"},
    )
    request.refresh_from_db()
    assert request.status == "reviewed"


@pytest.mark.parametrize("persona", ["clinician", "sag_member", "outsider"])
def test_only_the_office_may_move_requests(client, request, persona, my_patient):
    second_opinion = ReceivedSecondOpinionRequestFactory(patient=my_patient)
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("second_opinions:queue")).status_code == 403
    response = client.post(
        reverse("second_opinions:transition", args=[second_opinion.pk]),
        {"to": "decided", "expected_status": "received"},
    )
    assert response.status_code == 403
    response = client.post(
        reverse("second_opinions:send_opinion", args=[second_opinion.pk]),
        {"expected_status": "received", "outcome": "agrees", "sent_on": "2026-11-20"},
    )
    assert response.status_code == 403
    second_opinion.refresh_from_db()
    assert second_opinion.status == "received"


def test_transition_is_post_only(client, office_user):
    request = ReceivedSecondOpinionRequestFactory()
    client.force_login(office_user)
    assert client.get(reverse("second_opinions:transition", args=[request.pk])).status_code == 405


# The clinician's view ---------------------------------------------------------------------------


def test_clinician_sees_only_their_patients_requests(client, clinician, my_patient, their_patient):
    mine = ReceivedSecondOpinionRequestFactory(patient=my_patient)
    theirs = ReceivedSecondOpinionRequestFactory(patient=their_patient)
    client.force_login(clinician)
    response = client.get(reverse("second_opinions:mine"))
    assert list(response.context["requests"]) == [mine]
    assert reverse("second_opinions:detail", args=[theirs.pk]) not in response.content.decode()


def test_clinician_cannot_open_another_clinicians_patients_request(client, clinician, their_patient):
    theirs = ReceivedSecondOpinionRequestFactory(patient=their_patient)
    client.force_login(clinician)
    assert client.get(reverse("second_opinions:detail", args=[theirs.pk])).status_code == 404


def test_clinician_opens_their_patients_request_without_office_buttons(client, clinician, my_patient):
    mine = ReceivedSecondOpinionRequestFactory(patient=my_patient)
    client.force_login(clinician)
    response = client.get(reverse("second_opinions:detail", args=[mine.pk]))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Accepted" in content
    assert "Sarcoma UK Support Line" in content
    assert reverse("second_opinions:transition", args=[mine.pk]) not in content


def test_office_detail_shows_the_transition_log(client, office_user):
    request = ReceivedSecondOpinionRequestFactory()
    client.force_login(office_user)
    client.post(
        reverse("second_opinions:transition", args=[request.pk]),
        {"to": "decided", "expected_status": "received", "note": "Checked by Olive"},
    )
    content = client.get(reverse("second_opinions:detail", args=[request.pk])).content.decode()
    assert "Checked by Olive" in content
    assert '<td class="nhsuk-table__cell">Decided</td>' in content


@pytest.mark.parametrize("persona", ["sag_member", "outsider"])
def test_no_request_lists_or_pages_for_sag_or_outsiders(client, request, persona):
    second_opinion = ReceivedSecondOpinionRequestFactory()
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("second_opinions:mine")).status_code == 403
    assert client.get(reverse("second_opinions:detail", args=[second_opinion.pk])).status_code == 403


def test_anonymous_is_sent_to_sign_in(client, db):
    request = ReceivedSecondOpinionRequestFactory()
    for url in [
        reverse("second_opinions:index"),
        reverse("second_opinions:create"),
        reverse("second_opinions:queue"),
        reverse("second_opinions:mine"),
        reverse("second_opinions:figures"),
        reverse("second_opinions:detail", args=[request.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login")), url


@pytest.mark.parametrize(
    ("persona", "target"),
    [
        ("office_user", "second_opinions:queue"),
        ("clinician", "second_opinions:mine"),
        ("sag_member", "second_opinions:figures"),
        ("outsider", "second_opinions:how_to_ask"),
    ],
)
def test_nav_item_takes_each_role_to_its_page(client, request, persona, target):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("second_opinions:index"))
    assert response.url == reverse(target)


def test_home_links_each_role_to_its_second_opinion_page(client, office_user, clinician, sag_member):
    for user, target in [
        (office_user, "second_opinions:queue"),
        (clinician, "second_opinions:mine"),
        (sag_member, "second_opinions:figures"),
    ]:
        client.force_login(user)
        assert reverse(target) in client.get(reverse("home")).content.decode()


# The public page --------------------------------------------------------------------------------


def test_public_page_needs_no_sign_in_and_explains_the_policy(client, db):
    response = client.get(reverse("second_opinions:how_to_ask"))
    content = response.content.decode()
    assert response.status_code == 200
    assert content.count("<h1") == 1
    assert "How to ask for a second opinion \u2013 LSESN Sarcoma Portal" in content
    for text in [
        "Your own medical team",
        "Your GP",
        "Royal Marsden Sarcoma Unit",
        "London Sarcoma Service",
        "all bone sarcomas are treated by the",
        "cannot routinely see you",
        "Sarcoma UK Support Line",
        "PALS",
        "Patient Advice and Liaison Service",
    ]:
        assert text in content, text
    assert "<script" not in content.split("<main", 1)[-1]  # the head loads NHS.UK frontend's module file only


def test_public_page_is_in_the_nav_for_anonymous_visitors(client, db):
    content = client.get(reverse("login")).content.decode()
    assert reverse("second_opinions:how_to_ask") in content


def test_the_forward_step_is_the_first_button_so_enter_never_closes(client, office_user):
    request = ReceivedSecondOpinionRequestFactory()
    client.force_login(office_user)
    content = client.get(reverse("second_opinions:queue")).content.decode()
    assert content.index('value="decided"') < content.index('value="closed"')
    assert request.allowed_next_statuses == ["decided", "closed"]


def test_radio_groups_offer_no_blank_choice(client, office_user):
    client.force_login(office_user)
    form = client.get(reverse("second_opinions:create")).context["form"]
    for name in ["requested_by", "current_service", "requested_service", "reason", "tumour", "feedback_to"]:
        assert "" not in [value for value, _ in form.fields[name].choices], name


def test_a_clinicians_form_starts_as_the_treating_clinician_asking(client, clinician):
    client.force_login(clinician)
    form = client.get(reverse("second_opinions:create")).context["form"]
    assert form["requested_by"].value() == "treating_sarcoma_clinician"
    assert form["requester_contact"].value() == clinician.email


def test_each_form_carries_one_csrf_token(client, office_user, my_patient):
    client.force_login(office_user)
    request = ReviewedSecondOpinionRequestFactory()
    detail = client.get(reverse("second_opinions:detail", args=[request.pk])).content.decode()
    assert detail.count("csrfmiddlewaretoken") == detail.count('method="post"')
    create = client.get(reverse("second_opinions:create")).content.decode()
    assert create.count("csrfmiddlewaretoken") == create.count('method="post"')


def test_a_request_cannot_be_sent_back_to_received(client, office_user):
    request = DecidedSecondOpinionRequestFactory()
    client.force_login(office_user)
    response = client.post(
        reverse("second_opinions:transition", args=[request.pk]),
        {"to": "received", "expected_status": "decided"},
        follow=True,
    )
    assert "A request cannot be moved to &#x27;Received&#x27;." in response.content.decode()
    request.refresh_from_db()
    assert request.status == "decided"


# Issue 16 item 15: what a delay would mean against the patient's running clocks ---------------------


def test_the_request_shows_what_a_delay_would_mean_for_the_running_clocks(client, office_user, today):
    """Item 15. second-opinion-patient-guide-osteosarcoma.txt: "Therefore, if seeking a second
    opinion will delay treatment it is important to discuss with your doctor the impact, if any,
    this delay could have." """
    patient = PatientFactory()
    referral = ReceivedReferralFactory(patient=patient, received_on=datetime.date(2026, 11, 2))
    ReceivedReferralFactory(patient=patient, status="closed")  # no running clock to show
    request = ReceivedSecondOpinionRequestFactory(patient=patient)
    client.force_login(office_user)
    for response in (
        client.get(reverse("second_opinions:detail", args=[request.pk])),
        client.post(reverse("second_opinions:create"), {**form_data(patient), "action": "check"}),
    ):
        content = response.content.decode()
        assert "What a delay would mean for the patient's waiting-time clocks" in content
        assert "if seeking a second opinion will delay treatment it is important to discuss" in content
        assert (
            f"Referral {referral.pk}: 62-day referral to first treatment: day 22 of 62 today, due "
            "03/01/2027. If treatment waited 42 days for a second opinion: day 64, 2 days past the standard."
        ) in content
        assert content.count("62-day referral to first treatment: day") == 1


def test_the_delay_follows_the_opinion_due_setting():
    """Item 15. second-opinion-patient-guide-osteosarcoma.txt: "Seeking a second opinion can be time
    consuming." """
    from referrals.rules import waiting_time_clocks
    from second_opinions import rules

    clocks = waiting_time_clocks(
        received_on=datetime.date(2026, 11, 2), diagnosis_communicated_on=datetime.date(2026, 11, 20),
        decision_to_treat_on=None, first_treatment_on=None, today=datetime.date(2026, 11, 24),
    )  # fmt: skip
    [impact] = rules.delay_impact(clocks=clocks, today=datetime.date(2026, 11, 24), delay_days=14)
    assert (impact.label, impact.days_elapsed, impact.days_past_due_after_delay) == (
        "62-day referral to first treatment",
        22,
        0,
    )
    assert impact.text.endswith("day 36, still within the standard.")


# Issue 16 item 16: the signposting contacts are the directory's ------------------------------------


def _approve_signposting(office_user, sag_member):
    from directory.seed import load_reference_data, load_signposting_contacts

    load_reference_data()
    load_signposting_contacts(proposer=office_user, approver=sag_member)


def test_the_support_line_and_pals_numbers_come_from_the_directory(
    client, office_user, sag_member, my_patient
):
    """Item 16. second-opinions-policy-lsesn.txt: "Patients and families will be informed about the
    availability of the Sarcoma UK Support Line as an independent resource" and
    second-opinions-nhs-patient-guide.txt: "Every NHS Hospital Trust has a PALS department (Patient
    Advice and Liaison Service)." """
    client.force_login(office_user)
    check = {**form_data(my_patient, current_service="LSS", requested_service="RMH"), "action": "check"}
    before = client.post(reverse("second_opinions:create"), check).content.decode()
    assert "No approved entry in the network directory yet" in before
    _approve_signposting(office_user, sag_member)
    content = client.post(reverse("second_opinions:create"), check).content.decode()
    assert 'Sarcoma UK Support Line: <a href="tel:02079460100">020 7946 0100</a>' in content
    # The PALS of the treating service's hospitals (LSS: UCLH and RNOH), not the other service's.
    assert "PALS, University College London Hospitals" in content
    assert "PALS, Royal National Orthopaedic Hospital" in content
    assert "PALS, The Royal Marsden" not in content


def test_a_number_changed_through_the_sag_is_what_the_pages_show(
    client, office_user, sag_member, other_sag_member
):
    """Item 16. second-opinions-policy-lsesn.txt: "Patients and families will be informed about the
    availability of the Sarcoma UK Support Line" """
    from directory import services as directory_services
    from directory.models import KeyContact

    _approve_signposting(office_user, sag_member)
    line = KeyContact.objects.get(signpost="sarcoma_uk_support_line")
    change = directory_services.change_request_propose(
        proposer=office_user, kind="change", target_type="key_contact", target_id=line.pk,
        values={"phone_numbers": "020 7946 0199"}, reason="The support line's number changed.",
    )  # fmt: skip
    assert "020 7946 0100" in client.get(reverse("second_opinions:how_to_ask")).content.decode()
    directory_services.change_request_approve(change_request_id=change.pk, approver=other_sag_member)
    public = client.get(reverse("second_opinions:how_to_ask")).content.decode()
    assert "020 7946 0199" in public
    assert "020 7946 0100" not in public
    assert "PALS, The Royal Marsden" in public


def test_the_signposting_text_holds_no_number_of_its_own():
    """Item 16. second-opinions-nhs-patient-guide.txt: "Each hospital trust should give details
    (email and/or phone number) for their PALS department on their website." """
    import re
    from pathlib import Path

    templates = Path(__file__).resolve().parents[2] / "templates" / "second_opinions"
    for template in templates.glob("*.html"):
        assert not re.search(r"\b0\d{3} ?\d{3} ?\d{4}\b|\b0\d{2} ?\d{4} ?\d{4}\b", template.read_text()), (
            template
        )
