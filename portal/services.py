"""Writes of the portal app."""

import datetime
import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.base import SessionBase
from django.contrib.sessions.models import Session
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import AccessLog, UnusedAccountsReport, User

logger = logging.getLogger(__name__)

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


WITHDRAWN_ON_DEACTIVATION = "The recipient's account was deactivated."


def _sessions_of(user_id: int) -> list[str]:
    """The keys of the unexpired sessions signed in as this user (database sessions, which store
    no user column: each is decoded; there are as many as signed-in people)."""
    keys = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get(SESSION_KEY)) == str(user_id):
            keys.append(session.session_key)
    return keys


@transaction.atomic
def user_deactivate(*, user_id: int, by: User) -> User:
    """A leaver, or an account that must stop now: the account is made inactive, every session it
    has ends (its next request is signed out, and nothing of it is kept), and every notification
    still pending for it is withdrawn with the reason, so nothing more is sent to it. Deactivating
    an inactive account changes nothing. (Django's backend already refuses an inactive user's
    session; the rows are deleted too, so no session of a leaver outlives the decision.)"""
    from referrals.models import WaitingTimeAlertDelivery

    user = User.objects.select_for_update().get(pk=user_id)
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
        logger.info("User %s deactivated by user %s", user.pk, by.pk)
    Session.objects.filter(session_key__in=_sessions_of(user.pk)).delete()
    WaitingTimeAlertDelivery.objects.filter(
        recipient=user, status=WaitingTimeAlertDelivery.Status.PENDING
    ).update(status=WaitingTimeAlertDelivery.Status.WITHDRAWN, withdrawn_reason=WITHDRAWN_ON_DEACTIVATION)
    return user


UNUSED_AFTER_DAYS = 90
ACCESS_LOG_LEAD_PERMISSION = "portal.view_accesslog"


def unused_accounts(*, today: datetime.date) -> list[User]:
    """Active accounts nobody has signed in to for UNUSED_AFTER_DAYS days: last sign-in before
    then, or never signed in and made before then."""
    cutoff = timezone.make_aware(
        datetime.datetime.combine(today - datetime.timedelta(days=UNUSED_AFTER_DAYS), datetime.time())
    )
    return list(
        User.objects.filter(is_active=True)
        .filter(Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff))
        .prefetch_related("groups")
        .order_by("last_login", "username")
    )


def unused_accounts_report_send(*, today: datetime.date) -> bool:
    """The weekly report of unused accounts to the MDT office lead (active users holding
    portal.view_accesslog themselves or through a group; superusers only if given it), once per
    ISO week: the report's row and the e-mail share a transaction. Nothing is sent when no account
    is unused or nobody holds the permission. Returns whether it was sent. No patient data."""
    iso_year, iso_week, _ = today.isocalendar()
    if UnusedAccountsReport.objects.filter(iso_year=iso_year, iso_week=iso_week).exists():
        return False
    recipients = sorted(
        {
            user.email
            for user in User.objects.with_perm(
                ACCESS_LOG_LEAD_PERMISSION,
                include_superusers=False,
                backend="django.contrib.auth.backends.ModelBackend",
            )
            if user.is_active and user.email
        }
    )
    accounts = unused_accounts(today=today)
    if not recipients or not accounts:
        return False
    body = render_to_string(
        "portal/email/unused_accounts.txt",
        {
            "accounts": accounts,
            "days": UNUSED_AFTER_DAYS,
            "admin_url": settings.PORTAL_BASE_URL + reverse("admin:portal_user_changelist"),
        },
    )
    try:
        with transaction.atomic():
            UnusedAccountsReport.objects.create(
                iso_year=iso_year,
                iso_week=iso_week,
                accounts="\n".join(user.username for user in accounts),
                recipients="\n".join(recipients),
            )
            send_mail(
                f"Portal accounts unused for {UNUSED_AFTER_DAYS} days: {len(accounts)}",
                body,
                None,
                recipients,
            )
    except IntegrityError:
        return False  # another worker sent this week's report
    return True
