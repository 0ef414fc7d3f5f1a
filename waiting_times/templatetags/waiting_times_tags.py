"""What other apps' pages show of the cancer waiting times, asked by their templates (referrals/
imports no waiting_times code): a referral's clocks, counted by the same rules as the PTL."""

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from ..models import CancerPathway
from ..tracking import STATUS_TAG_COLOURS, PtlStatus

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


@register.filter
def status_tag(status: str) -> SafeString:
    """A clock's or a PTL row's status (PtlStatus, or a clock's own status: their values are
    shared) as an NHS.UK tag; anything else reads "No clock running". The PTL's Jinja2 rows use
    the same function (PtlRow.status_tag)."""
    known = PtlStatus(status) if status in PtlStatus.values else PtlStatus.NOT_APPLICABLE
    return format_html(
        '<span class="nhsuk-tag nhsuk-tag--{}">{}</span>', STATUS_TAG_COLOURS[known], known.label
    )
