from django.apps import AppConfig


class FhirApiConfig(AppConfig):
    """A FHIR R4 API in the UK Core profiles: the published directory and MDTs to read, and
    referrals submitted by other systems through the same intake as the referral form."""

    name = "fhir_api"
    verbose_name = "FHIR API"
