"""Demo cancer pathways, so a newcomer sees the PTL do its job: a pathway for every demo referral,
and synthetic patients whose pathways are in every state the PTL knows (FDS on track, at risk and
breached; 62- and 31-day clocks running; transfers in before and after day 38, one not yet
arrived with its handover due this week, one with its first receipt date missing; transfers out,
one to make this week and one treated by the other provider; a consultant
upgrade; a first appointment not attended; a declined offer of admitted treatment; ruled out;
died; a late treatment without and with its breach reason), with next actions. Every date goes
through the services, so the demo shows the events and history a real pathway has. Idempotent:
patients that exist are left alone. NHS numbers from the 999 test range; names invented."""

import datetime
from dataclasses import dataclass, field

from directory.models import Organisation
from referrals import services as referral_services
from referrals.models import HospitalNumber, Patient, Referral, ReferralEvent
from referrals.seed import synthetic_nhs_number

from . import services
from .models import CancerPathway

REASON = "Demo data."
SERIAL_FROM = 500  # synthetic NHS numbers after referrals/seed.py's demo patients


@dataclass(frozen=True)
class DemoPathway:
    """One demo patient: days since the first provider received the referral, and each date as
    a day of the pathway (day 0 = that receipt)."""

    given: str
    family: str
    received_days_ago: int
    clinician: int
    dates: dict = field(default_factory=dict)  # pathway field -> day, or a value
    action: tuple | None = None  # (what, "office" or "clinician", due in days)
    status: str = Referral.Status.UNDER_INVESTIGATION


DEMO = [
    DemoPathway("Gwen", "Garland", 5, 1, action=("Book MRI and biopsy", "office", 2)),
    DemoPathway("Hari", "Holloway", 23, 1, action=("Chase biopsy result", "clinician", 1)),
    DemoPathway("Iris", "Ingram", 32, 2, action=("Tell the patient the diagnosis", "clinician", 0)),
    DemoPathway(
        "Jonah",
        "Jessop",
        52,
        1,
        {"told_on": 20, "outcome": "cancer"},
        ("List for the next MDT", "office", 1),
        Referral.Status.AWAITING_MDT,
    ),
    DemoPathway(
        "Kemi",
        "Kingsley",
        44,
        2,
        {"told_on": 18, "outcome": "cancer", "decision_to_treat_on": 30},
        ("Confirm theatre date", "office", 3),
        Referral.Status.TREATMENT_PLANNED,
    ),
    # Transferred in on day 30 (before day 38): a breach would be the treating provider's.
    DemoPathway(
        "Lars",
        "Lindqvist",
        50,
        1,
        {"referring_provider": "RWF", "transferred_on": 30, "told_on": 35, "outcome": "cancer"},
        ("Plan treatment at the MDT", "clinician", 4),
    ),
    # Transferred in on day 45 (after day 38) and treated on day 66: a 62-day breach, the
    # referring provider's (treated within 24 days of the transfer), waiting for its reason.
    DemoPathway(
        "Mina",
        "Marsh",
        75,
        2,
        {
            "referring_provider": "RAJ",
            "transferred_on": 45,
            "told_on": 48,
            "outcome": "cancer",
            "decision_to_treat_on": 52,
            "treated_on": 66,
            "treatment_admitted": True,
        },
        ("Record the breach reason", "office", 0),
        Referral.Status.FIRST_TREATMENT_GIVEN,
    ),
    # Not yet transferred from the referring provider: the day-38 handover is in 4 days.
    DemoPathway(
        "Noor",
        "Northcott",
        34,
        1,
        {"referring_provider": "RWF"},
        ("Chase the referring trust's transfer", "office", 1),
    ),
    # Transferred in 10 days ago; the referring provider's receipt date is not known yet.
    DemoPathway(
        "Otto",
        "Oakley",
        10,
        2,
        {"referring_provider": "RAJ", "transferred_on": 0, "first_receipt_missing": True},
    ),
    # To be transferred out to RNOH for surgery: the day-38 handover is in 6 days.
    DemoPathway(
        "Vera",
        "Vance",
        32,
        1,
        {"told_on": 14, "outcome": "cancer", "transfer_out_to": "RAN"},
        ("Send the transfer pack to RNOH", "office", 1),
    ),
    # Transferred out on day 20 and treated there on day 55: a 62-day clock met, counted half to
    # each provider in the performance figures.
    DemoPathway(
        "Wes",
        "Whitlock",
        70,
        2,
        {
            "told_on": 12,
            "outcome": "cancer",
            "transfer_out_to": "RAN",
            "transferred_out_on": 20,
            "decision_to_treat_on": 30,
            "treated_on": 55,
            "treatment_admitted": True,
        },
        status=Referral.Status.FIRST_TREATMENT_GIVEN,
    ),
    DemoPathway("Priya", "Pennant", 60, 1, {"route": "consultant_upgrade", "upgraded_on": 40}),
    DemoPathway("Quinn", "Quarry", 30, 2, {"dna_rebooked_on": 12}),
    DemoPathway(
        "Rosa",
        "Redfern",
        58,
        1,
        {
            "told_on": 15,
            "outcome": "cancer",
            "decision_to_treat_on": 22,
            "offer_declined_for": 30,
            "offer_available_from": 44,
        },
        ("Confirm the new admission date", "office", 5),
        Referral.Status.TREATMENT_PLANNED,
    ),
    DemoPathway("Saul", "Sutton", 20, 2, {"told_on": 14, "outcome": "ruled_out"}),
    DemoPathway(
        "Tess", "Thorne", 40, 1, {"told_on": 20, "outcome": "cancer", "ended": "died", "ended_on": 33}
    ),
    DemoPathway(
        "Umar",
        "Upton",
        90,
        2,
        {
            "told_on": 25,
            "outcome": "cancer",
            "decision_to_treat_on": 40,
            "treated_on": 70,
            "treatment_admitted": True,
            "breach_reason": "elective_capacity",
        },
        status=Referral.Status.FIRST_TREATMENT_GIVEN,
    ),
]


