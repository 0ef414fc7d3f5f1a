"""What other apps' pages show of the MDT, asked by their templates (referrals/ imports no mdt code)."""

from django import template

from ..services import discussions_for_patient

register = template.Library()


@register.inclusion_tag("mdt/_patient_discussions.html", takes_context=True)
def patient_mdt_discussions(context, patient) -> dict:
    """A patient's MDT discussions the signed-in user may see, latest meeting first."""
    return {
        "discussions": discussions_for_patient(patient, context["request"].user),
        "request": context["request"],
    }
