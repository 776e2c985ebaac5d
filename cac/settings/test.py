"""The test suite. Same parts as base; fast hashing and files in a throwaway folder."""

import tempfile

from .base import *

SECRET_KEY = "cac-test-key-not-secret"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="cac-test-media-"))
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
# A Celery worker started by the tests is given the test process's directory through
# TEST_SEARCH_INDEX_DIR, so both see the same index.
SEARCH_INDEX_DIR = Path(
    env("TEST_SEARCH_INDEX_DIR", default="") or tempfile.mkdtemp(prefix="cac-test-search-index-")
)
