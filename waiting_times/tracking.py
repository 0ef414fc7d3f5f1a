"""A pathway's recorded dates read through the clock rules, for pages and for the PTL's stored
tracking dates. Reads settings (the clock policy, the at-risk days), so the rules need not; no
database access: anything with a pathway's fields will do, a historical model in a migration
included.

- `facts_of(pathway, today)`: the recorded dates as `rules.PathwayFacts`.
- `Tracking(pathway, today)`: the clocks on a day, the clock that matters now, its status with
  "at risk", days left, or the error that stops the rules counting (for pages and the CSV).
- `tracking_fields(pathway)`: the dates the PTL sorts and filters on in the database (the
  `ptl_*` fields of CancerPathway), which do not move as the days pass."""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from . import rules

# The stored fields below, kept out of the pathway's history (derived, recomputed with each change).
TRACKING_FIELDS = (
    "ptl_standard",
    "ptl_due_on",
    "ptl_at_risk_on",
    "ptl_breached_on",
    "ptl_status",
    "ptl_handover_by",
)
OUTCOME_PREFIX = {rules.Standard.FDS: "fds", rules.Standard.RTT_62: "rtt62", rules.Standard.DTT_31: "dtt31"}
OUTCOME_FIELDS = tuple(
    f"{prefix}_{name}"
    for prefix in OUTCOME_PREFIX.values()
    for name in ("stopped_on", "met", "service_halves")
)

# The PTL sorts pathways with nothing due after everything else, and pathways whose dates the
# rules refuse before everything else: they cannot be tracked until someone corrects them.
NOTHING_DUE = datetime.date(9999, 12, 31)
CANNOT_COUNT = datetime.date(1, 1, 1)


class PtlStatus(models.TextChoices):
    """What the PTL shows and filters on: the clock statuses, "at risk" (a display state only)
    and "dates to correct" (dates the rules refuse, e.g. moved from the old referral fields)."""

    BREACHED = "breached", "Breached"
    AT_RISK = "at_risk", "At risk"
    RUNNING = "running", "Running"
    MET = "met", "Met"
    ENDED = "ended", "Ended"
    NOT_APPLICABLE = "not_applicable", "No clock running"
    INVALID = "invalid", "Dates to correct"


# The NHS.UK tag colour of each status (waiting_times_tags.status_tag draws the tag).
STATUS_TAG_COLOURS = {
    PtlStatus.BREACHED: "red",
    PtlStatus.AT_RISK: "orange",
    PtlStatus.RUNNING: "green",
    PtlStatus.MET: "grey",
    PtlStatus.ENDED: "grey",
    PtlStatus.NOT_APPLICABLE: "white",
    PtlStatus.INVALID: "red",
}


class Standard(models.TextChoices):
    FDS = rules.Standard.FDS.value, "28-day Faster Diagnosis"
    RTT_62 = rules.Standard.RTT_62.value, "62-day"
    DTT_31 = rules.Standard.DTT_31.value, "31-day"


def clock_policy() -> rules.ClockPolicy:
    return rules.ClockPolicy(**settings.CWT_CLOCK_POLICY)


def at_risk_day(standard: rules.Standard) -> int:
    return {**rules.DEFAULT_AT_RISK_DAY, **settings.CWT_AT_RISK_DAY}[standard.value]


def clock_start_on(pathway) -> datetime.date | None:
    """The first provider's receipt; without it (a transfer moved from the old referral fields)
    the transfer's date, a provisional start shown as "first receipt date missing"."""
    return pathway.first_received_on or pathway.transferred_on


def transfer_on(pathway) -> datetime.date | None:
    """The date of the pathway's inter-provider transfer: in (it reached this provider) or out
    (it reached the provider that is to treat). A pathway as an earlier migration holds it has
    no transfer-out fields, hence getattr."""
    return pathway.transferred_on or getattr(pathway, "transferred_out_on", None)


def facts_of(pathway, today: datetime.date) -> rules.PathwayFacts:
    """The recorded dates as the rules take them. A transfer out is a transfer to the rules:
    its date bounds the same dates and allocates a breach the same way."""
    offer = None
    if pathway.offer_declined_for and pathway.offer_available_from:
        offer = rules.DeclinedOffer(pathway.offer_declined_for, pathway.offer_available_from)
    return rules.PathwayFacts(
        route=rules.Route(pathway.route),
        received_on=clock_start_on(pathway),
        today=today,
        upgraded_on=pathway.upgraded_on,
        transferred_on=transfer_on(pathway),
        dna_rebooked_on=pathway.dna_rebooked_on,
        told_on=pathway.told_on,
        outcome=rules.Outcome(pathway.outcome) if pathway.outcome else None,
        decision_to_treat_on=pathway.decision_to_treat_on,
        admitted_offer_declined=offer,
        treated_on=pathway.treated_on,
        treatment_admitted=pathway.treatment_admitted,
        ended=rules.Ending(pathway.ended) if pathway.ended else None,
        ended_on=pathway.ended_on,
    )


