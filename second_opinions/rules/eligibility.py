"""Who may have a second opinion where: `decide`, each answer citing the policy."""

from __future__ import annotations

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
