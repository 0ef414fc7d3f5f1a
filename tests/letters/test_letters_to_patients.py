"""Letters to patients in plain English, and the second-opinion letters, for the demo patients:
each letter is rendered and its text read back from the PDF."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from letters import rules, services
from letters.models import Letter
from mdt.models import MdtDiscussion
from second_opinions.models import SecondOpinionRequest
from tests.factories import (
    NotRoutinelyAvailableSecondOpinionRequestFactory,
    OpinionSentSecondOpinionRequestFactory,
)
from tests.letters.conftest import pdf_text

pytestmark = pytest.mark.django_db


def test_the_letter_to_the_patient_explains_every_abbreviation_it_uses(discussion, office_user):
    """The issue: a letter to the patient in plain English, "no abbreviations unexplained"."""
    letter = services.letter_generate(
        kind=Letter.Kind.MDT_OUTCOME_PATIENT,
        source_id=discussion.pk,
        by=office_user,
        recipient_name="Ottilie Lettermore",
        recipient_address="2 Home Street\nLondon NW1 2BU",
    )
    text = pdf_text(letter.pdf)
    assert rules.unexplained_abbreviations(text) == []
    assert "MRI (magnetic resonance imaging)" in text  # the recommendation, explained
    assert "multidisciplinary team (MDT)" in text
    assert "Ottilie Lettermore" in text
    assert discussion.referral.patient.nhs_number_display in text
    assert "020 7946 0999" in text


def test_a_patient_letter_with_an_unknown_abbreviation_is_refused(discussion, office_user):
    discussion.recommendation = "Refer for ILP of the limb."
    discussion.save()
    with pytest.raises(ValidationError, match="ILP"):
        services.letter_generate(
            kind=Letter.Kind.MDT_OUTCOME_PATIENT,
            source_id=discussion.pk,
            by=office_user,
            recipient_name="O L",
        )
    assert not Letter.objects.exists()


def test_not_routinely_available_letter_quotes_the_policy_and_signposts(service, office_user):
    """Policy: "Patients and families will be informed about the availability of the Sarcoma UK
    Support Line as an independent resource"; the NHS guide: PALS, and ask the treating clinician."""
    request = NotRoutinelyAvailableSecondOpinionRequestFactory()
    letter = services.letter_generate(
        kind=Letter.Kind.SECOND_OPINION_NOT_AVAILABLE,
        source_id=request.pk,
        by=office_user,
        recipient_name="P",
    )
    text = pdf_text(letter.pdf)
    assert "not routinely available" in text
    assert "Due to capacity considerations, we are unable to routinely see patients" in text
    assert "Sarcoma UK Support Line" in text
    assert "PALS (Patient Advice and Liaison Service)" in text
    assert "Ask your treating clinician" in text


def test_the_opinion_letter_follows_the_request(service, office_user):
    request = OpinionSentSecondOpinionRequestFactory()
    assert request.status == SecondOpinionRequest.Status.OPINION_SENT
    letter = services.letter_generate(
        kind=Letter.Kind.SECOND_OPINION_SENT, source_id=request.pk, by=office_user, recipient_name="Dr G"
    )
    text = pdf_text(letter.pdf)
    assert request.get_outcome_display().lower() in text
    assert f"request number {request.pk}" in text
    with pytest.raises(ValidationError, match="not reached"):
        services.letter_generate(
            kind=Letter.Kind.SECOND_OPINION_NOT_AVAILABLE,
            source_id=request.pk,
            by=office_user,
            recipient_name="G",
        )


@pytest.mark.django_db(transaction=True)
def test_every_demo_letter_holds_the_identifiers_and_the_contacts():
    """seed_demo writes letters for the demo patients (letters/seed.py): each PDF's text holds the
    patient's identifiers and the service's contacts; an MDT outcome letter holds the outcome; a
    letter to a patient explains every abbreviation."""
    call_command("seed_demo", password="demo-password-for-letters", stdout=io.StringIO())
    letters = list(Letter.objects.select_related("patient", "discussion"))
    kinds = {letter.kind for letter in letters}
    assert {
        Letter.Kind.MDT_OUTCOME_REFERRER,
        Letter.Kind.MDT_OUTCOME_PATIENT,
        Letter.Kind.REFERRAL_RETURNED,
    } <= kinds
    assert any(kind.startswith("so_") for kind in kinds)
    for letter in letters:
        text = pdf_text(letter.pdf)
        patient = letter.patient
        assert f"{patient.given_name} {patient.family_name}" in text
        assert patient.nhs_number_display in text
        assert f"{patient.date_of_birth:%-d %B %Y}" in text
        assert "Contact us" in text
        if letter.discussion is not None:
            assert (
                MdtDiscussion.Outcome(letter.discussion.outcome).label in text
                or letter.kind == "mdt_outcome_patient"
            )
            assert letter.discussion.recommendation.split()[0] in text
        if letter.kind == Letter.Kind.MDT_OUTCOME_PATIENT:
            assert rules.unexplained_abbreviations(text) == []
        # The service's postal address, as the directory holds it (the demo's approved one).
        if letter.discussion is not None:
            service = letter.discussion.meeting.mdt.service
            assert service.postal_address_lines, service.code
            assert service.postal_address_lines[-1] in text
    call_command("seed_demo", password="demo-password-for-letters", stdout=io.StringIO())
    assert Letter.objects.count() == len(letters)  # idempotent
