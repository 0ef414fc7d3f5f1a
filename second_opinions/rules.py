"""The LSESN second-opinion policy as pure functions: data in, decision out, no database.

Source: "Responding to a growing demand for Second Opinions", agreed and approved by the LSESN
Sarcoma Advisory Group (shared/seeds/second-opinions-policy-lsesn.txt). The Royal Marsden
Sarcoma Unit (RMH) and the London Sarcoma Service (LSS: UCLH and RNOH) both give second opinions
to patients looked after elsewhere, but do not routinely see each other's patients who are under
standard management, except in the situations the policy names.

`decide` applies the rules in this order; the first that fits gives the decision:

1. A request to RMH about a primary bone tumour is redirected to LSS (all bone sarcomas are treated
   in the London Sarcoma Service), unless the patient is already looked after by LSS: a redirect to
   their own service would mean nothing (issue 16). Such a patient under standard management at
   LSS is under the capacity rule (rule 3) like any other; not under standard management, the
   request is accepted (the network's choice: the restriction covers standard management only),
   and the answer says that bone sarcoma treatment stays with LSS.
2. A request to the service that already looks after the patient is *not routinely available*.
   Our choice where the policy is silent: the policy is about a second opinion at the *other*
   service; a fresh look by one's own service is a review the treating team arranges (at its own
   MDT), not a network second opinion, and there is no "other service's MDT" to send it to. The
   answer sends the patient to the treating clinician and the Sarcoma UK Support Line, which
   guides patients to specialist centres elsewhere.
3. A patient under standard management at RMH or LSS asking for a second opinion at the other
   service: not routinely available, except
   - `mdt_review`: review at the other service's MDT, which the treating sarcoma clinician must
     ask for (a patient, GP or other clinician naming this reason does not qualify);
   - `expertise_only_there` and `treatment_only_there`: accepted whoever asks (the policy names
     the situation, not the requester; the receiving MDT checks the claim when it reviews);
   - `named_clinician`: accepted only when the treating sarcoma clinician asks and names the
     other service's clinician (a non-blank `named_clinician`).
   A patient at RMH or LSS who is *not* under standard management is outside the restriction and
   is accepted, as in rule 4.
4. Patients looked after elsewhere in the country (`other`), and patients not yet under any
   sarcoma service (`none`, treated the same way), are accepted, whoever asks (a GP or the
   treating team usually does; the policy does not restrict the requester).

Routing of an accepted request: to the requested service's MDT when the treating sarcoma clinician
asks for an MDT review (`requested_by` treating_sarcoma_clinician and `reason` mdt_review), to a
clinic appointment otherwise. A redirect or a "not routinely available" answer has no route.

Every answer signposts the Sarcoma UK Support Line; a "not routinely available" answer also says
why and what to do next: ask the treating clinician, call the support line, and contact PALS if
unhappy (the NHS patient guide). Every reason cites the policy.

The same functions back `python manage.py second_opinion_eligibility` (a JSON contract for other
systems) and the request form, so both always give the same answer.

The seed of the policy ends mid-list: "Second opinions in each other's service outside of these
circumstances will be available when" is followed by one item ("Direct request is made by the
treating sarcoma clinician to a named other clinician") and an empty bullet. The portal implements
that one item; whatever the missing items say is not implemented (docs/clinical-safety.md).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

POLICY = "LSESN second-opinion policy (SAG-approved)"


class CurrentService(StrEnum):
    RMH = "RMH"
    LSS = "LSS"
    OTHER = "other"
    NONE = "none"


class RequestedService(StrEnum):
    RMH = "RMH"
    LSS = "LSS"


class RequestedBy(StrEnum):
    TREATING_SARCOMA_CLINICIAN = "treating_sarcoma_clinician"
    PATIENT = "patient"
    GP = "gp"
    OTHER_CLINICIAN = "other_clinician"


class Reason(StrEnum):
    MDT_REVIEW = "mdt_review"
    EXPERTISE_ONLY_THERE = "expertise_only_there"
    TREATMENT_ONLY_THERE = "treatment_only_there"
    NAMED_CLINICIAN = "named_clinician"
    PATIENT_CHOICE = "patient_choice"


class Tumour(StrEnum):
    BONE = "bone"
    SOFT_TISSUE = "soft_tissue"
    GIST = "gist"
    UNKNOWN = "unknown"


class Decision(StrEnum):
    ACCEPT = "accept"
    NOT_ROUTINELY_AVAILABLE = "not_routinely_available"
    REDIRECT = "redirect"


class Route(StrEnum):
    MDT_REVIEW = "mdt_review"
    CLINIC = "clinic"


class Signpost(StrEnum):
    SARCOMA_UK_SUPPORT_LINE = "sarcoma_uk_support_line"
    ASK_TREATING_CLINICIAN = "ask_treating_clinician"
    PALS = "pals"


SERVICE_NAMES = {
    "RMH": "the Royal Marsden Sarcoma Unit (RMH)",
    "LSS": "the London Sarcoma Service (LSS: UCLH and RNOH)",
}


@dataclass(frozen=True)
class EligibilityInput:
    """One second-opinion request, as the policy needs it (the command's JSON input)."""

    current_service: CurrentService
    standard_management: bool
    requested_service: RequestedService
    requested_by: RequestedBy
    reason: Reason
    tumour: Tumour
    named_clinician: str = ""


@dataclass(frozen=True)
class EligibilityDecision:
    """The policy's answer (the command's JSON output)."""

    decision: Decision
    route: Route | None
    redirect_to: RequestedService | None
    signpost: tuple[Signpost, ...]
    reasons: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "decision": self.decision.value,
            "route": self.route.value if self.route else None,
            "redirect_to": self.redirect_to.value if self.redirect_to else None,
            "signpost": [code.value for code in self.signpost],
            "reasons": list(self.reasons),
        }


