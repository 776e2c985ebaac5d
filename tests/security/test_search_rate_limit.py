"""The public search API answers 429 with Retry-After past its per-address rate."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from core.throttling import Rate, parse_rate


@pytest.fixture
def three_per_hour(settings, site_structure):
    settings.SEARCH_API_RATE_LIMIT = "3/hour"
    return settings


def _search(client, ip="10.1.1.1", path="/api/v1/search/?q=clinic", **extra):
    return client.get(path, REMOTE_ADDR=ip, **extra)


def test_over_the_limit_is_a_429_with_retry_after(client, three_per_hour):
    for _ in range(3):
        assert _search(client).status_code == 200

    response = _search(client)

    assert response.status_code == 429
    retry_after = int(response["Retry-After"])
    assert 3500 < retry_after <= 3600
    body = response.json()
    assert "Too many requests" in body["error"]
    assert body["retry_after"] == retry_after


def test_other_addresses_and_suggest_are_counted_apart(client, three_per_hour):
    for _ in range(4):
        _search(client)
    assert _search(client).status_code == 429

    assert _search(client, ip="10.2.2.2").status_code == 200
    assert _search(client, path="/api/v1/search/suggest?q=cli").status_code == 200


def test_a_forwarded_header_counts_only_when_configured(client, three_per_hour):
    for number in range(3):
        _search(client, HTTP_X_FORWARDED_FOR=f"192.0.2.{number}")
    # Not configured: the header is ignored, all four came from one address.
    assert _search(client, HTTP_X_FORWARDED_FOR="192.0.2.9").status_code == 429

    three_per_hour.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    # Configured: the proxy's (last) entry is the client; a forged first entry changes nothing.
    for _ in range(3):
        assert _search(client, HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7").status_code == 200
    assert _search(client, HTTP_X_FORWARDED_FOR="7.7.7.7, 198.51.100.7").status_code == 429
    assert _search(client, HTTP_X_FORWARDED_FOR="198.51.100.8").status_code == 200


def test_the_window_closes(client, settings, site_structure):
    import time

    settings.SEARCH_API_RATE_LIMIT = "1/second"
    assert _search(client).status_code == 200
    assert _search(client).status_code == 429
    time.sleep(1.1)
    assert _search(client).status_code == 200


def test_an_empty_rate_means_no_limit(client, settings, site_structure):
    settings.SEARCH_API_RATE_LIMIT = ""
    assert all(_search(client).status_code == 200 for _ in range(5))


@pytest.mark.parametrize(
    ("text", "rate"),
    [("60/minute", Rate(60, 60)), ("5/seconds", Rate(5, 1)), ("100/day", Rate(100, 86400))],
)
def test_rates_parse(text, rate):
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["60", "x/minute", "0/minute", "5/fortnight"])
def test_bad_rates_are_refused_with_the_reason(text):
    with pytest.raises(ImproperlyConfigured, match="rate"):
        parse_rate(text)


def test_a_mistyped_rate_fails_the_system_check(settings):
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    settings.SEARCH_API_RATE_LIMIT = "60 per minute"
    with pytest.raises(SystemCheckError, match="SEARCH_API_RATE_LIMIT"):
        call_command("check")
