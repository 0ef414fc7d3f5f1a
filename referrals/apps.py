from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    """Patients and their referrals: intake, routing by the pathway rules, transitions with their
    events, waiting-time clocks and alerts."""

    name = "referrals"
    verbose_name = "Referrals"
