"""Access to the real services a test needs, with the rule for when one is missing.

Locally a missing service skips the test and says why. With CI=true it fails the test:
CI must exercise the production parts.
"""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.db import connection


def service_missing(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"required service missing in CI: {reason}", pytrace=False)
    pytest.skip(reason)


def require_postgresql() -> None:
    if connection.vendor != "postgresql":
        service_missing("needs PostgreSQL: set DATABASE_URL=postgres://...")


def _require_redis_at(url: str) -> str:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        service_missing(f"Redis at {url} is not answering: {error}")
    return url


def require_redis_broker() -> str:
    url = settings.CELERY_BROKER_URL
    if not url:
        service_missing("needs Redis: set CELERY_BROKER_URL=redis://...")
    return _require_redis_at(url)


def require_redis_cache() -> str:
    """A Redis for the cache: CACHE_URL's, or else the broker's (CI sets only the broker)."""
    cache = settings.CACHES["default"]
    url = cache["LOCATION"] if cache["BACKEND"].endswith("RedisCache") else ""
    url = url or settings.CELERY_BROKER_URL
    if not url:
        service_missing("needs Redis: set CACHE_URL=redis://... (or CELERY_BROKER_URL)")
    return _require_redis_at(url)


# A database of its own on a local Redis when the environment names none.
LOCAL_REDIS = "redis://127.0.0.1:6379/12"


def redis_url_for_cache() -> str:
    """CACHE_URL's Redis, or the broker's, or a local one; the test fails under CI=true (skips
    locally) when it does not answer."""
    cache = settings.CACHES["default"]
    url = cache["LOCATION"] if cache["BACKEND"].endswith("RedisCache") else ""
    return _require_redis_at(url or settings.CELERY_BROKER_URL or LOCAL_REDIS)


@contextmanager
def cache_on_redis(settings, url: str):
    """The default cache on the Redis at `url`, under a key prefix of this test's own; its keys
    are deleted afterwards, and only its own: the Redis is shared. Yields a client to it."""
    import redis

    prefix = f"cac-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
        }
    }
    client = redis.Redis.from_url(url)
    try:
        yield client
    finally:
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
