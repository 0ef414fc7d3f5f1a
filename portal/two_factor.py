"""Two-factor sign-in with TOTP (django-otp): set up an authenticator app, then verify a code
after each password sign-in. Enforced for every account by TwoFactorRequiredMiddleware when
PORTAL_REQUIRE_2FA is on (always in production).

The set-up secret belongs to one set-up attempt in one session (portal.services
.two_factor_setup_device): another session of the same account, signed in with the password
alone, gets a secret of its own and can neither see nor confirm this one."""

import base64

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import devices_for_user, match_token
from django_otp import login as otp_login

from . import services
from .forms import TokenForm


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = {request.get_host()}
    if url_has_allowed_host_and_scheme(target, allowed_hosts=allowed, require_https=request.is_secure()):
        return target
    return "/"


@login_required
def setup(request: HttpRequest) -> HttpResponse:
    if any(devices_for_user(request.user, confirmed=True)):
        return redirect("two_factor_verify")
    device = services.two_factor_setup_device(user=request.user, session=request.session)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        confirmed = services.two_factor_setup_confirm(
            user=request.user, session=request.session, token=form.cleaned_data["token"]
        )
        if confirmed is not None:
            otp_login(request, confirmed)
            messages.success(request, "Two-factor sign-in is set up.")
            return redirect(_next_url(request))
        if any(devices_for_user(request.user, confirmed=True)):
            return redirect("two_factor_verify")  # set up meanwhile, in another session
        form.add_error("token", "That code is not right. Check your device's clock and try the newest code.")
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "qr_data_uri": segno.make(device.config_url, error="m").svg_data_uri(scale=5),
            "secret": base64.b32encode(device.bin_key).decode(),
            "next": _next_url(request),
        },
    )


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    if not any(devices_for_user(request.user, confirmed=True)):
        return redirect("two_factor_setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next_url(request))
        form.add_error("token", "That code is not right, or was already used. Try the newest code.")
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": _next_url(request)})
