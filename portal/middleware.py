"""Session expiry, two-factor enforcement, and the Cookie header's size limit."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import reverse


class CookieSizeLimitMiddleware:
    """Refuse a request whose Cookie header is longer than PORTAL_MAX_COOKIE_BYTES, before anything
    parses it (first in MIDDLEWARE). CPython before 3.11.10 parses cookies in quadratic time
    (CVE-2024-7592): a 32 KB header cost 2 s of a worker. The portal's own cookies (session, CSRF,
    messages) stay far below the limit."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if len(request.META.get("HTTP_COOKIE", "")) > settings.PORTAL_MAX_COOKIE_BYTES:
            return HttpResponseBadRequest(
                "Your browser sent more cookies than this site accepts. "
                "Clear this site's cookies and try again.",
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


SESSION_STARTED = "portal_session_started"
SESSION_LAST_SEEN = "portal_session_last_seen"


class SessionExpiryMiddleware:
    """Sign the user out after PORTAL_SESSION_IDLE_SECONDS without a request, and
    PORTAL_SESSION_MAX_SECONDS after sign-in whatever the activity."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        now = int(time.time())
        if request.user.is_authenticated:
            started = request.session.get(SESSION_STARTED, now)
            last_seen = request.session.get(SESSION_LAST_SEEN, now)
            idle = now - last_seen > settings.PORTAL_SESSION_IDLE_SECONDS
            too_old = now - started > settings.PORTAL_SESSION_MAX_SECONDS
            if idle or too_old:
                logout(request)
                messages.info(request, "Your session has ended. Please sign in again.")
                return redirect(f"{reverse('login')}?next={request.path}")
        response = self.get_response(request)
        # After the view, so that the request that signs in starts the clock.
        if request.user.is_authenticated:
            request.session.setdefault(SESSION_STARTED, now)
            request.session[SESSION_LAST_SEEN] = now
        return response


def needs_two_factor(user) -> bool:
    """Every account signs in with a second factor, whatever its role or is_staff: every role
    reads patient data (MDT office, clinicians) or governs the network (SAG members), and a role
    given to an account later must not find a session that never had a second factor. (It used
    to follow is_staff, so an MDT office member without it read patients with a password alone:
    issue 17 finding 2.)"""
    return user.is_authenticated


class TwoFactorRequiredMiddleware:
    """With PORTAL_REQUIRE_2FA on, a signed-in user who has not verified a TOTP token this
    session can only reach the set-up and verify pages (and sign out)."""

    ALLOWED_URL_NAMES = ("two_factor_setup", "two_factor_verify", "logout", "login")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.PORTAL_REQUIRE_2FA and needs_two_factor(request.user) and not request.user.is_verified():
            allowed = {reverse(name) for name in self.ALLOWED_URL_NAMES}
            static = "/" + settings.STATIC_URL.lstrip("/")
            if request.path not in allowed and not request.path.startswith(static):
                from django_otp import devices_for_user

                has_device = any(devices_for_user(request.user, confirmed=True))
                target = "two_factor_verify" if has_device else "two_factor_setup"
                return redirect(f"{reverse(target)}?next={request.path}")
        return self.get_response(request)