class Tracking:
    """One pathway's clocks on a day, read for a page: the clock that matters now, its day,
    due date, days left and display status; or the error that stops the rules counting."""

    def __init__(self, pathway, today: datetime.date) -> None:
        self.pathway = pathway
        self.today = today
        self.error = ""
        self.clocks: rules.PathwayClocks | None = None
        self.clock: rules.Clock | None = None
        if clock_start_on(pathway) is None:
            self.error = "No clock start: enter the date the first provider received the referral."
            return
        try:
            self.clocks = rules.pathway_clocks(facts_of(pathway, today), policy=clock_policy())
        except rules.PathwayError as error:
            self.error = f"Dates to correct: {error}"
            return
        self.clock = rules.current_clock(self.clocks)

    @property
    def status(self) -> str:
        if self.error:
            return PtlStatus.INVALID
        if self.clock is None:
            return PtlStatus.NOT_APPLICABLE
        return rules.display_status(self.clock, threshold_day=at_risk_day(self.clock.standard))

    @property
    def status_label(self) -> str:
        return PtlStatus(self.status).label

    @property
    def standard_label(self) -> str:
        return Standard(self.clock.standard.value).label if self.clock else ""

    @property
    def days_left(self) -> int | None:
        """Days to the due date of a running clock (negative once breached)."""
        if self.clock is None or not rules.is_running(self.clock):
            return None
        return (self.clock.due - self.today).days

    @property
    def handover_by(self) -> datetime.date | None:
        return self.clocks.rtt_62.handover_by if self.clocks else None


def tracking_fields(pathway, today: datetime.date | None = None, *, tracking: Tracking | None = None) -> dict:
    """The PTL's stored tracking dates of `pathway` (CancerPathway's `ptl_*` fields): the
    standard that matters now, its due date (the sort key), the first day it shows at risk and
    the first day it is breached while it runs, a fixed status once it has stopped ("" while it
    runs), and the 62-day clock's handover date. `today` only checks that no date is in the
    future; the dates themselves do not depend on it."""
    tracking = tracking or Tracking(pathway, today or timezone.localdate())
    fields = {
        "ptl_standard": "",
        "ptl_due_on": NOTHING_DUE,
        "ptl_at_risk_on": None,
        "ptl_breached_on": None,
        "ptl_status": PtlStatus.NOT_APPLICABLE.value,
        "ptl_handover_by": tracking.handover_by,
    }
    clock = tracking.clock
    if tracking.error:
        fields.update(ptl_due_on=CANNOT_COUNT, ptl_status=PtlStatus.INVALID.value)
    elif clock is not None and rules.is_running(clock):
        fields.update(
            ptl_standard=clock.standard.value,
            ptl_due_on=clock.due,
            ptl_at_risk_on=rules.day_reached(clock, at_risk_day(clock.standard)),
            ptl_breached_on=rules.day_reached(clock, clock.target_days + 1),
            ptl_status="",
        )
    elif clock is not None:
        breached = clock.status == rules.ClockStatus.BREACHED
        fields.update(
            ptl_standard=clock.standard.value,
            ptl_due_on=clock.due if breached else NOTHING_DUE,
            ptl_status=clock.status.value,
        )
    return fields


def outcome_fields(pathway, today: datetime.date | None = None, *, tracking: Tracking | None = None) -> dict:
    """What the performance figures count of `pathway` (CancerPathway's fds_*, rtt62_* and
    dtt31_* fields): for each standard whose clock stopped met or breached, the day it stopped,
    whether it met, and the share of the patient counted to the referral's service in half
    patients (`rules.treating_provider_halves`: the service is the treating provider, or the
    referring one of a transfer out); None for a clock that has not stopped so (running, ended,
    not applicable) or dates the rules refuse. Like the tracking dates, these do not depend on
    `today` (it only checks that no date is in the future). `tracking`: the pathway's Tracking
    if the caller has it already (tracking_fields takes it too), so the clocks are counted once."""
    fields = dict.fromkeys(OUTCOME_FIELDS)
    tracking = tracking or Tracking(pathway, today or timezone.localdate())
    if tracking.clocks is None:
        return fields
    facts = facts_of(pathway, tracking.today)
    transfer_out = getattr(pathway, "transferred_out_on", None) is not None
    for clock in tracking.clocks:
        treating = rules.treating_provider_halves(facts, clock)
        if treating is None:
            continue
        prefix = OUTCOME_PREFIX[clock.standard]
        fields[f"{prefix}_stopped_on"] = clock.stopped_on
        fields[f"{prefix}_met"] = clock.status == rules.ClockStatus.MET
        fields[f"{prefix}_service_halves"] = rules.WHOLE - treating if transfer_out else treating
    return fields
