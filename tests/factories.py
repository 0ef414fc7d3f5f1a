"""Factories: one per state where a model has states. Personas are in conftest.py."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from diagnostics.models import CapacityDeclaration, PathologyReview
from directory.models import Organisation, Practitioner
from mdt import rules as mdt_rules
from mdt.models import Mdt, MdtAttendance, MdtDiscussion, MdtMeeting
from referrals.models import HospitalNumber, Patient, Referral
from referrals.rules import RoutingCase, route_referral
from referrals.seed import synthetic_nhs_number
from second_opinions import rules as second_opinion_rules
from second_opinions.models import SecondOpinionRequest
from waiting_times.models import CancerPathway, Outcome, Route
from waiting_times.tracking import outcome_fields, tracking_fields


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.invalid")
    password = factory.django.Password("correct-horse-battery")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("ods_code",)

    name = factory.Sequence(lambda n: f"Test Hospital NHS Trust {n}")
    ods_code = factory.Sequence(lambda n: f"T{n:03d}")


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    nhs_number = factory.Sequence(lambda n: synthetic_nhs_number(1000 + n))
    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    date_of_birth = datetime.date(1970, 1, 1)


class ReceivedReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral
        skip_postgeneration_save = True

    patient = factory.SubFactory(PatientFactory)
    received_on = datetime.date(2026, 11, 2)
    presentation = Referral.Presentation.SUSPECTED
    tumour_type = Referral.TumourType.SOFT_TISSUE
    site = "limb"
    status = Referral.Status.RECEIVED


# Referrals (issue 5) ------------------------------------------------------------------------------


class HospitalNumberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HospitalNumber

    patient = factory.SubFactory(PatientFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    number = factory.Sequence(lambda n: f"H{n:06d}")


class SpinalReferralFactory(ReceivedReferralFactory):
    """A received spinal case, routed as intake routes it."""

    tumour_type = Referral.TumourType.BONE
    site = "spine"
    pathway = Referral.Pathway.SPINAL
    routing_decision = factory.LazyAttribute(
        lambda r: route_referral(
            RoutingCase(age=50, presentation=r.presentation, tumour=r.tumour_type, site=r.site)
        ).as_dict()
    )


class AcceptedReferralFactory(ReceivedReferralFactory):
    status = Referral.Status.ACCEPTED


class AwaitingMdtReferralFactory(ReceivedReferralFactory):
    status = Referral.Status.AWAITING_MDT


class DiscussedAtMdtReferralFactory(ReceivedReferralFactory):
    status = Referral.Status.DISCUSSED_AT_MDT
    mdt_outcome_on = datetime.date(2026, 11, 16)


class PractitionerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Practitioner

    name = factory.Faker("name")
    organisation = factory.SubFactory(OrganisationFactory)
    speciality = Practitioner.Speciality.SURGERY


class CoreMdtSurgeonFactory(PractitionerFactory):
    is_core_mdt_member = True


class DesignatedSpinalSurgeonFactory(PractitionerFactory):
    designation_scope = Practitioner.DesignationScope.SPINAL_SURGERY


# Policies ---------------------------------------------------------------------------------------


class PolicySeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "policies.PolicySeries"


class CirculationGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "policies.CirculationGroup"
        django_get_or_create = ("name",)

    name = "Trust Sarcoma Leads"


class DraftPolicyDocumentFactory(factory.django.DjangoModelFactory):
    """A draft version (0.x) of a new policy. Owners: `owners=[user, ...]`."""

    class Meta:
        model = "policies.PolicyDocument"
        skip_postgeneration_save = True

    series = factory.SubFactory(PolicySeriesFactory)
    title = factory.Sequence(lambda n: f"LSESN Pathway number {n}")
    aims = "To agree the pathway."
    issued_by = "LSESN SAG"
    authors = "Subgroup of LSESN SAG"
    version_number = "0.1"
    version_date = datetime.date(2026, 10, 1)
    review_date = datetime.date(2028, 11, 1)
    status = "draft"

    @factory.post_generation
    def owners(self, create, extracted, **kwargs):
        if create and extracted:
            self.owners.set(extracted)


class AwaitingApprovalPolicyDocumentFactory(DraftPolicyDocumentFactory):
    status = "awaiting_approval"


class ApprovedPolicyDocumentFactory(DraftPolicyDocumentFactory):
    """The current, approved version 1, approved 01/11/2025, review 01/11/2027."""

    version_number = "1"
    status = "approved"
    approved_by = "LSESN SAG"
    approval_date = datetime.date(2025, 11, 1)
    review_date = datetime.date(2027, 11, 1)


class SupersededPolicyDocumentFactory(ApprovedPolicyDocumentFactory):
    status = "superseded"


class WithdrawnPolicyDocumentFactory(DraftPolicyDocumentFactory):
    status = "withdrawn"


class OpenOutstandingItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "policies.OutstandingItem"

    document = factory.SubFactory(AwaitingApprovalPolicyDocumentFactory)
    description = "Agree the radiotherapy contact."


# Second opinions ---------------------------------------------------------------------------------


def _policy_answer(request) -> dict:
    """The rules' answer for a factory-built request, so decision fields are always consistent."""
    return second_opinion_rules.decide(
        second_opinion_rules.EligibilityInput(
            current_service=second_opinion_rules.CurrentService(request.current_service),
            standard_management=request.standard_management,
            requested_service=second_opinion_rules.RequestedService(request.requested_service),
            requested_by=second_opinion_rules.RequestedBy(request.requested_by),
            reason=second_opinion_rules.Reason(request.reason),
            tumour=second_opinion_rules.Tumour(request.tumour),
            named_clinician=request.named_clinician,
        )
    ).as_json()


