from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from directory.models import ChangeRequest
from policies.models import PolicyDocument
from referrals.reports import standards_by_month, standards_chart
from waiting_times.models import CancerPathway


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The role-aware home page: what this user can do next."""
    user = request.user
    context = {
        "is_mdt_office": user.is_mdt_office,
        "is_clinician": user.is_clinician,
        "is_sag_member": user.is_sag_member,
        "has_no_role": not (user.is_superuser or user.role_names),
    }
    if user.has_perm("waiting_times.view_cancerpathway"):
        # Today's work, the office's across the network, a clinician's for their own patients;
        # each count links into the PTL filtered to the same pathways.
        context["todays_work"] = CancerPathway.objects.open_visible_to(user).todays_work(timezone.localdate())
    if user.is_mdt_office:
        chart = standards_by_month(today=timezone.localdate())
        context.update(standards_table=chart, standards_chart=standards_chart(chart))
    if user.is_sag_member:
        context["policies_awaiting_approval"] = PolicyDocument.objects.awaiting_approval()
        context["policies_overdue_review"] = PolicyDocument.objects.overdue_for_review(timezone.localdate())
        context["directory_open_requests"] = ChangeRequest.objects.open().count()
    return render(request, "portal/home.html", context)
