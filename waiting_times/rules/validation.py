"""Facts the clocks refuse: an unknown choice, an impossible order of dates, each naming its key."""

from .facts import Ending, Outcome, PathwayError, PathwayFacts, Route

# Validation ---------------------------------------------------------------------------------------

_EVENT_KEYS = (
    "upgraded_on",
    "transferred_on",
    "dna_rebooked_on",
    "told_on",
    "decision_to_treat_on",
    "treated_on",
    "ended_on",
)
# (earlier, later, the key blamed): facts that must not come in the other order. The rebooked
# first appointment comes before anything that follows being seen; the treating provider treats
# after the transfer reaches it; an ending's date follows everything recorded.
_ORDER = (
    ("decision_to_treat_on", "treated_on", "treated_on"),
    ("upgraded_on", "treated_on", "upgraded_on"),
    ("transferred_on", "treated_on", "transferred_on"),
    *(
        ("dna_rebooked_on", later, "dna_rebooked_on")
        for later in ("transferred_on", "told_on", "decision_to_treat_on", "treated_on")
    ),
    *((earlier, "ended_on", "ended_on") for earlier in _EVENT_KEYS[:-1]),
)


def validate(facts: PathwayFacts) -> None:
    """Refuse facts no real pathway has, naming the key (PathwayError): an unknown route, outcome
    or ending; a date after today, or before the referral (a treatment before the referral); a
    treatment before the decision to treat; and the contradictions below."""
    _validate_choices(facts)
    if facts.received_on > facts.today:
        raise PathwayError("received_on", f"({facts.received_on}) is after today ({facts.today})")
    for key in _EVENT_KEYS:
        day = getattr(facts, key)
        if day is not None and day > facts.today:
            raise PathwayError(key, f"({day}) is after today ({facts.today})")
        if day is not None and day < facts.received_on:
            raise PathwayError(key, f"({day}) is before the referral was received ({facts.received_on})")
    for earlier, later, blamed in _ORDER:
        first, then = getattr(facts, earlier), getattr(facts, later)
        if first is not None and then is not None and then < first:
            raise PathwayError(blamed, f"({getattr(facts, blamed)}): {later} ({then}) is before {earlier}")
    _validate_upgrade(facts)
    _validate_diagnosis(facts)
    _validate_offer(facts)
    _validate_ending(facts)


def _validate_choices(facts: PathwayFacts) -> None:
    for key, value, choices in (
        ("route", facts.route, Route),
        ("outcome", facts.outcome, Outcome),
        ("ended", facts.ended, Ending),
    ):
        if (value is not None or key == "route") and value not in set(choices):
            allowed = ", ".join(choice.value for choice in choices)
            raise PathwayError(key, f"must be one of {allowed}; got {value!r}")


def _validate_upgrade(facts: PathwayFacts) -> None:
    """Data Dictionary, Consultant Upgrade Date: "The Consultant Upgrade Date should only be
    recorded when the PRIORITY TYPE of the original SERVICE REQUEST was not National Code 'Two
    Week Wait'", and "Consultant upgrades are not allowed for PATIENTS who were urgently referred
    with suspected cancer from an NHS Cancer Screening Programme"."""
    if facts.route == Route.CONSULTANT_UPGRADE and facts.upgraded_on is None:
        raise PathwayError("upgraded_on", "is required when the route is consultant_upgrade")
    if facts.route != Route.CONSULTANT_UPGRADE and facts.upgraded_on is not None:
        raise PathwayError("upgraded_on", f"is only for the route consultant_upgrade, not {facts.route}")


def _validate_diagnosis(facts: PathwayFacts) -> None:
    if facts.told_on is not None and facts.outcome is None:
        raise PathwayError("outcome", "is required with told_on: was the patient told cancer or ruled out?")
    if facts.outcome is not None and facts.told_on is None:
        raise PathwayError("told_on", "is required with outcome: the date the patient was told")
    if facts.outcome == Outcome.RULED_OUT and (facts.decision_to_treat_on or facts.treated_on):
        raise PathwayError("outcome", "is ruled_out, but a decision to treat or a treatment is recorded")


def _validate_offer(facts: PathwayFacts) -> None:
    offer, key = facts.admitted_offer_declined, "admitted_offer_declined"
    if offer is None:
        return
    if offer.available_from <= offer.offered_for:
        raise PathwayError(key, f"available_from ({offer.available_from}) must be after offered_for")
    if facts.decision_to_treat_on is None:
        raise PathwayError(key, "needs decision_to_treat_on: an offer of treatment follows the decision")
    if offer.offered_for < facts.decision_to_treat_on:
        raise PathwayError(key, f"offered_for ({offer.offered_for}) is before the decision to treat")
    if facts.treated_on and offer.offered_for > facts.treated_on:
        raise PathwayError(key, f"offered_for ({offer.offered_for}) is after the treatment")


def _validate_ending(facts: PathwayFacts) -> None:
    if facts.ended_on is not None and facts.ended is None:
        raise PathwayError("ended_on", "needs ended: died or declined_treatment")
    if facts.ended == Ending.DECLINED_TREATMENT and facts.treated_on:
        raise PathwayError("ended", "is declined_treatment, but a treatment is recorded")