class ReceivedSecondOpinionRequestFactory(factory.django.DjangoModelFactory):
    """A request from a GP for a patient looked after elsewhere: accepted for clinic."""

    class Meta:
        model = SecondOpinionRequest

    patient = factory.SubFactory(PatientFactory)
    received_on = datetime.date(2026, 11, 2)
    requested_by = SecondOpinionRequest.RequestedBy.GP
    requester_name = "Dr Gill Practice"
    requester_contact = "gp@example.invalid"
    current_service = SecondOpinionRequest.CurrentService.OTHER
    treating_hospital = "Somewhere General Hospital"
    treating_clinician = "Dr Tess Treating"
    standard_management = True
    requested_service = SecondOpinionRequest.RequestedService.LSS
    named_clinician = ""
    reason = SecondOpinionRequest.Reason.PATIENT_CHOICE
    tumour = SecondOpinionRequest.Tumour.SOFT_TISSUE
    consent_to_share_records = True
    feedback_to = SecondOpinionRequest.FeedbackTo.BOTH
    decision = factory.LazyAttribute(lambda o: _policy_answer(o)["decision"])
    route = factory.LazyAttribute(lambda o: _policy_answer(o)["route"] or "")
    redirect_to = factory.LazyAttribute(lambda o: _policy_answer(o)["redirect_to"] or "")
    signpost = factory.LazyAttribute(lambda o: _policy_answer(o)["signpost"])
    decision_reasons = factory.LazyAttribute(lambda o: _policy_answer(o)["reasons"])
    status = SecondOpinionRequest.Status.RECEIVED


class NotRoutinelyAvailableSecondOpinionRequestFactory(ReceivedSecondOpinionRequestFactory):
    """A patient under standard management at RMH asking LSS by choice."""

    requested_by = SecondOpinionRequest.RequestedBy.PATIENT
    current_service = SecondOpinionRequest.CurrentService.RMH
    treating_hospital = ""


class DecidedSecondOpinionRequestFactory(ReceivedSecondOpinionRequestFactory):
    status = SecondOpinionRequest.Status.DECIDED
    decided_at = factory.LazyAttribute(
        lambda o: datetime.datetime.combine(o.received_on, datetime.time(12), tzinfo=datetime.UTC)
    )


class RecordsRequestedSecondOpinionRequestFactory(DecidedSecondOpinionRequestFactory):
    status = SecondOpinionRequest.Status.RECORDS_REQUESTED
    records_requested_on = factory.LazyAttribute(lambda o: o.received_on + datetime.timedelta(days=1))


class RecordsReceivedSecondOpinionRequestFactory(RecordsRequestedSecondOpinionRequestFactory):
    status = SecondOpinionRequest.Status.RECORDS_RECEIVED
    records_received_on = factory.LazyAttribute(lambda o: o.received_on + datetime.timedelta(days=5))


