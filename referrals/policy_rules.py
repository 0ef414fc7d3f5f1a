"""Pure rules for referral handling: data in, decision out, no database.

Routing and the waiting-time clocks are in `rules.py`; this module holds the rules about what may
happen to a referral once it is in: the allowed status transitions, who may be a case's surgeon,
who may give its first treatment and where, and when a first treatment may be recorded before an
MDT outcome. Each refusal quotes the pathway sentence it applies, word for word.
"""

from collections.abc import Collection, Mapping
from dataclasses import dataclass

import nhs_number

from .rules import SARCOMA_MDT_ROLE, SPINAL_PATHWAY, SPINAL_SITES

# Quoted word for word from the spinal pathway (shared/seeds/spinal-sarcoma-pathway-lsesn.txt).

TREATMENT_RULE = (
    "Treatment of sarcomas arising in the spine, sacrum and paraspinal tissues with spine contact or "
    "involvement will only be undertaken by core members of the sarcoma MDT or by designated "
    "practitioners (designation by the LSESN Sarcoma Advisory Group)"
)
SURGEON_RULE = TREATMENT_RULE  # the name it had before issue 16
RESECTION_RULE = (
    "All resections of sarcomas are undertaken by surgeons who are core or designated members of the "
    "Sarcoma MDT."
)
SPINAL_SURGERY_RULE = (
    "Surgery for bone and soft tissue sarcoma arising in the spine, sacrum and paraspinal tissues with "
    "spine contact or involvement must only be carried out by designated practitioners in centres "
    "defined by the Sarcoma Advisory Group"
)
SKULL_BASE_RULE = (
    "Patients with skull base involvement and those requiring transnasal approaches to the "
    "craniocervical junction should have surgery at NHNN (Queens Square)."
)
RADIOTHERAPY_RULE = (
    "Radiotherapy treatment for primary bone tumours of the spine or sacrum should be given at UCLH"
)
# The document's own words, "planned treated" included.
ALTERNATIVE_CENTRE_RULE = (
    "Patients with spinal sarcomas can have planned treated at an alternative centre (i.e. NHNN Queens "
    "Square) following MDT agreement that it is appropriate to do so."
)
MDT_BEFORE_TREATMENT_RULE = (
    "All patients with confirmed bone or soft tissue sarcomas involving the spine or paraspinal tissues "
    "must be discussed in the London Sarcoma Service MDT to plan appropriate multidisciplinary care. "
    "Discussion should take place before treatment unless clinical urgency means this is not possible."
)

# Status values (kept as plain strings so this module needs no models).
RECEIVED = "received"
TRIAGED = "triaged"
ACCEPTED = "accepted"
REDIRECTED = "redirected"
DECLINED = "declined"
UNDER_INVESTIGATION = "under_investigation"
AWAITING_MDT = "awaiting_mdt"
DISCUSSED_AT_MDT = "discussed_at_mdt"
TREATMENT_PLANNED = "treatment_planned"
FIRST_TREATMENT_GIVEN = "first_treatment_given"
CLOSED = "closed"

# The explicit transitions table: from status -> the statuses it may move to. A first treatment
# may be recorded from an earlier status only through the clinically urgent override
# (see `first_treatment_refusal`).
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    RECEIVED: frozenset({TRIAGED, REDIRECTED, DECLINED}),
    TRIAGED: frozenset({ACCEPTED, REDIRECTED, DECLINED}),
    ACCEPTED: frozenset({UNDER_INVESTIGATION, AWAITING_MDT, FIRST_TREATMENT_GIVEN, CLOSED}),
    UNDER_INVESTIGATION: frozenset({AWAITING_MDT, FIRST_TREATMENT_GIVEN, CLOSED}),
    AWAITING_MDT: frozenset({DISCUSSED_AT_MDT, FIRST_TREATMENT_GIVEN, CLOSED}),
    DISCUSSED_AT_MDT: frozenset({TREATMENT_PLANNED, UNDER_INVESTIGATION, FIRST_TREATMENT_GIVEN, CLOSED}),
    TREATMENT_PLANNED: frozenset({FIRST_TREATMENT_GIVEN, CLOSED}),
    FIRST_TREATMENT_GIVEN: frozenset({CLOSED}),
    REDIRECTED: frozenset({CLOSED}),
    DECLINED: frozenset({CLOSED}),
    CLOSED: frozenset(),
}

# Statuses at which the referral has an MDT outcome.
MDT_OUTCOME_STATUSES = frozenset({DISCUSSED_AT_MDT, TREATMENT_PLANNED, FIRST_TREATMENT_GIVEN})


