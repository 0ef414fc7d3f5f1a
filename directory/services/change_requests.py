"""Change requests: the live directory changes only through an approved one (or a superuser in
the admin), and these functions are the only way a change request moves.

Transitions lock their row (select_for_update inside the transaction) and check its status, so
two SAG members approving at once apply the change exactly once: the second is told another SAG
member got there first. Notifications go out after commit."""

import datetime

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from portal.outbox import enqueue

from .. import notifications, rules
from ..forms import RECORD_FORMS, jsonable, record_values
from ..models import ChangeRequest

Kind = ChangeRequest.Kind
Status = ChangeRequest.Status
TargetType = ChangeRequest.TargetType

PROPOSE_PERMISSION = "directory.add_changerequest"
APPROVE_PERMISSION = "directory.approve_changerequest"


class ChangeRequestError(Exception):
    """A transition that cannot happen; the message says why, for the user."""


class AlreadyDecidedError(ChangeRequestError):
    pass


class OwnRequestError(ChangeRequestError):
    pass


class StaleRequestError(ChangeRequestError):
    pass


class NothingToChangeError(ValidationError):
    pass


# Reading the target ------------------------------------------------------------------------------


def current_version(record: Model | None) -> int | None:
    """The record's latest history id: it moves on with every save, whoever makes it."""
    if record is None or record.pk is None:
        return None
    return record.history.order_by("-history_id").values_list("history_id", flat=True).first()


def _target_model(target_type: str) -> type[Model]:
    return RECORD_FORMS[target_type]._meta.model


def _target_fields(target_type: str, record: Model | None) -> dict:
    field_of_type = {
        TargetType.PRACTITIONER: "practitioner",
        TargetType.KEY_CONTACT: "key_contact",
        TargetType.SERVICE: "service",
        TargetType.DIAGNOSTIC_CLINIC: "diagnostic_clinic",
    }
    return {name: record if name == field_of_type[target_type] else None for name in field_of_type.values()}


def _form_errors(form) -> ValidationError:
    return ValidationError(form.errors.as_data())


def _validated_values(*, kind: str, target_type: str, target: Model | None, values: dict) -> dict:
    """The proposed values, checked by the target's ModelForm: every field for an addition,
    the changed fields for a change, `active: False` for a retirement."""
    form_class = RECORD_FORMS[target_type]
    if kind == Kind.RETIRE:
        if not target.active:
            raise NothingToChangeError({NON_FIELD_ERRORS: [f"{target} is already retired."]})
        return {"active": False}
    current = record_values(target, form_class) if target is not None else {}
    instance = type(target).objects.get(pk=target.pk) if target is not None else None
    form = form_class(data={**current, **values}, instance=instance)
    if not form.is_valid():
        raise _form_errors(form)
    proposed = {name: jsonable(form.cleaned_data[name], form.fields[name]) for name in form.fields}
    if kind == Kind.ADD:
        return proposed
    changed = rules.changed_values(current=current, proposed=proposed)
    if not changed:
        raise NothingToChangeError(
            {NON_FIELD_ERRORS: ["The proposed values are the same as the current entry: nothing to change."]}
        )
    return changed


def _check_no_open_duplicate_addition(*, target_type: str, values: dict) -> None:
    """Two requests to add the same practitioner would both pass validation until one applied."""
    if target_type != TargetType.PRACTITIONER:
        return
    duplicate = (
        ChangeRequest.objects.filter(
            kind=Kind.ADD,
            target_type=target_type,
            status__in=[Status.PENDING, Status.STALE, Status.SCHEDULED],
            proposed_values__name__iexact=values.get("name", ""),
            proposed_values__organisation=values.get("organisation"),
        )
        .values_list("pk", flat=True)
        .first()
    )
    if duplicate:
        raise ValidationError(
            {
                "name": f"Change request #{duplicate} already proposes adding this practitioner "
                "at this organisation."
            }
        )


# Proposing ---------------------------------------------------------------------------------------


