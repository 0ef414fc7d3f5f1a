"""Pure decisions about a referral: where the network's pathways send it, and where it stands
against the national cancer waiting-time standards. Data in, decision out; no database.

Sources (each reason names its source and version):
- LSESN Pathway for spinal sarcomas, including sacrum and paraspinal tissues, version 2,
  approved by the LSESN SAG on 22/03/2024 (shared/seeds/spinal-sarcoma-pathway-lsesn.txt).
- LSESN second-opinion policy, "Responding to a growing demand for Second Opinions"
  (shared/seeds/second-opinions-policy-lsesn.txt): "all bone sarcomas are treated in the London
  Sarcoma Service".
- NHS England, National cancer waiting times monitoring dataset guidance, version 12.1
  (July 2025): the 28-day Faster Diagnosis Standard, the 31-day and the 62-day standards, and the
  inter-provider transfer (breach allocation) rules with their day-38 handover point.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from enum import StrEnum

SPINAL_PATHWAY = "LSESN spinal sarcoma pathway v2 (SAG-approved 22/03/2024)"
SECOND_OPINION_POLICY = "LSESN second-opinion policy (SAG-approved)"
CWT_GUIDANCE = "NHS England national cancer waiting times monitoring dataset guidance v12.1"

CHILD_AGE_LIMIT = 16  # under 16 at referral: the children's pathway (a setting: REFERRAL_CHILD_AGE_LIMIT)


class Presentation(StrEnum):
    SUSPECTED = "suspected"
    CONFIRMED = "confirmed"


class Tumour(StrEnum):
    BONE = "bone"
    SOFT_TISSUE = "soft_tissue"
    GIST = "gist"
    UNKNOWN = "unknown"


class Site(StrEnum):
    SPINE = "spine"
    SACRUM = "sacrum"
    PARASPINAL_SPINE_CONTACT = "paraspinal_spine_contact"
    PARASPINAL = "paraspinal"
    LIMB = "limb"
    PELVIS = "pelvis"
    TRUNK = "trunk"
    RETROPERITONEUM = "retroperitoneum"
    ABDOMEN = "abdomen"
    HEAD_NECK = "head_neck"
    OTHER = "other"


# "Sarcomas arising in the spine, sacrum and paraspinal tissues with spine contact or involvement".
SPINAL_SITES = frozenset({Site.SPINE, Site.SACRUM, Site.PARASPINAL_SPINE_CONTACT})


class Pathway(StrEnum):
    MSCC = "mscc"
    CHILDREN = "children"
    SPINAL = "spinal"
    BONE = "bone"
    SOFT_TISSUE = "soft_tissue"


# Directory capability codes (directory.models.Capability.Code) -> the service codes holding them.
CapabilityHolders = Mapping[str, tuple[str, ...]]

# What the seeded directory says; the live mapping comes from referrals.services.capability_holders().
DEFAULT_CAPABILITY_HOLDERS: CapabilityHolders = {
    "bone_diagnosis_surgery": ("RNOH",),
    "spinal_surgery": ("RNOH",),
    "skull_base_surgery": ("NHNN",),
    "bone_radiotherapy": ("UCLH",),
    "soft_tissue_sarcoma": ("LSS", "RMH"),
    "gist": ("LSS", "RMH"),
    "sarcoma_mdt": ("LSS", "RMH"),
}


@dataclass(frozen=True)
class RoutingCase:
    age: int
    presentation: str
    tumour: str
    site: str
    skull_base: bool = False
    transnasal_ccj: bool = False
    suspected_mscc: bool = False
    clinically_urgent: bool = False


@dataclass(frozen=True)
class RoutingDecision:
    pathway: str
    refer_to: tuple[str, ...]
    surgery_at: str | None
    radiotherapy_at: str | None
    mdt: str | None
    mdt_before_treatment: bool
    specialist_pathology_review: bool
    urgent: bool
    reasons: tuple[str, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict:
        data = asdict(self)
        data["refer_to"] = list(self.refer_to)
        data["reasons"] = list(self.reasons)
        return data


def age_on(date_of_birth: datetime.date, on: datetime.date) -> int:
    """Age in whole years on a date (a birthday on 29 February counts from 1 March)."""
    before_birthday = (on.month, on.day) < (date_of_birth.month, date_of_birth.day)
    return on.year - date_of_birth.year - before_birthday


def _holders(holders: CapabilityHolders, capability: str, reasons: list[str]) -> tuple[str, ...]:
    found = tuple(holders.get(capability, ()))
    if not found:
        reasons.append(
            f"No service in the network directory holds the capability '{capability}': "
            "the MDT office must confirm the destination."
        )
    return found


def _first(services: tuple[str, ...]) -> str | None:
    return services[0] if services else None


def route_referral(
    case: RoutingCase,
    *,
    holders: CapabilityHolders = DEFAULT_CAPABILITY_HOLDERS,
    child_age_limit: int = CHILD_AGE_LIMIT,
) -> RoutingDecision:
    """Where the network's pathways send a referral, and why. Rules apply in this order:

    1. suspected MSCC presenting as an emergency: the MSCC pathway, urgent;
    2. a child (under `child_age_limit` at referral): the children's pathway;
    3. spinal cases (spine, sacrum, paraspinal with spine contact): RNOH for diagnosis and
       surgery, NHNN for surgery with skull-base involvement or a transnasal approach to the
       craniocervical junction, UCLH for radiotherapy of primary bone tumours, and the London
       Sarcoma Service MDT before treatment unless clinically urgent;
    4. other primary bone tumours: RNOH for diagnosis and surgery, London Sarcoma Service MDT;
    5. soft tissue sarcoma and GIST (paraspinal without spine contact included), and tumours of
       unknown type outside the spine: either specialist centre (LSS or RMH);
    6. every suspected or confirmed sarcoma: specialist sarcoma pathology review.
    Which service holds a capability comes from `holders` (the directory), so a SAG-approved
    directory change moves the routing.
    """
    reasons: list[str] = []
    pathology = (
        f"{SPINAL_PATHWAY}, principles: pathology for all sarcomas must be reviewed by a "
        "specialist sarcoma pathologist, with any molecular analysis and genomic testing."
    )

    if case.suspected_mscc:
        reasons.append(
            f"{SPINAL_PATHWAY}: a patient presenting as an emergency with suspected metastatic "
            "spinal cord compression follows the LSESN MSCC pathway."
        )
        return RoutingDecision(
            pathway=Pathway.MSCC, refer_to=("MSCC",), surgery_at=None, radiotherapy_at=None, mdt=None,
            mdt_before_treatment=False, specialist_pathology_review=True, urgent=True,
            reasons=(*reasons, pathology),
        )  # fmt: skip

    if case.age < child_age_limit:
        reasons.append(
            f"{SPINAL_PATHWAY}: the patient is {case.age}, under {child_age_limit} at referral; "
            "referrals for a child follow the LSESN pathway for children with sarcomas."
        )
        return RoutingDecision(
            pathway=Pathway.CHILDREN, refer_to=("CHILDREN",), surgery_at=None, radiotherapy_at=None,
            mdt=None, mdt_before_treatment=False, specialist_pathology_review=True,
            urgent=case.clinically_urgent, reasons=(*reasons, pathology),
        )  # fmt: skip

    if case.site in SPINAL_SITES:
        return _route_spinal(case, holders, reasons, pathology)

    if case.tumour == Tumour.BONE:
        refer_to = _holders(holders, "bone_diagnosis_surgery", reasons)
        reasons.insert(
            0,
            f"{SECOND_OPINION_POLICY}: all bone sarcomas are treated in the London Sarcoma Service; "
            f"primary bone tumour diagnosis and surgery is commissioned at {', '.join(refer_to) or '?'}.",
        )
        surgery_at = _surgery_site(case, holders, _first(refer_to), reasons)
        _mdt_reason(case, reasons)
        return RoutingDecision(
            pathway=Pathway.BONE, refer_to=refer_to, surgery_at=surgery_at, radiotherapy_at=None,
            mdt="LSS", mdt_before_treatment=not case.clinically_urgent, specialist_pathology_review=True,
            urgent=case.clinically_urgent, reasons=(*reasons, pathology),
        )  # fmt: skip

    capability = "gist" if case.tumour == Tumour.GIST else "soft_tissue_sarcoma"
    refer_to = _holders(holders, capability, reasons)
    why = (
        "paraspinal without spine contact, so not the spinal pathway; "
        if case.site == Site.PARASPINAL
        else ""
    )
    reasons.insert(
        0,
        f"{SECOND_OPINION_POLICY}: both specialist centres treat soft tissue sarcoma and GIST; {why}"
        f"refer to either: {', '.join(refer_to) or '?'}.",
    )
    if case.tumour == Tumour.UNKNOWN:
        reasons.append(
            "Tumour type unknown: either specialist centre can make the diagnosis; a primary bone "
            "tumour, once confirmed, is treated in the London Sarcoma Service."
        )
    return RoutingDecision(
        pathway=Pathway.SOFT_TISSUE, refer_to=refer_to, surgery_at=None, radiotherapy_at=None, mdt=None,
        mdt_before_treatment=not case.clinically_urgent, specialist_pathology_review=True,
        urgent=case.clinically_urgent, reasons=(*reasons, pathology),
    )  # fmt: skip


def _route_spinal(
    case: RoutingCase, holders: CapabilityHolders, reasons: list[str], pathology: str
) -> RoutingDecision:
    refer_to = _holders(holders, "spinal_surgery", reasons)
    reasons.insert(
        0,
        f"{SPINAL_PATHWAY}: suspected or confirmed sarcomas of the spine, sacrum and paraspinal tissues "
        "with spine contact or involvement go to the designated bone sarcoma service where spine and "
        f"sarcoma MDTs work jointly, for diagnosis and surgery: {', '.join(refer_to) or '?'}.",
    )
    surgery_at = _surgery_site(case, holders, _first(refer_to), reasons)
    radiotherapy_at = None
    if case.tumour == Tumour.BONE:
        radiotherapy_at = _first(_holders(holders, "bone_radiotherapy", reasons))
        reasons.append(
            f"{SPINAL_PATHWAY}: radiotherapy for primary bone tumours of the spine or sacrum is given "
            f"at {radiotherapy_at or '?'}."
        )
    reasons.append(
        f"{SPINAL_PATHWAY}: treatment only by core members of the sarcoma MDT or designated "
        "practitioners (designation by the LSESN SAG)."
    )
    _mdt_reason(case, reasons)
    return RoutingDecision(
        pathway=Pathway.SPINAL, refer_to=refer_to, surgery_at=surgery_at, radiotherapy_at=radiotherapy_at,
        mdt="LSS", mdt_before_treatment=not case.clinically_urgent, specialist_pathology_review=True,
        urgent=case.clinically_urgent, reasons=(*reasons, pathology),
    )  # fmt: skip


def _surgery_site(
    case: RoutingCase, holders: CapabilityHolders, default: str | None, reasons: list[str]
) -> str | None:
    if not (case.skull_base or case.transnasal_ccj):
        return default
    nhnn = _first(_holders(holders, "skull_base_surgery", reasons))
    why = (
        "skull-base involvement"
        if case.skull_base
        else "a transnasal approach to the craniocervical junction"
    )
    reasons.append(
        f"{SPINAL_PATHWAY}: patients with skull-base involvement and those requiring transnasal approaches "
        f"to the craniocervical junction have surgery at {nhnn or '?'} (Queen Square); this case has {why}."
    )
    return nhnn or default


def _mdt_reason(case: RoutingCase, reasons: list[str]) -> None:
    if case.clinically_urgent:
        reasons.append(
            f"{SPINAL_PATHWAY}: clinically urgent, so treatment need not wait for the London Sarcoma "
            "Service MDT; the treating clinician should discuss the proposed intervention with other "
            "appropriate MDT members where possible, and the case is still discussed at the MDT."
        )
    else:
        reasons.append(f"{SPINAL_PATHWAY}: discussion at the London Sarcoma Service MDT before treatment.")


# Waiting-time clocks -----------------------------------------------------------------------------


class ClockState(StrEnum):
    NOT_STARTED = "not_started"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BREACHED = "breached"
    MET = "met"


@dataclass(frozen=True)
class Clock:
    standard: str
    label: str
    target_days: int
    start: datetime.date | None
    stop: datetime.date | None
    due_date: datetime.date | None
    days_elapsed: int | None
    state: ClockState


# (standard, label, target days). CWT guidance v12.1 section 1.1: maximum 28 days from receipt of
# an urgent referral for suspected cancer to the date the patient is told of a diagnosis or that
# cancer is ruled out; maximum 62 days from receipt of an urgent referral to first definitive
# treatment; maximum 31 days from decision to treat to treatment.
STANDARDS = {
    "fds_28": ("28-day Faster Diagnosis Standard", 28),
    "rtt_62": ("62-day referral to first treatment", 62),
    "dtt_31": ("31-day decision to treat to first treatment", 31),
}
DEFAULT_AT_RISK_DAY = {"fds_28": 21, "rtt_62": 50, "dtt_31": 24}

# CWT guidance v12.1, inter-provider transfers: a 62-day pathway shared between trusts is
# re-allocated on breach if the referring trust transferred the patient by day 38.
HANDOVER_DAY = 38


def _clock(
    standard: str,
    start: datetime.date | None,
    stop: datetime.date | None,
    today: datetime.date,
    at_risk_day: int,
) -> Clock:
    label, target = STANDARDS[standard]
    if start is None:
        return Clock(standard, label, target, None, None, None, None, ClockState.NOT_STARTED)
    due = start + datetime.timedelta(days=target)
    end = stop or today
    elapsed = (end - start).days
    if stop is not None:
        state = ClockState.MET if stop <= due else ClockState.BREACHED
    elif today > due:
        state = ClockState.BREACHED
    elif elapsed >= at_risk_day:
        state = ClockState.AT_RISK
    else:
        state = ClockState.ON_TRACK
    return Clock(standard, label, target, start, stop, due, elapsed, state)


def waiting_time_clocks(
    *,
    received_on: datetime.date,
    diagnosis_communicated_on: datetime.date | None,
    decision_to_treat_on: datetime.date | None,
    first_treatment_on: datetime.date | None,
    today: datetime.date,
    at_risk_day: Mapping[str, int] | None = None,
) -> tuple[Clock, Clock, Clock]:
    """The three clocks of a referral, counted in calendar days from the day the clock starts
    (day 0): met when stopped on or before the due date, breached when stopped after it or still
    running past it, at risk from the `at_risk_day` of its standard (default day 21 of 28, 50 of
    62 and 24 of 31)."""
    days = {**DEFAULT_AT_RISK_DAY, **(at_risk_day or {})}
    return (
        _clock("fds_28", received_on, diagnosis_communicated_on, today, days["fds_28"]),
        _clock("rtt_62", received_on, first_treatment_on, today, days["rtt_62"]),
        _clock("dtt_31", decision_to_treat_on, first_treatment_on, today, days["dtt_31"]),
    )


def handover_day_38(received_on: datetime.date) -> datetime.date:
    """The date by which a transferred patient should reach the treating trust (day 38 of 62)."""
    return received_on + datetime.timedelta(days=HANDOVER_DAY)
