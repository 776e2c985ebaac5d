"""The Celery app. `celery -A cac worker` starts a worker against CELERY_BROKER_URL."""

import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cac.settings.dev")

app = Celery("cac")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="cac.worker_check")
def worker_check() -> dict:
    """Proves a worker is up, configured, and reading the same database as the web process."""
    from wagtail.models import Page

    return {"pages": Page.objects.count()}


@worker_process_init.connect
def load_text_analysis(**_kwargs):
    """Each worker process loads Kiwi's Korean model before its first indexing task."""
    # Imported here: loading the analysis module loads Kiwi, in each worker after the fork.
    from search.analysis import warm_up

    warm_up()
