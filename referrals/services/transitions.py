"""A referral's transitions: claiming its row, moving its status with an event, the surgeon, the
first treatment (who, what, where, and any clinically urgent override, flagged to the MDT lead),
and the status changes the MDT asks for (listed, outcome recorded with any agreed centre).

Rules come from `rules.py` (routing, clocks) and `policy_rules.py` (transitions, who may treat and
where, treatment before MDT); this module applies them inside transactions and records who did
what and why."""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from directory.models import Capability, Practitioner, Service
from portal.outbox import enqueue

from .. import policy_rules, rules
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


def _candidate(practitioner: Practitioner) -> policy_rules.SurgeonCandidate:
    return policy_rules.SurgeonCandidate(
        active=practitioner.active,
        is_core_mdt_member=practitioner.is_core_mdt_member,
        designation_scope=practitioner.designation_scope,
        speciality=practitioner.speciality,
    )


@transaction.atomic
def referral_assign_surgeon(*, referral_id: int, practitioner_id: int, by) -> Referral:
    """Name the case's surgeon: for a spinal case a practitioner designated for spinal surgery,
    for any other a surgeon who is a core MDT member or designated for sarcoma surgery; anyone else
    is refused with the pathway's sentence quoted."""
    referral = referral_claim(referral_id=referral_id, expected_status=None)
    practitioner = Practitioner.objects.get(pk=practitioner_id)
    refusal = policy_rules.surgeon_refusal(
        spinal_case=policy_rules.is_spinal_case(pathway=referral.pathway, site=referral.site),
        candidate=_candidate(practitioner),
    )
    if refusal:
        raise ValidationError({"surgeon": refusal})
    referral.surgeon = practitioner
    referral._change_reason = f"Surgeon assigned by {by}"[:100]
    referral.save(update_fields=["surgeon"])
    return referral


def capability_holders() -> rules.CapabilityHolders:
    """Which directory services hold each capability, as the rules want it. A SAG-approved
    directory change (a capability moved between services) therefore moves the routing and the
    centres a treatment is checked against."""
    holders: dict[str, tuple[str, ...]] = {}
    for capability in Capability.objects.prefetch_related("services"):
        holders[capability.code] = tuple(sorted(service.code for service in capability.services.all()))
    return holders


def first_treatment_refusals(
    *, referral: Referral, modality: str, practitioner: Practitioner, centre: Service
) -> dict[str, str]:
    """What the pathway says against this first treatment, by form field: the practitioner (their
    designation), the centre (the directory's centres for the pathway, or the MDT's recorded
    agreement) and treatment before an MDT outcome. Empty when the pathway allows it."""
    spinal = policy_rules.is_spinal_case(pathway=referral.pathway, site=referral.site)
    refusals = {}
    refusal = policy_rules.practitioner_refusal(
        modality=modality, spinal_case=spinal, candidate=_candidate(practitioner)
    )
    if refusal:
        refusals["practitioner"] = refusal
    rule = policy_rules.treatment_centre_rule(
        modality=modality,
        spinal_case=spinal,
        primary_bone_spine_or_sacrum=referral.tumour_type == Referral.TumourType.BONE
        and referral.site in (rules.Site.SPINE, rules.Site.SACRUM),
        skull_base_or_transnasal=referral.skull_base or referral.transnasal_ccj,
        holders=capability_holders(),
    )
    agreed = referral.mdt_agreed_centre.code if referral.mdt_agreed_centre_id else None
    refusal = policy_rules.centre_refusal(rule=rule, centre=centre.code, mdt_agreed_centre=agreed)
    if refusal:
        refusals["centre"] = refusal
    outcome = policy_rules.has_mdt_outcome(status=referral.status, mdt_outcome_on=referral.mdt_outcome_on)
    refusal = policy_rules.first_treatment_refusal(has_mdt_outcome=outcome, urgent_override_reason="")
    if refusal:
        refusals["urgent_override_reason"] = refusal
    return refusals


OVERRIDE_HINT = (
    " If clinical urgency meant the pathway could not be followed, record a clinically urgent override "
    "with its reason: the MDT lead is told."
)