class ReviewedSecondOpinionRequestFactory(RecordsReceivedSecondOpinionRequestFactory):
    status = SecondOpinionRequest.Status.REVIEWED
    reviewed_at = factory.LazyAttribute(
        lambda o: (
            datetime.datetime.combine(o.received_on, datetime.time(12), tzinfo=datetime.UTC)
            + datetime.timedelta(days=10)
        )
    )


class OpinionSentSecondOpinionRequestFactory(ReviewedSecondOpinionRequestFactory):
    status = SecondOpinionRequest.Status.OPINION_SENT
    outcome = SecondOpinionRequest.Outcome.AGREES
    opinion_sent_on = factory.LazyAttribute(lambda o: o.received_on + datetime.timedelta(days=14))


class ClosedSecondOpinionRequestFactory(OpinionSentSecondOpinionRequestFactory):
    status = SecondOpinionRequest.Status.CLOSED
    closed_at = factory.LazyAttribute(
        lambda o: datetime.datetime.combine(o.opinion_sent_on, datetime.time(12), tzinfo=datetime.UTC)
    )


# Directory (issue 3) ------------------------------------------------------------------------------


class PractitionerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "directory.Practitioner"

    name = factory.Sequence(lambda n: f"Dr Test Practitioner {n}")
    organisation = factory.SubFactory(OrganisationFactory)
    speciality = "surgery"
    email = factory.Sequence(lambda n: f"practitioner{n}@nhs.example")


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "directory.Service"
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Test Sarcoma Service {n}")
    code = factory.Sequence(lambda n: f"TS{n}")


class KeyContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "directory.KeyContact"

    label = factory.Sequence(lambda n: f"MDT office {n}")
    phone_numbers = "020 7946 0000"
    service = factory.SubFactory(ServiceFactory)


def _current_version(record):
    from directory.services import current_version

    return current_version(record)


class PendingChangeRequestFactory(factory.django.DjangoModelFactory):
    """A pending request to change a practitioner's phone number, proposed at the record's
    current version (build it through services.change_request_propose for full validation)."""

    class Meta:
        model = "directory.ChangeRequest"

    kind = "change"
    target_type = "practitioner"
    practitioner = factory.SubFactory(PractitionerFactory)
    proposed_values = factory.Dict({"phone": "020 7946 0999"})
    reason = "New direct line."
    proposed_by = factory.SubFactory(UserFactory)
    status = "pending"
    base_version = factory.LazyAttribute(lambda cr: _current_version(cr.practitioner))


class ApprovedChangeRequestFactory(PendingChangeRequestFactory):
    """Approved and applied (the factory does not write the change to the practitioner)."""

    status = "applied"
    decided_by = factory.SubFactory(UserFactory)
    decided_at = factory.LazyFunction(lambda: datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC))
    applied_at = factory.SelfAttribute("decided_at")


class ConfirmationRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "directory.ConfirmationRequest"

    practitioner = factory.SubFactory(PractitionerFactory)
    year = 2026
    sent_at = factory.LazyFunction(lambda: datetime.datetime(2026, 1, 1, 8, 0, tzinfo=datetime.UTC))
    sent_to = factory.LazyAttribute(lambda c: c.practitioner.email or "office@example.invalid")


# MDT meetings -----------------------------------------------------------------------------------


class MdtPractitionerFactory(PractitionerFactory):
    """A core MDT member (the directory's practitioner, flagged core)."""

    email = factory.Sequence(lambda n: f"core{n}@example.invalid")
    is_core_mdt_member = True


class MdtFactory(factory.django.DjangoModelFactory):
    """A Wednesday 08:00 MDT, list closing two working days before, quorate with surgery,
    radiology and pathology present."""

    class Meta:
        model = Mdt
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Test MDT {n}")
    code = factory.Sequence(lambda n: f"MDT{n}")
    service = factory.SubFactory(ServiceFactory)
    weekday = Mdt.Weekday.WEDNESDAY
    start_time = datetime.time(8, 0)
    location = "Seminar room 1"
    cutoff_working_days = 2
    quorum_specialities = factory.LazyFunction(lambda: ["surgery", "radiology", "pathology"])
    weeks_ahead = 8


