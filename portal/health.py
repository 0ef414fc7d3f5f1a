"""The health endpoint for load balancers (`/health/`, issue 22): is the database, the cache and
the Celery broker reachable from this web server?

django-health-check runs the probes (each with its own time limit, in parallel). The answer is
our own, and deliberately small: one word per component, "up" or "down", in JSON, with 200 when
all are up and 503 when any is down. The library's own reports name hosts, ports, database
numbers and error texts, which a probe anyone can reach must not reveal. No sign-in, no session
written, no patient data read, so no access-log row; never cached."""

import asyncio
import dataclasses
import datetime

from celery import current_app
from django.http import HttpRequest, JsonResponse
from health_check.base import HealthCheck
from health_check.checks import Cache, Database
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView
from kombu import Connection


@dataclasses.dataclass
class Broker(HealthCheck):
    """Connect to the Celery broker (whatever its transport: Redis in production, the filesystem
    on a first run) and disconnect. Reachability only: whether a worker is listening is the
    worker's own business, and the outbox (portal/outbox.py) keeps what is owed while it is away."""

    timeout = datetime.timedelta(seconds=3)

    def run(self) -> None:
        url = current_app.conf.broker_url
        options = dict(current_app.conf.broker_transport_options or {})
        # Fail fast: a probe must answer before the load balancer's own timeout.
        options.update(socket_connect_timeout=2, socket_timeout=2)
        try:
            with Connection(url, connect_timeout=2, transport_options=options) as connection:
                connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
        except Exception as error:  # any transport's own error: the broker is down for us
            raise ServiceUnavailable("broker unreachable") from error


# Component name -> the check. The names are all a caller learns.
COMPONENTS = {"database": Database, "cache": Cache, "broker": Broker}


class HealthView(HealthCheckView):
    """GET only; answers JSON whatever the Accept header."""

    http_method_names = ["get", "head"]
    checks = tuple(COMPONENTS.values())

    async def get(self, request: HttpRequest, *args, **kwargs) -> JsonResponse:
        with self.get_executor() as executor:
            results = await asyncio.gather(*(check().get_result(executor) for check in COMPONENTS.values()))
        status = {
            name: "down" if result.error else "up" for name, result in zip(COMPONENTS, results, strict=True)
        }
        healthy = all(value == "up" for value in status.values())
        return JsonResponse(status, status=200 if healthy else 503)


health = HealthView.as_view()
