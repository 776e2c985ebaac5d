"""Failed sign-ins are counted per username and per address; past the limit sign-in is
refused, even with the right password, until the window passes."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth import authenticate
from django.test import Client
from django.utils import translation

PASSWORD = "right-password-1"


@pytest.fixture
def limits(settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.LOGIN_FAILURE_IP_LIMIT = 5
    settings.LOGIN_FAILURE_WINDOW_SECONDS = 60
    return settings


@pytest.fixture
def staff(django_user_model):
    for name in ("editor", "colleague"):
        django_user_model.objects.create_superuser(name, password=PASSWORD)


def _sign_in(client, username, password, ip="10.0.0.1", lang=None):
    headers = {"HTTP_ACCEPT_LANGUAGE": lang} if lang else {}
    return client.post(
        "/admin/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
        **headers,
    )


def _signed_in(response) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.wsgi_request.session


def _fail(client, username, times, ip="10.0.0.1"):
    for _ in range(times):
        response = _sign_in(client, username, "wrong", ip=ip)
        assert response.status_code == 200 and not _signed_in(response)


def test_after_the_limit_the_right_password_is_refused_with_a_clear_message(client, limits, staff):
    _fail(client, "editor", 3)

    response = _sign_in(client, "editor", PASSWORD)

    assert not _signed_in(response)
    assert "Too many failed sign-in attempts" in response.content.decode()
    # Any other sign-in path is refused too.
    assert authenticate(response.wsgi_request, username="editor", password=PASSWORD) is None


def test_below_the_limit_the_right_password_works_and_clears_the_count(client, limits, staff):
    _fail(client, "editor", 2)
    assert _signed_in(_sign_in(client, "editor", PASSWORD))

    Client().logout()
    _fail(Client(), "editor", 2)
    # Two more failures after the reset are still under the limit of three.
    assert _signed_in(_sign_in(Client(), "editor", PASSWORD))


def test_another_user_and_another_address_are_not_affected(client, limits, staff):
    _fail(client, "editor", 3, ip="10.0.0.1")

    assert _signed_in(_sign_in(Client(), "colleague", PASSWORD, ip="10.0.0.1"))
    # The username is locked wherever the attempt comes from...
    assert not _signed_in(_sign_in(Client(), "editor", PASSWORD, ip="10.9.9.9"))


def test_one_address_guessing_many_usernames_is_locked_out(client, limits, staff):
    for number in range(5):
        _fail(client, f"guess-{number}", 1, ip="10.6.6.6")

    response = _sign_in(Client(), "colleague", PASSWORD, ip="10.6.6.6")

    assert not _signed_in(response)
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert _signed_in(_sign_in(Client(), "colleague", PASSWORD, ip="10.7.7.7"))


def test_the_lock_ends_when_the_window_passes(client, limits, staff):
    limits.LOGIN_FAILURE_WINDOW_SECONDS = 1
    _fail(client, "editor", 3)
    assert not _signed_in(_sign_in(client, "editor", PASSWORD))

    time.sleep(1.1)

    assert _signed_in(_sign_in(client, "editor", PASSWORD))


def test_the_message_is_translatable(client, limits, staff):
    from core.login_throttle import refusal_message

    _fail(client, "editor", 3)
    response = _sign_in(client, "editor", PASSWORD)
    with translation.override("en"):
        assert refusal_message(60) in response.content.decode()
    assert refusal_message(61).endswith("2 minutes.")
