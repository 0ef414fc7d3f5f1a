"""Diagnostic clinics and mutual aid: the clinic a postcode suggests and its override, the
partner services suggested while a service has declared reduced capacity, redirects for mutual aid,
and the services' backlogs.

Every write is atomic, locks the referral's row and records who did it (simple-history, and a
ReferralEvent where the referral's path changes). Rules are in diagnostics/rules.py."""

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import transaction

from directory.models import DiagnosticClinic, Service
from referrals.models import Referral, ReferralEvent
from referrals.services import referral_claim

from .. import rules as drules
from ..models import CapacityDeclaration

logger = logging.getLogger(__name__)

Status = Referral.Status
WAITING_STATUSES = (Status.RECEIVED, Status.TRIAGED, Status.ACCEPTED, Status.UNDER_INVESTIGATION)


# Clinic suggestion ---------------------------------------------------------------------------------


def clinic_catchments() -> list[drules.ClinicCatchment]:
    return [
        drules.ClinicCatchment(clinic.pk, clinic.name, tuple(clinic.catchment))
        for clinic in DiagnosticClinic.objects.filter(active=True)
    ]


def clinic_suggest(*, postcode: str, pathway: str) -> drules.ClinicSuggestion:
    """The diagnostic clinic for a referral routed to `pathway`, with the reason: the one the
    patient's postcode suggests on the soft tissue pathway, none on the others."""
    return drules.suggest_clinic_for_pathway(pathway, postcode, clinic_catchments())


def capacity_declarations() -> list[drules.Declaration]:
    return [
        drules.Declaration(d.service.code, d.partner_service.code, d.starts_on, d.ends_on, d.reason)
        for d in CapacityDeclaration.objects.select_related("service", "partner_service")
    ]


def mutual_aid_suggest(*, refer_to, on: datetime.date) -> list[drules.MutualAidSuggestion]:
    """Partner services suggested for the routing's destinations under mutual aid on `on`."""
    return drules.mutual_aid_suggestions(tuple(refer_to), capacity_declarations(), on)


def referral_apply_intake_suggestions(*, referral: Referral) -> Referral:
    """At intake (inside referral_create's transaction): record the clinic suggested by the
    routing's pathway and the postcode with its reason, take it as the clinic, name the receiving
    service (the routing's first destination) and record any mutual-aid suggestion in force on
    the received date."""
    suggestion = clinic_suggest(postcode=referral.patient.postcode, pathway=referral.pathway)
    referral.clinic_suggestion = suggestion.as_dict()
    referral.diagnostic_clinic_id = suggestion.clinic_id
    refer_to = referral.routing_decision.get("refer_to", [])
    referral.service = Service.objects.filter(code__in=refer_to[:1]).first()
    referral.mutual_aid_suggestion = [
        s.as_dict() for s in mutual_aid_suggest(refer_to=refer_to, on=referral.received_on)
    ]
    referral.save(
        update_fields=["clinic_suggestion", "diagnostic_clinic", "service", "mutual_aid_suggestion"]
    )
    return referral


@transaction.atomic
def referral_override_clinic(*, referral_id: int, clinic_id: int | None, reason: str, by) -> Referral:
    """The MDT office sends the referral to another diagnostic clinic than the one suggested,
    with a reason; the change and its reason are kept in the referral's history and events."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason for choosing another clinic."})
    referral = referral_claim(referral_id=referral_id, expected_status=None)
    clinic = None
    if clinic_id is not None:
        clinic = DiagnosticClinic.objects.filter(pk=clinic_id, active=True).first()
        if clinic is None:
            raise ValidationError({"clinic": "Choose an active diagnostic clinic."})
    if clinic_id == referral.diagnostic_clinic_id:
        raise ValidationError({"clinic": "The referral is already with this clinic."})
    before = referral.diagnostic_clinic
    referral.diagnostic_clinic = clinic
    referral.clinic_override_reason = reason
    referral._change_reason = f"Diagnostic clinic overridden: {reason}"[:100]
    referral.save(update_fields=["diagnostic_clinic", "clinic_override_reason"])
    ReferralEvent.objects.create(
        referral=referral,
        actor=by,
        from_status=referral.status,
        to_status=referral.status,
        reason=f"Diagnostic clinic changed from {before or 'none'} to {clinic or 'none'}: {reason}",
    )
    return referral


# Mutual aid and backlogs ------------------------------------------------------------------------------


@transaction.atomic
def capacity_declare(
    *,
    service_id: int,
    partner_service_id: int,
    starts_on: datetime.date,
    ends_on: datetime.date,
    reason: str,
    by,
) -> CapacityDeclaration:
    """Declare a service's reduced capacity from `starts_on` to `ends_on`, naming its partner."""
    if not reason.strip():
        raise ValidationError({"reason": "Give the reason for the reduced capacity."})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": "The end date cannot be before the start date."})
    if service_id == partner_service_id:
        raise ValidationError({"partner_service": "The partner must be another service."})
    declaration = CapacityDeclaration(
        service=Service.objects.get(pk=service_id),
        partner_service=Service.objects.get(pk=partner_service_id),
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason.strip(),
        declared_by=by,
    )
    declaration._history_user = by
    declaration.save()
    return declaration


@transaction.atomic
def referral_redirect_for_mutual_aid(*, referral_id: int, to_service_id: int, by) -> Referral:
    """Move a referral to the partner service under mutual aid; the referral and its event are
    flagged as a mutual-aid redirect. Allowed while it waits for its first appointment."""
    referral = referral_claim(referral_id=referral_id, expected_status=None)
    if referral.status not in WAITING_STATUSES or referral.first_appointment_on:
        raise ValidationError(
            {"service": "Only a referral still waiting for its first appointment can move."}
        )
    to_service = Service.objects.get(pk=to_service_id)
    if to_service.pk == referral.service_id:
        raise ValidationError({"service": "The referral is already with this service."})
    before = referral.service.code if referral.service else "no service"
    referral.service = to_service
    referral.mutual_aid_redirect = True
    referral.redirect_destination = to_service.name
    referral._change_reason = f"Redirected to {to_service.code} for mutual aid"
    referral.save(update_fields=["service", "mutual_aid_redirect", "redirect_destination"])
    ReferralEvent.objects.create(
        referral=referral,
        actor=by,
        from_status=referral.status,
        to_status=referral.status,
        mutual_aid=True,
        reason=f"Redirected from {before} to {to_service.code} for mutual aid.",
    )
    return referral


def waiting_for_first_appointment():
    return Referral.objects.filter(status__in=WAITING_STATUSES, first_appointment_on__isnull=True)


def service_backlogs(*, today: datetime.date) -> list[dict]:
    """Every service with its backlog (referrals waiting for a first appointment, oldest wait)
    and any reduced capacity in force today."""
    waiting: dict[int, list[datetime.date]] = {}
    for service_id, received_on in waiting_for_first_appointment().values_list("service_id", "received_on"):
        waiting.setdefault(service_id, []).append(received_on)
    in_force = {
        d.service_id: d for d in CapacityDeclaration.objects.in_force(today).select_related("partner_service")
    }
    return [
        {
            "service": service,
            "backlog": drules.backlog(waiting.get(service.pk, []), today),
            "declaration": in_force.get(service.pk),
        }
        for service in Service.objects.all()
    ]
