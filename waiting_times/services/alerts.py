"""The once-only pathway alerts (beat, daily: `waiting_times.tasks.send_pathway_alerts`).

- **At risk and breached**: an open pathway whose clock that matters now (the PTL's) is at risk
  or breached on or before today, to the MDT office and the responsible consultant, naming the
  next action and its owner (or saying there is none).
- **Day-38 handover due**: a transfer, in or out, not yet made whose handover date is within a
  week or past, to the MDT office and to the referring and the treating provider's contacts in
  the directory: the active key contacts with an e-mail address of the provider's service (for
  an organisation: of the services it, or its trust, belongs to). The directory holds no other
  e-mail for a provider; practitioners are people, not a provider's inbox. A provider with no
  such contact is named in the alert for the MDT office to telephone.

This replaces the referral sweep (referrals.WaitingTimeAlert, which counted the referral's old
clock fields); migration 0006 copied the alerts it raised, so none is raised twice.

Two steps, so that nothing is lost and nothing goes twice:
1. Raise: due pathways a batch at a time ("due on or before today and not yet alerted", so a
   skipped day is caught up), each batch one transaction: a PathwayAlert per pathway, kind and
   standard (the unique constraint makes it once-only) and a pending delivery per address.
2. Deliver: address by address, each its own transaction, one e-mail with every pending alert
   of that address, and those deliveries marked sent (or withdrawn, with the reason: the pathway
   closed, the transfer made, the recipient no longer has the patient). A run killed between
   two addresses leaves the others pending; a mail server that refuses leaves that address
   pending and raises AlertDeliveryFailed after the others.

E-mails name patients by initials and hospital number only, with a link to the pathway page, and
only to addresses in the secure domains (PORTAL_SECURE_EMAIL_DOMAINS); a directory contact or user
elsewhere gets the same lines without the initials, hospital number or next action's words."""

import datetime
import logging
from smtplib import SMTPException

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from directory.models import KeyContact, Organisation, Service
from portal.mail import send_patient_mail
from portal.roles import Role
from referrals.models import HospitalNumber

from ..models import CancerPathway, NextAction, PathwayAlert, PathwayAlertDelivery
from ..tracking import PtlStatus, Standard

logger = logging.getLogger(__name__)

SWEEP_BATCH = 1000
Kind = PathwayAlert.Kind
Delivery = PathwayAlertDelivery
NOT_THE_CONSULTANT = "The recipient is no longer the responsible consultant."


class AlertDeliveryFailed(Exception):
    """Some addresses' alert e-mails could not be sent; they stay pending for the next run."""


# What is due ------------------------------------------------------------------------------------


def clock_alerts_due(today: datetime.date) -> QuerySet:
    """Open pathways whose clock that matters now is at risk or breached on `today` and has not
    been alerted in that state (the PTL's stored dates: no clock is counted in Python)."""
    alerted = PathwayAlert.objects.filter(
        pathway=OuterRef("pk"), kind=OuterRef("ptl_state"), standard=OuterRef("ptl_standard")
    )
    return (
        CancerPathway.objects.open()
        .with_ptl_status(today)
        .filter(ptl_state__in=(PtlStatus.AT_RISK, PtlStatus.BREACHED))
        .exclude(Exists(alerted))
    )


def handover_alerts_due(today: datetime.date) -> QuerySet:
    """Open pathways with a transfer not yet made whose day-38 handover is within a week or
    past, not yet alerted."""
    alerted = PathwayAlert.objects.filter(pathway=OuterRef("pk"), kind=Kind.HANDOVER_DUE)
    return CancerPathway.objects.open().handover_due(today).exclude(Exists(alerted))


def _id_batches(queryset: QuerySet, size: int = SWEEP_BATCH):
    last = 0
    while batch := list(queryset.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:size]):
        yield batch
        last = batch[-1]


