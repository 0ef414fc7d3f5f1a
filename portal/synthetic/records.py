"""The synthetic records themselves, table by table: organisations, clinicians, practitioners,
MDTs and meetings, patients, referrals with discussions, second opinions and policies."""

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from directory.models import Organisation, Practitioner, Service
from mdt.models import Mdt, MdtDiscussion, MdtMeeting
from policies.models import PolicyDocument, PolicySeries
from portal.roles import Role
from referrals.models import Patient, Referral
from second_opinions.models import SecondOpinionRequest
from waiting_times.models import CancerPathway

from . import writer as bulk
from .names import FAMILY_NAMES, FAMILY_SUFFIXES, GIVEN_NAMES, synthetic_nhs_numbers
from .pathways import pathway_row
from .sizes import Sizes
from .writer import Writer, bulk_with_history, first_free_id


def organisations(sizes: Sizes, *, tag: str, now) -> list[Organisation]:
    objects = [
        Organisation(name=f"Synthetic NHS Trust {i:04d}", ods_code=f"Z{tag[-2:]}{i:04d}"[:10])
        for i in range(sizes.organisations)
    ]
    return bulk_with_history(Organisation, objects, now=now)


def clinicians(sizes: Sizes, *, tag: str, now) -> list:
    User = get_user_model()
    users = []
    for i in range(sizes.clinicians):
        user = User(
            username=f"synthetic-{tag}-clinician-{i:04d}",
            first_name=GIVEN_NAMES[i % len(GIVEN_NAMES)],
            last_name=f"{FAMILY_NAMES[i % len(FAMILY_NAMES)]}-Consultant",
            email=f"clinician{i:04d}.{tag}@synthetic.invalid",
        )
        user.set_unusable_password()
        users.append(user)
    users = User.objects.bulk_create(users, batch_size=bulk.BATCH)
    group, _ = Group.objects.get_or_create(name=Role.CLINICIAN.value)
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=user.pk, group_id=group.pk) for user in users], batch_size=bulk.BATCH
    )
    return users


def practitioners(sizes: Sizes, *, rng, organisations, clinicians, now) -> list[Practitioner]:
    specialities = [code for code, _ in Practitioner.Speciality.choices]
    objects = []
    for i in range(sizes.practitioners):
        user = clinicians[i] if i < len(clinicians) else None
        objects.append(
            Practitioner(
                name=f"Dr {GIVEN_NAMES[i % len(GIVEN_NAMES)]} {FAMILY_NAMES[i // 7 % len(FAMILY_NAMES)]} {i}",
                organisation=organisations[rng.randrange(len(organisations))],
                speciality=specialities[i % len(specialities)],
                email=f"practitioner{i:05d}@synthetic.invalid",
                is_core_mdt_member=i < 60,
                user=user,
            )
        )
    return bulk_with_history(Practitioner, objects, now=now)


def mdts(sizes: Sizes, *, tag: str, organisations, practitioners, now) -> list[Mdt]:
    """MDTs in proportion to the referrals, so a meeting's case list has a realistic size
    (some dozens of cases) whatever the scale."""
    mdts = []
    for i in range(sizes.mdt_count):
        service = Service(name=f"Synthetic sarcoma service {tag} {i}", code=f"syn{tag}{i}"[:20])
        service.save()
        service.organisations.add(organisations[i % len(organisations)])
        mdt = Mdt(
            name=f"Synthetic MDT {i}",
            code=f"syn{tag}{i}"[:20],
            service=service,
            weekday=i % 5,
            start_time=datetime.time(8, 0),
            lead=practitioners[i % len(practitioners)],
        )
        mdt.save()
        # Core members are the directory's (issue 16): ten practitioners approved for this MDT.
        members = practitioners[(i * 10) % len(practitioners) :][:10]
        Practitioner.objects.filter(pk__in=[p.pk for p in members]).update(
            is_core_mdt_member=True, core_mdt_service=service
        )
        mdts.append(mdt)
    return mdts


