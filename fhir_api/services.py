"""Every write of the FHIR API: issuing and revoking client tokens, the call log, and taking in
a referral a system submits (through the referral form's checks and the intake service)."""

import dataclasses
import logging
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from referrals import services as referral_services
from referrals.forms import IntakeForm
from referrals.models import Referral

from . import rules
from .intake import Issue, SubmissionError, read_submission
from .models import ApiCall, ApiClient

logger = logging.getLogger(__name__)


class ClientError(Exception):
    pass


@transaction.atomic
def api_client_issue(
    *, name: str, contact: str, can_read_directory: bool, can_submit_referrals: bool, by
) -> tuple[ApiClient, str]:
    """A new client and its token. The token is returned once, here; only its hash is kept."""
    token = secrets.token_urlsafe(32)
    client = ApiClient.objects.create(
        name=name.strip(),
        contact=contact.strip(),
        can_read_directory=can_read_directory,
        can_submit_referrals=can_submit_referrals,
        token_hash=rules.token_hash(token),
        token_hint=token[:6],
        issued_by=by,
    )
    logger.info("API client %s issued by user %s", client.pk, getattr(by, "pk", None))
    return client, token


@transaction.atomic
def api_client_revoke(*, client_id: int, by) -> ApiClient:
    """Revoke a client's token for good. A second revoke is refused, saying so."""
    changed = ApiClient.objects.filter(pk=client_id, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=by
    )
    client = ApiClient.objects.get(pk=client_id)
    if not changed:
        raise ClientError(f"{client} was already revoked.")
    client._change_reason = "Token revoked"
    client.save(update_fields=["revoked_at", "revoked_by"])  # the revocation in the client's history
    logger.info("API client %s revoked by user %s", client.pk, getattr(by, "pk", None))
    return client


def api_client_for_token(token: str) -> ApiClient | None:
    """The unrevoked client holding this token, or None."""
    if not token:
        return None
    return ApiClient.objects.usable().filter(token_hash=rules.token_hash(token)).first()


def api_call_record(
    *, client: ApiClient | None, method: str, resource: str, interaction: str, status: int, outcome: str
) -> ApiCall:
    """Log one call. Never pass a patient identifier: resource is a type and operation only."""
    return ApiCall.objects.create(
        client=client,
        method=method[:10],
        resource=resource[:40],
        interaction=interaction,
        status=status,
        outcome=outcome,
    )


def _form_issues(form: IntakeForm, locations: dict) -> list[Issue]:
    issues = []
    for name, messages in form.errors.items():
        label = form.fields[name].label or name.replace("_", " ").capitalize() if name in form.fields else ""
        where = locations.get(name, "ServiceRequest")
        issues += [Issue(f"{label}: {message}" if label else message, where) for message in messages]
    return issues


@dataclasses.dataclass(frozen=True)
class Submitted:
    referral: Referral
    patient_match: str  # existing | new | possible-duplicate


@transaction.atomic
def referral_submit(*, client: ApiClient, body: object) -> Submitted:
    """Take in a referral a system sent: read the ServiceRequest and Patient into the referral
    form's fields, check them with the form (NHS number, dates, choices, people), then take it
    in with referrals.services.referral_create (existing patient by NHS number, likely duplicate
    flagged, routing stored), naming the client as its source. Raises SubmissionError naming
    each element at fault; nothing is saved then."""
    submission, _patient = read_submission(body)
    form = IntakeForm(submission.data)
    if not form.is_valid():
        raise SubmissionError(_form_issues(form, submission.locations))
    patient, referral = form.details()
    referral = dataclasses.replace(referral, source_system=client.name)
    existing = referral_services.patient_find_existing(nhs_number=patient.nhs_number)
    try:
        created = referral_services.referral_create(by=None, patient=patient, referral=referral)
    except ValidationError as error:
        messages = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
        raise SubmissionError(
            [
                Issue(message, submission.locations.get(name, "ServiceRequest"))
                for name, texts in messages.items()
                for message in texts
            ]
        ) from error
    if existing is not None:
        match = "existing"
    elif created.patient.possible_duplicate_of_id:
        match = "possible-duplicate"
    else:
        match = "new"
    logger.info("Referral %s submitted by API client %s", created.pk, client.pk)
    return Submitted(referral=created, patient_match=match)
