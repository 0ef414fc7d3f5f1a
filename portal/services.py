"""Writes of the portal app."""

from collections.abc import Iterable

from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import AccessLog, User

# The session key holding the id of this session's unconfirmed TOTP device.
TWO_FACTOR_SETUP_SESSION_KEY = "portal_two_factor_setup_device"


def access_log_record(*, user: User, patient_ids: Iterable[int], action: str, page: str) -> int:
    """Record that `user` read these patients' data on `page`. Returns the rows written.
    Called by every view, export and feed that shows patient-identifiable data."""
    rows = [
        AccessLog(user=user, patient_id=patient_id, action=action, page=page[:200])
        for patient_id in dict.fromkeys(patient_ids)
    ]
    # AccessLog has no history by design: it is append-only, so there is no change to record.
    AccessLog.objects.bulk_create(rows)
    return len(rows)


def two_factor_setup_device(*, user: User, session: SessionBase) -> TOTPDevice:
    """The unconfirmed TOTP device of this set-up attempt: the one this session made, or a new
    one with a fresh secret. Never another session's, so a second session signed in with the
    password alone cannot read or enrol the secret being set up here (issue 17 finding 2)."""
    device_id = session.get(TWO_FACTOR_SETUP_SESSION_KEY)
    device = (
        TOTPDevice.objects.filter(pk=device_id, user=user, confirmed=False).first() if device_id else None
    )
    if device is None:
        device = TOTPDevice.objects.create(user=user, confirmed=False, name="Authenticator app")
        session[TWO_FACTOR_SETUP_SESSION_KEY] = device.pk
    return device


@transaction.atomic
def two_factor_setup_confirm(*, user: User, session: SessionBase, token: str) -> TOTPDevice | None:
    """Confirm this session's set-up device with a code from it; returns the device, or None when
    the code is wrong or the account already has a confirmed device. The account's row is locked,
    so two sessions confirming at once give one device; the account's other unconfirmed devices
    (abandoned attempts) are deleted."""
    User.objects.select_for_update().filter(pk=user.pk).first()
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return None
    device = two_factor_setup_device(user=user, session=session)
    if not device.verify_token(token):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    session.pop(TWO_FACTOR_SETUP_SESSION_KEY, None)
    return device
