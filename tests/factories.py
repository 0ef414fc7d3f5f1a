"""Factories: one per state where a model has states. Personas are in conftest.py."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from directory.models import Organisation
from referrals.models import Patient, Referral
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