@transaction.atomic
def change_request_propose(
    *,
    proposer,
    kind: str,
    target_type: str,
    target_id: int | None = None,
    values: dict | None = None,
    reason: str,
    effective_date: datetime.date | None = None,
    notify: bool = True,
) -> ChangeRequest:
    """Record a proposed change for the SAG. Nothing in the live directory changes.

    Raises ValidationError (naming the field) when a proposed value is invalid: a bad e-mail
    address, an unknown organisation, a practitioner already listed, or no change at all."""
    if not proposer.has_perm(PROPOSE_PERMISSION):
        raise PermissionDenied("Only the MDT office and SAG members may propose directory changes.")
    if not reason or not reason.strip():
        raise ValidationError({"reason": ["Give a reason for the change."]})
    if target_type == TargetType.SERVICE and kind != Kind.CHANGE:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: [
                    "A superuser adds and retires services; propose a change to an existing one."
                ]
            }
        )
    target = None
    if kind != Kind.ADD:
        target = _target_model(target_type).objects.filter(pk=target_id).first()
        if target is None:
            raise ValidationError(
                {NON_FIELD_ERRORS: [f"There is no {target_type.replace('_', ' ')} #{target_id}."]}
            )
    proposed = _validated_values(kind=kind, target_type=target_type, target=target, values=values or {})
    if kind == Kind.ADD:
        _check_no_open_duplicate_addition(target_type=target_type, values=proposed)
    change_request = ChangeRequest.objects.create(
        kind=kind,
        target_type=target_type,
        **_target_fields(target_type, target),
        proposed_values=proposed,
        reason=reason.strip(),
        proposed_by=proposer,
        base_version=current_version(target),
        effective_date=effective_date,
    )
    if notify:
        _notify_sag_on_commit([change_request.pk])
    return change_request


def _notify_sag_on_commit(change_request_ids: list[int]) -> None:
    enqueue("directory.tasks.notify_sag_of_new_requests", list(change_request_ids))


def _notify_proposer_on_commit(change_request_id: int) -> None:
    enqueue("directory.tasks.notify_proposer_of_decision", change_request_id)


@transaction.atomic
def change_requests_notify_sag(*, change_request_ids: list[int]) -> list[int]:
    """E-mail the SAG members about new requests, once: each request is claimed by setting
    sag_notified_at, so a redelivered task sends nothing. Returns the ids notified."""
    pending = list(
        ChangeRequest.objects.select_for_update(of=("self",))
        .filter(pk__in=change_request_ids, status=Status.PENDING, sag_notified_at__isnull=True)
        .select_related("proposed_by")
    )
    if not pending:
        return []
    now = timezone.now()
    for change_request in pending:
        change_request.sag_notified_at = now
        change_request.save(update_fields=["sag_notified_at"])
    notifications.send_new_requests_to_sag(pending)
    return [change_request.pk for change_request in pending]


@transaction.atomic
def change_request_notify_proposer(*, change_request_id: int) -> bool:
    """E-mail the proposer the SAG's decision, once per decision. True if sent."""
    change_request = _lock(change_request_id)
    decided = {Status.APPLIED, Status.SCHEDULED, Status.REJECTED}
    if change_request.status not in decided or change_request.proposer_notified_at is not None:
        return False
    change_request.proposer_notified_at = timezone.now()
    change_request.save(update_fields=["proposer_notified_at"])
    notifications.send_decision_to_proposer(change_request)
    return True


# Deciding ----------------------------------------------------------------------------------------


def _check_may_decide(change_request: ChangeRequest, decider) -> None:
    if not decider.has_perm(APPROVE_PERMISSION):
        raise PermissionDenied("Only SAG members may approve or reject directory changes.")
    if not rules.may_decide(proposer_id=change_request.proposed_by_id, decider_id=decider.pk):
        raise OwnRequestError("You proposed this change, so another SAG member must decide it.")


