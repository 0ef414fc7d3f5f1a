"""Writes of the portal app."""

import datetime
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from .models import AccessLog, BreakGlassGrant, BreakGlassNotice, User
from .outbox import enqueue

logger = logging.getLogger(__name__)

# A reason a reviewer can judge afterwards ("emergency" alone is not one).
BREAK_GLASS_REASON_MIN_LENGTH = 20
BREAK_GLASS_REASON_MAX_LENGTH = 2000


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
