"""What other apps' pages show of the cancer waiting times, asked by their templates (referrals/
imports no waiting_times code): a referral's clocks, counted by the same rules as the PTL."""

from django import template
from django.utils import timezone

from ..models import CancerPathway

register = template.Library()


@register.inclusion_tag("waiting_times/_referral_clocks.html", takes_context=True)
def referral_cancer_pathway(context, referral) -> dict:
    """The referral's cancer pathway and its three clocks today. The page has already checked
    that the user may see the referral."""
    pathway = CancerPathway.objects.filter(referral=referral).select_related("referring_provider").first()
    return {
        "pathway": pathway,
        "tracking": pathway.tracking(timezone.localdate()) if pathway else None,
        "referral": referral,
        "perms": context.get("perms"),
    }
