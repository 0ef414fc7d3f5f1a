"""What other apps' pages show of the diagnostic pathway, asked by their templates (referrals/
imports no diagnostics code)."""

from django import template

from directory.models import DiagnosticClinic

from .. import rules, services

register = template.Library()


@register.inclusion_tag("diagnostics/_intake_panel.html")
def diagnostic_intake_panel(data: dict, decision, existing) -> dict:
    """What intake shows of the diagnostic pathway: the clinic the pathway and postcode suggest and why, any
    mutual-aid partner suggested for the routing's destinations, and what the referral lacks."""
    postcode = existing.postcode if existing else data["postcode"]
    suggestion = services.clinic_suggest(postcode=postcode, pathway=decision.pathway)
    content = rules.ReferralContent(
        tumour_type=data["tumour_type"],
        presentation=data["presentation"],
        postcode=postcode,
        referring_clinician=data["referring_clinician"],
        referrer_contact=data["referrer_contact"],
        lump_size_cm=data["lump_size_cm"],
        lump_depth=data["lump_depth"],
        lump_growing=data["lump_growing"],
        lump_painful=data["lump_painful"],
        imaging_done=data["imaging_done"],
        imaging_result=data["imaging_result"],
    )
    return {
        "diagnostic": {
            "clinic": DiagnosticClinic.objects.filter(pk=suggestion.clinic_id).first(),
            "clinic_reason": suggestion.reason,
            "mutual_aid": services.mutual_aid_suggest(refer_to=decision.refer_to, on=data["received_on"]),
            "missing": rules.missing_information(content),
        }
    }