def _cite(text: str) -> str:
    return f"{POLICY}: {text}"


SUPPORT_LINE_REASON = _cite(
    "the Sarcoma UK Support Line is an independent resource that gives information and guidance "
    "on seeking a second opinion from the sarcoma specialist centres throughout England, Scotland, "
    "Wales and Northern Ireland; it does not give second opinions or refer patients itself."
)
NEXT_STEPS_REASON = _cite(
    "what the patient can do next: talk to the treating sarcoma clinician, who can ask for a review "
    "at the other service's MDT or ask a named clinician there directly; call the Sarcoma UK Support "
    "Line; and, if still unhappy, contact the hospital's PALS (Patient Advice and Liaison Service)."
)


def _redirect(request: EligibilityInput) -> EligibilityDecision:
    return EligibilityDecision(
        decision=Decision.REDIRECT,
        route=None,
        redirect_to=RequestedService.LSS,
        signpost=(Signpost.SARCOMA_UK_SUPPORT_LINE,),
        reasons=(
            _cite(
                "all bone sarcomas are treated in the London Sarcoma Service, so a request to the "
                "Royal Marsden Sarcoma Unit about a primary bone tumour is redirected to LSS."
            ),
            SUPPORT_LINE_REASON,
        ),
    )


def _not_routinely_available(*why: str) -> EligibilityDecision:
    return EligibilityDecision(
        decision=Decision.NOT_ROUTINELY_AVAILABLE,
        route=None,
        redirect_to=None,
        signpost=(Signpost.SARCOMA_UK_SUPPORT_LINE, Signpost.ASK_TREATING_CLINICIAN, Signpost.PALS),
        reasons=(*why, NEXT_STEPS_REASON, SUPPORT_LINE_REASON),
    )


