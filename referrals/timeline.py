"""A patient's timeline: every referral event and every recorded change (django-simple-history),
newest first, each read as a sentence with names and dates, never ids or stored JSON. A read, so
neither a rule nor a service.

Apps above referrals/ add their own events (an MDT discussion, an outcome sent) through
`settings.REFERRAL_TIMELINE_SOURCES`: dotted paths of callables taking `patient`, `referrals` and
`user` and returning TimelineEntry rows; referrals/ imports none of them (STYLE.md)."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.text import capfirst

from directory.models import DiagnosticClinic

from .models import HospitalNumber, Patient, Referral, ReferralEvent

# Status changes are shown from the ReferralEvent log, with their reasons; the routing decision is
# shown in full on the referral's card; the mutual-aid suggestion and the override departures are
# working data the diagnostic page shows. The clinic suggestion is told as a sentence (below).
HIDDEN_FIELDS = {"routing_decision", "status", "mutual_aid_suggestion", "urgent_override_departures"}


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime.datetime
    who: str
    what: str
    detail: str = ""


def person(user) -> str:
    """A user as people call them: their full name, else their user name; no user is the system."""
    return (user.get_full_name() or user.get_username()) if user else "the system"


def day(value: datetime.date | None) -> str:
    """A date as the timeline writes it: 2 November 2026."""
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{value.day} {value:%B %Y}"


def referral_label(referral: Referral) -> str:
    """The referral as the timeline names it: by the day it was received, not by its number."""
    return f"Referral received {day(referral.received_on)}"


class _Names:
    """Object names looked up once per timeline (a user, a practitioner, a clinic by its id)."""

    def __init__(self):
        self._cache: dict[tuple[type, object], str] = {}

    def of(self, model: type[models.Model], pk) -> str:
        if pk in (None, ""):
            return ""
        key = (model, pk)
        if key not in self._cache:
            obj = model._default_manager.filter(pk=pk).first()
            if obj is None:
                self._cache[key] = "a record since removed"
            elif hasattr(obj, "get_full_name"):
                self._cache[key] = person(obj)
            else:
                self._cache[key] = str(obj)
        return self._cache[key]


def _m2m_names(value, field, names: _Names) -> str:
    """A many-to-many history value ([{'referral': 7, 'user': 2}, ...]) as the names it holds."""
    target = field.related_model
    key = target._meta.model_name
    people = sorted(names.of(target, row.get(key)) for row in value or [] if isinstance(row, dict))
    return ", ".join(people)


def _value(field, value, names: _Names) -> str:
    """A stored value as words: names for links, labels for choices, dates written out, yes/no."""
    if value in (None, "", [], {}):
        return ""
    if field.many_to_many:
        return _m2m_names(value, field, names)
    if field.is_relation:
        return names.of(field.related_model, value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return "yes" if value else "no"
    if isinstance(field, models.DateField):
        if isinstance(value, str):
            value = datetime.date.fromisoformat(value[:10])
        return day(value)
    if isinstance(field, models.JSONField):
        return ""
    return str(value)


def _clinic_sentence(old, new, names: _Names) -> str:
    """The clinic suggested at intake, as a sentence: which clinic (by name) and why."""
    suggestion = new if isinstance(new, dict) else {}
    if not suggestion:
        return "Clinic suggestion cleared."
    clinic = names.of(DiagnosticClinic, suggestion.get("clinic_id"))
    reason = str(suggestion.get("reason") or "").strip()
    said = f"Diagnostic clinic suggested: {clinic}." if clinic else "No diagnostic clinic suggested."
    return f"{said} {reason}".strip()


def _change_sentence(field, old, new, names: _Names) -> str:
    label = capfirst(str(field.verbose_name))
    if field.name == "clinic_suggestion":
        return _clinic_sentence(old, new, names)
    before, after = _value(field, old, names), _value(field, new, names)
    if before == after:
        return ""
    if field.many_to_many:
        return f"{label} now {after}." if after else f"{label} emptied (was {before})."
    if not before:
        return f"{label} set to {after}."
    if not after:
        return f"{label} cleared (was {before})."
    return f"{label} changed from {before} to {after}."


def _label_for(record, label) -> str:
    return label(record) if callable(label) else label


def _changes(records, label, names: _Names) -> list[TimelineEntry]:
    """One entry per recorded creation, deletion or change; a change lists what changed."""
    entries = []
    previous_of: dict[int, object] = {}
    # Ordered by object, then time, then row id: two changes in the same instant still compare.
    for record in sorted(records, key=lambda r: (r.id, r.history_date, r.history_id)):
        previous = previous_of.get(record.id)
        previous_of[record.id] = record
        name = _label_for(record, label)
        if record.history_type == "+":
            what, detail = f"{name} recorded", ""
        elif record.history_type == "-":
            what, detail = f"{name} deleted", ""
        else:
            if previous is None:
                continue
            delta = record.diff_against(previous)
            sentences = [
                _change_sentence(record.instance._meta.get_field(c.field), c.old, c.new, names)
                for c in delta.changes
                if c.field not in HIDDEN_FIELDS
            ]
            sentences = [sentence for sentence in sentences if sentence]
            if not sentences:
                continue
            what, detail = f"{name} updated", " ".join(sentences)
        if record.history_change_reason:
            reason = f"Reason: {record.history_change_reason}"
            detail = f"{detail} {reason}" if detail else reason
        entries.append(
            TimelineEntry(record.history_date, capfirst(person(record.history_user)), what, detail)
        )
    return entries


def _event_entry(event: ReferralEvent, referral: Referral) -> TimelineEntry:
    if event.from_status:
        what = (
            f"{referral_label(referral)} moved from {event.get_from_status_display().lower()} "
            f"to {event.get_to_status_display().lower()}"
        )
    else:
        what = f"{referral_label(referral)} taken in as {event.get_to_status_display().lower()}"
    return TimelineEntry(event.at, capfirst(person(event.actor)), what, event.reason)


def patient_timeline(
    *, patient: Patient, referrals: list[Referral], user=None, other_apps: bool = True
) -> list[TimelineEntry]:
    """Everything recorded about the patient and these referrals, newest first. `other_apps`
    adds what REFERRAL_TIMELINE_SOURCES report (an MDT discussion, an outcome sent), as the user
    may see it; break-glass access shows none of it (the patient page hides MDT discussions then)."""
    names = _Names()
    by_id = {referral.pk: referral for referral in referrals}
    entries = [
        _event_entry(event, by_id[event.referral_id])
        for event in ReferralEvent.objects.filter(referral_id__in=by_id).select_related("actor")
    ]
    entries += _changes(patient.history.select_related("history_user"), "Patient record", names)
    entries += _changes(
        Referral.history.filter(id__in=by_id).select_related("history_user").order_by("history_date"),
        lambda record: referral_label(by_id[record.id]),
        names,
    )
    entries += _changes(
        HospitalNumber.history.filter(patient_id=patient.pk).select_related("history_user"),
        lambda record: f"Hospital number {record.number}",
        names,
    )
    if other_apps:
        for source in settings.REFERRAL_TIMELINE_SOURCES:
            entries += import_string(source)(patient=patient, referrals=referrals, user=user)
    return sorted(entries, key=lambda entry: entry.at, reverse=True)
