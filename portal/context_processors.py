from django.conf import settings
from django.http import HttpRequest


def portal(request: HttpRequest) -> dict:
    return {"network_name": settings.PORTAL_NETWORK_NAME}
