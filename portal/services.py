"""Writes of the portal app."""

import datetime
import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.base import SessionBase
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import AccessLog, BreakGlassGrant, BreakGlassNotice, UnusedAccountsReport, User
from .outbox import enqueue

logger = logging.getLogger(__name__)

# A reason a reviewer can judge afterwards ("emergency" alone is not one).
BREAK_GLASS_REASON_MIN_LENGTH = 20
BREAK_GLASS_REASON_MAX_LENGTH = 2000

# The session key holding the id of this session's unconfirmed TOTP device.
TWO_FACTOR_SETUP_SESSION_KEY = "portal_two_factor_setup_device"


def access_log_record(*, user: User, patient_ids: Iterable[int], action: str, page: str) -> int:
    """Record that `user` read these patients' data on `page`. Returns the rows written.
    Pages call it through their declaration (portal/patient_data.py), never by hand; `page` is a
    path (ids only), never a query string."""
    rows = [
        AccessLog(user=user, patient_id=patient_id, action=action, page=page[:200])
        for patient_id in dict.fromkeys(patient_ids)
    ]
    # AccessLog has no history by design: it is append-only, so there is no change to record.
    AccessLog.objects.bulk_create(rows)
    return len(rows)


# Break-glass access ------------------------------------------------------------------------------


@transaction.atomic
def break_glass_grant(*, user: User, patient_id: int, reason: str) -> BreakGlassGrant:
    """Give `user`, a clinician, emergency access to one patient who is not theirs, for
    PORTAL_BREAK_GLASS_HOURS. The caller has checked that the patient exists and is not already
    the user's. The MDT office lead is told through the outbox, once the grant is committed."""
    if not user.is_clinician:
        raise PermissionDenied("Only clinicians may open a record under break-glass access.")
    reason = reason.strip()
    if len(reason) < BREAK_GLASS_REASON_MIN_LENGTH:
        raise ValidationError(
            {"reason": f"Give the reason in at least {BREAK_GLASS_REASON_MIN_LENGTH} characters."}
        )
    now = timezone.now()
    grant = BreakGlassGrant.objects.create(
        user=user,
        patient_id=patient_id,
        reason=reason[:BREAK_GLASS_REASON_MAX_LENGTH],
        granted_at=now,
        expires_at=now + datetime.timedelta(hours=settings.PORTAL_BREAK_GLASS_HOURS),
    )
    enqueue("portal.tasks.notify_lead_of_break_glass", grant.pk)
    return grant


def break_glass_leads() -> list[User]:
    """Who is told of break-glass access: the MDT office lead, meaning every active user holding
    `portal.view_accesslog` (directly or through a group); the superusers if nobody holds it."""
    leads = User.objects.with_perm(
        "portal.view_accesslog",
        include_superusers=False,
        backend="django.contrib.auth.backends.ModelBackend",
    )
    leads = leads.filter(is_active=True).exclude(email="")
    if not leads.exists():
        leads = User.objects.filter(is_active=True, is_superuser=True).exclude(email="")
    return list(leads.order_by("pk"))


def break_glass_notify_lead(*, grant_id: int) -> int:
    """E-mail each lead once about a grant; returns how many were sent now. The e-mail names the
    clinician, the time and the patient's id, with a link to the grant in the portal, and never
    the patient's name, NHS number or the reason (which may hold either): it may leave the secure
    e-mail domains. Each notice row is written in the transaction of its send, so a failed send
    is retried by the next dispatch and a repeated task sends nothing twice."""
    grant = BreakGlassGrant.objects.select_related("user").get(pk=grant_id)
    link = settings.PORTAL_BASE_URL + reverse("admin:portal_breakglassgrant_change", args=[grant.pk])
    sent = 0
    for lead in break_glass_leads():
        with transaction.atomic():
            try:
                with transaction.atomic():
                    BreakGlassNotice.objects.create(grant=grant, recipient=lead)
            except IntegrityError:
                continue
            send_mail(
                subject=f"Break-glass access to patient record {grant.patient_id}",
                message=(
                    f"{grant.user} ({grant.user.get_username()}) opened patient record "
                    f"{grant.patient_id} under break-glass access at "
                    f"{timezone.localtime(grant.granted_at):%d %b %Y %H:%M}, until "
                    f"{timezone.localtime(grant.expires_at):%H:%M}.\n\n"
                    f"The reason they gave, and every read, are in the portal: {link}\n"
                ),
                from_email=None,
                recipient_list=[lead.email],
            )
        sent += 1
    if not sent and not BreakGlassNotice.objects.filter(grant=grant).exists():
        logger.warning("Break-glass grant %s: nobody to tell (no lead or superuser with e-mail)", grant.pk)
    return sent


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
    session; the rows are deleted too, so no session of a leaver outlives the decision.)

    What the other apps hold for the user (pending alerts, calendar feeds) is ended by the steps
    the composition root lists in USER_DEACTIVATION_STEPS: the portal imports none of those apps."""
    user = User.objects.select_for_update().get(pk=user_id)
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
        logger.info("User %s deactivated by user %s", user.pk, by.pk)
    Session.objects.filter(session_key__in=_sessions_of(user.pk)).delete()
    for step in settings.USER_DEACTIVATION_STEPS:
        import_string(step)(user=user, reason=WITHDRAWN_ON_DEACTIVATION)
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
