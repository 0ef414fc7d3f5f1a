"""What every e-mail the portal sends must respect, in one place (issue 17 findings 6 and 8).

- Patient-identifiable content (names, initials with a hospital number, NHS numbers, clinical
  details) goes only to addresses in PORTAL_SECURE_EMAIL_DOMAINS (nhs.net by default: NHSmail
  meets the NHS secure e-mail standard, DCB1596). Anyone else gets the same message with a link
  and the referral number only: `patient_messages` builds both and picks per recipient.
- A subject is one line: a name with a line break (a practitioner "Line1\\nLine2", a policy title
  with "\\r\\n") made Django refuse the header (BadHeaderError) and stopped a whole sweep.
  `one_line` turns control characters into spaces.
- Subjects carry no patient identifiers, for anyone."""

import unicodedata
from collections.abc import Iterable, Sequence
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMessage


def one_line(text: str) -> str:
    """`text` with every control character and line or paragraph separator made a space, and
    runs of spaces made one: safe for a header."""
    cleaned = "".join(" " if unicodedata.category(char) in {"Cc", "Zl", "Zp"} else char for char in str(text))
    return " ".join(cleaned.split())


def is_secure_address(address: str) -> bool:
    """Whether `address` ("name@nhs.net" or "Name <name@nhs.net>") is in one of the secure
    domains. The domain must match exactly: a subdomain is another organisation's mail."""
    _, email = parseaddr(address)
    domain = email.rpartition("@")[2].strip().lower()
    secure = {entry.strip().lower() for entry in settings.PORTAL_SECURE_EMAIL_DOMAINS}
    return bool(email) and "@" in email and domain in secure


def split_by_security(addresses: Iterable[str]) -> tuple[list[str], list[str]]:
    """(secure, other) addresses, each in the order given."""
    secure, other = [], []
    for address in addresses:
        (secure if is_secure_address(address) else other).append(address)
    return secure, other


def patient_messages(
    *,
    subject: str,
    identifiable_body: str,
    link_only_body: str,
    to: Sequence[str],
    **kwargs,
) -> list[EmailMessage]:
    """The e-mails that tell `to` about a patient: `identifiable_body` to those on secure domains,
    `link_only_body` (a link and the referral number, nothing that identifies the patient) to the
    rest. One message per group, so no recipient sees another group's text. Extra keyword
    arguments (attachments, headers, from_email) go to every message."""
    secure, other = split_by_security(to)
    return [
        EmailMessage(subject=one_line(subject), body=body, to=recipients, **kwargs)
        for recipients, body in ((secure, identifiable_body), (other, link_only_body))
        if recipients
    ]


def send_patient_mail(*, subject: str, identifiable_body: str, link_only_body: str, to: Sequence[str]) -> int:
    """Send `patient_messages`; returns how many messages went."""
    return sum(
        message.send()
        for message in patient_messages(
            subject=subject, identifiable_body=identifiable_body, link_only_body=link_only_body, to=to
        )
    )
