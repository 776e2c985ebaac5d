"""The throttling counts on the production cache, Redis: shared by every process, and each
window closes on time (the count keeps its expiry as it grows)."""

from __future__ import annotations

import time
import uuid

import pytest
import redis

from cac.throttling import _keys
from tests.services import require_redis_broker

pytestmark = pytest.mark.services


@pytest.fixture
def redis_cache(settings, site_structure):
    url = require_redis_broker()
    prefix = f"cac-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
        }
    }
    client = redis.Redis.from_url(url)
    yield client
    # Only this test's keys: the Redis is shared.
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


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
