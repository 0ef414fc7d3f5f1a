from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from directory.models import ChangeRequest


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The role-aware home page: what this user can do next."""
    user = request.user
    return render(
        request,
        "portal/home.html",
        {
            "is_mdt_office": user.is_mdt_office,
            "is_clinician": user.is_clinician,
            "is_sag_member": user.is_sag_member,
            "has_no_role": not (user.is_superuser or user.role_names),
            "directory_open_requests": ChangeRequest.objects.open().count() if user.is_sag_member else 0,
        },
    )
