"""The workflow of a request: its statuses and outcomes, and every allowed step."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .eligibility import Decision

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
