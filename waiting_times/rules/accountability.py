"""Accountability: which provider a stopped clock counts to, in half patients, for the figures."""

from .facts import BreachAllocation, Clock, ClockStatus, PathwayFacts, Standard

# Accountability: which provider a stopped clock counts to ----------------------------------------

WHOLE = 2  # shares are counted in half patients: 2 is the whole patient, 1 half of one


def treating_provider_halves(facts: PathwayFacts, clock: Clock) -> int | None:
    """The treating provider's share of a stopped clock, in half patients (the referring
    provider of an inter-provider transfer has the rest); None for a clock that did not stop met
    or breached, which the figures do not count.

    - Without a transfer (`facts.transferred_on` None) the one provider has the whole patient.
    - The 62-day standard on a two-provider pathway: each provider counts half the patient,
      as the national figures have since 2005 (Department of Health, cancer waiting times
      statistics: "Where two NHS organisations (Cancer Unit and Cancer Centre) are involved in the
      care of the patient this is taken into account by recording half the activity against the
      unit that initially sees the patient and half against the centre that provides the first
      definitive treatment"). A breach is then reallocated by the National Cancer Breach
      Allocation Guidance (2016): the whole breach to the treating provider (transferred by day
      38), to the referring provider (transferred later and treated within 24 days of the
      transfer), or shared, half each (`Clock.breach_allocation`).
    - The 31-day standard runs at the treating provider, from its decision to treat: whole to it.
    - The 28-day FDS counts to the provider that had the patient when the clock stopped: the
      referring provider if it stopped before the transfer, else the treating provider. A
      portal choice: the guidance we could read does not share the FDS."""
    if clock.status not in (ClockStatus.MET, ClockStatus.BREACHED) or clock.stopped_on is None:
        return None
    if facts.transferred_on is None:
        return WHOLE
    if clock.standard == Standard.DTT_31:
        return WHOLE
    if clock.standard == Standard.FDS:
        return WHOLE if clock.stopped_on >= facts.transferred_on else 0
    if clock.status == ClockStatus.MET:
        return 1
    return {
        BreachAllocation.TREATING: WHOLE,
        BreachAllocation.REFERRING: 0,
        BreachAllocation.SHARED: 1,
    }[clock.breach_allocation]
