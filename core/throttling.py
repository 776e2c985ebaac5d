"""Counting events per client in Django's cache: the search API's rate limit, and the
failure counts behind sign-in throttling (login_throttle.py) and the privacy-password attempt
limit (privacy_passwords.py).

A window opens at a client's first event and lasts the period; past the limit the client is
refused until the window closes. The counts live in the default cache (Redis when CACHE_URL is
set; otherwise each process counts on its own).
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, JsonResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
# The settings that hold a rate, checked by `manage.py check`.
RATE_SETTINGS = (
    "SEARCH_API_RATE_LIMIT",
    "SEARCH_DOWNLOAD_RATE_LIMIT",
    "CONTACT_FORM_RATE_LIMIT",
    "REPRESENTATIVE_REQUEST_RATE_LIMIT",
    "ALERT_SUBSCRIBE_RATE_LIMIT",
    "SEARCH_PAGE_RATE_LIMIT",
    "PASSWORD_RESET_RATE_LIMIT",
)
# Public forms whose views are not ours to decorate, or are shared: (URL name, method) ->
# (scope, setting). The network's own forms count in their views, to answer in their page.
PUBLIC_FORM_LIMITS = {
    ("search", "GET"): ("search-page", "SEARCH_PAGE_RATE_LIMIT"),
    ("wagtailadmin_password_reset", "POST"): ("password-reset", "PASSWORD_RESET_RATE_LIMIT"),
}


@dataclass(frozen=True)
class Rate:
    limit: int
    period: int


def parse_rate(text: str) -> Rate | None:
    """ "60/minute" -> Rate(60, 60). Empty means no limit."""
    if not text:
        return None
    count, _sep, unit = text.partition("/")
    try:
        rate = Rate(int(count), PERIODS[unit.strip().rstrip("s")])
    except (ValueError, KeyError):
        raise ImproperlyConfigured(f"A rate is 'N/second|minute|hour|day', not {text!r}") from None
    if rate.limit < 1:
        raise ImproperlyConfigured(f"A rate needs a limit of at least 1, not {text!r}")
    return rate


def check_rate_settings(app_configs=None, **kwargs) -> list:
    """A system check: a mistyped rate is reported by `manage.py check`, not by a 500."""
    from django.core.checks import Error

    errors = []
    for setting in RATE_SETTINGS:
        try:
            parse_rate(getattr(settings, setting, ""))
        except ImproperlyConfigured as error:
            errors.append(Error(f"{setting}: {error}", id="cac.E001"))
    return errors


def client_ip(request: HttpRequest) -> str:
    """The client's address. Behind a proxy, CLIENT_IP_HEADER names the header it sets (e.g.
    HTTP_X_FORWARDED_FOR); its last entry is the one our proxy added, so a client cannot forge
    it. Without the setting the header is ignored: anyone could send it."""
    header = getattr(settings, "CLIENT_IP_HEADER", "")
    if header and request.META.get(header):
        return request.META[header].split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def _keys(scope: str, key: str) -> tuple[str, str]:
    count_key = f"throttle:{scope}:{key}"
    return count_key, f"{count_key}:start"


def increment(scope: str, key: str, period: int) -> int:
    """Count one event in the client's window, opening a window if none is open."""
    count_key, start_key = _keys(scope, key)
    for _attempt in range(3):
        cache.add(start_key, time.time(), period)
        cache.add(count_key, 0, period)
        try:
            return cache.incr(count_key)
        except ValueError:  # the window closed between add and incr: open a new one
            continue
    return 1


def count(scope: str, key: str) -> int:
    return cache.get(_keys(scope, key)[0], 0)


def seconds_left(scope: str, key: str, period: int) -> int:
    """Whole seconds until the client's window closes (at least 1)."""
    started = cache.get(_keys(scope, key)[1])
    if started is None:
        return 1
    return max(1, math.ceil(started + period - time.time()))


def clear(scope: str, key: str) -> None:
    cache.delete_many(_keys(scope, key))


@dataclass(frozen=True)
class FailureCounter:
    """One count of failures (wrong passwords): past `limit` within the window, refuse."""

    scope: str
    key: str
    limit: int


def locked_for(counters: Iterable[FailureCounter], period: int) -> int | None:
    """Seconds until every counter is under its limit again, or None if none is over it."""
    waits = [
        seconds_left(counter.scope, counter.key, period)
        for counter in counters
        if count(counter.scope, counter.key) >= counter.limit
    ]
    return max(waits) if waits else None


def count_failure(counters: Iterable[FailureCounter], period: int) -> None:
    for counter in counters:
        increment(counter.scope, counter.key, period)


def minutes_to_wait(seconds: int) -> int:
    """Whole minutes, rounded up, for a message ("Try again in 2 minutes")."""
    return max(1, math.ceil(seconds / 60))


def hit(scope: str, key: str, rate: Rate) -> int | None:
    """Count one request; the seconds until the window closes if it is over the limit."""
    if increment(scope, key, rate.period) <= rate.limit:
        return None
    return seconds_left(scope, key, rate.period)


def wait_before_posting(request: HttpRequest, scope: str, setting: str) -> int | None:
    """Seconds this client must wait before posting a public form again, or None to go ahead.

    Every posted form counts, accepted or not, so a flood is refused early."""
    rate = parse_rate(getattr(settings, setting, ""))
    if rate is None:
        return None
    return hit(scope, client_ip(request), rate)


def too_many_requests(rate: Rate, retry_after: int) -> JsonResponse:
    message = _("Too many requests: at most %(limit)d in %(period)d seconds.") % {
        "limit": rate.limit,
        "period": rate.period,
    }
    response = JsonResponse({"error": message, "retry_after": retry_after}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def rate_limited(scope: str, setting: str):
    """A view decorator: at most the rate in `setting` per client address, else a JSON 429."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            rate = parse_rate(getattr(settings, setting, ""))
            if rate is not None:
                retry_after = hit(scope, client_ip(request), rate)
                if retry_after is not None:
                    return too_many_requests(rate, retry_after)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class PublicFormRateLimitMiddleware:
    """At most the configured rate per client address for the forms in PUBLIC_FORM_LIMITS:
    past it, a page that says how long to wait (429, with Retry-After)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        limit = PUBLIC_FORM_LIMITS.get((match.url_name if match else None, request.method))
        if limit is None:
            return None
        if request.method == "GET" and not request.GET.get("q"):
            return None  # the empty search form itself costs nothing
        wait = wait_before_posting(request, *limit)
        if wait is None:
            return None
        response = TemplateResponse(
            request, "429.html", {"seconds": wait, "minutes": minutes_to_wait(wait)}, status=429
        )
        response["Retry-After"] = str(wait)
        return response