def _serialise_sweep() -> None:
    """Inside a transaction: wait for another run of this sweep to commit its batch (PostgreSQL:
    an advisory lock; SQLite's BEGIN IMMEDIATE already serialises writers)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", ["pathway alerts"])


# Who hears of it --------------------------------------------------------------------------------


def _office_users() -> list:
    users = get_user_model().objects.filter(groups__name=Role.MDT_OFFICE.value, is_active=True)
    return list(users.exclude(email="").order_by("pk"))


def _people(pathway: CancerPathway, office: list) -> dict[str, Delivery]:
    """The MDT office and the responsible consultant, by address."""
    people = [*office]
    consultant = pathway.referral.responsible_consultant
    if consultant is not None and consultant.is_active and consultant.email:
        people.append(consultant)
    return {user.email.lower(): Delivery(email=user.email, recipient=user) for user in people}


def _contacts_of(provider: Service | Organisation | None) -> list[KeyContact]:
    """A provider's directory contacts with an e-mail address: a service's own key contacts; an
    organisation's, those of the services it (or its trust) belongs to."""
    if provider is None:
        return []
    contacts = KeyContact.objects.filter(active=True).exclude(email="").select_related("service")
    if isinstance(provider, Service):
        return list(contacts.filter(service=provider).order_by("pk"))
    organisations = [provider.pk, *([provider.parent_id] if provider.parent_id else [])]
    return list(contacts.filter(service__organisations__in=organisations).distinct().order_by("pk"))


def handover_sides(
    pathway: CancerPathway,
) -> tuple[Service | Organisation | None, Service | Organisation | None]:
    """(referring provider, treating provider) of a transfer: in, from the referring provider to
    the referral's service; out, from the service to the provider that is to treat."""
    if pathway.transfer_out_to_id is not None:
        return pathway.referral.service, pathway.transfer_out_to
    return pathway.referring_provider, pathway.referral.service


def _provider_name(provider: Service | Organisation | None) -> str:
    return provider.name if provider is not None else "a provider not recorded"


def _handover_recipients(pathway: CancerPathway, office: list) -> tuple[dict[str, Delivery], str]:
    """The MDT office and both providers' directory contacts, by address; and a note naming a
    provider with no contact to e-mail."""
    recipients = {user.email.lower(): Delivery(email=user.email, recipient=user) for user in office}
    missing = []
    for role, provider in zip(("referring", "treating"), handover_sides(pathway), strict=True):
        contacts = _contacts_of(provider)
        if not contacts:
            missing.append(f"the {role} provider, {_provider_name(provider)}")
        for contact in contacts:
            recipients.setdefault(
                contact.email.lower(),
                Delivery(email=contact.email, contact=f"{contact.label} ({contact.service.code})"),
            )
    note = (
        f"No directory contact with an e-mail address for {' or '.join(missing)}: telephone them."
        if missing
        else ""
    )
    return recipients, note[:300]


# Raising ----------------------------------------------------------------------------------------


def _raise(ids: list[int], *, today: datetime.date, office: list, handover: bool) -> int:
    """One transaction: the alerts of pathways `ids` still due, with a pending delivery per
    address. Returns how many alerts were raised."""
    with transaction.atomic():
        _serialise_sweep()
        due = handover_alerts_due(today) if handover else clock_alerts_due(today)
        pathways = due.filter(pk__in=ids).select_related(
            "referral__responsible_consultant", "referral__service", "referring_provider", "transfer_out_to"
        )
        alerts, recipients = [], []
        for pathway in pathways.order_by("pk"):
            if handover:
                people, note = _handover_recipients(pathway, office)
                alert = PathwayAlert(
                    pathway=pathway, kind=Kind.HANDOVER_DUE, due_on=pathway.ptl_handover_by, note=note
                )
            else:
                people = _people(pathway, office)
                alert = PathwayAlert(
                    pathway=pathway,
                    kind=pathway.ptl_state,
                    standard=pathway.ptl_standard,
                    due_on=pathway.ptl_due_on,
                )
            alerts.append(alert)
            recipients.append(people.values())
        if not alerts:
            return 0
        alerts = PathwayAlert.objects.bulk_create(alerts, batch_size=SWEEP_BATCH)
        deliveries = []
        for alert, people in zip(alerts, recipients, strict=True):
            for delivery in people:
                delivery.alert = alert
                deliveries.append(delivery)
        Delivery.objects.bulk_create(deliveries, batch_size=SWEEP_BATCH)
    return len(alerts)


# Delivering -------------------------------------------------------------------------------------

ROW_FIELDS = {
    "pathway_id": F("alert__pathway_id"),
    "kind": F("alert__kind"),
    "standard": F("alert__standard"),
    "due_on": F("alert__due_on"),
    "note": F("alert__note"),
    "closed_at": F("alert__pathway__closed_at"),
    "transferred_on": F("alert__pathway__transferred_on"),
    "transferred_out_on": F("alert__pathway__transferred_out_on"),
    "consultant_id": F("alert__pathway__referral__responsible_consultant_id"),
    "patient_id": F("alert__pathway__referral__patient_id"),
    "given_name": F("alert__pathway__referral__patient__given_name"),
    "family_name": F("alert__pathway__referral__patient__family_name"),
    "service": F("alert__pathway__referral__service__name"),
    "referring_provider": F("alert__pathway__referring_provider__name"),
    "transfer_out_to": F("alert__pathway__transfer_out_to__name"),
}