@transaction.atomic
def referral_record_first_treatment(
    *,
    referral_id: int,
    treated_on: datetime.date,
    modality: str,
    practitioner_id: int,
    centre_id: int,
    by,
    urgent_override_reason: str = "",
    expected_status: str | None = None,
) -> Referral:
    """Record the first definitive treatment: when (it stops the 62- and 31-day clocks), what
    (`modality`), who (a directory practitioner) and where (a directory service). Refused, with the
    pathway's sentence quoted, before an MDT outcome, by a practitioner the directory does not
    designate for it, or at a centre other than the pathway's without the MDT's recorded
    agreement; a clinically urgent override with a reason allows it, is recorded with what it
    departed from, and is flagged to the MDT lead (outbox)."""
    referral = referral_claim(referral_id=referral_id, expected_status=expected_status)
    refusal = policy_rules.transition_refusal(referral.status, Status.FIRST_TREATMENT_GIVEN)
    if refusal:
        raise ValidationError({"to_status": refusal})
    if treated_on < referral.received_on:
        raise ValidationError(
            {"treated_on": "The first treatment cannot be before the referral was received."}
        )
    if modality not in Referral.TreatmentModality.values:
        raise ValidationError({"modality": "Choose surgery, chemotherapy, radiotherapy or other."})
    practitioner = Practitioner.objects.filter(pk=practitioner_id).first()
    if practitioner is None or not practitioner.active:
        raise ValidationError({"practitioner": "Choose an active practitioner from the directory."})
    centre = Service.objects.filter(pk=centre_id).first()
    if centre is None:
        raise ValidationError({"centre": "Choose the centre from the directory's services."})
    departures = first_treatment_refusals(
        referral=referral, modality=modality, practitioner=practitioner, centre=centre
    )
    override = urgent_override_reason.strip()
    if departures and not override:
        # The before-MDT refusal says already how to record the override.
        raise ValidationError(
            {
                field: refusal if field == "urgent_override_reason" else refusal + OVERRIDE_HINT
                for field, refusal in departures.items()
            }
        )
    referral.first_treatment_on = treated_on
    referral.first_treatment_modality = modality
    referral.first_treatment_practitioner = practitioner
    referral.first_treatment_centre = centre
    update_fields = [
        "first_treatment_on",
        "first_treatment_modality",
        "first_treatment_practitioner",
        "first_treatment_centre",
    ]
    label = Referral.TreatmentModality(modality).label.lower()
    reason = f"First treatment ({label} by {practitioner} at {centre.code}) on {treated_on:%d/%m/%Y}."
    if departures:
        referral.urgent_override_reason = override
        referral.urgent_override_departures = list(departures.values())
        referral.urgent_override_flagged_at = None
        update_fields += [
            "urgent_override_reason",
            "urgent_override_departures",
            "urgent_override_flagged_at",
        ]
        reason = f"{reason} Clinically urgent override: {override}"
        enqueue("referrals.tasks.referral_flag_urgent_override", referral.pk)
    moved = _move(
        referral=referral,
        to_status=Status.FIRST_TREATMENT_GIVEN,
        by=by,
        reason=reason,
        update_fields=update_fields,
    )
    for step in settings.REFERRAL_FIRST_TREATMENT_STEPS:
        import_string(step)(referral=moved, by=by)  # in this transaction: all saved, or none
    return moved


@transaction.atomic
def referral_urgent_override_notify(*, referral_id: int) -> bool:
    """Tell the lead of the MDT that plans the referral's care (else the MDT office) that a first
    treatment departed from the pathway on clinical urgency, once: the referral's row is locked and
    `urgent_override_flagged_at` set in the transaction of the send, so a failed send is retried
    and a redelivered task sends nothing. Returns whether it was sent. Who leads the MDT comes
    through the setting REFERRAL_MDT_LEAD_ADDRESSES (referrals/ imports no mdt/)."""
    referral = Referral.objects.select_for_update().get(pk=referral_id)
    if referral.urgent_override_flagged_at is not None or not referral.urgent_override_departures:
        return False
    addresses = list(import_string(settings.REFERRAL_MDT_LEAD_ADDRESSES)(referral))
    if not addresses:
        logger.error("Urgent override on referral %s: nobody to tell (no MDT lead or office)", referral.pk)
        return False
    url = settings.PORTAL_BASE_URL + reverse("referrals:patient_detail", args=[referral.patient_id])
    departures = "\n".join(f"- {departure}" for departure in referral.urgent_override_departures)
    send_mail(
        subject=f"Urgent override of the pathway: referral {referral.pk}",
        message=(
            f"A first treatment of referral {referral.pk} on {referral.first_treatment_on:%d/%m/%Y} was "
            f"recorded with a clinically urgent override.\n\nReason given: {referral.urgent_override_reason}"
            f"\n\nIt departed from:\n{departures}\n\nOpen it: {url}\n"
        ),
        from_email=None,
        recipient_list=addresses,
    )
    referral.urgent_override_flagged_at = timezone.now()
    referral._change_reason = "Urgent override flagged to the MDT lead"
    referral.save(update_fields=["urgent_override_flagged_at"])
    return True


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
    *,
    referral_id: int,
    outcome_on: datetime.date,
    decision_to_treat_on: datetime.date | None,
    by,
    agreed_centre: Service | None = None,
    agreement_source: str = "",
) -> Referral:
    """An MDT outcome for the referral: it has an MDT outcome from `outcome_on` (the first one
    counts), the 31-day clock starts at its first decision to treat (national CWT guidance:
    decision to treat to first treatment), and it moves to "discussed at MDT" where allowed.
    `agreed_centre` is an alternative centre the MDT agreed for planned treatment ("following MDT
    agreement that it is appropriate to do so"), recorded with the outcome it came from
    (`agreement_source`); an outcome corrected to agree none withdraws its own agreement."""
    referral = referral_claim(referral_id=referral_id, expected_status=None)
    update_fields = []
    if agreed_centre is not None:
        referral.mdt_agreed_centre = agreed_centre
        referral.mdt_agreed_centre_on = outcome_on
        referral.mdt_agreement_source = agreement_source[:200]
        update_fields += ["mdt_agreed_centre", "mdt_agreed_centre_on", "mdt_agreement_source"]
    elif (
        agreement_source
        and referral.mdt_agreed_centre_id
        and agreement_source == referral.mdt_agreement_source
    ):
        referral.mdt_agreed_centre = None
        referral.mdt_agreed_centre_on = None
        referral.mdt_agreement_source = ""
        update_fields += ["mdt_agreed_centre", "mdt_agreed_centre_on", "mdt_agreement_source"]
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
