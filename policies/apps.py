from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    """Document-controlled policies and pathways: drafts, SAG approval, circulation and review-date
    alerts."""

    name = "policies"
    verbose_name = "Policies and pathways"
