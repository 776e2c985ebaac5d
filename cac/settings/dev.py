"""Local development: `make run`. Debug on, a fixed throwaway key, permissive hosts."""

from cac.settings.base import *

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="django-insecure-cac-local-development-only")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["*"])