def transition_refusal(from_status: str, to_status: str) -> str | None:
    """Why moving a referral from `from_status` to `to_status` is not allowed, or None if it is."""
    allowed = ALLOWED_TRANSITIONS.get(from_status, frozenset())
    if to_status in allowed:
        return None
    if not allowed:
        return f"A referral that is {from_status.replace('_', ' ')} cannot change status."
    return (
        f"A referral cannot go from {from_status.replace('_', ' ')} to {to_status.replace('_', ' ')}; "
        f"allowed next: {', '.join(sorted(s.replace('_', ' ') for s in allowed))}."
    )


# What an NHS number may be typed with: ASCII digits and spaces. Not str.isdigit(), which also
# takes full-width (U+FF19), Arabic-Indic (U+0669) and superscript (U+00B2) digits: stored as typed they made
# a second record of the same patient that no search found (penetration test, issue 17 finding 4).
NHS_NUMBER_CHARACTERS = frozenset("0123456789 ")


def nhs_number_digits(raw: str) -> str | None:
    """The ten ASCII digits of `raw` if it is written as an NHS number (ten digits 0-9, spaces
    allowed anywhere), else None. No check digit test: for searches, where a term that is not a
    number is a name."""
    text = (raw or "").strip()
    if not text or not set(text) <= NHS_NUMBER_CHARACTERS:
        return None
    digits = text.replace(" ", "")
    return digits if len(digits) == 10 else None


def normalise_nhs_number(raw: str) -> str:
    """The ten digits of a valid NHS number, given with or without spaces.

    Raises ValueError with a message for the user when it holds anything but the digits 0-9 and
    spaces, is not ten digits, or the modulus-11 check digit is wrong (NHS Data Dictionary, NHS
    number)."""
    text = (raw or "").strip()
    if not set(text) <= NHS_NUMBER_CHARACTERS:
        raise ValueError(
            "An NHS number has 10 digits, written with 0 to 9 and spaces only (e.g. 943 476 5919)."
        )
    digits = nhs_number_digits(text)
    if digits is None:
        raise ValueError("An NHS number has 10 digits (spaces allowed, e.g. 943 476 5919).")
    if not nhs_number.is_valid(digits):
        raise ValueError("This is not a valid NHS number: its check digit is wrong.")
    return digits


@dataclass(frozen=True)
class SurgeonCandidate:
    """What the rules need to know about a directory practitioner."""

    active: bool
    is_core_mdt_member: bool
    designation_scope: str
    speciality: str = "surgery"


def is_spinal_case(*, pathway: str, site: str) -> bool:
    """Sarcoma arising in the spine, sacrum, or paraspinal tissues with spine contact."""
    return pathway == "spinal" or site in SPINAL_SITES


def surgeon_refusal(*, spinal_case: bool, candidate: SurgeonCandidate) -> str | None:
    """Why this practitioner may not be the case's surgeon, quoting the pathway, or None.

    A spinal case: only a practitioner the SAG designated for spinal surgery (being a core MDT
    member is not enough: "must only be carried out by designated practitioners"); where the
    operation happens is checked when the treatment is recorded (`centre_refusal`). Any other
    sarcoma: a surgeon who is a core MDT member or designated for sarcoma surgery."""
    if not candidate.active:
        return "This practitioner is no longer active in the directory."
    if spinal_case:
        if candidate.designation_scope == "spinal_surgery":
            return None
        return (
            "Only a practitioner designated by the SAG for spinal surgery may operate on a spinal sarcoma. "
            f'{SPINAL_PATHWAY}, principles: "{SPINAL_SURGERY_RULE}"'
        )
    is_surgeon = candidate.speciality == "surgery"
    if is_surgeon and (candidate.is_core_mdt_member or candidate.designation_scope in SURGICAL_SCOPES):
        return None
    return (
        "Only a surgeon who is a core MDT member or designated by the SAG for sarcoma surgery may resect a "
        f'sarcoma. {SPINAL_PATHWAY}, principles: "{RESECTION_RULE}"'
    )


def first_treatment_refusal(*, has_mdt_outcome: bool, urgent_override_reason: str) -> str | None:
    """Why a first treatment may not be recorded yet, or None. Without an MDT outcome, only a
    recorded clinically urgent override with a reason allows it (the pathway's exception)."""
    if has_mdt_outcome or urgent_override_reason.strip():
        return None
    return (
        "This referral has no MDT outcome yet. Record a clinically urgent override with a reason to "
        f'record treatment before MDT discussion. {SPINAL_PATHWAY}: "{MDT_BEFORE_TREATMENT_RULE}"'
    )


