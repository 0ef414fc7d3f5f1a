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
that one item; whatever the missing items say is not implemented (docs/clinical-safety.md)."""

from .contract import OPTIONAL_KEYS, REQUIRED_KEYS, EligibilityInputError, parse_input
from .delays import DELAY_ADVICE, DelayImpact, delay_impact
from .eligibility import (
    BONE_STAYS_AT_LSS,
    NEXT_STEPS_REASON,
    POLICY,
    SERVICE_NAMES,
    SUPPORT_LINE_REASON,
    CurrentService,
    Decision,
    EligibilityDecision,
    EligibilityInput,
    Reason,
    RequestedBy,
    RequestedService,
    Route,
    Signpost,
    Tumour,
    decide,
)
from .workflow import (
    ALLOWED_TRANSITIONS,
    AWAITING_OPINION,
    Outcome,
    Status,
    TransitionInput,
    transition_refusal,
)

__all__ = [
    "ALLOWED_TRANSITIONS",
    "AWAITING_OPINION",
    "BONE_STAYS_AT_LSS",
    "DELAY_ADVICE",
    "NEXT_STEPS_REASON",
    "OPTIONAL_KEYS",
    "POLICY",
    "REQUIRED_KEYS",
    "SERVICE_NAMES",
    "SUPPORT_LINE_REASON",
    "CurrentService",
    "Decision",
    "DelayImpact",
    "EligibilityDecision",
    "EligibilityInput",
    "EligibilityInputError",
    "Outcome",
    "Reason",
    "RequestedBy",
    "RequestedService",
    "Route",
    "Signpost",
    "Status",
    "TransitionInput",
    "Tumour",
    "decide",
    "delay_impact",
    "parse_input",
    "transition_refusal",
]
