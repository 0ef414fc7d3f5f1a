"""A referral's transitions: claiming its row, moving its status with an event, the surgeon, the
first treatment, and the status changes the MDT asks for (listed, outcome recorded).

Rules come from `rules.py` (routing, clocks) and `policy_rules.py` (transitions, surgeon, treatment
before MDT); this module applies them inside transactions and records who did what and why."""

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from directory.models import Practitioner

from .. import policy_rules
from ..models import (
    Referral,
    ReferralEvent,
)

logger = logging.getLogger(__name__)

Status = Referral.Status


# Transitions ----------------------------------------------------------------------------------


class ReferralConflict(ValidationError):
    """The referral changed under the user: another user got there first."""


def referral_claim(*, referral_id: int, expected_status: str | None) -> Referral:
    """Lock the referral's row for this transaction and check nobody moved it meanwhile."""
    referral = Referral.objects.select_for_update().get(pk=referral_id)
    if expected_status is not None and referral.status != expected_status:
        raise ReferralConflict(
            f"Another user got there first: this referral is now {referral.get_status_display().lower()}."
        )
    return referral


def _move(*, referral: Referral, to_status: str, by, reason: str, update_fields: list[str]) -> Referral:
    from_status = referral.status
    referral.status = to_status
    referral._change_reason = reason[:100]
    referral.save(update_fields=["status", *update_fields])
    ReferralEvent.objects.create(
        referral=referral, actor=by, from_status=from_status, to_status=to_status, reason=reason
    )
    return referral


@transaction.atomic
def referral_transition(
    *,
    referral_id: int,
    to_status: str,
    by,
    reason: str = "",
    redirect_destination: str = "",
    expected_status: str | None = None,
) -> Referral:
    """Move a referral along the allowed-transitions table, recording who, when and why.
    Redirecting needs a destination and declining a reason; a first treatment is recorded with
    `referral_record_first_treatment`, which applies the treatment-before-MDT rule."""
    referral = referral_claim(referral_id=referral_id, expected_status=expected_status)
    if to_status == Status.FIRST_TREATMENT_GIVEN:
        raise ValidationError(
            {"to_status": "Record a first treatment with its date, not as a status change."}
        )
    refusal = policy_rules.transition_refusal(referral.status, to_status)
    if refusal:
        raise ValidationError({"to_status": refusal})
    reason = reason.strip()
    update_fields: list[str] = []
    if to_status == Status.REDIRECTED:
        if not redirect_destination.strip():
            raise ValidationError({"redirect_destination": "Say where the referral is redirected to."})
        referral.redirect_destination = redirect_destination.strip()
        update_fields.append("redirect_destination")
        reason = reason or f"Redirected to {referral.redirect_destination}."
    if to_status == Status.DECLINED:
        if not reason:
            raise ValidationError({"reason": "Give the reason for declining the referral."})
        referral.decline_reason = reason
        update_fields.append("decline_reason")
    if to_status == Status.DISCUSSED_AT_MDT and referral.mdt_outcome_on is None:
        referral.mdt_outcome_on = timezone.localdate()
        update_fields.append("mdt_outcome_on")
    return _move(referral=referral, to_status=to_status, by=by, reason=reason, update_fields=update_fields)


@transaction.atomic
def referral_assign_surgeon(*, referral_id: int, practitioner_id: int, by) -> Referral:
    """Name the case's surgeon. For a spinal case only a core MDT member or a practitioner
    designated for spinal surgery may be named; anyone else is refused with the rule quoted."""
    referral = referral_claim(referral_id=referral_id, expected_status=None)
    practitioner = Practitioner.objects.get(pk=practitioner_id)
    refusal = policy_rules.surgeon_refusal(
        spinal_case=policy_rules.is_spinal_case(pathway=referral.pathway, site=referral.site),
        candidate=policy_rules.SurgeonCandidate(
            active=practitioner.active,
            is_core_mdt_member=practitioner.is_core_mdt_member,
            designation_scope=practitioner.designation_scope,
        ),
    )
    if refusal:
        raise ValidationError({"surgeon": refusal})
    referral.surgeon = practitioner
    referral._change_reason = f"Surgeon assigned by {by}"[:100]
    referral.save(update_fields=["surgeon"])
    return referral


