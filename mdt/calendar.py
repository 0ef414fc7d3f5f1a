"""iCalendar (RFC 5545) for MDT meetings, built with the `icalendar` package: the invitation
attached to a meeting's case list and a clinician's feed of the meetings where they present.

Nothing here names a patient: an event says which MDT meets, when and where, and how many cases
the clinician presents; the case list itself is behind sign-in."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from .models import MdtMeeting
from .rules import LONDON

PRODID = "-//LSESN Sarcoma Portal//MDT meetings//EN"


def meeting_uid(meeting: MdtMeeting) -> str:
    return f"mdt-meeting-{meeting.pk}@lsesn-sarcoma-portal"


def meeting_title(name: str) -> str:
    """An MDT's name as an event title: "London Sarcoma Service MDT", never "... MDT MDT"."""
    name = name.strip()
    return name if name.split()[-1:] == ["MDT"] else f"{name} MDT"


def _event(meeting: MdtMeeting, *, description: str) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", meeting_uid(meeting))
    event.add("dtstamp", timezone.now())
    event.add("dtstart", meeting.starts_at.astimezone(LONDON))
    event.add("dtend", meeting.ends_at.astimezone(LONDON))
    event.add("summary", meeting_title(meeting.mdt.name))
    if meeting.mdt.location:
        event.add("location", meeting.mdt.location)
    if meeting.mdt.video_link:
        event.add("url", meeting.mdt.video_link)
    event.add("description", description)
    cancelled = meeting.status == MdtMeeting.Status.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("sequence", 1 if cancelled else 0)  # a cancellation supersedes the invitation
    return event


def _calendar(method: str | None = None) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    if method:
        calendar.add("method", method)
    return calendar


def _add_timezone(calendar: icalendar.Calendar) -> None:
    """Europe/London's VTIMEZONE, for the years around now only (the full table is long)."""
    today = timezone.localdate()
    calendar.add_missing_timezones(
        first_date=datetime.date(today.year - 2, 1, 1), last_date=datetime.date(today.year + 3, 1, 1)
    )


def meeting_invitation(meeting: MdtMeeting, *, attendee: str) -> bytes:
    """An invitation to one meeting for one core member: REQUEST, or CANCEL once the meeting is
    cancelled (same UID, so calendar apps remove the event)."""
    calendar = _calendar("CANCEL" if meeting.status == MdtMeeting.Status.CANCELLED else "REQUEST")
    event = _event(
        meeting,
        description=(
            f"{meeting.discussions.count()} case(s) on the list. The case list is in the portal: "
            f"{settings.PORTAL_BASE_URL}{reverse('mdt:meeting_detail', args=[meeting.pk])}"
        ),
    )
    event.add("organizer", f"mailto:{meeting.mdt.office_email or 'noreply@localhost'}")
    event.add("attendee", f"mailto:{attendee}")
    calendar.add_component(event)
    _add_timezone(calendar)
    return calendar.to_ical()


def presenter_feed(meetings: Iterable[MdtMeeting], *, user) -> bytes:
    """The feed of meetings where `user` presents, with only the number of their cases."""
    calendar = _calendar()
    calendar.add("x-wr-calname", "MDT meetings where I present")
    for meeting in meetings:
        count = meeting.discussions.filter(presenting_clinician=user).count()
        calendar.add_component(
            _event(
                meeting,
                description=(
                    f"You present {count} case(s). Sign in to the portal for the details: "
                    f"{settings.PORTAL_BASE_URL}{reverse('mdt:my_mdt')}"
                ),
            )
        )
    _add_timezone(calendar)
    return calendar.to_ical()