def _withdrawal_reason(row: dict, recipient) -> str:
    """Why a pending delivery should no longer go, or "" if it should."""
    if row["closed_at"] is not None:
        return "The pathway has been closed."
    if row["kind"] == Kind.HANDOVER_DUE and (row["transferred_on"] or row["transferred_out_on"]):
        return "The transfer has been made."
    if recipient is None:
        return ""  # a directory contact
    if not recipient.is_active or not recipient.email:
        return "The recipient's account is inactive or has no e-mail address."
    if (
        row["kind"] != Kind.HANDOVER_DUE
        and not recipient.is_mdt_office
        and row["consultant_id"] != recipient.pk
    ):
        return NOT_THE_CONSULTANT
    return ""


def _hospital_numbers(patient_ids: list[int]) -> dict[int, tuple[str, str]]:
    """Each patient's first hospital number (by organisation name) with its ODS code."""
    numbers: dict[int, tuple[str, str]] = {}
    rows = (
        HospitalNumber.objects.filter(patient_id__in=patient_ids)
        .order_by("patient_id", "organisation__name", "pk")
        .values_list("patient_id", "number", "organisation__ods_code")
    )
    for patient_id, number, ods_code in rows:
        numbers.setdefault(patient_id, (number, ods_code))
    return numbers


def _next_actions(pathway_ids: list[int]) -> dict[int, NextAction]:
    """Each pathway's first open next action (soonest due)."""
    first: dict[int, NextAction] = {}
    actions = NextAction.objects.filter(pathway_id__in=pathway_ids, done_at__isnull=True).select_related(
        "owner"
    )
    for action in actions.order_by("pathway_id", "due_on", "pk"):
        first.setdefault(action.pathway_id, action)
    return first


def _line(
    row: dict, number: tuple[str, str] | None, action: NextAction | None, *, identifiable: bool = True
) -> str:
    """One alert's line. Not `identifiable` (an address outside the secure domains): the same
    line without the patient's initials and hospital number, or the next action's words."""
    initials = f"{row['given_name'][:1]}{row['family_name'][:1]}".upper()
    who = (
        f"{initials}, hospital no. {number[0]} ({number[1]})" if number else f"{initials}, no hospital number"
    )
    url = settings.PORTAL_BASE_URL + reverse("waiting_times:pathway", args=[row["pathway_id"]])
    pathway = (
        f"{who}, pathway {row['pathway_id']}: {url}."
        if identifiable
        else f"pathway {row['pathway_id']}: {url}."
    )
    due = f"{row['due_on']:%d/%m/%Y}"
    if row["kind"] == Kind.HANDOVER_DUE:
        service = row["service"] or "the service"
        if row["transfer_out_to"]:
            move = f"transfer out from {service} to {row['transfer_out_to']}"
        else:
            move = f"transfer in from {row['referring_provider'] or 'a provider not recorded'} to {service}"
        note = f" {row['note']}" if row["note"] else ""
        return f"- Day-38 handover due {due} ({move}) for {pathway}{note}"
    standard = Standard(row["standard"]).label if row["standard"] else "Clock"
    kind = Kind(row["kind"]).label.lower()
    if action is not None and not identifiable:
        then = f"Next action by {action.due_on:%d/%m/%Y}: see the PTL."
    elif action is not None:
        then = f"Next action: {action.what}, owner {action.owner}, by {action.due_on:%d/%m/%Y}."
    else:
        then = "No next action recorded: add one on the PTL."
    return f"- {standard}: {kind} (due {due}) for {pathway} {then}"


def alert_deliveries_withdraw_for_user(*, user, reason: str) -> int:
    """A deactivated account gets nothing more: its pending alert e-mails are withdrawn with the
    reason (portal.services.user_deactivate runs this through USER_DEACTIVATION_STEPS)."""
    return Delivery.objects.filter(recipient=user, status=Delivery.Status.PENDING).update(
        status=Delivery.Status.WITHDRAWN, withdrawn_reason=reason
    )