def has_mdt_outcome(*, status: str, mdt_outcome_on) -> bool:
    """MDT meetings come later (issue 6): for now, reaching "discussed at MDT" or a recorded MDT
    outcome date counts as an MDT outcome."""
    return status in MDT_OUTCOME_STATUSES or mdt_outcome_on is not None


# Who gives the first treatment, and where (issue 16) -------------------------------------------------

SURGERY = "surgery"
CHEMOTHERAPY = "chemotherapy"
RADIOTHERAPY = "radiotherapy"
OTHER = "other"
SURGICAL_SCOPES = frozenset({"surgery", "spinal_surgery"})


def practitioner_refusal(*, modality: str, spinal_case: bool, candidate: SurgeonCandidate) -> str | None:
    """Why this practitioner may not give this first treatment, quoting the pathway, or None.

    Surgery: `surgeon_refusal`. Chemotherapy and radiotherapy: a core member of a sarcoma MDT or a
    practitioner the SAG designated for that treatment, at every site ("Treatment of sarcomas
    arising in the spine ..." for a spinal case; the Sarcoma MDT's care plan delivered "by members
    ... or by designated practitioners" elsewhere). Any other treatment of a spinal case: a core
    member or a designated practitioner; elsewhere not checked."""
    if modality == SURGERY:
        return surgeon_refusal(spinal_case=spinal_case, candidate=candidate)
    if not candidate.active:
        return "This practitioner is no longer active in the directory."
    if modality in (CHEMOTHERAPY, RADIOTHERAPY):
        if candidate.is_core_mdt_member or candidate.designation_scope == modality:
            return None
        if spinal_case:
            quote = f'{SPINAL_PATHWAY}: "{TREATMENT_RULE}"'
        else:
            quote = f'{SPINAL_PATHWAY}, principles: "{SARCOMA_MDT_ROLE}"'
        return f"Only a core MDT member or a practitioner designated for {modality} may give it. {quote}"
    if spinal_case and not (candidate.is_core_mdt_member or candidate.designation_scope):
        return (
            "Only a core MDT member or a designated practitioner may treat a spinal sarcoma. "
            f'{SPINAL_PATHWAY}: "{TREATMENT_RULE}"'
        )
    return None


@dataclass(frozen=True)
class CentreRule:
    """Where the pathway says a treatment is given: the directory services holding a capability
    (`centres`), and the sentence that says so."""

    centres: tuple[str, ...]
    capability: str
    sentence: str


def treatment_centre_rule(
    *, modality: str, spinal_case: bool, primary_bone_spine_or_sacrum: bool, skull_base_or_transnasal: bool,
    holders: Mapping[str, Collection[str]],
) -> CentreRule | None:  # fmt: skip
    """The pathway's centre rule for this treatment, or None where the pathway names no centre.
    Surgery of a spinal case: the centres the SAG defined for spinal surgery (the directory's
    `spinal_surgery` capability), or for skull-base involvement and transnasal approaches to the
    craniocervical junction the `skull_base_surgery` centres (NHNN). Radiotherapy of a primary bone
    tumour of the spine or sacrum: the `bone_radiotherapy` centres (UCLH)."""
    if modality == SURGERY and spinal_case:
        if skull_base_or_transnasal:
            return CentreRule(
                tuple(holders.get("skull_base_surgery", ())), "skull_base_surgery", SKULL_BASE_RULE
            )
        return CentreRule(tuple(holders.get("spinal_surgery", ())), "spinal_surgery", SPINAL_SURGERY_RULE)
    if modality == RADIOTHERAPY and primary_bone_spine_or_sacrum:
        return CentreRule(tuple(holders.get("bone_radiotherapy", ())), "bone_radiotherapy", RADIOTHERAPY_RULE)
    return None


def centre_refusal(*, rule: CentreRule | None, centre: str, mdt_agreed_centre: str | None) -> str | None:
    """Why the treatment may not be given at `centre` (a service code), quoting the pathway, or
    None: the pathway's centre, or another one the MDT recorded its agreement to."""
    if rule is None or centre in rule.centres or (mdt_agreed_centre and centre == mdt_agreed_centre):
        return None
    where = ", ".join(rule.centres) or f"no service in the directory holds '{rule.capability}'"
    return (
        f"{centre} is not the pathway's centre for this treatment ({where}). {SPINAL_PATHWAY}: "
        f'"{rule.sentence}" Another centre needs the MDT\'s recorded agreement: "{ALTERNATIVE_CENTRE_RULE}"'
    )
