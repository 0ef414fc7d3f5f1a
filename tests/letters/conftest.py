"""Letters' fixtures: a discussed case at a quorate meeting of an MDT whose service has a postal
address and an MDT office contact (both in the directory), a return and second opinions."""

import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from diagnostics.models import ReferralReturn
from mdt.models import MdtDiscussion
from tests.factories import (
    DiscussedMdtDiscussionFactory,
    HospitalNumberFactory,
    KeyContactFactory,
    MdtFactory,
    QuorateHeldMeetingFactory,
    ServiceFactory,
)


def pdf_text(pdf: bytes) -> str:
    """The words of every page of a PDF (pypdf's extraction), one space between each."""
    reader = PdfReader(io.BytesIO(bytes(pdf)))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def pdf_pages(pdf: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(bytes(pdf)))
    return [" ".join((page.extract_text() or "").split()) for page in reader.pages]


@pytest.fixture
def letters_settings(settings):
    settings.LETTERS_NETWORK_NAME = "London and South East Sarcoma Network"
    settings.LETTERS_SIGN_OFF = "MDT Coordinator, on behalf of the sarcoma multidisciplinary team"
    settings.PORTAL_SECURE_EMAIL_DOMAINS = ["nhs.net"]
    return settings


@pytest.fixture
def service(db, letters_settings):
    service = ServiceFactory(
        code="LTR",
        name="Test Sarcoma Centre",
        postal_address="Test Sarcoma Centre\n1 Test Road\nLondon NW1 2BU",
    )
    KeyContactFactory(
        service=service, label="MDT office", phone_numbers="020 7946 0999", email="mdt.office@nhs.net"
    )
    return service


@pytest.fixture
def discussion(service, clinician) -> MdtDiscussion:
    meeting = QuorateHeldMeetingFactory(mdt=MdtFactory(code="LTR", name="Test Sarcoma MDT", service=service))
    discussion = DiscussedMdtDiscussionFactory(
        meeting=meeting,
        referral__responsible_consultant=clinician,
        referral__referring_clinician="Dr Rita Referrer",
        referral__patient__given_name="Ottilie",
        referral__patient__family_name="Lettermore",
        recommendation="Wide local excision after an MRI of the thigh.",
        decision_to_treat_on=timezone.localdate(meeting.starts_at),
        referrer_email="rita.referrer@nhs.net",
        outcome_recipients="both",
    )
    HospitalNumberFactory(patient=discussion.referral.patient, number="MRN482913")
    return discussion


@pytest.fixture
def referral_return(discussion, office_user) -> ReferralReturn:
    referral = discussion.referral
    referral.service = discussion.meeting.mdt.service
    referral.referrer_contact = "rita.referrer@nhs.net"
    referral.save()
    return ReferralReturn.objects.create(
        referral=referral,
        returned_at=timezone.now(),
        returned_by=office_user,
        missing=["The patient's postcode.", "The size of the lump in centimetres."],
    )