def _accept(request: EligibilityInput, why: str) -> EligibilityDecision:
    service = SERVICE_NAMES[request.requested_service]
    if request.requested_by == RequestedBy.TREATING_SARCOMA_CLINICIAN and request.reason == Reason.MDT_REVIEW:
        route = Route.MDT_REVIEW
        routing = _cite(
            f"the treating sarcoma clinician asked for a review, so the case goes to the MDT of {service}; "
            "feedback goes to the clinician and/or the patient as individually decided."
        )
    else:
        route = Route.CLINIC
        routing = _cite(
            f"the treating sarcoma clinician has not asked for an MDT review, so the request goes to a "
            f"clinic appointment at {service}."
        )
    return EligibilityDecision(
        decision=Decision.ACCEPT,
        route=route,
        redirect_to=None,
        signpost=(Signpost.SARCOMA_UK_SUPPORT_LINE,),
        reasons=(_cite(why), routing, SUPPORT_LINE_REASON),
    )


def _between_services(request: EligibilityInput) -> EligibilityDecision:
    """Rule 3: a patient under standard management at one service asking for the other."""
    treating = request.requested_by == RequestedBy.TREATING_SARCOMA_CLINICIAN
    restriction = _cite(
        "due to capacity, the Royal Marsden Sarcoma Unit and the London Sarcoma Service do not "
        "routinely see a patient under standard management in one service for a second opinion in "
        "the other."
    )
    match request.reason:
        case Reason.MDT_REVIEW if treating:
            return _accept(
                request,
                "the services refer to each other for review in a multidisciplinary team meeting on "
                "request by the treating sarcoma clinician.",
            )
        case Reason.MDT_REVIEW:
            return _not_routinely_available(
                restriction,
                _cite(
                    "a review at the other service's MDT is arranged on request by the treating sarcoma "
                    "clinician, not by the patient, GP or another clinician."
                ),
            )
        case Reason.EXPERTISE_ONLY_THERE:
            return _accept(
                request, "the services refer to each other where expertise exists in the other service only."
            )
        case Reason.TREATMENT_ONLY_THERE:
            return _accept(
                request,
                "the services refer to each other where a treatment is available in one service only, "
                "almost always through a clinical trial open in one centre.",
            )
        case Reason.NAMED_CLINICIAN if treating and request.named_clinician.strip():
            return _accept(
                request,
                "a second opinion in the other service is available when the treating sarcoma clinician "
                f"makes a direct request to a named clinician there ({request.named_clinician.strip()}).",
            )
        case Reason.NAMED_CLINICIAN:
            return _not_routinely_available(
                restriction,
                _cite(
                    "a second opinion at a named clinician's request is available only when the treating "
                    "sarcoma clinician makes a direct request to a named clinician of the other service."
                ),
            )
        case _:
            return _not_routinely_available(
                restriction,
                _cite(
                    "the exceptions are: an MDT review requested by the treating sarcoma clinician; "
                    "expertise or a treatment (usually a clinical trial) in the other service only; a "
                    "direct request by the treating sarcoma clinician to a named clinician there."
                ),
            )


BONE_STAYS_AT_LSS = _cite(
    "all bone sarcomas are treated in the London Sarcoma Service, which already looks after this "
    "patient, so the request is not redirected there; a second opinion at the Royal Marsden Sarcoma "
    "Unit would not move the treatment of a bone sarcoma."
)


def _with_reason(answer: EligibilityDecision, reason: str) -> EligibilityDecision:
    return replace(answer, reasons=(reason, *answer.reasons))


def decide(request: EligibilityInput) -> EligibilityDecision:
    """The policy's answer to one second-opinion request (see the module docstring)."""
    bone_at_rmh = request.requested_service == RequestedService.RMH and request.tumour == Tumour.BONE
    if bone_at_rmh and request.current_service != CurrentService.LSS:
        return _redirect(request)
    if bone_at_rmh:
        return _with_reason(_decide_between_or_elsewhere(request), BONE_STAYS_AT_LSS)
    return _decide_between_or_elsewhere(request)