def _set_deliveries(ids: list[int], **values) -> None:
    for start in range(0, len(ids), SWEEP_BATCH):
        Delivery.objects.filter(pk__in=ids[start : start + SWEEP_BATCH]).update(**values)


def _deliver_to(email: str) -> int:
    """One transaction: one e-mail to `email` with every pending alert of that address, marked
    sent; those that should no longer go are withdrawn with the reason (a clock alert whose
    consultant changed passes to the new one). Rows another worker is sending are skipped
    (PostgreSQL). Returns how many alerts it carried."""
    with transaction.atomic():
        rows = list(
            Delivery.objects.filter(email=email, status=Delivery.Status.PENDING)
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("alert__pathway_id", "alert__kind", "alert__standard")
            .values("pk", "alert_id", "recipient_id", **ROW_FIELDS)
        )
        if not rows:
            return 0
        users = get_user_model().objects.in_bulk({row["recipient_id"] for row in rows if row["recipient_id"]})
        reasons = {row["pk"]: _withdrawal_reason(row, users.get(row["recipient_id"])) for row in rows}
        withdrawn: dict[str, list[int]] = {}
        for pk, reason in reasons.items():
            if reason:
                withdrawn.setdefault(reason, []).append(pk)
        for reason, ids in withdrawn.items():
            _set_deliveries(ids, status=Delivery.Status.WITHDRAWN, withdrawn_reason=reason)
        _pass_on([row for row in rows if reasons[row["pk"]] == NOT_THE_CONSULTANT])
        rows = [row for row in rows if not reasons[row["pk"]]]
        if not rows:
            return 0
        numbers = _hospital_numbers(sorted({row["patient_id"] for row in rows}))
        actions = _next_actions(sorted({row["pathway_id"] for row in rows}))
        lines = [_line(row, numbers.get(row["patient_id"]), actions.get(row["pathway_id"])) for row in rows]
        # Initials and hospital numbers only to the secure domains; a provider's contact elsewhere
        # gets each pathway's number and link (issue 17 finding 6).
        send_patient_mail(
            subject=f"Cancer waiting times: {len(lines)} alert(s)",
            identifiable_body=render_to_string("waiting_times/email/pathway_alerts.txt", {"lines": lines}),
            link_only_body=render_to_string(
                "waiting_times/email/pathway_alerts.txt",
                {
                    "lines": [
                        _line(row, None, actions.get(row["pathway_id"]), identifiable=False) for row in rows
                    ]
                },
            ),
            to=[email],
        )
        _set_deliveries([row["pk"] for row in rows], status=Delivery.Status.SENT, sent_at=timezone.now())
    return len(rows)


def _pass_on(rows: list[dict]) -> None:
    """Clock alerts follow their patient to the new responsible consultant."""
    consultants = get_user_model().objects.in_bulk(
        {row["consultant_id"] for row in rows if row["consultant_id"]}
    )
    Delivery.objects.bulk_create(
        [
            Delivery(alert_id=row["alert_id"], email=user.email, recipient=user)
            for row in rows
            if (user := consultants.get(row["consultant_id"])) is not None and user.is_active and user.email
        ],
        ignore_conflicts=True,
    )


def pathway_alerts_send(*, today: datetime.date) -> int:
    """Raise every alert due on or before `today` and not yet raised, then send every pending
    delivery, one e-mail per address (see the module docstring). Each step commits its own
    transactions: inside one atomic block a crash would roll back the e-mails' sent-marks too.
    Returns how many alerts this run raised."""
    office = _office_users()
    raised = sum(
        _raise(ids, today=today, office=office, handover=False)
        for ids in _id_batches(clock_alerts_due(today))
    )
    raised += sum(
        _raise(ids, today=today, office=office, handover=True)
        for ids in _id_batches(handover_alerts_due(today))
    )
    failed, done = [], set()
    # A second pass for the consultants alerts were passed on to during the first.
    for _ in range(2):
        pending = (
            Delivery.objects.filter(status=Delivery.Status.PENDING)
            .order_by("email")
            .values_list("email", flat=True)
            .distinct()
        )
        for email in [address for address in pending if address not in done]:
            done.add(email)
            try:
                _deliver_to(email)
            except (SMTPException, OSError):
                # The delivery's id only: no patient identifier, no address, in the logs.
                logger.exception("A pathway alert e-mail failed; it stays pending")
                failed.append(email)
    if failed:
        raise AlertDeliveryFailed(
            f"Alert e-mails to {len(failed)} address(es) stay pending for the next run."
        )
    return raised
