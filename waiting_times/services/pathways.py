"""Every write of the cancer waiting times: a pathway for each new referral, its dates recorded
with a reason, breach reasons, closing, and next actions.

Each date change is checked by the clock rules (`rules.validate`), refused with a ValidationError
naming the field, and written with a PathwayEvent per field (who, when, from, to, why) and a
history row; the PTL's stored tracking dates are recomputed in the same transaction."""

import datetime
import logging
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from directory.models import Organisation
from referrals.models import Referral

from .. import rules
from ..models import BreachReason, CancerPathway, Ending, NextAction, Outcome, PathwayEvent, Route
from ..tracking import Standard, clock_start_on, facts_of, outcome_fields, tracking_fields

logger = logging.getLogger(__name__)

# What pathway_record may change.
RECORDABLE = (
    "route",
    "first_received_on",
    "referring_provider",
    "transferred_on",
    "transfer_out_to",
    "transferred_out_on",
    "upgraded_on",
    "dna_rebooked_on",
    "told_on",
    "outcome",
    "decision_to_treat_on",
    "offer_declined_for",
    "offer_available_from",
    "treated_on",
    "treatment_admitted",
    "ended",
    "ended_on",
)
CHOICES = {"route": Route, "outcome": Outcome, "ended": Ending}
# The rules' name of a fact -> the pathway's field a refusal is shown on.
FIELD_OF_KEY = {"received_on": "first_received_on", "admitted_offer_declined": "offer_declined_for"}


class PathwayConflict(ValidationError):
    """The pathway or action changed under the user: another user got there first."""


# Intake ---------------------------------------------------------------------------------------


def pathway_create_for_referral(*, referral: Referral, by=None) -> CancerPathway:
    """At intake (a REFERRAL_INTAKE_STEPS step, inside referral_create's transaction): the
    referral's cancer pathway, an urgent suspected cancer referral received on its received date.
    A referral marked as transferred between trusts becomes a transfer that reached us on that
    date, with the first provider's receipt date to be entered (the PTL shows it missing)."""
    transfer = referral.transferred_between_trusts
    pathway = CancerPathway(
        referral=referral,
        route=Route.URGENT_SUSPECTED_CANCER,
        first_received_on=None if transfer else referral.received_on,
        transferred_on=referral.received_on if transfer else None,
        referring_provider_id=referral.referring_organisation_id if transfer else None,
    )
    pathway._change_reason = "Referral taken in."
    pathway.save()
    PathwayEvent.objects.create(
        pathway=pathway, actor=by, field="pathway", to_value="created", reason="Referral taken in."
    )
    pathway_refresh_tracking(pathway=pathway)
    return pathway


# Dates ----------------------------------------------------------------------------------------


def pathway_record_first_treatment(*, referral, by) -> CancerPathway | None:
    """The first definitive treatment recorded on the referral (referrals.services
    .referral_record_first_treatment, through REFERRAL_FIRST_TREATMENT_STEPS) stops the pathway's
    62- and 31-day clocks on the same date. Checked by the clock rules like any date: a treatment
    the pathway's dates refuse is refused, and the referral's record with it."""
    pathway = CancerPathway.objects.filter(referral=referral).only("pk").first()
    if pathway is None:
        return None
    return pathway_record(
        pathway_id=pathway.pk,
        by=by,
        changes={"treated_on": referral.first_treatment_on},
        reason="First definitive treatment recorded on the referral.",
    )


def _claim(pathway_id: int) -> CancerPathway:
    pathway = CancerPathway.objects.select_for_update().get(pk=pathway_id)
    if pathway.closed_at is not None:
        raise PathwayConflict("This pathway is closed: nothing on it can change.")
    return pathway


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why: the reason is kept with the change."})
    return reason


def _display(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Organisation):
        return f"{value.name} ({value.ods_code})"
    return str(value)[:200]