def _lock(change_request_id: int) -> ChangeRequest:
    return ChangeRequest.objects.select_for_update().get(pk=change_request_id)


def _already_decided(change_request: ChangeRequest) -> AlreadyDecidedError:
    if change_request.decided_by_id:
        return AlreadyDecidedError(
            f"Another SAG member got there first: {change_request.decided_by} already decided "
            f"change request #{change_request.pk} ({change_request.get_status_display().lower()})."
        )
    return AlreadyDecidedError(
        f"Change request #{change_request.pk} is {change_request.get_status_display().lower()}, "
        "so it cannot be decided now."
    )


def change_request_approve(
    *,
    change_request_id: int,
    approver,
    comment: str = "",
    today: datetime.date | None = None,
    notify: bool = True,
) -> ChangeRequest:
    """Approve a pending request and apply it in the same transaction (or schedule it, if it has
    an effective date after today). Not the proposer's own; not a stale one: if the record changed
    since the request was made, the request is marked stale and StaleRequestError is raised.
    `notify` False (the demo seed, with no broker yet) sends the proposer nothing."""
    try:
        return _approve(
            change_request_id=change_request_id,
            approver=approver,
            comment=comment,
            today=today,
            notify=notify,
        )
    except StaleRequestError:
        # The approval rolled back; record the staleness in a transaction of its own.
        change_request_mark_stale(change_request_id=change_request_id)
        raise


@transaction.atomic
def _approve(
    *, change_request_id: int, approver, comment: str, today: datetime.date | None, notify: bool = True
) -> ChangeRequest:
    change_request = _lock(change_request_id)
    _check_may_decide(change_request, approver)
    if change_request.status != Status.PENDING:
        raise _already_decided(change_request)
    today = today or timezone.localdate()
    change_request.decided_by = approver
    change_request.decided_at = timezone.now()
    change_request.decision_comment = comment.strip()
    if rules.applies_now(effective_date=change_request.effective_date, today=today):
        _apply(change_request)
    else:
        # Check now that it would apply, so the SAG hears about a problem at approval time.
        _checked_form(change_request)
        change_request.status = Status.SCHEDULED
        change_request._history_user = approver
        change_request.save()
    if notify:
        _notify_proposer_on_commit(change_request.pk)
    return change_request


@transaction.atomic
def change_request_reject(*, change_request_id: int, decider, comment: str) -> ChangeRequest:
    """Reject a pending or stale request, with a comment for the proposer."""
    if not comment or not comment.strip():
        raise ValidationError({"comment": ["Say why the request is rejected."]})
    change_request = _lock(change_request_id)
    _check_may_decide(change_request, decider)
    if change_request.status not in {Status.PENDING, Status.STALE}:
        raise _already_decided(change_request)
    change_request.status = Status.REJECTED
    change_request.decided_by = decider
    change_request.decided_at = timezone.now()
    change_request.decision_comment = comment.strip()
    change_request._history_user = decider
    change_request.save()
    _notify_proposer_on_commit(change_request.pk)
    return change_request


@transaction.atomic
def change_request_mark_stale(*, change_request_id: int) -> bool:
    """Mark a pending or scheduled request stale; True if it changed."""
    change_request = _lock(change_request_id)
    if change_request.status not in {Status.PENDING, Status.SCHEDULED}:
        return False
    change_request.status = Status.STALE
    change_request.save()
    return True


