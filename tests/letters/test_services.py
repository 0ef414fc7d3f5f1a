"""Writing, versioning, sending and printing letters (letters/services.py), checked on the text
extracted from the PDFs."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from letters import services
from letters.models import Letter
from tests.letters.conftest import pdf_pages, pdf_text

pytestmark = pytest.mark.django_db


def _write(discussion, office_user, kind=Letter.Kind.MDT_OUTCOME_REFERRER, **kwargs):
    values = {"recipient_name": "Dr Rita Referrer", "recipient_email": "rita.referrer@nhs.net"} | kwargs
    return services.letter_generate(kind=kind, source_id=discussion.pk, by=office_user, **values)


def test_mdt_outcome_letter_holds_the_identifiers_outcome_attendance_and_contacts(discussion, office_user):
    letter = _write(discussion, office_user)
    text = pdf_text(letter.pdf)
    patient = discussion.referral.patient
    assert "Ottilie Lettermore" in text
    assert patient.nhs_number_display in text  # 3-3-4
    assert "1 January 1970" in text
    assert "MRN482913" in text
    assert "Wide local excision after an MRI of the thigh." in text
    assert "Surgery" in text
    assert "quorate" in text
    assert "not quorate" not in text
    assert "020 7946 0999" in text
    assert "mdt.office@nhs.net" in text
    assert "1 Test Road" in text
    assert "London and South East Sarcoma Network" in text
    assert clinician_name(discussion) in text
    assert "Decision to treat" in text


def clinician_name(discussion):
    return discussion.referral.responsible_consultant.get_full_name()


# The service's address, from the directory -------------------------------------------------------


def _header(letter) -> str:
    """The letter's address block as written: the text inside <div class="address">, or None."""
    start = letter.html.find('<div class="address">')
    if start == -1:
        return None
    start += len('<div class="address">')
    return letter.html[start : letter.html.index("</div>", start)]


def test_the_header_gives_the_directory_address_then_the_contacts(discussion, office_user):
    letter = _write(discussion, office_user)
    assert _header(letter).startswith(
        "Test Sarcoma Centre\n1 Test Road\nLondon NW1 2BU\nMDT office: 020 7946 0999, mdt.office@nhs.net"
    )
    assert "London NW1 2BU" in pdf_pages(letter.pdf)[0]


def test_an_approved_address_change_heads_the_next_letter(discussion, office_user, sag_member):
    from directory import services as directory_services
    from tests.factories import OrganisationFactory

    service = discussion.meeting.mdt.service
    service.organisations.add(OrganisationFactory())
    first = _write(discussion, office_user)
    change_request = directory_services.change_request_propose(
        proposer=office_user,
        kind="change",
        target_type="service",
        target_id=service.pk,
        values={"postal_address": "Test Sarcoma Centre\r\n9 New Street\r\nLondon NW1 9ZZ"},
        reason="The centre moved.",
    )
    pending = _write(discussion, office_user, correction="Reprinted before the move was approved.")
    assert "1 Test Road" in pdf_text(pending.pdf)  # proposed is not approved
    directory_services.change_request_approve(change_request_id=change_request.pk, approver=sag_member)

    latest = _write(discussion, office_user, correction="The centre's new address.")
    text = pdf_text(latest.pdf)
    assert "9 New Street" in text
    assert "London NW1 9ZZ" in text
    assert "1 Test Road" not in text
    # The letters already written keep the address they were written with.
    first.refresh_from_db()
    assert "1 Test Road" in pdf_text(first.pdf)
    history = service.history.latest()
    assert (history.postal_address, history.history_user) == (
        "Test Sarcoma Centre\n9 New Street\nLondon NW1 9ZZ",
        sag_member,
    )
    assert history.history_change_reason.startswith(f"Change request #{change_request.pk} approved by")


def test_a_service_without_an_address_gives_its_name_and_contacts(discussion, office_user):
    service = discussion.meeting.mdt.service
    service.postal_address = ""
    service.save()
    letter = _write(discussion, office_user)
    # No blank line where the address would be: the block starts with the contacts.
    assert _header(letter).startswith("MDT office: 020 7946 0999, mdt.office@nhs.net")
    text = pdf_text(letter.pdf)
    assert "Test Sarcoma Centre" in text
    assert "020 7946 0999" in text
    assert "1 Test Road" not in text


def test_a_service_without_an_address_or_contacts_has_no_address_block(discussion, office_user):
    service = discussion.meeting.mdt.service
    service.postal_address = ""
    service.save()
    service.key_contacts.update(active=False)
    mdt = discussion.meeting.mdt
    mdt.office_email = ""
    mdt.save()
    letter = _write(discussion, office_user)
    assert _header(letter) is None
    text = pdf_text(letter.pdf)
    assert "Test Sarcoma Centre" in text
    assert "Contact us" not in text
    assert "Ottilie Lettermore" in text


def test_every_page_carries_the_patient_identifiers_and_its_page_number(discussion, office_user):
    long = " ".join(["The MDT reviewed the imaging and the pathology in detail."] * 120)
    discussion.recommendation = long
    discussion.save()
    letter = _write(discussion, office_user)
    pages = pdf_pages(letter.pdf)
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert "Ottilie Lettermore" in page
        assert discussion.referral.patient.nhs_number_display in page
        assert "MRN482913" in page
        assert f"Page {number} of {len(pages)}" in page