def pathway_validate(pathway: CancerPathway, *, today: datetime.date | None = None) -> None:
    """Refuse dates no real pathway has, with a ValidationError naming the field: the clock
    rules' checks (rules.validate), a clock start, and a declined offer given in full."""
    for name, choices in CHOICES.items():
        value = getattr(pathway, name)
        if (value or name == "route") and value not in choices.values:
            raise ValidationError({name: f"Choose one of: {', '.join(choices.labels)}."})
    if clock_start_on(pathway) is None:
        raise ValidationError(
            {"first_received_on": "Enter the date the first provider received the referral."}
        )
    if pathway.transferred_out_on and pathway.transfer_out_to_id is None:
        raise ValidationError({"transfer_out_to": "Say which provider the patient was transferred to."})
    if pathway.transfer_out_to_id is not None and pathway.is_transfer:
        # The Breach Allocation Guidance's multi-provider pathways are not modelled: one transfer
        # per pathway, in or out (docs/cwt-guidance.md).
        raise ValidationError(
            {
                "transfer_out_to": "This pathway was transferred in: record the transfer out at the "
                "provider that is to treat, or remove the transfer in first."
            }
        )
    if bool(pathway.offer_declined_for) != bool(pathway.offer_available_from):
        field = "offer_available_from" if pathway.offer_declined_for else "offer_declined_for"
        raise ValidationError(
            {field: "A declined offer needs both the date offered and the date available from."}
        )
    try:
        rules.validate(facts_of(pathway, today or timezone.localdate()))
    except rules.PathwayError as error:
        field = FIELD_OF_KEY.get(error.key, error.key)
        if field == "first_received_on" and pathway.first_received_on is None:
            field = "transferred_on"
        if field == "transferred_on" and pathway.transferred_on is None:
            field = "transferred_out_on"  # the rules' transfer was the transfer out
        raise ValidationError({field: str(error)}) from error


@transaction.atomic
def pathway_record(*, pathway_id: int, by, changes: Mapping[str, object], reason: str) -> CancerPathway:
    """Record one or more of a pathway's dates (or its route, outcome, setting, ending) with a
    reason. Checked by the clock rules as a whole, so a pair of dates can be corrected together;
    one PathwayEvent per field that changed, one history row, and the PTL's tracking dates."""
    reason = _reason(reason)
    unknown = sorted(set(changes) - set(RECORDABLE))
    if unknown:
        raise ValidationError({unknown[0]: "This cannot be recorded on a pathway."})
    pathway = _claim(pathway_id)
    before = {name: getattr(pathway, name) for name in changes}
    for name, value in changes.items():
        setattr(pathway, name, value)
    changed = [name for name in changes if getattr(pathway, name) != before[name]]
    if not changed:
        return pathway
    pathway_validate(pathway)
    pathway._change_reason = reason[:100]
    pathway.save(update_fields=changed)
    _events(pathway, by, reason, ((name, before[name], getattr(pathway, name)) for name in changed))
    pathway_refresh_tracking(pathway=pathway)
    logger.info("Pathway %s: %s recorded by user %s", pathway.pk, ", ".join(changed), getattr(by, "pk", None))
    return pathway


def _events(pathway: CancerPathway, by, reason: str, changes: Iterable[tuple[str, object, object]]) -> None:
    at = timezone.now()
    PathwayEvent.objects.bulk_create(
        PathwayEvent(
            pathway=pathway,
            actor=by,
            at=at,
            field=name,
            from_value=_display(old),
            to_value=_display(new),
            reason=reason,
        )
        for name, old, new in changes
    )


def pathway_refresh_tracking(*, pathway: CancerPathway) -> CancerPathway:
    """Recompute the PTL's stored tracking dates and the performance figures' outcome fields from
    the pathway's dates and the settings (derived values: an update without a history row, like
    a cache)."""
    fields = tracking_fields(pathway) | outcome_fields(pathway)
    CancerPathway.objects.filter(pk=pathway.pk).update(**fields)
    for name, value in fields.items():
        setattr(pathway, name, value)
    return pathway