def _meeting_cutoff(meeting) -> datetime.datetime:
    day = meeting.starts_at.astimezone(mdt_rules.LONDON).date()
    return mdt_rules.cutoff_at(day, 2, mdt_rules.bank_holidays([day.year - 1, day.year]))


class PlannedMeetingFactory(factory.django.DjangoModelFactory):
    """Wednesday 2 December 2026, 08:00 GMT; the list closes at noon on Monday 30 November."""

    class Meta:
        model = MdtMeeting

    mdt = factory.SubFactory(MdtFactory)
    starts_at = datetime.datetime(2026, 12, 2, 8, 0, tzinfo=mdt_rules.LONDON)
    cutoff_at = factory.LazyAttribute(_meeting_cutoff)
    status = MdtMeeting.Status.PLANNED


class ListClosedMeetingFactory(PlannedMeetingFactory):
    status = MdtMeeting.Status.LIST_CLOSED


class HeldMeetingFactory(PlannedMeetingFactory):
    starts_at = datetime.datetime(2026, 11, 18, 8, 0, tzinfo=mdt_rules.LONDON)
    status = MdtMeeting.Status.HELD


class QuorateHeldMeetingFactory(HeldMeetingFactory):
    """A held meeting whose quorum rule's specialities each had a core member present (core
    members of the MDT in the directory, issue 16)."""

    class Meta:
        skip_postgeneration_save = True

    @factory.post_generation
    def quorate(self, create, extracted, **kwargs):
        if not create:
            return
        members = [
            MdtPractitionerFactory(speciality=speciality) for speciality in self.mdt.quorum_specialities
        ]
        set_core_members(self.mdt, members)
        for member in members:
            MdtAttendance.objects.create(meeting=self, practitioner=member)


class CancelledMeetingFactory(PlannedMeetingFactory):
    status = MdtMeeting.Status.CANCELLED
    cancel_reason = "Room unavailable"


class MdtDiscussionFactory(factory.django.DjangoModelFactory):
    """A case on a planned meeting's list, imaging and pathology not yet available."""

    class Meta:
        model = MdtDiscussion

    meeting = factory.SubFactory(PlannedMeetingFactory)
    referral = factory.SubFactory(ReceivedReferralFactory)
    question = "Diagnosis and plan?"
    added_at = factory.LazyAttribute(lambda d: d.meeting.cutoff_at - datetime.timedelta(days=3))
    referrer_email = "referrer@example.invalid"


class ReadyMdtDiscussionFactory(MdtDiscussionFactory):
    imaging_available = True
    pathology_available = True


class DiscussedMdtDiscussionFactory(ReadyMdtDiscussionFactory):
    """A case discussed at a held meeting, outcome recorded but not sent."""

    meeting = factory.SubFactory(HeldMeetingFactory)
    outcome = MdtDiscussion.Outcome.SURGERY
    recommendation = "Wide local excision at the sarcoma centre."
    outcome_recorded_at = factory.LazyAttribute(lambda d: d.meeting.starts_at + datetime.timedelta(hours=3))
    version = 1


# Diagnostic pathway (issue 8) ----------------------------------------------------------------------


class DiagnosticClinicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "directory.DiagnosticClinic"

    name = factory.Sequence(lambda n: f"Test Diagnostic Clinic {n}")
    host_organisation = factory.SubFactory(OrganisationFactory)
    service_model = factory.List(["one_stop_ultrasound"])
    clinic_days = factory.List(["tue"])
    catchment = factory.List(["ME14"])


class DesignatedPathologistFactory(PractitionerFactory):
    speciality = "pathology"
    designation_scope = "pathology"


class CompleteSuspectedReferralFactory(ReceivedReferralFactory):
    """A suspected soft tissue sarcoma referral with every NG12 feature the form asks for."""

    patient = factory.SubFactory(PatientFactory, postcode="ME14 1AB")
    referring_clinician = "Dr Test GP"
    referrer_contact = "01622 000000"
    lump_size_cm = 6
    lump_depth = "deep"
    lump_growing = "yes"
    lump_painful = "no"
    imaging_done = "ultrasound"
    imaging_result = "suggests_sarcoma"


class RequestedPathologyReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PathologyReview

    referral = factory.SubFactory(ReceivedReferralFactory)
    requested_from = factory.SubFactory(DesignatedPathologistFactory)
    requested_on = datetime.date(2026, 11, 3)


class ReportedPathologyReviewFactory(RequestedPathologyReviewFactory):
    reported_by = factory.SelfAttribute("requested_from")
    reported_on = datetime.date(2026, 11, 10)
    diagnosis = "Myxofibrosarcoma, grade 2."


class CapacityDeclarationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CapacityDeclaration

    service = factory.SubFactory(ServiceFactory)
    partner_service = factory.SubFactory(ServiceFactory)
    starts_on = datetime.date(2026, 12, 1)
    ends_on = datetime.date(2026, 12, 31)
    reason = "Theatre closure."
    declared_by = factory.SubFactory(UserFactory)


def set_core_members(mdt, practitioners) -> None:
    """Make `practitioners` the MDT's core members as the directory holds them (issue 16): core
    members of the MDT of the MDT's service, as a SAG-approved change would leave them."""
    for practitioner in practitioners:
        practitioner.is_core_mdt_member = True
        practitioner.core_mdt_service = mdt.service
        practitioner.save(update_fields=["is_core_mdt_member", "core_mdt_service"])


# Cancer waiting times (issue 18) ------------------------------------------------------------------


class RunningPathwayFactory(factory.django.DjangoModelFactory):
    """An urgent suspected cancer pathway, received with its referral (2 Nov 2026) and not yet
    diagnosed. The PTL's tracking dates are computed as the services compute them."""

    class Meta:
        model = CancerPathway
        skip_postgeneration_save = True

    referral = factory.SubFactory(ReceivedReferralFactory)
    route = Route.URGENT_SUSPECTED_CANCER
    first_received_on = factory.LazyAttribute(lambda p: p.referral.received_on)

    @factory.post_generation
    def track(self, create, extracted, **kwargs):
        if create:
            # Far in the future: "today" only checks that no recorded date is after it.
            far = datetime.date(9999, 1, 1)
            fields = tracking_fields(self, today=far) | outcome_fields(self, today=far)
            CancerPathway.objects.filter(pk=self.pk).update(**fields)
            for name, value in fields.items():
                setattr(self, name, value)


class TransferPathwayFactory(RunningPathwayFactory):
    """Transferred in: first received by the referring provider 40 days before it reached us."""

    referring_provider = factory.SubFactory(OrganisationFactory)
    transferred_on = factory.LazyAttribute(lambda p: p.referral.received_on)
    first_received_on = factory.LazyAttribute(lambda p: p.referral.received_on - datetime.timedelta(days=40))


class TransferMissingFirstReceiptPathwayFactory(TransferPathwayFactory):
    """A transfer moved from the old yes/no flag: the first provider's receipt date is not known."""

    first_received_on = None


class DiagnosedPathwayFactory(RunningPathwayFactory):
    """Told they have cancer on day 10, decision to treat on day 14."""

    told_on = factory.LazyAttribute(lambda p: p.first_received_on + datetime.timedelta(days=10))
    outcome = Outcome.CANCER
    decision_to_treat_on = factory.LazyAttribute(lambda p: p.first_received_on + datetime.timedelta(days=14))


class TreatedLatePathwayFactory(DiagnosedPathwayFactory):
    """Treated on day 70: the 62-day clock stopped breached (received 80 days before 2 Nov)."""

    first_received_on = factory.LazyAttribute(lambda p: p.referral.received_on - datetime.timedelta(days=80))
    treated_on = factory.LazyAttribute(lambda p: p.first_received_on + datetime.timedelta(days=70))
    treatment_admitted = True


class RuledOutPathwayFactory(RunningPathwayFactory):
    told_on = factory.LazyAttribute(lambda p: p.first_received_on + datetime.timedelta(days=12))
    outcome = Outcome.RULED_OUT


class ClosedPathwayFactory(RuledOutPathwayFactory):
    closed_at = factory.LazyFunction(lambda: datetime.datetime(2026, 11, 20, 12, tzinfo=datetime.UTC))
    close_reason = "Cancer ruled out."