def test_regenerating_makes_version_two_and_keeps_version_one(discussion, office_user):
    first = _write(discussion, office_user)
    with pytest.raises(ValidationError, match="what version 2 corrects"):
        _write(discussion, office_user)
    second = _write(discussion, office_user, correction="The referrer's name was misspelt.")
    first.refresh_from_db()
    assert (first.version, second.version) == (1, 2)
    assert first.status == Letter.Status.SUPERSEDED
    assert second.status == Letter.Status.DRAFT
    assert bytes(first.pdf).startswith(b"%PDF")
    assert "Version 1" in pdf_text(first.pdf)
    assert "Version 2" in pdf_text(second.pdf)


def test_a_sent_version_stays_sent_when_a_correction_is_written(discussion, office_user):
    first = _write(discussion, office_user)
    services.letter_send(letter_id=first.pk, method=Letter.Method.EMAIL, by=office_user)
    _write(discussion, office_user, correction="Add the decision to treat.")
    first.refresh_from_db()
    assert first.status == Letter.Status.SENT


def test_sending_by_email_attaches_the_pdf_to_a_secure_address_once(
    discussion, office_user, django_capture_on_commit_callbacks
):
    letter = _write(discussion, office_user)
    with django_capture_on_commit_callbacks(execute=True):
        services.letter_send(letter_id=letter.pk, method=Letter.Method.EMAIL, by=office_user)
    letter.refresh_from_db()
    assert letter.status == Letter.Status.SENT
    assert letter.emailed_at is not None
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["rita.referrer@nhs.net"]
    (name, content, mimetype) = message.attachments[0]
    assert (name, mimetype) == (letter.filename, "application/pdf")
    assert content == bytes(letter.pdf)
    assert "Lettermore" not in message.subject
    assert services.letter_email_deliver(letter_id=letter.pk) is False  # a redelivered task
    assert len(mail.outbox) == 1


def test_a_letter_is_never_emailed_outside_the_secure_domains(discussion, office_user):
    letter = _write(discussion, office_user, recipient_email="rita@gmail.com")
    with pytest.raises(ValidationError, match="not a secure e-mail address"):
        services.letter_send(letter_id=letter.pk, method=Letter.Method.EMAIL, by=office_user)
    letter.refresh_from_db()
    assert letter.status == Letter.Status.DRAFT
    assert mail.outbox == []


def test_sending_twice_is_refused(discussion, office_user):
    letter = _write(discussion, office_user, recipient_address="1 Surgery Lane\nLondon")
    services.letter_send(letter_id=letter.pk, method=Letter.Method.POST, by=office_user)
    with pytest.raises(ValidationError, match="got there first"):
        services.letter_send(letter_id=letter.pk, method=Letter.Method.EMAIL, by=office_user)


def test_the_print_batch_gathers_the_letters_for_the_post_in_one_pdf_once(discussion, office_user):
    referrer = _write(discussion, office_user, recipient_address="1 Surgery Lane\nLondon")
    patient = _write(
        discussion,
        office_user,
        kind=Letter.Kind.MDT_OUTCOME_PATIENT,
        recipient_name="Ottilie Lettermore",
        recipient_address="2 Home Street\nLondon",
        recipient_email="",
    )
    for letter in (referrer, patient):
        services.letter_send(letter_id=letter.pk, method=Letter.Method.POST, by=office_user)
    batch = services.print_batch_create()
    assert batch is not None
    text = pdf_text(batch.pdf)
    assert "1 Surgery Lane" in text
    assert "2 Home Street" in text
    assert set(batch.letters.values_list("status", flat=True)) == {Letter.Status.PRINTED}
    assert services.print_batch_create() is None  # nothing left: no letter printed twice


def test_posting_needs_a_postal_address(discussion, office_user):
    letter = _write(discussion, office_user)
    with pytest.raises(ValidationError, match="no postal address"):
        services.letter_send(letter_id=letter.pk, method=Letter.Method.POST, by=office_user)


def test_no_outcome_no_letter(discussion, office_user):
    discussion.outcome = ""
    discussion.save()
    with pytest.raises(ValidationError, match="Record the MDT outcome"):
        _write(discussion, office_user)
    assert not Letter.objects.exists()


def test_the_patient_letter_is_written_only_where_the_patient_wished_it(discussion, office_user):
    """mdt.PatientOutcomePreference: "The patient's recorded wishes: who receives their MDT
    outcomes" (referrer only, patient only, or both); the discussion takes them when listed."""
    discussion.outcome_recipients = "referrer"
    discussion.save()
    with pytest.raises(ValidationError, match="has not asked"):
        _write(discussion, office_user, kind=Letter.Kind.MDT_OUTCOME_PATIENT, recipient_name="Ottilie")
    kinds = [w.kind for w in services.letters_writable(discussion.referral.patient)]
    assert kinds == [Letter.Kind.MDT_OUTCOME_REFERRER]


def test_referral_returned_letter_says_what_is_missing_how_to_resubmit_and_the_clocks(
    referral_return, office_user
):
    """CWT v12.1, 1.1: "Maximum 28 days from: Receipt of urgent referral for suspected cancer ...
    to the date the patient is informed of a diagnosis or ruling out of cancer"."""
    letter = services.letter_generate(
        kind=Letter.Kind.REFERRAL_RETURNED,
        source_id=referral_return.pk,
        by=office_user,
        recipient_name="Dr Rita Referrer",
    )
    text = pdf_text(letter.pdf)
    assert "The patient's postcode." in text
    assert "The size of the lump in centimetres." in text
    assert f"quoting referral number {referral_return.referral_id}" in text
    assert "2 November 2026" in text  # received
    assert "30 November 2026" in text  # day 28
    assert "3 January 2027" in text  # day 62
    assert "Ottilie Lettermore" in text
    assert "020 7946 0999" in text
