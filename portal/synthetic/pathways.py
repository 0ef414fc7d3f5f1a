"""Synthetic cancer pathways: one per synthetic referral, from the referral's own dates, so the
PTL, the performance figures and the alert sweep have national-sized tables to read. Transfers
in are every tenth referral (received by the referring organisation 5 to 34 days before it
reached the service); some diagnosed referrals with no decision to treat are "ruled out". The
PTL's tracking dates and the figures' outcome fields are computed by the same functions the
services use. Deterministic: derived from the referral's id and dates, no random draw, so the
referral rows are what they were before pathways were added."""

import datetime
from types import SimpleNamespace

from waiting_times.tracking import Tracking, outcome_fields, tracking_fields

CLOSED = ("closed", "declined", "redirected")


def pathway_row(pk: int, referral: dict, *, now: datetime.datetime, today: datetime.date) -> dict:
    """The pathway of one synthetic referral row (a dict of the referral's columns)."""
    received = referral["received_on"]
    transfer = referral["id"] % 10 == 3
    told = referral["diagnosis_communicated_on"]
    decided = referral["decision_to_treat_on"]
    ruled_out = told is not None and decided is None and referral["id"] % 7 == 0
    closed = referral["status"] in CLOSED
    row = {
        "id": pk,
        "referral_id": referral["id"],
        "route": "urgent_suspected_cancer",
        "first_received_on": received - datetime.timedelta(days=5 + referral["id"] % 30)
        if transfer
        else received,
        "referring_provider_id": referral["referring_organisation_id"] if transfer else None,
        "transferred_on": received if transfer else None,
        "transfer_out_to_id": None,
        "transferred_out_on": None,
        "upgraded_on": None,
        "dna_rebooked_on": None,
        "told_on": told,
        "outcome": ("ruled_out" if ruled_out else "cancer") if told else "",
        "decision_to_treat_on": decided,
        "offer_declined_for": None,
        "offer_available_from": None,
        "treated_on": referral["first_treatment_on"],
        "treatment_admitted": True if referral["first_treatment_on"] else None,
        "ended": "",
        "ended_on": None,
        "breach_reason": "",
        "breach_reason_text": "",
        "closed_at": now if closed else None,
        "closed_by_id": None,
        "close_reason": f"Synthetic: the referral was {referral['status']}." if closed else "",
    }
    pathway = SimpleNamespace(**row)
    tracking = Tracking(pathway, today)
    row |= tracking_fields(pathway, today, tracking=tracking) | outcome_fields(
        pathway, today, tracking=tracking
    )
    if False in (row["fds_met"], row["rtt62_met"], row["dtt31_met"]):
        row["breach_reason"] = "elective_capacity"  # a closed pathway had to give its breach a reason
    return row
