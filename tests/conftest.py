from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.services import require_postgresql, require_redis_broker

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Where the test worker's emails land, one file per message.
WORKER_EMAIL_DIR = Path(tempfile.mkdtemp(prefix="cac-test-worker-mail-"))


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the default language: a request to /ko/ activates Korean
    for the whole thread, and the next test would inherit it."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


# The session's test worker, once started: its node name, to ask whether it is idle.
TEST_WORKER: dict[str, str] = {}


def wait_until_worker_idle(timeout: float = 60) -> None:
    """Until the test worker runs, holds and awaits no task.

    A transactional test ends by emptying the database (TRUNCATE). If the worker is still
    reading it (a task a test queued), PostgreSQL breaks the deadlock by failing the TRUNCATE,
    and every later test inherits the rows.
    """
    from cac.celery import app

    name = TEST_WORKER.get("name")
    if not name:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        # A solo-pool worker answers between tasks only: no answer means busy.
        inspect = app.control.inspect(destination=[name], timeout=2, limit=1)
        states = [(answer or {}).get(name) for answer in (inspect.active(), inspect.reserved())]
        with app.connection_for_write() as connection:
            # Redis keeps a queue as a list, absent when empty.
            waiting = connection.default_channel.client.llen(app.conf.task_default_queue)
        if states == [[], []] and waiting == 0:
            return
        time.sleep(0.2)


@pytest.fixture(autouse=True)
def worker_idle_before_database_flush(request):
    """Transactional tests: the worker finishes its tasks before the database is emptied."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(request.fixturenames)
    )
    if transactional:
        # Set up the database first, so that its flush comes after this fixture's wait.
        request.getfixturevalue("_django_db_helper")
    yield
    if transactional:
        wait_until_worker_idle()


@pytest.fixture(autouse=True)
def empty_local_cache():
    """Sign-in and API throttling count in the cache, which outlives a test: each test starts
    with no counts. Only the in-process cache is emptied; a shared Redis is never flushed."""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    if isinstance(caches["default"], LocMemCache):
        caches["default"].clear()


@pytest.fixture(autouse=True)
def empty_search_index_after_test():
    """The index lives on disk, outside the test's rolled-back transaction: empty it after
    each test that wrote to it, so no test finds another's documents."""
    yield
    from search.engines.selection import get_engine

    get_engine.cache_clear()
    engine = get_engine()
    if engine.count():
        engine.rebuild([])


@pytest.fixture
def tasks_in_process():
    """Celery tasks run in this process, as in the embedded default, whatever the broker.

    The same task code a worker runs; tests of the worker itself use celery_worker_process.
    Ask for it before data fixtures: with a broker set, their publishing would otherwise
    queue tasks to Redis that no worker reads. A live server's requests run in threads of
    this process, so their tasks run there too.
    """
    from cac.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def unreachable_engine(settings):
    """The search engine is down: Elasticsearch on a closed port, where the real client fails
    to connect."""
    from search.engines.selection import get_engine

    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"
    get_engine.cache_clear()
    yield
    get_engine.cache_clear()


@pytest.fixture
def site_structure(db):
    """The home pages and practice indexes for every content locale."""
    from home.site_structure import ensure_site_structure

    return ensure_site_structure()


@pytest.fixture
def summit(db):
    """The summit, ten areas and fifteen sessions, loaded as `make run` loads them, with the
    areas and cities translated into Korean only: the tests read those, and each further
    language costs every test that loads the summit a few seconds. The browser tests'
    `seeded_site` and tests/sitedata/test_place_names.py load every language."""
    from knowledge.models import SummitPage
    from sitedata.summit_programme import load_summit_2020

    load_summit_2020(languages={"ko"})
    return SummitPage.objects.get(slug="summit-2020")


@pytest.fixture(scope="session")
def worker_translation_provider():
    """The machine-translation provider the test worker is configured with: a local server
    speaking DeepL's API (no provider can be reached from here)."""
    from tests.translation.fakes import FakeDeepL

    with FakeDeepL(api_key="worker-test-key") as fake:
        yield fake


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, worker_translation_provider):
    """A real `celery -A cac worker` on Redis, reading the test database.

    Tests that use it must commit their data (transactional_db), since the worker is
    another process with its own connection.
    """
    from django.conf import settings
    from django.db import connection

    broker_url = require_redis_broker()
    require_postgresql()
    settings_dict = connection.settings_dict
    database_url = (
        f"postgres://{settings_dict['USER']}@{settings_dict['HOST']}:{settings_dict['PORT']}"
        f"/{settings_dict['NAME']}"
    )
    env = {
        **os.environ,  # with CAC_TEST_REDIS_MOVED, under xdist (cac/settings/test.py)
        "DJANGO_SETTINGS_MODULE": "cac.settings.test",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker_url,
        "TEST_SEARCH_INDEX_DIR": str(settings.SEARCH_INDEX_DIR),
        "TEST_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "TEST_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "TEST_EMAIL_FILE_PATH": str(WORKER_EMAIL_DIR),
        "MT_PROVIDER": "deepl",
        "MT_API_KEY": worker_translation_provider.api_key,
        "MT_URL": worker_translation_provider.url,
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "cac",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=PROJECT_ROOT,
        env=env,
    )
    from cac.celery import app

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            pytest.fail(f"celery worker exited with {worker.returncode}")
        answers = app.control.ping(timeout=1)
        if answers:
            TEST_WORKER["name"] = next(iter(answers[0]))
            break
    else:
        worker.terminate()
        pytest.fail("celery worker did not answer a ping within 60 s")
    yield worker
    TEST_WORKER.clear()
    worker.terminate()
    worker.wait(timeout=30)


# Where the embedded default (SQLite, in-process tasks, the local index) differs from the
# production parts: settings, the search engine and its indexing, the demo `make run` loads,
# imports and exports, document and translation jobs run in process, the databases' own
# failure modes on odd input. CI runs these again on SQLite (.ci/run); `make test` runs all.
EMBEDDED_DEFAULT_TESTS = (
    "tests/cac/test_settings.py",
    "tests/core/test_health.py",
    "tests/core/test_odd_requests.py",
    "tests/core/test_wagtail_internals.py",
    "tests/documents/",
    "tests/search/",
    "tests/security/test_hostile_input.py",
    "tests/sitedata/",
    "tests/translation/test_localize_jobs.py",
    "tests/translation/test_machine_translation.py",
)


def pytest_collection_modifyitems(config, items):
    """A transactional test must restore the serialized data: its flush would otherwise re-create
    the content types, and the next test that restores them fails on duplicate keys."""
    for item in items:
        if item.nodeid.startswith(EMBEDDED_DEFAULT_TESTS):
            item.add_marker(pytest.mark.embedded_default)
    careless = [
        item.nodeid
        for item in items
        if (marker := item.get_closest_marker("django_db")) is not None
        and marker.kwargs.get("transaction")
        and not marker.kwargs.get("serialized_rollback")
    ]
    if careless:
        raise pytest.UsageError(
            "mark transactional tests django_db(transaction=True, serialized_rollback=True): "
            + ", ".join(careless)
        )


@pytest.fixture(params=["per-process", "redis"])
def cache_backend(request, settings):
    """The test twice: on the per-process cache (development) and on Redis (production)."""
    from tests.services import cache_on_redis, redis_url_for_cache

    if request.param == "per-process":
        yield
        return
    with cache_on_redis(settings, redis_url_for_cache()):
        yield
