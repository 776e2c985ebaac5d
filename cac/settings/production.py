"""Production: every secret and host comes from the environment; nothing defaults to unsafe.

Production refuses to start half-configured. base.py falls back to the embedded parts when a
service is not named (SQLite, tasks run inside the web request, a cache per process, the
embedded search engine); here each of those must be named, or its stand-in asked for in so
many words. One ImproperlyConfigured names everything missing at once.
"""

from cac.settings.base import *

DEBUG = False
SECRET_KEY = env("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
# Absolute links in e-mails must name the real site (the API and downloads name the host
# each request used: core/absolute_urls.py).
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default="")
# Stand-ins that are sometimes intended (one process on one host, a build step): each must be
# asked for explicitly, so that a forgotten service URL stops the start instead.
CELERY_TASKS_IN_PROCESS = env.bool("CELERY_TASKS_IN_PROCESS", default=False)
CACHE_PER_PROCESS = env.bool("CACHE_PER_PROCESS", default=False)
SEARCH_ENGINE_EMBEDDED = env.bool("SEARCH_ENGINE_EMBEDDED", default=False)

_missing = [
    name
    for name, configured in (
        ("SECRET_KEY", SECRET_KEY),
        ("ALLOWED_HOSTS", ALLOWED_HOSTS),
        ("WAGTAILADMIN_BASE_URL", WAGTAILADMIN_BASE_URL),
        # SQLite is possible, but only named: DATABASE_URL=sqlite:////data/cac.sqlite3
        ("DATABASE_URL", env("DATABASE_URL", default="")),
        (
            "CELERY_BROKER_URL (or CELERY_TASKS_IN_PROCESS=true: tasks run inside web requests)",
            CELERY_BROKER_URL or CELERY_TASKS_IN_PROCESS,
        ),
        (
            "CACHE_URL (or CACHE_PER_PROCESS=true: each process counts sign-in and API "
            "throttling on its own)",
            env("CACHE_URL", default="") or CACHE_PER_PROCESS,
        ),
        (
            "ELASTICSEARCH_URL (or SEARCH_ENGINE_EMBEDDED=true: the embedded engine in "
            "SEARCH_INDEX_DIR, which every process must share)",
            ELASTICSEARCH_URL or SEARCH_ENGINE_EMBEDDED,
        ),
    )
    if not configured
]
if _missing:
    raise ImproperlyConfigured(
        "Production settings refuse to start half-configured. Set these environment "
        "variables (docs/deployment.md, .env.example): " + "; ".join(_missing)
    )

# A cache per process cannot be purged across processes (a publish in one, or in a Celery
# worker, would leave the others serving the old page): no page cache, nor kept search
# answers, unless asked for by name.
if not env("CACHE_URL", default=""):
    if "PAGE_CACHE_SECONDS" not in env:
        PAGE_CACHE_SECONDS = 0
    if "SEARCH_CACHE_SECONDS" not in env:
        SEARCH_CACHE_SECONDS = 0

# Hashed names (css/cac.3f2a….css) and gzip copies, made by collectstatic when the image is
# built; WhiteNoise serves them cached for a year, immutable, and any file without a hash in
# its name for WHITENOISE_MAX_AGE's default, 60 s (docs/deployment.md).
STORAGES["staticfiles"]["BACKEND"] = "whitenoise.storage.CompressedManifestStaticFilesStorage"

# HTTPS everywhere. Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Load balancers probe over plain HTTP inside the network: no redirect for the health endpoints.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
# No page may be framed; Wagtail's (and wagtail-localize's) preview views set SAMEORIGIN on
# their own responses for the admin's live preview. No system check needs silencing.
X_FRAME_OPTIONS = "DENY"
