"""A small world for the security tests: every kind of object the portal's URLs take an id of,
with one patient (and referral, MDT discussion, second-opinion request) per clinician."""

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from diagnostics.models import MolecularTest, ReferralReturn
from fhir_api.models import ApiCall, ApiClient
from mdt import services as mdt_services
from mdt.models import PatientOutcomePreference
from portal.models import AccessLog, BreakGlassGrant, OutboxMessage
from tests.factories import (
    ApprovedPolicyDocumentFactory,
    CapacityDeclarationFactory,
    CirculationGroupFactory,
    ConfirmationRequestFactory,
    DiagnosticClinicFactory,
    KeyContactFactory,
    MdtDiscussionFactory,
    OpenOutstandingItemFactory,
    PendingChangeRequestFactory,
    PractitionerFactory,
    ReceivedReferralFactory,
    ReceivedSecondOpinionRequestFactory,
    RequestedPathologyReviewFactory,
    RunningPathwayFactory,
    ServiceFactory,
)
from waiting_times.models import NextAction


@dataclass
class Side:
    """One clinician's records."""

    patient: object
    referral: object
    discussion: object
    second_opinion: object
    calendar_token: str
    pathway: object


@dataclass
class World:
    mine: Side  # clinician1's
    theirs: Side  # clinician2's
    objects: dict  # anything else, by name


def _side(clinician, given_name: str, family_name: str) -> Side:
    # Names that appear in no page text, so a test can look for them anywhere in a response.
    referral = ReceivedReferralFactory(
        responsible_consultant=clinician, patient__given_name=given_name, patient__family_name=family_name
    )
    discussion = MdtDiscussionFactory(referral=referral)
    second_opinion = ReceivedSecondOpinionRequestFactory(patient=referral.patient)
    token = mdt_services.calendar_token_get_or_create(user=clinician).token
    pathway = RunningPathwayFactory(referral=referral)
    return Side(referral.patient, referral, discussion, second_opinion, token, pathway)


def _letter(side: Side, office_user, **kwargs):
    from letters.models import Letter

    return Letter.objects.create(
        kind=Letter.Kind.MDT_OUTCOME_REFERRER,
        patient=side.patient,
        discussion=side.discussion,
        source=f"discussion:{side.discussion.pk}",
        recipient_name="Dr Rita Referrer",
        generated_at=timezone.now(),
        generated_by=office_user,
        html="<p>A letter</p>",
        pdf=b"%PDF-1.7 a letter",
        **kwargs,
    )


def _print_batch(side: Side, office_user):
    from letters.models import Letter, PrintBatch

    batch = PrintBatch.objects.create(created_at=timezone.now(), pdf=b"%PDF-1.7 a batch")
    _letter(side, office_user, version=2, status=Letter.Status.PRINTED, method="post", print_batch=batch)
    return batch


@pytest.fixture
def world(clinician, other_clinician, office_user, sag_member, outsider, superuser) -> World:
    mine = _side(clinician, "Ottoline", "Qwertyuiop")
    theirs = _side(other_clinician, "Xanthippe", "Zyxwvutsr")
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
        # Expired, so it opens nothing: there for the admin's pages.
        "break_glass": BreakGlassGrant.objects.create(
            user=other_clinician,
            patient_id=mine.patient.pk,
            reason="Seen in the emergency department out of hours",
            expires_at=timezone.now() - datetime.timedelta(hours=1),
        ),
        "clinic": DiagnosticClinicFactory(),
        # The FHIR API's client and call log, for the admin's pages (issue 21).
        "api_client": (api_client := ApiClient.objects.create(name="Trust EPR", token_hash="0" * 64)),
        "api_call": ApiCall.objects.create(
            client=api_client,
            method="GET",
            resource="Organization",
            interaction="read",
            status=200,
            outcome="ok",
        ),
        "capacity_declaration": CapacityDeclarationFactory(),
        # Patient data in the admin's own lists: the access-log column must see them logged.
        "outcome_preference": PatientOutcomePreference.objects.create(
            patient=mine.patient, recipients="both"
        ),
        "referral_return": ReferralReturn.objects.create(
            referral=mine.referral, returned_at=timezone.now(), returned_by=office_user, missing=["postcode"]
        ),
        "next_action": NextAction.objects.create(
            pathway=mine.pathway, what="Book MRI", owner=office_user, due_on=mine.referral.received_on
        ),
        # clinician1's patient's letter (a draft), and a print batch holding another of theirs.
        "letter": _letter(mine, office_user),
        "print_batch": _print_batch(mine, office_user),
        "molecular_test": MolecularTest.objects.create(
            review=RequestedPathologyReviewFactory(referral=mine.referral),
            test_name="FISH",
            requested_on=mine.referral.received_on,
        ),
    }
    return World(mine=mine, theirs=theirs, objects=objects)