@transaction.atomic
def referral_record_first_treatment(
    *,
    referral_id: int,
    treated_on: datetime.date,
    by,
    urgent_override_reason: str = "",
    expected_status: str | None = None,
) -> Referral:
    """Record the first definitive treatment (stops the 62- and 31-day clocks). Refused without
    an MDT outcome unless a clinically urgent override is recorded with its reason."""
    referral = referral_claim(referral_id=referral_id, expected_status=expected_status)
    refusal = policy_rules.transition_refusal(referral.status, Status.FIRST_TREATMENT_GIVEN)
    if refusal:
        raise ValidationError({"to_status": refusal})
    if treated_on < referral.received_on:
        raise ValidationError(
            {"treated_on": "The first treatment cannot be before the referral was received."}
        )
    outcome = policy_rules.has_mdt_outcome(status=referral.status, mdt_outcome_on=referral.mdt_outcome_on)
    override = urgent_override_reason.strip()
    refusal = policy_rules.first_treatment_refusal(has_mdt_outcome=outcome, urgent_override_reason=override)
    if refusal:
        raise ValidationError({"urgent_override_reason": refusal})
    referral.first_treatment_on = treated_on
    update_fields = ["first_treatment_on"]
    reason = f"First treatment on {treated_on:%d/%m/%Y}."
    if not outcome:
        referral.urgent_override_reason = override
        update_fields.append("urgent_override_reason")
        reason = f"{reason} Clinically urgent override, before MDT: {override}"
    return _move(
        referral=referral,
        to_status=Status.FIRST_TREATMENT_GIVEN,
        by=by,
        reason=reason,
        update_fields=update_fields,
    )


# Asked for by the MDT app ---------------------------------------------------------------------


@transaction.atomic
def referral_mdt_listed(*, referral_id: int, meeting_label: str, by) -> Referral:
    """A referral put on an MDT case list moves to "awaiting MDT" where the transitions table
    allows it (a referral already further on keeps its status)."""
    referral = referral_claim(referral_id=referral_id, expected_status=None)
    if policy_rules.transition_refusal(referral.status, Status.AWAITING_MDT) is not None:
        return referral
    return _move(
        referral=referral, to_status=Status.AWAITING_MDT, by=by,
        reason=f"Added to the case list of {meeting_label}.", update_fields=[],
    )  # fmt: skip


@transaction.atomic
def referral_mdt_outcome_recorded(
    *, referral_id: int, outcome_on: datetime.date, decision_to_treat_on: datetime.date | None, by
) -> Referral:
    """An MDT outcome for the referral: it has an MDT outcome from `outcome_on` (the first one
    counts), the 31-day clock starts at its first decision to treat (national CWT guidance:
    decision to treat to first treatment), and it moves to "discussed at MDT" where allowed."""
    referral = referral_claim(referral_id=referral_id, expected_status=None)
    update_fields = []
    if referral.mdt_outcome_on is None or outcome_on < referral.mdt_outcome_on:
        referral.mdt_outcome_on = outcome_on
        update_fields.append("mdt_outcome_on")
    if decision_to_treat_on and (
        referral.decision_to_treat_on is None or decision_to_treat_on < referral.decision_to_treat_on
    ):
        referral.decision_to_treat_on = decision_to_treat_on
        update_fields.append("decision_to_treat_on")
    if policy_rules.transition_refusal(referral.status, Status.DISCUSSED_AT_MDT) is None:
        return _move(
            referral=referral, to_status=Status.DISCUSSED_AT_MDT, by=by,
            reason="MDT outcome recorded.", update_fields=update_fields,
        )  # fmt: skip
    if update_fields:
        referral._change_reason = "MDT outcome recorded"
        referral.save(update_fields=update_fields)
    return referral