@transaction.atomic
def change_request_rebase(*, change_request_id: int, user) -> ChangeRequest:
    """Bring a stale request up to date: re-check its proposed values against the record as it
    is now, take the record's current version, and send it back to the SAG as pending."""
    if not (user.has_perm(PROPOSE_PERMISSION) or user.has_perm(APPROVE_PERMISSION)):
        raise PermissionDenied("Only the MDT office and SAG members may re-base change requests.")
    change_request = _lock(change_request_id)
    target = change_request.target
    if target is not None:
        target = type(target).objects.get(pk=target.pk)
    pending_but_stale = change_request.status == Status.PENDING and rules.is_stale(
        base_version=change_request.base_version, current_version=current_version(target)
    )
    if change_request.status != Status.STALE and not pending_but_stale:
        raise ChangeRequestError(
            f"Only a stale request can be re-based; #{change_request.pk} is "
            f"{change_request.get_status_display().lower()}."
        )
    values = dict(change_request.proposed_values)
    if change_request.kind == Kind.RETIRE:
        values = {}
    change_request.proposed_values = _validated_values(
        kind=change_request.kind, target_type=change_request.target_type, target=target, values=values
    )
    change_request.base_version = current_version(target)
    change_request.status = Status.PENDING
    change_request.decided_by = None
    change_request.decided_at = None
    change_request.decision_comment = ""
    change_request.sag_notified_at = None
    change_request.proposer_notified_at = None
    change_request._history_user = user
    change_request.save()
    _notify_sag_on_commit([change_request.pk])
    return change_request


# Applying ----------------------------------------------------------------------------------------


def _change_reason(change_request: ChangeRequest) -> str:
    reason = f"Change request #{change_request.pk} approved by {change_request.decided_by}"
    return reason[:100]  # simple-history's history_change_reason is 100 characters


def _checked_form(change_request: ChangeRequest):
    """The target's form, bound to the record as the request would leave it and valid; raises
    StaleRequestError if the target changed since the request was made, ValidationError if the
    values are no longer valid."""
    form_class = RECORD_FORMS[change_request.target_type]
    if change_request.kind == Kind.ADD:
        form = form_class(data=change_request.proposed_values)
    else:
        target = type(change_request.target).objects.select_for_update().get(pk=change_request.target.pk)
        if rules.is_stale(base_version=change_request.base_version, current_version=current_version(target)):
            raise StaleRequestError(
                f"{target} changed after change request #{change_request.pk} was made: "
                "re-base the request before deciding it."
            )
        data = {**record_values(target, form_class), **change_request.proposed_values}
        form = form_class(data=data, instance=target)
    if not form.is_valid():
        raise _form_errors(form)
    return form


def _apply(change_request: ChangeRequest) -> None:
    """Write the change to the live directory, the history row naming the approver and the
    request; requests still pending on the same record become stale."""
    form = _checked_form(change_request)
    record = form.save(commit=False)
    record._history_user = change_request.decided_by
    record._change_reason = _change_reason(change_request)
    record.save()
    form.save_m2m()  # a service's organisations and capabilities, each change in its history
    if change_request.kind == Kind.ADD:
        for name, value in _target_fields(change_request.target_type, record).items():
            setattr(change_request, name, value)
    change_request.status = Status.APPLIED
    change_request.applied_at = timezone.now()
    change_request._history_user = change_request.decided_by
    change_request.save()
    for other in (
        ChangeRequest.objects.for_target(record).filter(status=Status.PENDING).exclude(pk=change_request.pk)
    ):
        other.status = Status.STALE
        other.save()


def change_request_apply_due(*, today: datetime.date | None = None) -> list[int]:
    """Apply every approved request whose effective date is on or before today (a missed day
    loses nothing). A request whose record changed meanwhile, or whose values no longer pass,
    becomes stale for the SAG to re-base. Returns the ids applied."""
    today = today or timezone.localdate()
    applied = []
    for change_request_id in ChangeRequest.objects.due(today).values_list("pk", flat=True):
        try:
            if _apply_scheduled(change_request_id=change_request_id, today=today):
                applied.append(change_request_id)
        except (StaleRequestError, ValidationError):
            change_request_mark_stale(change_request_id=change_request_id)
    return applied


@transaction.atomic
def _apply_scheduled(*, change_request_id: int, today: datetime.date) -> bool:
    change_request = _lock(change_request_id)
    if change_request.status != Status.SCHEDULED or change_request.effective_date > today:
        return False  # applied by another run, or no longer due
    _apply(change_request)
    return True
