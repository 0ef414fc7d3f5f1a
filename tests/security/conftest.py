"""A small world for the security tests: every kind of object the portal's URLs take an id of,
with one patient (and referral, MDT discussion, second-opinion request) per clinician."""

from dataclasses import dataclass

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.models import AccessLog, OutboxMessage
from referrals import mdt_services
from tests.factories import (
    ApprovedPolicyDocumentFactory,
    CirculationGroupFactory,
    ConfirmationRequestFactory,
    KeyContactFactory,
    MdtDiscussionFactory,
    OpenOutstandingItemFactory,
    PendingChangeRequestFactory,
    PractitionerFactory,
    ReceivedReferralFactory,
    ReceivedSecondOpinionRequestFactory,
    ServiceFactory,
)


@dataclass
class Side:
    """One clinician's records."""

    patient: object
    referral: object
    discussion: object
    second_opinion: object
    calendar_token: str


@dataclass
class World:
    mine: Side  # clinician1's
    theirs: Side  # clinician2's
    objects: dict  # anything else, by name


def _side(clinician) -> Side:
    referral = ReceivedReferralFactory(responsible_consultant=clinician)
    discussion = MdtDiscussionFactory(referral=referral)
    second_opinion = ReceivedSecondOpinionRequestFactory(patient=referral.patient)
    token = mdt_services.calendar_token_get_or_create(user=clinician).token
    return Side(referral.patient, referral, discussion, second_opinion, token)


@pytest.fixture
def world(clinician, other_clinician, office_user, sag_member, outsider, superuser) -> World:
    mine, theirs = _side(clinician), _side(other_clinician)
    document = ApprovedPolicyDocumentFactory()
    item = OpenOutstandingItemFactory()
    objects = {
        "practitioner": PractitionerFactory(),
        "key_contact": KeyContactFactory(),
        "service": ServiceFactory(),
        "change_request": PendingChangeRequestFactory(proposed_by=office_user),
        "confirmation": ConfirmationRequestFactory(),
        "policy": document,
        "draft_policy": item.document,
        "outstanding_item": item,
        "circulation_group": CirculationGroupFactory(),
        "totp_device": TOTPDevice.objects.create(user=superuser, name="phone", confirmed=True),
        "access_log": AccessLog.objects.create(
            user=office_user, patient_id=mine.patient.pk, action="read", page="x"
        ),
        "outbox": OutboxMessage.objects.create(task="portal.tasks.ping", args=["x"]),
    }
    return World(mine=mine, theirs=theirs, objects=objects)
