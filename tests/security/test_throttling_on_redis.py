"""The throttling counts on the production cache, Redis: shared by every process, and each
window closes on time (the count keeps its expiry as it grows). Runs on CACHE_URL's Redis, or
the broker's; each test's keys carry their own prefix and are deleted after it."""

from __future__ import annotations

import time

import pytest
from wagtail.models import Locale, PageViewRestriction

from core.throttling import _keys
from home.site_structure import practice_index_for
from tests.knowledge.factories import add_practice
from tests.services import cache_on_redis, require_redis_cache

pytestmark = pytest.mark.services


@pytest.fixture
def redis_cache(settings, site_structure):
    with cache_on_redis(settings, require_redis_cache()) as client:
        yield client


def test_search_api_rate_limit_counts_in_redis(client, settings, redis_cache):
    settings.SEARCH_API_RATE_LIMIT = "2/minute"
    for _ in range(2):
        assert client.get("/api/v1/search/?q=x", REMOTE_ADDR="10.3.3.3").status_code == 200

    count_key = f"{settings.CACHES['default']['KEY_PREFIX']}:1:{_keys('search-api', '10.3.3.3')[0]}"
    # Another process sees the same count, with the window's expiry still on it.
    assert int(redis_cache.get(count_key)) == 2
    assert 0 < redis_cache.ttl(count_key) <= 60
    response = client.get("/api/v1/search/?q=x", REMOTE_ADDR="10.3.3.3")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60


def test_a_redis_window_closes(client, settings, redis_cache):
    settings.SEARCH_API_RATE_LIMIT = "1/second"
    assert client.get("/api/v1/search/?q=x", REMOTE_ADDR="10.4.4.4").status_code == 200
    assert client.get("/api/v1/search/?q=x", REMOTE_ADDR="10.4.4.4").status_code == 429
    time.sleep(1.1)
    assert client.get("/api/v1/search/?q=x", REMOTE_ADDR="10.4.4.4").status_code == 200


def test_sign_in_lock_counts_in_redis(client, settings, redis_cache, django_user_model):
    settings.LOGIN_FAILURE_LIMIT = 2
    django_user_model.objects.create_superuser("editor", password="right-password-1")
    for _ in range(2):
        client.post("/admin/login/", {"username": "editor", "password": "wrong"})

    response = client.post("/admin/login/", {"username": "editor", "password": "right-password-1"})

    assert response.status_code == 200
    assert "Too many failed sign-in attempts" in response.content.decode()


def test_privacy_password_limit_counts_in_redis(client, settings, redis_cache):
    settings.PRIVACY_PASSWORD_FAILURE_LIMIT = 2
    practice = add_practice(practice_index_for(Locale.get_default()), "Closed briefing")
    restriction = PageViewRestriction.objects.create(
        page=practice, restriction_type=PageViewRestriction.PASSWORD, password="right-one"
    )
    url = f"/en/_util/authenticate_with_password/{restriction.id}/{practice.id}/"

    def attempt(password):
        data = {"password": password, "return_url": practice.url}
        return client.post(url, data, REMOTE_ADDR="10.5.5.5")

    for _ in range(2):
        assert attempt("wrong").status_code == 200

    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    count_key = f"{prefix}:1:{_keys('privacy-page-ip', f'{restriction.id}:10.5.5.5')[0]}"
    assert int(redis_cache.get(count_key)) == 2
    assert 0 < redis_cache.ttl(count_key) <= settings.PRIVACY_PASSWORD_FAILURE_WINDOW_SECONDS
    response = attempt("right-one")
    assert response.status_code == 429
    assert "Too many wrong passwords" in response.content.decode()