@transaction.atomic
def pathway_record_breach_reason(
    *, pathway_id: int, by, breach_reason: str, details: str = ""
) -> CancerPathway:
    """Why a standard was breached, from the national delay-reason list, with details (which
    "Other reason" requires)."""
    details = (details or "").strip()
    if breach_reason not in BreachReason.values:
        raise ValidationError({"breach_reason": "Choose the reason from the list."})
    if breach_reason == BreachReason.OTHER and not details:
        raise ValidationError({"details": "Describe the cause of the delay: the reason is 'Other'."})
    pathway = _claim(pathway_id)
    before = (pathway.breach_reason, pathway.breach_reason_text)
    if before == (breach_reason, details):
        return pathway
    pathway.breach_reason, pathway.breach_reason_text = breach_reason, details
    reason = f"Breach reason: {BreachReason(breach_reason).label}" + (f" ({details})" if details else "")
    pathway._change_reason = reason[:100]
    pathway.save(update_fields=["breach_reason", "breach_reason_text"])
    _events(pathway, by, reason, [("breach_reason", before[0], breach_reason)])
    return pathway


@transaction.atomic
def pathway_close(*, pathway_id: int, by, reason: str) -> CancerPathway:
    """Take a pathway off the PTL. Refused while its dates are ones the rules refuse, and while
    a breached clock has no breach reason (issue 18: "A breached clock needs a breach reason from
    the national delay-reason list (and free text) before the pathway can close")."""
    reason = _reason(reason)
    pathway = _claim(pathway_id)
    try:
        clocks = pathway.clocks()
    except rules.PathwayError as error:
        raise ValidationError({"reason": f"Correct the pathway's dates first: {error}"}) from error
    breached = [clock for clock in clocks if clock.status == rules.ClockStatus.BREACHED]
    if breached and not pathway.breach_reason:
        names = " and ".join(Standard(clock.standard.value).label for clock in breached)
        raise ValidationError(
            {"breach_reason": f"Record why the {names} standard was breached before closing."}
        )
    pathway.closed_at, pathway.closed_by, pathway.close_reason = timezone.now(), by, reason
    pathway._change_reason = f"Closed: {reason}"[:100]
    pathway.save(update_fields=["closed_at", "closed_by", "close_reason"])
    _events(pathway, by, reason, [("closed", "", pathway.closed_at.date())])
    return pathway


# Next actions ---------------------------------------------------------------------------------


@transaction.atomic
def next_action_add(*, pathway_id: int, by, what: str, owner, due_on: datetime.date) -> NextAction:
    """What has to happen next, who does it and by when. The owner must be someone who may see
    the patient (the MDT office, or a clinician of the referral)."""
    what = (what or "").strip()
    if not what:
        raise ValidationError({"what": "Say what has to happen next."})
    if due_on < timezone.localdate():
        raise ValidationError({"due_on": "The due date is in the past."})
    pathway = _claim(pathway_id)
    if owner is None or not CancerPathway.objects.visible_to(owner).filter(pk=pathway.pk).exists():
        raise ValidationError(
            {"owner": "Choose someone who may see this patient: the MDT office or their clinician."}
        )
    action = NextAction(pathway=pathway, what=what, owner=owner, due_on=due_on, created_by=by)
    action._change_reason = "Next action added."
    action.save()
    return action


@transaction.atomic
def next_action_complete(*, action_id: int, by) -> NextAction:
    """Mark a next action done; a second user marking it at the same time is told so."""
    action = NextAction.objects.select_for_update().get(pk=action_id)
    if action.done_at is not None:
        raise PathwayConflict("Another user got there first: this action is already done.")
    action.done_at, action.done_by = timezone.now(), by
    action._change_reason = "Done."
    action.save(update_fields=["done_at", "done_by"])
    return action
