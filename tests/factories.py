"""Factories: one per state where a model has states. Personas are in conftest.py."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from directory.models import Organisation, Practitioner
from referrals.models import HospitalNumber, Patient, Referral
from referrals.rules import RoutingCase, route_referral
from referrals.seed import synthetic_nhs_number


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
