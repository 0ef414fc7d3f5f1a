"""The FHIR API's pure rules: page size, cursors, dates and tokens."""

import datetime

import pytest

from fhir_api import rules


def test_page_size_defaults_and_is_capped():
    assert rules.page_size(None) == rules.DEFAULT_COUNT
    assert rules.page_size("5") == 5
    assert rules.page_size("100000") == rules.MAX_COUNT


@pytest.mark.parametrize("raw", ["0", "-1", "x", "²", "1.5"])
def test_a_bad_page_size_names_count(raw):
    with pytest.raises(rules.SearchError) as refused:
        rules.page_size(raw)
    assert refused.value.expression == "_count"


def test_last_updated_reads_prefixes_dates_and_instants():
    bound = rules.last_updated("ge2026-11-24")
    assert (bound.lookup, bound.value, bound.day) == (
        "gte",
        datetime.datetime(2026, 11, 24, tzinfo=datetime.UTC),
        True,
    )
    bound = rules.last_updated("lt2026-11-24T09:30:00Z")
    assert (bound.lookup, bound.value.hour, bound.day) == ("lt", 9, False)
    assert rules.last_updated("2026-11-24").lookup == "eq"


@pytest.mark.parametrize("raw", ["sa2026-11-24", "2026-13-01", "2026-11-24T09:00:00", "soon"])
def test_a_bad_last_updated_is_refused(raw):
    with pytest.raises(rules.SearchError):
        rules.last_updated(raw)


def test_token_hash_is_sha256_and_differs_per_token():
    assert len(rules.token_hash("a")) == 64
    assert rules.token_hash("a") != rules.token_hash("b")


def test_token_values_split_system_and_code():
    assert rules.token_value("http://x|y") == ("http://x", "y")
    assert rules.token_value("y") == (None, "y")
    assert rules.token_value("|y") == (None, "y")
