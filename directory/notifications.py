"""The directory's e-mails: who receives them and what they say. Called by services.py only,
which records each send first; no patient data is ever in them."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from portal.mail import one_line
from portal.roles import Role

from .models import ChangeRequest, ConfirmationRequest


def _emails_of_role(role: Role) -> list[str]:
    users = get_user_model().objects.filter(groups__name=role.value, is_active=True).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


def sag_emails() -> list[str]:
    return _emails_of_role(Role.SAG_MEMBER)


def office_emails() -> list[str]:
    return _emails_of_role(Role.MDT_OFFICE)


def absolute(path: str) -> str:
    return f"{settings.PORTAL_BASE_URL}{path}"


def _send(subject: str, template: str, context: dict, recipients: list[str]) -> None:
    if recipients:
        body = render_to_string(template, {**context, "base_url": settings.PORTAL_BASE_URL})
        send_mail(one_line(subject), body, None, recipients)


def send_new_requests_to_sag(change_requests: list[ChangeRequest]) -> None:
    proposers = {change_request.proposed_by.email for change_request in change_requests}
    # A SAG member who proposed every one of these requests cannot decide them: no need to tell them.
    recipients = [email for email in sag_emails() if proposers != {email}]
    subject = (
        f"Directory change request #{change_requests[0].pk} waits for the SAG"
        if len(change_requests) == 1
        else f"{len(change_requests)} directory change requests wait for the SAG"
    )
    items = [
        (change_request, absolute(reverse("directory:change_request_detail", args=[change_request.pk])))
        for change_request in change_requests
    ]
    _send(
        subject,
        "directory/email/new_requests.txt",
        {"items": items, "queue_url": absolute(reverse("directory:change_request_queue"))},
        recipients,
    )


def send_decision_to_proposer(change_request: ChangeRequest) -> None:
    if not change_request.proposed_by.email:
        return
    _send(
        f"Directory change request #{change_request.pk}: {change_request.get_status_display().lower()}",
        "directory/email/decision.txt",
        {
            "change_request": change_request,
            "url": absolute(reverse("directory:change_request_detail", args=[change_request.pk])),
        },
        [change_request.proposed_by.email],
    )


def send_confirmation_request(
    confirmation: ConfirmationRequest, recipients: list[str], *, on_behalf: bool
) -> None:
    _send(
        f"Please confirm your LSESN directory entry for {confirmation.year}"
        if not on_behalf
        else f"Please confirm the LSESN directory entry of {confirmation.practitioner.name}",
        "directory/email/confirmation_request.txt",
        {
            "confirmation": confirmation,
            "practitioner": confirmation.practitioner,
            "on_behalf": on_behalf,
            "url": absolute(reverse("directory:confirm_entry", args=[confirmation.token])),
        },
        recipients,
    )


def send_unconfirmed_to_sag(confirmations: list[ConfirmationRequest]) -> None:
    _send(
        f"{len(confirmations)} directory entries not confirmed",
        "directory/email/unconfirmed.txt",
        {"confirmations": confirmations, "queue_url": absolute(reverse("directory:change_request_queue"))},
        sag_emails(),
    )
