"""A patient's timeline: every referral event and every recorded change (django-simple-history),
newest first. A read, so neither a rule nor a service."""

import datetime
from dataclasses import dataclass

from .models import HospitalNumber, Patient, Referral, ReferralEvent

# Status changes are shown from the ReferralEvent log, with their reasons.
HIDDEN_FIELDS = {"routing_decision", "status"}


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime.datetime
    who: str
    what: str
    detail: str = ""


def _who(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else "system"


def _changes(records, label: str) -> list[TimelineEntry]:
    entries = []
    previous_of: dict[int, object] = {}
    # Ordered by object, then time, then row id: two changes in the same instant still compare.
    for record in sorted(records, key=lambda r: (r.id, r.history_date, r.history_id)):
        previous = previous_of.get(record.id)
        previous_of[record.id] = record
        if record.history_type == "+":
            what, detail = f"{label} created", ""
        elif record.history_type == "-":
            what, detail = f"{label} deleted", ""
        else:
            if previous is None:
                continue
            delta = record.diff_against(previous)
            changed = [c for c in delta.changes if c.field not in HIDDEN_FIELDS]
            if not changed:
                continue
            what = f"{label} changed"
            detail = "; ".join(
                f"{record.instance._meta.get_field(c.field).verbose_name}: {c.old or '—'} → {c.new or '—'}"
                for c in changed
            )
        if record.history_change_reason:
            detail = f"{detail} ({record.history_change_reason})" if detail else record.history_change_reason
        entries.append(TimelineEntry(record.history_date, _who(record.history_user), what, detail))
    return entries


def patient_timeline(*, patient: Patient, referrals: list[Referral]) -> list[TimelineEntry]:
    ids = [referral.pk for referral in referrals]
    entries = [
        TimelineEntry(
            event.at,
            _who(event.actor),
            f"Referral {event.referral_id}: {event.get_from_status_display() or 'new'} → "
            f"{event.get_to_status_display()}",
            event.reason,
        )
        for event in ReferralEvent.objects.filter(referral_id__in=ids).select_related("actor")
    ]
    entries += _changes(patient.history.select_related("history_user"), "Patient record")
    entries += _changes(
        Referral.history.filter(id__in=ids).select_related("history_user").order_by("history_date"),
        "Referral",
    )
    entries += _changes(
        HospitalNumber.history.filter(patient_id=patient.pk).select_related("history_user"), "Hospital number"
    )
    return sorted(entries, key=lambda entry: entry.at, reverse=True)
