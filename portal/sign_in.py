"""Sign-in protection behind a reverse proxy (django-axes): whose address an attempt came from,
and the throttle on one address trying many accounts (issue 17 finding 7).

Behind a proxy every request arrives from the proxy's address. Counting failures by that address
let five wrong passwords lock an account for everyone, and let one address try every account.
The client's address is read from X-Forwarded-For only when PORTAL_TRUSTED_PROXY_COUNT says how
many proxies in front of the portal append to it; otherwise the header, which anyone can send, is
ignored. Failures lock an account for one address (AXES_LOCKOUT_PARAMETERS), and an address with
PORTAL_SIGN_IN_ADDRESS_FAILURE_LIMIT failures across all accounts within the cool-off is refused
until the cool-off has passed."""

import ipaddress

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The address of the client, as the trusted proxies saw it.

    Each of the PORTAL_TRUSTED_PROXY_COUNT proxies appends the address it was reached from to
    X-Forwarded-For, so the client's is the count-th entry from the right; entries further left
    were written by the client and are not believed. Without trusted proxies, or when the header
    is short or not an address, the connection's own address (REMOTE_ADDR) is used."""
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.PORTAL_TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-count]))
    except ValueError:
        return remote


def address_failures(request: HttpRequest) -> int:
    """Failed sign-ins from this request's address within the cool-off, across all accounts."""
    attempts = AccessAttempt.objects.filter(
        ip_address=request.axes_ip_address, attempt_time__gte=get_cool_off_threshold(request)
    )
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class PortalAxesHandler(AxesDatabaseHandler):
    """django-axes' database handler, plus the throttle per address across accounts."""

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        if super().is_locked(request, credentials):
            return True
        if address_failures(request) >= settings.PORTAL_SIGN_IN_ADDRESS_FAILURE_LIMIT:
            # AxesMiddleware answers a flagged request with the lockout page (429), not the
            # sign-in form's "wrong password".
            request.axes_locked_out = True
            return True
        return False
