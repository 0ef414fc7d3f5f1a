"""Reminder sweeps for MDT meetings, run by the beat tasks in mdt/tasks.py.

Each sweep selects what is due on or before now (rules in mdt/rules.py) and not yet sent, so a
skipped run sends late rather than never. Each e-mail is recorded in MdtReminderSent in the same
transaction as its send: the unique key (kind, object, meeting, recipient) makes a second send
impossible (a concurrent worker waits on the key, then skips), and a worker killed before the
commit leaves no row, so the next sweep sends it.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Sequence

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from directory.models import Practitioner
from portal.mail import is_secure_address, one_line
from portal.roles import Role

from .. import rules
from ..calendar import meeting_invitation
from ..models import Mdt, MdtDiscussion, MdtMeeting, MdtReminderSent

logger = logging.getLogger(__name__)

OPEN = (MdtMeeting.Status.PLANNED, MdtMeeting.Status.LIST_CLOSED)


def local_text(value: datetime.datetime) -> str:
    """A time as people in London read it, e.g. "Wednesday 02 December 2026 08:00"."""
    return f"{timezone.localtime(value):%A %d %B %Y %H:%M}"


def send_once(
    *,
    kind: str,
    object_id: int,
    meeting_id: int,
    recipient: str,
    message: Callable[[], EmailMessage],
    now: datetime.datetime,
) -> bool:
    """Send one e-mail unless it was sent before, recording it in the same transaction. A failed
    send raises and records nothing (the caller decides: a page shows the error; a sweep logs it
    and goes on, `sweep_send_once`)."""
    key = {"kind": kind, "object_id": object_id, "meeting_id": meeting_id, "recipient": recipient}
    if MdtReminderSent.objects.filter(**key).exists():
        return False
    try:
        with transaction.atomic():
            MdtReminderSent.objects.create(**key, sent_at=now)
            message().send()
    except IntegrityError:
        return False  # another worker sent it
    return True


def sweep_send_once(**kwargs) -> bool:
    """`send_once` for a sweep: a recipient whose e-mail fails (a refused address, a header the
    mail library will not take) is logged by ids only and left unrecorded, so the next run tries
    again, and the sweep goes on to the next recipient (issue 17 finding 8)."""
    try:
        return send_once(**kwargs)
    except Exception:
        logger.exception(
            "MDT %s e-mail about object %s of meeting %s failed; it will be tried again",
            kwargs["kind"],
            kwargs["object_id"],
            kwargs["meeting_id"],
        )
        return False


def build_email(subject: str, template: str, context: dict, to: Sequence[str]) -> EmailMessage:
    """A plain-text e-mail from a template (links use PORTAL_BASE_URL). The template gets
    `identifiable`: whether every recipient is on a secure domain (PORTAL_SECURE_EMAIL_DOMAINS), so
    it names the patient and their clinical details only then, and otherwise gives the referral
    number and a link (issue 17 finding 6). The subject is made one line, and carries no patient
    identifier for anyone."""
    identifiable = bool(to) and all(is_secure_address(address) for address in to)
    context = {**context, "base_url": settings.PORTAL_BASE_URL, "identifiable": identifiable}
    return EmailMessage(subject=one_line(subject), body=render_to_string(template, context), to=list(to))


# Sweeps --------------------------------------------------------------------------------------


def office_addresses(mdt: Mdt | None) -> list[str]:
    """The MDT's office e-mail, else every active MDT office user's."""
    if mdt is not None and mdt.office_email:
        return [mdt.office_email]
    office = get_user_model().objects.filter(groups__name=Role.MDT_OFFICE.value, is_active=True)
    return sorted(set(office.exclude(email="").values_list("email", flat=True)))


def practitioner_address(practitioner: Practitioner) -> str:
    return practitioner.email or (practitioner.user.email if practitioner.user else "")


def reminders_send_readiness_chases(*, now: datetime.datetime | None = None) -> int:
    """The working day before cut-off: each presenting clinician whose case lacks imaging or
    pathology. Overdue chases still go until the meeting starts."""
    now = now or timezone.now()
    sent = 0
    meetings = MdtMeeting.objects.filter(
        status__in=OPEN, starts_at__gt=now, cutoff_at__lte=now + datetime.timedelta(days=10)
    ).select_related("mdt")
    closed = rules.closed_days_around(timezone.localdate(now))
    for meeting in meetings:
        if not rules.is_due(
            rules.readiness_chase_due_at(meeting.cutoff_at, closed), now, until=meeting.starts_at
        ):
            continue
        for discussion in meeting.discussions.select_related("presenting_clinician"):
            clinician = discussion.presenting_clinician
            if not (clinician and clinician.email and clinician.is_active) or not rules.needs_readiness_chase(
                imaging_available=discussion.imaging_available,
                pathology_available=discussion.pathology_available,
            ):
                continue
            sent += sweep_send_once(
                kind=MdtReminderSent.Kind.READINESS_CHASE,
                object_id=discussion.pk,
                meeting_id=discussion.meeting_id,
                recipient=clinician.email,
                message=lambda d=discussion, m=meeting, c=clinician: build_email(
                    f"{m.mdt.code} MDT: imaging or pathology missing for a case",
                    "mdt/email/readiness_chase.txt",
                    {
                        "discussion": d,
                        "meeting": m,
                        "cutoff": local_text(m.cutoff_at),
                        "starts": local_text(m.starts_at),
                    },
                    [c.email],
                ),
                now=now,
            )
    logger.info("MDT readiness chases sent: %d", sent)
    return sent


def _case_list_message(meeting: MdtMeeting, address: str) -> EmailMessage:
    discussions = meeting.discussions.select_related("referral", "presenting_clinician")
    message = build_email(
        f"{meeting.mdt.code} MDT case list: {local_text(meeting.starts_at)}",
        "mdt/email/case_list.txt",
        {"meeting": meeting, "discussions": discussions, "starts": local_text(meeting.starts_at)},
        [address],
    )
    message.attach(
        "mdt-meeting.ics", meeting_invitation(meeting, attendee=address), "text/calendar; method=REQUEST"
    )
    return message


def reminders_send_case_lists(*, now: datetime.datetime | None = None) -> int:
    """At least 24 hours before the meeting (when its list closes): each core member gets the
    case list with an iCalendar invitation."""
    now = now or timezone.now()
    sent = 0
    meetings = MdtMeeting.objects.filter(
        status__in=OPEN, starts_at__gt=now, starts_at__lte=now + datetime.timedelta(days=14)
    ).select_related("mdt")
    for meeting in meetings:
        due = rules.case_list_due_at(starts_at=meeting.starts_at, meeting_cutoff_at=meeting.cutoff_at)
        if not rules.is_due(due, now, until=meeting.starts_at):
            continue
        for member in meeting.mdt.core_member_practitioners().select_related("user"):
            address = practitioner_address(member)
            if not address:
                continue
            sent += sweep_send_once(
                kind=MdtReminderSent.Kind.CASE_LIST,
                object_id=meeting.pk,
                meeting_id=meeting.pk,
                recipient=address,
                message=lambda m=meeting, a=address: _case_list_message(m, a),
                now=now,
            )
    logger.info("MDT case lists sent: %d", sent)
    return sent


def reminders_send_cancellations(
    *, meeting_id: int | None = None, now: datetime.datetime | None = None
) -> int:
    """Everyone who was sent a cancelled meeting's invitation gets the cancellation, once."""
    now = now or timezone.now()
    invited = MdtReminderSent.objects.filter(
        kind=MdtReminderSent.Kind.CASE_LIST, meeting__status=MdtMeeting.Status.CANCELLED
    ).select_related("meeting__mdt")
    if meeting_id is not None:
        invited = invited.filter(meeting_id=meeting_id)
    sent = 0
    for invitation in invited:
        meeting = invitation.meeting
        sent += sweep_send_once(
            kind=MdtReminderSent.Kind.CANCELLATION,
            object_id=meeting.pk,
            meeting_id=meeting.pk,
            recipient=invitation.recipient,
            message=lambda m=meeting, a=invitation.recipient: _cancellation_message(m, a),
            now=now,
        )
    logger.info("MDT cancellations sent: %d", sent)
    return sent