def _decide_between_or_elsewhere(request: EligibilityInput) -> EligibilityDecision:
    """Rules 2 to 4."""
    if request.current_service.value == request.requested_service.value:
        return _not_routinely_available(
            _cite(
                f"the patient is already looked after by {SERVICE_NAMES[request.requested_service]}; the "
                "network's second opinions are given by the other service, and a review within the same "
                "service is for the treating team to arrange."
            )
        )
    if request.current_service in (CurrentService.RMH, CurrentService.LSS):
        if request.standard_management:
            return _between_services(request)
        return _accept(
            request,
            "the capacity restriction covers only patients under standard management, and this patient "
            "is not under standard management in their current service.",
        )
    if request.current_service == CurrentService.NONE:
        why = (
            "the patient is not yet under a sarcoma service, so is treated like a patient looked after "
            "elsewhere in the country, whom both services see for second opinions."
        )
    else:
        why = "both services see patients looked after elsewhere in the country for second opinions."
    return _accept(request, why)


# The JSON contract -------------------------------------------------------------------------------


class EligibilityInputError(ValueError):
    """Bad input for `decide`; `key` names the offending key."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key


_ENUM_KEYS: dict[str, type[StrEnum]] = {
    "current_service": CurrentService,
    "requested_service": RequestedService,
    "requested_by": RequestedBy,
    "reason": Reason,
    "tumour": Tumour,
}
REQUIRED_KEYS = (*_ENUM_KEYS, "standard_management")
OPTIONAL_KEYS = ("named_clinician",)


def parse_input(data: Any) -> EligibilityInput:
    """An `EligibilityInput` from a decoded JSON object, or `EligibilityInputError` naming the
    first bad key. Strict: unknown keys, missing keys, wrong types (a bool must be true/false, not
    0/1) and unknown values are all refused. `named_clinician` may be omitted or null."""
    if not isinstance(data, dict):
        raise EligibilityInputError(
            "(input)", 'expected one JSON object, e.g. {"current_service": "RMH", ...}'
        )
    unknown = sorted(set(data) - set(REQUIRED_KEYS) - set(OPTIONAL_KEYS))
    if unknown:
        raise EligibilityInputError(
            unknown[0], f"unknown key; the keys are {', '.join(REQUIRED_KEYS + OPTIONAL_KEYS)}"
        )
    for key in REQUIRED_KEYS:
        if key not in data:
            raise EligibilityInputError(key, "missing required key")
    values: dict[str, Any] = {}
    for key, enum in _ENUM_KEYS.items():
        value = data[key]
        allowed = ", ".join(f'"{member.value}"' for member in enum)
        if not isinstance(value, str):
            raise EligibilityInputError(key, f"expected a string, one of {allowed}")
        try:
            values[key] = enum(value)
        except ValueError:
            raise EligibilityInputError(key, f"unknown value {value!r}; expected one of {allowed}") from None
    if not isinstance(data["standard_management"], bool):
        raise EligibilityInputError("standard_management", "expected true or false")
    named = data.get("named_clinician")
    if named is not None and not isinstance(named, str):
        raise EligibilityInputError("named_clinician", "expected a string (or leave it out)")
    return EligibilityInput(
        standard_management=data["standard_management"], named_clinician=named or "", **values
    )


# The workflow ------------------------------------------------------------------------------------


class Status(StrEnum):
    """A request's status (the model's `SecondOpinionRequest.Status` has the same values)."""

    RECEIVED = "received"
    DECIDED = "decided"
    RECORDS_REQUESTED = "records_requested"
    RECORDS_RECEIVED = "records_received"
    REVIEWED = "reviewed"
    OPINION_SENT = "opinion_sent"
    CLOSED = "closed"


class Outcome(StrEnum):
    AGREES = "agrees"
    DIFFERS = "differs"


# Every allowed step, and nothing else: a request moves forward one step at a time, and may be
# closed from any open status (closing before the opinion is sent is a withdrawal, with a note).
ALLOWED_TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.RECEIVED: frozenset({Status.DECIDED, Status.CLOSED}),
    Status.DECIDED: frozenset({Status.RECORDS_REQUESTED, Status.CLOSED}),
    Status.RECORDS_REQUESTED: frozenset({Status.RECORDS_RECEIVED, Status.CLOSED}),
    Status.RECORDS_RECEIVED: frozenset({Status.REVIEWED, Status.CLOSED}),
    Status.REVIEWED: frozenset({Status.OPINION_SENT, Status.CLOSED}),
    Status.OPINION_SENT: frozenset({Status.CLOSED}),
    Status.CLOSED: frozenset(),
}
# Statuses in which an accepted request is still waiting for its opinion.
AWAITING_OPINION = frozenset(
    {Status.DECIDED, Status.RECORDS_REQUESTED, Status.RECORDS_RECEIVED, Status.REVIEWED}
)


@dataclass(frozen=True)
class TransitionInput:
    current: Status
    target: Status
    decision: Decision
    consent_to_share_records: bool
    note: str = ""
    outcome: Outcome | None = None
    outcome_differences: str = ""


def transition_refusal(step: TransitionInput) -> str | None:
    """Why this step is not allowed, in words for the MDT office; None when it is allowed."""
    if step.target not in ALLOWED_TRANSITIONS[step.current]:
        allowed = (
            ", ".join(sorted(s.value for s in ALLOWED_TRANSITIONS[step.current])) or "none (it is closed)"
        )
        return (
            f"A request cannot go from {step.current.value!r} to {step.target.value!r}; "
            f"the next steps allowed are: {allowed}."
        )
    if step.target == Status.RECORDS_REQUESTED:
        if step.decision != Decision.ACCEPT:
            return "Records are requested only for an accepted request; close this one instead."
        if not step.consent_to_share_records:
            return "Records cannot be requested: the patient has not consented to share their records."
    if step.target == Status.OPINION_SENT:
        if step.outcome is None:
            return "Say whether the opinion agrees with the current plan or differs from it."
        if step.outcome == Outcome.DIFFERS and not step.outcome_differences.strip():
            return "Say how the opinion differs from the current plan."
    if (
        step.target == Status.CLOSED
        and step.current in AWAITING_OPINION | {Status.RECEIVED}
        and not (step.current == Status.DECIDED and step.decision != Decision.ACCEPT)
        and not step.note.strip()
    ):
        return "Closing a request before its opinion is sent is a withdrawal: give the reason in the note."
    return None


# What a delay would mean against the patient's running clocks (issue 16) ---------------------------

# The osteosarcoma patient guide (shared/seeds/second-opinion-patient-guide-osteosarcoma.txt).
DELAY_ADVICE = (
    "Therefore, if seeking a second opinion will delay treatment it is important to discuss with your "
    "doctor the impact, if any, this delay could have."
)


@dataclass(frozen=True)
class DelayImpact:
    """One running waiting-time clock, today and if treatment waited `delay_days` longer."""

    label: str
    target_days: int
    days_elapsed: int
    due_date: datetime.date
    delay_days: int
    days_past_due_after_delay: int  # 0: still within the standard after the delay

    @property
    def text(self) -> str:
        today = (
            f"{self.label}: day {self.days_elapsed} of {self.target_days} today, due {self.due_date:%d/%m/%Y}"
        )
        after = self.days_elapsed + self.delay_days
        if self.days_past_due_after_delay:
            outcome = f"{self.days_past_due_after_delay} days past the standard"
        else:
            outcome = "still within the standard"
        waited = f"If treatment waited {self.delay_days} days for a second opinion: day {after}"
        return f"{today}. {waited}, {outcome}."


def delay_impact(*, clocks: Iterable, today: datetime.date, delay_days: int) -> list[DelayImpact]:
    """For each clock still running on `today` (started, not stopped: the referrals' waiting-time
    clocks), where it stands and where it would stand `delay_days` later."""
    impacts = []
    for clock in clocks:
        if clock.start is None or clock.stop is not None or clock.due_date is None:
            continue
        elapsed = (today - clock.start).days
        past_due = (today + datetime.timedelta(days=delay_days) - clock.due_date).days
        impacts.append(
            DelayImpact(
                label=clock.label,
                target_days=clock.target_days,
                days_elapsed=elapsed,
                due_date=clock.due_date,
                delay_days=delay_days,
                days_past_due_after_delay=max(past_due, 0),
            )
        )
    return impacts
