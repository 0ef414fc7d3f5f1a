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


# MDT meetings -----------------------------------------------------------------------------------
# Imported here, not at the top, so this block merges cleanly with other apps' factories.
from directory.models import Practitioner, Service  # noqa: E402
from referrals import mdt_rules  # noqa: E402
from referrals.models import Mdt, MdtDiscussion, MdtMeeting  # noqa: E402


class MdtServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Test Sarcoma Service {n}")
    code = factory.Sequence(lambda n: f"TSS{n}")


class MdtPractitionerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Practitioner

    name = factory.Sequence(lambda n: f"Dr Core Member {n}")
    organisation = factory.SubFactory(OrganisationFactory)
    speciality = Practitioner.Speciality.SURGERY
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
    service = factory.SubFactory(MdtServiceFactory)
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
