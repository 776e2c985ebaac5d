"""The indexing pipeline on a real Celery worker and Redis: nothing is lost in an outage."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection
from wagtail.models import Locale

from home.site_structure import practice_index_for
from knowledge.models import PracticePage
from search.engines.base import SearchRequest
from search.models import IndexOutboxEntry
from search.tasks import drain_index_outbox
from tests.conftest import PROJECT_ROOT

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Publishes one page in a separate web-like process whose broker is down.
PUBLISH_SCRIPT = """
import json, sys, time
import django
django.setup()
from knowledge.models import PracticePage
timings = []
for pk in sys.argv[1:]:
    page = PracticePage.objects.get(pk=int(pk))
    started = time.monotonic()
    page.save_revision().publish()
    timings.append(time.monotonic() - started)
print(json.dumps(timings))
"""


def _add_draft(title: str) -> PracticePage:
    practice = PracticePage(title=title, summary=f"{title} summary", live=False)
    practice_index_for(Locale.get_default()).add_child(instance=practice)
    practice.save_revision()
    return practice


def _wait_until_searchable(query: str, title: str, timeout: float = 30) -> float:
    from search.engines.embedded import EmbeddedEngine

    engine = EmbeddedEngine(settings.SEARCH_INDEX_DIR)
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if settings.SEARCH_INDEX_DIR.is_dir():  # the worker creates it with the first write
            response = engine.search(SearchRequest(query=query, collapse_translations=False))
            if title in [hit.title for hit in response.hits]:
                return time.monotonic() - started
        time.sleep(0.2)
    pytest.fail(f"{title!r} was not searchable within {timeout} s")


def test_published_page_becomes_searchable_through_the_worker(
    celery_worker_process, site_structure
):
    practice = _add_draft("Contact tracing teams")

    practice.save_revision().publish()

    _wait_until_searchable("tracing", "Contact tracing teams")
    assert not IndexOutboxEntry.objects.filter(document_id=f"page-{practice.pk}").exists()


def test_engine_outage_recovers_without_anyone_acting(celery_worker_process, site_structure):
    index_dir = settings.SEARCH_INDEX_DIR
    aside = index_dir.with_name(index_dir.name + "-aside")
    index_dir.mkdir(parents=True, exist_ok=True)
    index_dir.rename(aside)
    index_dir.write_text("the engine is down")  # the worker cannot open or create the index
    try:
        practice = _add_draft("Published while the engine was down")
        practice.save_revision().publish()  # succeeds
        deadline = time.monotonic() + 20
        row = None
        while time.monotonic() < deadline:
            row = IndexOutboxEntry.objects.filter(document_id=f"page-{practice.pk}").first()
            if row is not None and row.attempts >= 1:
                break
            time.sleep(0.2)
        assert row is not None and row.attempts >= 1 and row.last_error
    finally:
        index_dir.unlink()
        aside.rename(index_dir)

    # The task's own retry drains once the row's backoff has passed.
    _wait_until_searchable("engine", "Published while the engine was down", timeout=60)


def test_broker_outage_at_publish_costs_no_time_and_loses_nothing(
    celery_worker_process, site_structure
):
    warm_up = _add_draft("Warm-up practice")
    practice = _add_draft("Published while Redis was down")
    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cac.settings.test",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}"
        f"/{database['NAME']}",
        "CELERY_BROKER_URL": "redis://127.0.0.1:1/5",  # nothing listens there
        "TEST_SEARCH_INDEX_DIR": str(settings.SEARCH_INDEX_DIR),
    }
    result = subprocess.run(
        [sys.executable, "-c", PUBLISH_SCRIPT, str(warm_up.pk), str(practice.pk)],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    timings = json.loads(result.stdout.strip().splitlines()[-1])

    assert timings[1] < 1.0, timings
    assert PracticePage.objects.get(pk=practice.pk).live
    assert IndexOutboxEntry.objects.filter(document_id=f"page-{practice.pk}").exists()

    drain_index_outbox.delay()  # what beat sends every minute once Redis answers again
    _wait_until_searchable("redis", "Published while Redis was down")