def load_demo_pathways(*, office_user, clinicians: dict[int, object], today: datetime.date) -> None:
    for referral in Referral.objects.filter(cancer_pathway__isnull=True).order_by("pk"):
        _pathway_of_existing_referral(referral, office_user)
    for serial, demo in enumerate(DEMO, start=SERIAL_FROM):
        number = synthetic_nhs_number(serial)
        if Patient.objects.filter(nhs_number=number).exists():
            continue
        _demo_pathway(demo, serial, number, office_user, clinicians, today)


def _pathway_of_existing_referral(referral: Referral, office_user) -> None:
    """The demo referrals of referrals/seed.py, with their recorded dates."""
    pathway = services.pathway_create_for_referral(referral=referral, by=office_user)
    changes = {
        "told_on": referral.diagnosis_communicated_on,
        "outcome": "cancer" if referral.diagnosis_communicated_on else "",
        "decision_to_treat_on": referral.decision_to_treat_on,
        "treated_on": referral.first_treatment_on,
    }
    changes = {name: value for name, value in changes.items() if value}
    if changes:
        services.pathway_record(pathway_id=pathway.pk, by=office_user, changes=changes, reason=REASON)


def _demo_pathway(
    demo: DemoPathway, serial: int, number: str, office_user, clinicians, today
) -> CancerPathway:
    """A synthetic patient and referral (routed as intake routes it; the diagnostic seed then names
    its service), and the pathway's dates recorded through the services."""
    received_on = today - datetime.timedelta(days=demo.received_days_ago)
    dates = dict(demo.dates)
    missing_receipt = dates.pop("first_receipt_missing", False)
    transferred_day = dates.get("transferred_on")
    patient = Patient.objects.create(
        nhs_number=number,
        given_name=demo.given,
        family_name=demo.family,
        date_of_birth=datetime.date(1950 + serial % 50, 1 + serial % 12, 1 + serial % 28),
        key_worker=clinicians[demo.clinician],
    )
    reached_us = received_on + datetime.timedelta(days=transferred_day or 0)
    case = {"presentation": "suspected", "tumour_type": ("soft_tissue", "bone")[serial % 2], "site": "limb"}
    decision = referral_services.routing_decide(
        date_of_birth=patient.date_of_birth, received_on=reached_us, **case
    )
    referral = Referral.objects.create(
        patient=patient,
        received_on=reached_us,
        **case,
        pathway=decision.pathway,
        routing_decision=decision.as_dict(),
        status=demo.status,
        responsible_consultant=clinicians[demo.clinician],
        transferred_between_trusts=transferred_day is not None,
        referring_clinician="Dr Demo Referrer",
    )
    ReferralEvent.objects.create(
        referral=referral,
        from_status="",
        to_status=Referral.Status.RECEIVED,
        reason="Demo referral received.",
    )
    if demo.status != Referral.Status.RECEIVED:
        ReferralEvent.objects.create(
            referral=referral, from_status=Referral.Status.RECEIVED, to_status=demo.status, reason=REASON
        )
    hospital = Organisation.objects.get(ods_code=dates.get("referring_provider", "RPY"))
    HospitalNumber.objects.create(patient=patient, organisation=hospital, number=f"DW{100000 + serial}")
    pathway = services.pathway_create_for_referral(referral=referral, by=office_user)
    changes = {"first_received_on": None if missing_receipt else received_on}
    breach_reason = dates.pop("breach_reason", None)
    for name, value in dates.items():
        if name in ("referring_provider", "transfer_out_to"):
            changes[name] = Organisation.objects.get(ods_code=value)
        elif name.endswith("_on") or name in {"offer_declined_for", "offer_available_from"}:
            changes[name] = received_on + datetime.timedelta(days=value)
        else:
            changes[name] = value
    if missing_receipt:
        changes["transferred_on"] = referral.received_on
    services.pathway_record(pathway_id=pathway.pk, by=office_user, changes=changes, reason=REASON)
    if breach_reason:
        services.pathway_record_breach_reason(
            pathway_id=pathway.pk,
            by=office_user,
            breach_reason=breach_reason,
            details="No theatre list in time.",
        )
    if demo.action:
        what, owner, due_in = demo.action
        services.next_action_add(
            pathway_id=pathway.pk,
            by=office_user,
            what=what,
            owner=office_user if owner == "office" else clinicians[demo.clinician],
            due_on=today + datetime.timedelta(days=due_in),
        )
    return pathway
