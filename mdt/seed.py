"""The network's two sarcoma MDTs (the London Sarcoma Service MDT and the Royal Marsden Sarcoma
Unit MDT), their meetings ahead and, for the demo, two cases on the next LSS list.

The weekly slots, places and quorum rules are demo values for the office to correct in the admin,
not facts from the pathway documents. Core members are not kept here: they are the directory's core
members of the MDT of each MDT's service (directory.seed.load_demo_core_members has demo ones), and
the lead is the MDT's core surgeon there, if any. Idempotent: existing rows are left alone."""

import datetime

from directory.models import Practitioner, Service
from referrals.models import Referral

from . import services as mdt_services
from .models import Mdt, MdtDiscussion

S = Practitioner.Speciality
QUORUM = [S.SURGERY, S.RADIOLOGY, S.PATHOLOGY, S.CLINICAL_ONCOLOGY, S.MEDICAL_ONCOLOGY, S.NURSING]

MDTS = [
    # (code, name, service code, weekday, start time, location)
    (
        "LSS",
        "London Sarcoma Service MDT",
        "LSS",
        Mdt.Weekday.WEDNESDAY,
        datetime.time(8, 0),
        "UCLH, 250 Euston Road",
    ),
    (
        "RMH",
        "Royal Marsden Sarcoma Unit MDT",
        "RMH",
        Mdt.Weekday.THURSDAY,
        datetime.time(8, 30),
        "The Royal Marsden, Chelsea",
    ),
]


def load_mdts(*, office_user=None, demo_cases: bool = False) -> list[Mdt]:
    mdts = []
    for code, name, service_code, weekday, start, location in MDTS:
        service = Service.objects.filter(code=service_code).first()
        if service is None:
            continue
        mdt, created = Mdt.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "service": service,
                "weekday": weekday,
                "start_time": start,
                "location": location,
                "cutoff_working_days": 2,
                "quorum_specialities": [str(s) for s in QUORUM],
                "weeks_ahead": 8,
            },
        )
        if created:
            mdt.lead = mdt.core_member_practitioners().filter(speciality=S.SURGERY).first()
            mdt.save(update_fields=["lead"])
        mdt_services.mdt_meetings_generate(mdt=mdt)
        mdts.append(mdt)
    if demo_cases and office_user is not None:
        _demo_cases(office_user)
    return mdts


def _demo_cases(office_user) -> None:
    lss = Mdt.objects.filter(code="LSS").first()
    if lss is None or MdtDiscussion.objects.exists():
        return
    meeting = mdt_services.next_open_meeting(mdt=lss)
    if meeting is None:
        return
    for referral in Referral.objects.filter(tumour_type=Referral.TumourType.BONE).order_by("pk")[:2]:
        mdt_services.discussion_add(
            meeting_id=meeting.pk,
            referral=referral,
            by=office_user,
            question="Confirm the diagnosis and agree the plan of care.",
            imaging_available=True,
        )
