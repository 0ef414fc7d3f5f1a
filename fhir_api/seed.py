"""Demo data for the FHIR API: none. A client token is shown once, to the superuser who issues
it in the admin (README, "FHIR API"), so the demo cannot hand one out."""


def seed() -> None:
    """Nothing to seed: the directory's and MDTs' demo data are what the API serves."""
