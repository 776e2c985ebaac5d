"""The test suite. Same parts as base; fast hashing and files in a throwaway folder."""

import tempfile

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
# A Celery worker started by the tests is given the test process's directory through
# TEST_SEARCH_INDEX_DIR, so both see the same index.
SEARCH_INDEX_DIR = Path(
    env("TEST_SEARCH_INDEX_DIR", default="") or tempfile.mkdtemp(prefix="cac-test-search-index-")
)

# Search by meaning is off unless a test turns it on (tests/search/test_semantic_search.py):
# embedding every page the suite publishes would cost minutes and test nothing more.
SEARCH_EMBEDDERS = env("TEST_SEARCH_EMBEDDERS", default="")
