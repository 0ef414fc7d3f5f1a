"""The Jinja2 environment, for the few templates rendered in a hot loop.

Every page is a Django template. The PTL's rows (templates/jinja2/waiting_times/ptl_rows.html)
are Jinja2, rendered once a page and placed in the Django page: fifty rows of eleven cells, two
forms each, cost the Django template engine about 3 ms a row, more than the page's queries at
1,000,000 referrals (docs/performance.md). Jinja2 compiles a template to Python and renders the
same rows several times faster. Django's Jinja2 backend turns autoescaping on and gives each
template `csrf_input` and `request`."""

import datetime

from jinja2 import Environment


def uk_date(day: datetime.date | None, empty: str = "—") -> str:
    """A date as the portal's Django templates show one (`|date:"d/m/Y"`), or `empty`."""
    return day.strftime("%d/%m/%Y") if day else empty


def environment(**options) -> Environment:
    options.pop("autoescape", None)  # Django's backend passes True; it is never anything else here
    env = Environment(autoescape=True, **options)
    env.filters["uk_date"] = uk_date
    return env
