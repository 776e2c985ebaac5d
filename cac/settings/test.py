"""The test suite. Same parts as base; fast hashing and files in a throwaway folder."""

import os
import tempfile
from urllib.parse import urlsplit, urlunsplit

from cac.settings.base import *

SECRET_KEY = "cac-test-key-not-secret"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The test worker is given the same folders (tests/conftest.py), so it reads the uploads.
MEDIA_ROOT = Path(env("TEST_MEDIA_ROOT", default="") or tempfile.mkdtemp(prefix="cac-test-media-"))
# A Celery worker started by the tests writes its emails to files the test can read.
EMAIL_BACKEND = env("TEST_EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")
EMAIL_FILE_PATH = env("TEST_EMAIL_FILE_PATH", default="")
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
# Nothing is collected for the tests: WhiteNoise looks a static file up when asked instead of
# scanning STATIC_ROOT at start-up (which warns when there is none).
WHITENOISE_AUTOREFRESH = True
# A Celery worker started by the tests is given the test process's directory through
# TEST_SEARCH_INDEX_DIR, so both see the same index.
SEARCH_INDEX_DIR = Path(
    env("TEST_SEARCH_INDEX_DIR", default="") or tempfile.mkdtemp(prefix="cac-test-search-index-")
)

# With pytest-xdist (`-n 2`), each test process has its own database (pytest-django names it
# test_<name>_gw0, _gw1…) and needs its own Redis database as well: its own Celery worker,
# queue and results, and its own throttling counts. gw0 takes the broker's database + 1, and
# so on. Celery reads CELERY_BROKER_URL from the environment before its settings, so the
# variable is moved too; the processes a test starts inherit it, already moved, and
# CAC_TEST_REDIS_MOVED keeps them from moving it again.
_xdist_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if (
    _xdist_worker.startswith("gw")
    and CELERY_BROKER_URL
    and not os.environ.get("CAC_TEST_REDIS_MOVED")
):
    _broker = urlsplit(CELERY_BROKER_URL)
    _database = int(_broker.path.strip("/") or 0) + 1 + int(_xdist_worker[2:])
    CELERY_BROKER_URL = CELERY_RESULT_BACKEND = urlunsplit(_broker._replace(path=f"/{_database}"))
    os.environ["CELERY_BROKER_URL"] = os.environ["CELERY_RESULT_BACKEND"] = CELERY_BROKER_URL
    os.environ["CAC_TEST_REDIS_MOVED"] = "1"

# Search by meaning is off unless a test turns it on (tests/search/test_semantic_search.py):
# embedding every page the suite publishes would cost minutes and test nothing more.
SEARCH_EMBEDDERS = env("TEST_SEARCH_EMBEDDERS", default="")

# Each search is written as it happens: a test reads the query log right after searching.
SEARCH_QUERY_LOG_FLUSH_SECONDS = 0
# The page cache is off unless a test turns it on (tests/core/test_page_cache.py): most tests
# change content inside a transaction that never commits, so no purge would follow.
PAGE_CACHE_SECONDS = env.int("TEST_PAGE_CACHE_SECONDS", default=0)
# Search answers are not kept unless a test turns it on (tests/search/test_results_cache.py).
SEARCH_CACHE_SECONDS = env.int("TEST_SEARCH_CACHE_SECONDS", default=0)
