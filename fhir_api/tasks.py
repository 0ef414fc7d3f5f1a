"""The FHIR API has no scheduled or background work: every call is answered in the request."""
