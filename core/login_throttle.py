"""Sign-in throttling: too many failed sign-ins for one username, or from one address, and
sign-in is refused (even with the right password) until the window passes.

Failures are counted from Django's user_login_failed signal, so every sign-in path counts.
The refusal happens twice: the admin's login form says why (a clear, translated error), and
the authentication backend (ModelBackend plus the check) refuses any other sign-in path.
Limits: LOGIN_FAILURE_LIMIT per username, LOGIN_FAILURE_IP_LIMIT per address, within
LOGIN_FAILURE_WINDOW_SECONDS. A successful sign-in clears its username's count.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth import get_user_model, user_logged_in, user_login_failed
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied, ValidationError
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.admin.forms.auth import LoginForm

from core import throttling

USER_SCOPE = "login-user"
IP_SCOPE = "login-ip"


def _user_key(username: str) -> str:
    # Hashed: the cache never holds what someone typed as a username.
    return hashlib.sha256(username.strip().casefold().encode()).hexdigest()


def _window() -> int:
    return settings.LOGIN_FAILURE_WINDOW_SECONDS


def _counters(username: str | None, request) -> list[throttling.FailureCounter]:
    counters = []
    if username:
        counters.append(
            throttling.FailureCounter(USER_SCOPE, _user_key(username), settings.LOGIN_FAILURE_LIMIT)
        )
    ip = throttling.client_ip(request) if request is not None else ""
    if ip:
        counters.append(throttling.FailureCounter(IP_SCOPE, ip, settings.LOGIN_FAILURE_IP_LIMIT))
    return counters


def locked_for(username: str | None, request) -> int | None:
    """Seconds until sign-in may be tried again, or None if it may be tried now."""
    return throttling.locked_for(_counters(username, request), _window())


def _username(credentials: dict) -> str | None:
    return credentials.get(get_user_model().USERNAME_FIELD) or credentials.get("username")


@receiver(user_login_failed, dispatch_uid="core.login_throttle.count_failure")
def count_failure(sender, credentials, request=None, **kwargs):
    throttling.count_failure(_counters(_username(credentials), request), _window())


@receiver(user_logged_in, dispatch_uid="core.login_throttle.clear_on_success")
def clear_on_success(sender, request, user, **kwargs):
    # Only the username's count: the address's count stays, so signing in to one's own
    # account between guesses at others does not reset it.
    throttling.clear(USER_SCOPE, _user_key(user.get_username()))


def refusal_message(seconds: int) -> str:
    minutes = throttling.minutes_to_wait(seconds)
    return ngettext(
        "Too many failed sign-in attempts. Try again in %(minutes)d minute.",
        "Too many failed sign-in attempts. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


class ThrottledModelBackend(ModelBackend):
    """Django's ModelBackend, refusing while the username or address is throttled. Raising
    PermissionDenied (rather than returning None) stops Django trying any other backend."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if locked_for(username, request) is not None:
            raise PermissionDenied(_("Too many failed sign-in attempts."))
        return super().authenticate(request, username=username, password=password, **kwargs)


class ThrottledLoginForm(LoginForm):
    """Wagtail's login form, saying plainly when sign-in is refused for too many failures."""

    def clean(self):
        wait = locked_for(self.cleaned_data.get("username"), self.request)
        if wait is not None:
            raise ValidationError(refusal_message(wait), code="throttled")
        return super().clean()