def _cancellation_message(meeting: MdtMeeting, address: str) -> EmailMessage:
    message = build_email(
        f"CANCELLED: {meeting.mdt.code} MDT {local_text(meeting.starts_at)}",
        "mdt/email/cancellation.txt",
        {"meeting": meeting, "starts": local_text(meeting.starts_at)},
        [address],
    )
    message.attach(
        "mdt-meeting.ics", meeting_invitation(meeting, attendee=address), "text/calendar; method=CANCEL"
    )
    return message


def _office_reminders(
    *, kind: str, discussions: QuerySet[MdtDiscussion], due: Callable, template: str, subject: str, now
) -> int:
    sent = 0
    for discussion in discussions.select_related("meeting__mdt"):
        if not rules.is_due(due(discussion), now):
            continue
        for address in office_addresses(discussion.meeting.mdt):
            sent += sweep_send_once(
                kind=kind,
                object_id=discussion.pk,
                meeting_id=discussion.meeting_id,
                recipient=address,
                message=lambda d=discussion, a=address: build_email(
                    subject.format(code=d.meeting.mdt.code),
                    template,
                    {
                        "discussion": d,
                        "meeting": d.meeting,
                        "starts": local_text(d.meeting.starts_at),
                        "url": reverse("mdt:discussion_outcome", args=[d.pk]),
                    },
                    [a],
                ),
                now=now,
            )
    return sent


def reminders_send_missing_outcomes(*, now: datetime.datetime | None = None) -> int:
    """A day after the meeting: the MDT office, for each discussion with no outcome."""
    now = now or timezone.now()
    discussions = MdtDiscussion.objects.filter(
        outcome="", meeting__starts_at__lte=now - rules.MISSING_OUTCOME_AFTER
    ).exclude(meeting__status=MdtMeeting.Status.CANCELLED)
    sent = _office_reminders(
        kind=MdtReminderSent.Kind.MISSING_OUTCOME,
        discussions=discussions,
        due=lambda d: rules.missing_outcome_due_at(d.meeting.starts_at),
        template="mdt/email/missing_outcome.txt",
        subject="{code} MDT: a discussion has no outcome recorded",
        now=now,
    )
    logger.info("MDT missing-outcome reminders sent: %d", sent)
    return sent


def reminders_send_outcomes_not_sent(*, now: datetime.datetime | None = None) -> int:
    """MDT_OUTCOME_SEND_REMINDER_DAYS after the meeting: the MDT office, for each outcome not yet
    sent to its recipients."""
    now = now or timezone.now()
    days = settings.MDT_OUTCOME_SEND_REMINDER_DAYS
    discussions = MdtDiscussion.objects.filter(
        outcome_sent_at__isnull=True, meeting__starts_at__lte=now - datetime.timedelta(days=days)
    ).exclude(meeting__status=MdtMeeting.Status.CANCELLED)
    sent = _office_reminders(
        kind=MdtReminderSent.Kind.OUTCOME_NOT_SENT,
        discussions=discussions,
        due=lambda d: rules.outcome_not_sent_due_at(d.meeting.starts_at, days),
        template="mdt/email/outcome_not_sent.txt",
        subject="{code} MDT: an outcome has not been sent",
        now=now,
    )
    logger.info("MDT outcome-not-sent reminders sent: %d", sent)
    return sent