def meetings(sizes: Sizes, *, mdts, today, writer: Writer) -> dict[int, list[tuple[int, datetime.date]]]:
    """Weekly meetings of each MDT from `years` ago to eight weeks ahead: {mdt id: [(id, date)]}."""
    start = today - datetime.timedelta(days=365 * sizes.years + 7)
    weeks = (today - start).days // 7 + 9
    next_id = first_free_id(MdtMeeting)
    rows = []
    by_mdt: dict[int, list[tuple[int, datetime.date]]] = {}
    for mdt in mdts:
        by_mdt[mdt.pk] = []
        first = start + datetime.timedelta(days=(mdt.weekday - start.weekday()) % 7)
        for week in range(weeks):
            day = first + datetime.timedelta(weeks=week)
            starts_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(8, 0)))
            status = MdtMeeting.Status.HELD if day < today else MdtMeeting.Status.PLANNED
            rows.append(
                {
                    "id": next_id,
                    "mdt_id": mdt.pk,
                    "starts_at": starts_at,
                    "cutoff_at": starts_at - datetime.timedelta(days=2),
                    "chair_id": mdt.lead_id,
                    "status": status.value,
                    "cancel_reason": "",
                }
            )
            by_mdt[mdt.pk].append((next_id, day))
            next_id += 1
    writer.write(MdtMeeting, rows, total=len(rows))
    return by_mdt


def patients(sizes: Sizes, *, rng, writer: Writer, today) -> list[int]:
    first_id = first_free_id(Patient)
    numbers = synthetic_nhs_numbers()
    taken = set(Patient.objects.filter(nhs_number__startswith="999").values_list("nhs_number", flat=True))
    sexes = [code for code, _ in Patient.Sex.choices]

    def rows():
        for i in range(sizes.patients):
            number = next(numbers, None)
            while number in taken:
                number = next(numbers, None)
            family = FAMILY_NAMES[rng.randrange(len(FAMILY_NAMES))]
            yield {
                "id": first_id + i,
                "nhs_number": number,
                "given_name": GIVEN_NAMES[rng.randrange(len(GIVEN_NAMES))],
                "family_name": f"{family}{rng.randrange(FAMILY_SUFFIXES)}" if i % 4 else family,
                "date_of_birth": today - datetime.timedelta(days=rng.randrange(2 * 365, 90 * 365)),
                "sex": sexes[i % len(sexes)],
                "postcode": f"SE{rng.randrange(1, 28)} {rng.randrange(1, 10)}AA",
                "key_worker_id": None,
                "possible_duplicate_of_id": None,
                "merged_into_id": None,
            }

    writer.write(Patient, rows(), total=sizes.patients)
    return list(range(first_id, first_id + sizes.patients))


OPEN_STEPS = [
    Referral.Status.RECEIVED,
    Referral.Status.TRIAGED,
    Referral.Status.ACCEPTED,
    Referral.Status.UNDER_INVESTIGATION,
    Referral.Status.AWAITING_MDT,
    Referral.Status.DISCUSSED_AT_MDT,
    Referral.Status.TREATMENT_PLANNED,
]
PATHWAYS = [code for code, _ in Referral.Pathway.choices]
TUMOURS = [code for code, _ in Referral.TumourType.choices]
SITES = [code for code, _ in Referral.SITE_CHOICES]
OUTCOMES = [code for code, _ in MdtDiscussion.Outcome.choices]


