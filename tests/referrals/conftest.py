import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from directory.seed import load_reference_data

LONDON = ZoneInfo("Europe/London")


def on(day: datetime.date, hour: int = 9):
    """Freeze time at `hour` o'clock London time on `day`."""
    return time_machine.travel(
        datetime.datetime(day.year, day.month, day.day, hour, tzinfo=LONDON), tick=False
    )


@pytest.fixture
def directory(db):
    """The network directory as the spinal pathway gives it."""
    load_reference_data()


@pytest.fixture
def today():
    """Tests run on the portal's 'today' of the brief: Tuesday 24 November 2026."""
    day = datetime.date(2026, 11, 24)
    with on(day):
        yield day


def search_patients(client, q: str = "", **filters):
    """Search the patient list as its form does (a POST; the terms stay in the session) and
    return the list page it leads to."""
    response = client.post(reverse("referrals:patient_list"), {"q": q, **filters}, follow=True)
    assert "q=" not in response.request["QUERY_STRING"]
    return response