def referrals(
    sizes: Sizes,
    *,
    rng,
    writer: Writer,
    today,
    now,
    patient_ids,
    clinician_ids,
    organisation_ids,
    meetings,
    service_ids: dict[int, int],
) -> tuple[int, int]:
    """Referrals spread over `years`; the last 90 days' are open, older ones closed (a few
    declined or redirected), each with the service of its MDT and its cancer pathway
    (pathways.py). A referral that reached the MDT has a discussion at the first meeting of its
    MDT a fortnight after it was received."""
    first_id = first_free_id(Referral)
    first_discussion = first_free_id(MdtDiscussion)
    first_pathway = first_free_id(CancerPathway)
    mdt_ids = sorted(meetings)
    span = 365 * sizes.years
    discussions: list[dict] = []
    pathways: list[dict] = []
    discussion_id = first_discussion
    written = 0

    def meeting_after(mdt_id: int, day: datetime.date) -> tuple[int, datetime.date] | None:
        schedule = meetings[mdt_id]
        first_day = schedule[0][1]
        index = max(0, -(-(day - first_day).days // 7))
        return schedule[index] if index < len(schedule) else None

    def rows():
        nonlocal discussion_id, written
        for i in range(sizes.referrals):
            # Most patients have one referral; the first referrals go one per patient.
            patient_id = (
                patient_ids[i] if i < len(patient_ids) else patient_ids[rng.randrange(len(patient_ids))]
            )
            age = rng.randrange(span) if rng.random() > 0.02 else rng.randrange(90)
            received = today - datetime.timedelta(days=age)
            row = {
                "id": first_id + i,
                "patient_id": patient_id,
                "referring_organisation_id": organisation_ids[rng.randrange(len(organisation_ids))],
                "referring_clinician": "Dr Synthetic Referrer",
                "referrer_contact": "",
                "skull_base": False,
                "transnasal_ccj": False,
                "suspected_mscc": False,
                "clinically_urgent": False,
                "pathway": PATHWAYS[rng.randrange(len(PATHWAYS))],
                "routing_decision": {},
                "surgeon_id": None,
                "diagnosis_communicated_on": None,
                "mdt_outcome_on": None,
                "decision_to_treat_on": None,
                "first_treatment_on": None,
                "transferred_between_trusts": False,
                "redirect_destination": "",
                "decline_reason": "",
                "urgent_override_reason": "",
                "received_on": received,
                "presentation": "confirmed" if i % 3 else "suspected",
                "tumour_type": TUMOURS[rng.randrange(len(TUMOURS))],
                "site": SITES[rng.randrange(len(SITES))],
                "status": "",
                "responsible_consultant_id": clinician_ids[rng.randrange(len(clinician_ids))],
                "service_id": service_ids[mdt_ids[i % len(mdt_ids)]],
            }
            reached_mdt = _set_status(row, rng=rng, age=age, received=received)
            if reached_mdt:
                mdt_id = mdt_ids[i % len(mdt_ids)]
                meeting = meeting_after(mdt_id, received + datetime.timedelta(days=14))
                if meeting is not None:
                    discussions.append(
                        _discussion(discussion_id, row, meeting, now=now, today=today, rng=rng)
                    )
                    discussion_id += 1
                    if len(discussions) >= bulk.BATCH:
                        # Streamed out with the referrals (memory holds one batch); PostgreSQL
                        # checks the foreign keys at commit (Django makes them DEFERRABLE).
                        writer.flush(MdtDiscussion, discussions)
                        written += len(discussions)
                        discussions.clear()
            pathways.append(pathway_row(first_pathway + i, row, now=now, today=today))
            if len(pathways) >= bulk.BATCH:
                writer.flush(CancerPathway, pathways)
                pathways.clear()
            yield row

    writer.write(Referral, rows(), total=sizes.referrals)
    if discussions:
        writer.flush(MdtDiscussion, discussions)
        written += len(discussions)
    if pathways:
        writer.flush(CancerPathway, pathways)
    writer.reset_sequence(MdtDiscussion)
    writer.reset_sequence(CancerPathway)
    return sizes.referrals, written


def _set_status(row: dict, *, rng, age: int, received: datetime.date) -> bool:
    """Status and clock dates for a referral `age` days old; True if it reached an MDT."""
    days = datetime.timedelta
    if age >= 90:
        roll = rng.random()
        if roll < 0.03:
            row["status"] = Referral.Status.DECLINED.value
            row["decline_reason"] = "Not sarcoma on review of the imaging."
            return False
        if roll < 0.06:
            row["status"] = Referral.Status.REDIRECTED.value
            row["redirect_destination"] = "Another sarcoma network"
            return False
        row["status"] = Referral.Status.CLOSED.value
        diagnosis = received + days(rng.randrange(5, 27))
        row["diagnosis_communicated_on"] = diagnosis
        row["mdt_outcome_on"] = diagnosis
        row["decision_to_treat_on"] = diagnosis + days(rng.randrange(3, 20))
        row["first_treatment_on"] = row["decision_to_treat_on"] + days(rng.randrange(3, 28))
        return True
    step = OPEN_STEPS[min(len(OPEN_STEPS) - 1, age // 12)]
    row["status"] = step.value
    if step in (Referral.Status.DISCUSSED_AT_MDT, Referral.Status.TREATMENT_PLANNED):
        diagnosis = received + days(min(age, rng.randrange(5, 27)))
        row["diagnosis_communicated_on"] = diagnosis
        row["mdt_outcome_on"] = diagnosis
        if step == Referral.Status.TREATMENT_PLANNED:
            row["decision_to_treat_on"] = diagnosis
    return step in (
        Referral.Status.AWAITING_MDT,
        Referral.Status.DISCUSSED_AT_MDT,
        Referral.Status.TREATMENT_PLANNED,
    )


def _discussion(pk: int, referral: dict, meeting: tuple[int, datetime.date], *, now, today, rng) -> dict:
    meeting_id, day = meeting
    held = day < today
    at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))
    return {
        "id": pk,
        "meeting_id": meeting_id,
        "referral_id": referral["id"],
        "question": "Diagnosis and management, please.",
        "presenting_clinician_id": referral["responsible_consultant_id"],
        "imaging_available": True,
        "pathology_available": held,
        "late_addition_reason": "",
        "added_at": at - datetime.timedelta(days=5),
        "outcome": OUTCOMES[rng.randrange(len(OUTCOMES) - 1)] if held else "",
        "recommendation": "As discussed." if held else "",
        "decision_to_treat_on": referral["decision_to_treat_on"] if held else None,
        "outcome_recorded_at": at if held else None,
        "outcome_recorded_by_id": None,
        "outcome_recipients": MdtDiscussion.Recipients.REFERRER.value,
        "referrer_email": "",
        "outcome_sent_at": at if held else None,
        "outcome_sent_to": MdtDiscussion.Recipients.REFERRER.value if held else "",
        "version": 1 if held else 0,
    }


def second_opinions(sizes: Sizes, *, rng, writer: Writer, today, now, patient_ids) -> int:
    Status = SecondOpinionRequest.Status
    first_id = first_free_id(SecondOpinionRequest)
    span = 365 * sizes.years

    def rows():
        for i in range(sizes.second_opinions):
            age = rng.randrange(span) if i % 20 else rng.randrange(30)
            received = today - datetime.timedelta(days=age)
            done = age > 60
            yield {
                "id": first_id + i,
                "patient_id": patient_ids[rng.randrange(len(patient_ids))],
                "received_on": received,
                "requested_by": SecondOpinionRequest.RequestedBy.values[0],
                "requester_name": "Dr Synthetic Requester",
                "requester_contact": "requester@synthetic.invalid",
                "current_service": SecondOpinionRequest.CurrentService.values[0],
                "treating_hospital": "",
                "treating_clinician": "",
                "standard_management": True,
                "requested_service": SecondOpinionRequest.RequestedService.values[-1],
                "named_clinician": "",
                "reason": SecondOpinionRequest.Reason.values[0],
                "tumour": SecondOpinionRequest.Tumour.values[0],
                "consent_to_share_records": True,
                "feedback_to": SecondOpinionRequest.FeedbackTo.BOTH.value,
                "decision": SecondOpinionRequest.Decision.values[0],
                "route": SecondOpinionRequest.Route.values[0],
                "redirect_to": "",
                "signpost": [],
                "decision_reasons": [],
                "status": Status.CLOSED.value if done else Status.RECEIVED.value,
                "decided_at": None,
                "records_requested_on": None,
                "records_received_on": None,
                "reviewed_at": None,
                "outcome": "",
                "outcome_differences": "",
                "opinion_sent_on": None,
                "closed_at": now if done else None,
                "created_by_id": None,
                "created_at": now,
            }

    writer.write(SecondOpinionRequest, rows(), total=sizes.second_opinions)
    return sizes.second_opinions


def policies(sizes: Sizes, *, rng, today, now, tag: str) -> int:
    series = bulk_with_history(PolicySeries, [PolicySeries() for _ in range(sizes.policies)], now=now)
    documents = [
        PolicyDocument(
            series=one,
            title=f"Synthetic network policy {tag} {i:04d}",
            version_number="1.0",
            version_date=today - datetime.timedelta(days=400),
            approval_date=today - datetime.timedelta(days=380),
            review_date=today + datetime.timedelta(days=rng.randrange(-60, 700)),
            status=PolicyDocument.Status.APPROVED,
        )
        for i, one in enumerate(series)
    ]
    bulk_with_history(PolicyDocument, documents, now=now)
    return len(documents)
